"""The one place that knows where things live.

Inside a repository checkout (editable install) the curated records are read
from ``<repo>/data``; an installed wheel carries a copy in ``llmtrends/_data``.
``LLMTRENDS_DATA`` overrides both (tests use it to load edited copies).

A folder named by an environment variable (`PATH_VARIABLES`) is absolute once
read: a relative ``LLMTRENDS_DATA=data`` is the ``data`` folder of the current
folder, never of wherever a later reader runs (a report's kernel runs in its
notebook's folder). The command resolves them once, at its start
(`resolve_environment`), and a batch hands its folders to its kernels
(`kernel_environment`), so that the runner and every kernel read one folder.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, MutableMapping

#: Environment variables naming a folder: ``LLMTRENDS_DATA`` (the data), ``LLMTRENDS_DOCUMENTS``
#: (the document store), ``LLMTRENDS_CACHE`` (the validated-data cache, or ``off``).
PATH_VARIABLES = ("LLMTRENDS_DATA", "LLMTRENDS_DOCUMENTS", "LLMTRENDS_CACHE")
#: Values of ``LLMTRENDS_CACHE`` that are a switch, not a folder.
_SWITCHES = ("off", "0", "no", "false")

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
        return Path(override).absolute()
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
        return Path(override).absolute()
    return project_root().parent / "shared" / "documents"


def _absolute(name: str, value: str) -> str:
    if name == "LLMTRENDS_CACHE" and value.strip().lower() in _SWITCHES:
        return value
    return str(Path(value).absolute())


def resolve_environment(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Make every folder of `PATH_VARIABLES` absolute, in ``environ`` (default ``os.environ``), once.

    Relative values are taken from the current folder; processes started
    afterwards (kernels, subprocesses) inherit the absolute folder.

    Returns
    -------
    dict of str to str
        The variables that were set, as they now are.
    """
    environ = os.environ if environ is None else environ
    resolved = {}
    for name in PATH_VARIABLES:
        value = environ.get(name)
        if value:
            environ[name] = resolved[name] = _absolute(name, value)
    return resolved


def kernel_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a batch starts its kernels with: ``base`` (default ``os.environ``) and the folders.

    ``LLMTRENDS_DATA`` is always set, to `data_dir` (the folder the batch
    checked and hashed); the other `PATH_VARIABLES`, when set, are absolute.
    """
    environment = dict(os.environ if base is None else base)
    for name in PATH_VARIABLES:
        if environment.get(name):
            environment[name] = _absolute(name, environment[name])
    environment["LLMTRENDS_DATA"] = str(data_dir())
    return environment
