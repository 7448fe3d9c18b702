"""The one place that knows where things live.

Inside a repository checkout (editable install) the curated records are read
from ``<repo>/data``; an installed wheel carries a copy in ``llmtrends/_data``.
``LLMTRENDS_DATA`` overrides both (tests use it to load edited copies).
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = PACKAGE_DIR.parent


def _is_repo(root: Path) -> bool:
    return (root / "data" / "sources.yaml").is_file() and (root / "pyproject.toml").is_file()


#: The repository root when running from a checkout, else ``None``.
REPO_ROOT: Path | None = _REPO_ROOT if _is_repo(_REPO_ROOT) else None


def data_dir() -> Path:
    """Directory holding ``sources.yaml``, ``vocabulary.yaml``, ``metrics.yaml`` ...

    Returns
    -------
    pathlib.Path
        ``$LLMTRENDS_DATA`` if set, else ``<repo>/data`` in a checkout, else the
        copy shipped inside the installed package.
    """
    override = os.environ.get("LLMTRENDS_DATA")
    if override:
        return Path(override)
    if REPO_ROOT is not None:
        return REPO_ROOT / "data"
    return PACKAGE_DIR / "_data"


def project_root() -> Path:
    """The repository root; falls back to the current directory outside a checkout."""
    return REPO_ROOT if REPO_ROOT is not None else Path.cwd()


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def exports_dir() -> Path:
    return project_root() / "exports"


def documents_dir() -> Path:
    """The document store: the texts every quote is checked against.

    ``$LLMTRENDS_DOCUMENTS`` if set, else ``../shared/documents`` beside the
    checkout (outside the repository; it may be absent, e.g. on a bare clone).
    """
    override = os.environ.get("LLMTRENDS_DOCUMENTS")
    if override:
        return Path(override)
    return project_root().parent / "shared" / "documents"
