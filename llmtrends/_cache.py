"""A validated cache on disk: the fact base is read and checked once per data version.

Validating every row in pure Python costs ~60 µs a row (6 s at 100,000 rows),
paid by every kernel. What a validated load produces is pickled, keyed by

- the SHA-256 of every file under the data folder (any edit, added or
  removed file invalidates it),
- the llmtrends version and a digest of its source (a change in the loader or
  its checks invalidates it), and the Python and pandas versions (pickle
  compatibility),
- the listing (name, size, modification time) of the document store when one
  is present, since checks may read it.

A load that raises is never cached, so every error message comes from the
same validation code, unchanged. An unreadable or stale cache file is simply
rebuilt. Where the cache lives: ``$LLMTRENDS_CACHE`` (``off`` disables it),
else ``.llmtrends-cache/`` in a repository checkout (ignored by git), else the
user cache folder (``$XDG_CACHE_HOME/llmtrends`` or ``~/.cache/llmtrends``).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

from . import paths

T = TypeVar("T")
_FORMAT = 1  # bump when the layout of a cache file changes


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when ``LLMTRENDS_CACHE=off``."""
    override = os.environ.get("LLMTRENDS_CACHE")
    if override:
        return None if override.strip().lower() in ("off", "0", "no", "false") else Path(override)
    if paths.REPO_ROOT is not None:
        return paths.REPO_ROOT / ".llmtrends-cache"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "llmtrends"


def _tree_digest(root: Path, *, contents: bool) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if not p.is_file() or "__pycache__" in p.parts:
            continue
        h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
        if contents:
            h.update(hashlib.sha256(p.read_bytes()).digest())
        else:
            st = p.stat()
            h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def _code_digest() -> str:
    h = hashlib.sha256()
    for p in sorted(paths.PACKAGE_DIR.glob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def cache_key(root: Path) -> tuple:
    """Everything a validated load of ``root`` depends on."""
    import pandas

    from . import __version__
    documents = getattr(paths, "documents_dir", None)
    store = documents() if callable(documents) else None
    store_digest = _tree_digest(store, contents=False) if store is not None and Path(store).is_dir() else None
    return (_FORMAT, __version__, _code_digest(), sys.version_info[:2], pandas.__version__,
            str(Path(root).resolve()), _tree_digest(Path(root), contents=True), store_digest)


def _file_for(root: Path, folder: Path) -> Path:
    name = hashlib.sha256(str(Path(root).resolve()).encode("utf-8")).hexdigest()[:16]
    return folder / f"data-{name}.pickle"


def load_or_build(root: Path, build: Callable[[], T]) -> T:
    """What ``build()`` returns for the data under ``root``, from the cache when its key matches.

    Parameters
    ----------
    root : pathlib.Path
        The data folder (``sources.yaml``, ``observations/`` ...).
    build : callable
        Reads and validates the data; may raise (nothing is cached then).

    Returns
    -------
    object
        The cached or freshly built value.
    """
    folder = cache_dir()
    if folder is None:
        return build()
    key = cache_key(root)
    path = _file_for(root, folder)
    try:
        with path.open("rb") as fh:
            if pickle.load(fh) == key:
                return pickle.load(fh)
    except Exception:  # missing, truncated, or written by another version: rebuild
        pass
    value = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(key, fh, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: a reader sees the old file or the new one
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:  # a read-only location: work without the cache
        pass
    return value
