"""A validated cache on disk: the fact base is read and checked once per data version.

Validating every row in pure Python costs ~60 µs a row (6 s at 100,000 rows),
paid by every kernel. What a validated load produces is pickled, keyed by

- the state of the data folder (:func:`llmtrends.facts.files.state`: the
  SHA-256 of every file that counts; any edit, added or removed file
  invalidates it, whatever the timestamps say and through symbolic links),
- the llmtrends version and a digest of its source (a change in the loader or
  its checks invalidates it), the Python and pandas versions (pickle
  compatibility) and the data folder's resolved path.

The key is taken from the bytes actually validated: a load reads every data
file once (:class:`llmtrends.facts.files.Snapshot`), validates those bytes
and files the result under their state, so a file saved during a load can
never put new data under an old key.

The cache proves what it serves. A cache file holds its key and the SHA-256
and length of each stored part; a part is unpickled only once its digest
matches. Anything else is rebuilt, never served and never a traceback: a
missing, truncated, corrupt or foreign-format file, a file another user owns
or others may write, and a special file or symbolic link where the file
should be (it is opened without following links or waiting on a FIFO, and
replaced). Temp files left by a killed writer are removed by the next write.

A load that raises is never cached, so every error message comes from the
same validation code, unchanged. Where the cache lives: ``$LLMTRENDS_CACHE``
(``off`` disables it), else ``.llmtrends-cache/`` in a repository checkout
(ignored by git), else the user cache folder (``$XDG_CACHE_HOME/llmtrends``
or ``~/.cache/llmtrends``). With no home folder (``HOME`` unset and a uid with
no passwd entry, as in some containers) there is none: one line on stderr
says so and loads validate every time.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, TypeVar

from llmtrends import paths
from llmtrends.facts import files

T = TypeVar("T")
_FORMAT = 3  # bump when the layout of a cache file changes
_MAGIC = b"llmtrends validated cache\n"
_LENGTH = 8  # bytes of the header's length
#: A temp file of a writer that is gone (or of any writer, after this long) is removed.
STALE_TEMP_SECONDS = 3600
_said: set[str] = set()


def _say_once(message: str) -> None:
    """One line on stderr, once per process (a closed stderr is not an error)."""
    if message in _said:
        return
    _said.add(message)
    try:
        print(f"llmtrends: {message}", file=sys.stderr)
    except (OSError, ValueError):
        pass


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when ``LLMTRENDS_CACHE=off`` or there is no home folder to keep it in."""
    override = os.environ.get("LLMTRENDS_CACHE")
    if override:
        return None if override.strip().lower() in ("off", "0", "no", "false") else Path(override)
    if paths.REPO_ROOT is not None:
        return paths.REPO_ROOT / ".llmtrends-cache"
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "llmtrends"
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):  # HOME unset and the uid has no passwd entry
        _say_once(f"no home folder (HOME is not set and uid {os.getuid()} has no passwd entry): the validated-data "
                  "cache is off and every load validates the data; set LLMTRENDS_CACHE to a folder to keep one")
        return None
    return home / ".cache" / "llmtrends"


def _code_digest() -> str:
    h = hashlib.sha256()
    for rel, path in files.data_files(paths.PACKAGE_DIR):
        if rel.endswith(".py"):
            h.update(rel.encode("utf-8") + b"\0" + files.token(path).encode("ascii", "replace") + b"\n")
    return h.hexdigest()


def cache_key(root: Path, state: str | None = None) -> str:
    """Everything a validated load of ``root`` depends on, as one string (``state``: of the data read)."""
    import pandas

    from llmtrends.version import __version__
    return json.dumps([_FORMAT, __version__, _code_digest(), list(sys.version_info[:2]), pandas.__version__,
                       str(Path(root).resolve()), state if state is not None else files.state(root)])


def _file_for(root: Path, folder: Path) -> Path:
    name = hashlib.sha256(str(Path(root).resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return folder / f"data-{name}.pickle"


class LazyRecords(list):
    """A list of records unpickled on first use.

    The validated records (one dict per row) cost more to unpickle than the
    frames built from them (~1.7 s against 0.06 s at 100,000 rows), and most
    sessions only use the frames: the list is filled the first time it is read.
    Its bytes were checked against their digest before it was made.

    Examples
    --------
    >>> import pickle
    >>> rows = LazyRecords(pickle.dumps([{"a": 1}, {"a": 2}]))
    >>> len(rows), [r["a"] for r in rows], rows == [{"a": 1}, {"a": 2}]
    (2, [1, 2], True)
    """

    def __init__(self, payload: bytes):
        super().__init__()
        self._payload: bytes | None = payload

    def _fill(self) -> None:
        if self._payload is not None:
            payload, self._payload = self._payload, None
            list.extend(self, pickle.loads(payload))


def _filled(name: str):
    method = getattr(list, name)

    def wrapper(self, *args, **kwargs):
        self._fill()
        return method(self, *args, **kwargs)
    wrapper.__name__ = name
    return wrapper


for _name in ("__iter__", "__len__", "__getitem__", "__contains__", "__reversed__", "__eq__", "__ne__", "__lt__",
              "__le__", "__gt__", "__ge__", "__repr__", "__add__", "__mul__", "__iadd__", "__imul__", "__setitem__",
              "__delitem__", "__reduce_ex__", "append", "extend", "insert", "pop", "remove", "sort", "reverse",
              "index", "count", "copy", "clear"):
    setattr(LazyRecords, _name, _filled(_name))


# --------------------------------------------------------------------------- reading a cache file

def _discard(path: Path) -> None:
    """Remove what stands where the cache file should be (a link is removed, not what it points to)."""
    try:
        if not os.path.isdir(path) or os.path.islink(path):
            os.unlink(path)
    except OSError:
        pass


def _trusted(st: os.stat_result) -> bool:
    """Whether a cache file may be unpickled: ours, and nobody else may write it."""
    return st.st_uid == os.geteuid() and not st.st_mode & 0o022


class _Digesting:
    """A read-only view of the next ``length`` bytes of a file that digests what is read through it.

    The stored value is unpickled as it is read (reading it into memory first,
    then unpickling, costs a copy of a few hundred MB at 10^5 rows); it is
    kept only when the digest of exactly its bytes matches the recorded one.
    """

    def __init__(self, fh, length: int):
        self._fh, self._left, self._digest = fh, length, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._fh.read(size)
        self._left -= len(data)
        self._digest.update(data)
        return data

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")[:self._left]
        count = self._fh.readinto(view)
        self._left -= count
        self._digest.update(view[:count])
        return count

    def readline(self, size: int = -1) -> bytes:
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._fh.readline(size)
        self._left -= len(data)
        self._digest.update(data)
        return data

    def proves(self, digest: str) -> bool:
        """Whether every byte was read and their digest is ``digest``."""
        return self._left == 0 and self._digest.hexdigest() == digest


def _header(fh, size: int, key: str) -> list[tuple[int, str]] | None:
    """The ``(length, sha256)`` of each stored part when the file is in this format, of ``size`` bytes and under
    ``key``; else None."""
    start = len(_MAGIC) + _LENGTH
    head = fh.read(start)
    if len(head) != start or not head.startswith(_MAGIC):
        return None
    length = int.from_bytes(head[len(_MAGIC):], "big")
    if length > min(size, 1 << 20):
        return None
    try:
        header = json.loads(fh.read(length).decode("utf-8"))
        if not isinstance(header, dict) or header.get("key") != key:
            return None
        parts = [(int(n), str(d)) for n, d in header["parts"]]
    except (ValueError, KeyError, TypeError):
        return None
    if len(parts) != 2 or min(n for n, _ in parts) < 0 or start + length + sum(n for n, _ in parts) != size:
        return None
    return parts


def _read_value(fh, parts: list[tuple[int, str]], lazy: tuple[str, str] | None):
    """The stored value, its digest checked (and the lazy records', before they are kept); else None."""
    (length, digest), (records_length, records_digest) = parts
    reader = _Digesting(fh, length)
    try:
        value = pickle.load(reader)
    except Exception:  # damaged bytes, or a library that changed: never served
        return None
    reader.read()  # bytes after the pickle's end would make its digest fail
    if not reader.proves(digest):
        return None
    records = fh.read(records_length)
    if len(records) != records_length or hashlib.sha256(records).hexdigest() != records_digest:
        return None
    if lazy is not None:
        setattr(getattr(value, lazy[0]), lazy[1], LazyRecords(records))
    return value


def _read_entry(path: Path, key: str, lazy: tuple[str, str] | None):
    """``(True, value)`` from a cache file that proves itself, else ``(False, None)``.

    A special file or link where the cache file should be is removed; any
    other file that does not prove itself is left for the rebuild to replace.
    """
    try:
        fh, st = files.open_regular(path, follow_symlinks=False)
    except FileNotFoundError:
        return False, None
    except OSError:  # a FIFO, device, folder or link in its place, or unreadable
        _discard(path)
        return False, None
    try:
        with fh:
            parts = _header(fh, st.st_size, key) if _trusted(st) else None
            value = _read_value(fh, parts, lazy) if parts is not None else None
    except (OSError, MemoryError):
        return False, None
    return (value is not None), value


# --------------------------------------------------------------------------- writing one

_TEMP = re.compile(r"data-[0-9a-f]+\.pickle\.(?P<pid>[0-9]+)\.[^/]*\.tmp\Z|data-[0-9a-f]+\.pickle[^/]*\.tmp\Z")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def clean_temp_files(folder: Path) -> list[str]:
    """Remove the temp files of cache writers that are gone (killed mid-write); return their names.

    A temp file is a writer's as long as its process lives (its pid is in the
    name), and at most `STALE_TEMP_SECONDS` (the pid may be another machine's
    on a shared folder, or reused).
    """
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        found = _TEMP.match(entry.name)
        if not found:
            continue
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        pid = found.group("pid")
        if age > STALE_TEMP_SECONDS or (pid is not None and not _alive(int(pid))):
            try:
                os.unlink(entry.path)
                removed.append(entry.name)
            except OSError:
                pass
    return removed


def _stored_parts(value, lazy: tuple[str, str] | None) -> list[bytes]:
    if lazy is None:
        return [pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), b""]
    holder = getattr(value, lazy[0])
    records = getattr(holder, lazy[1])
    setattr(holder, lazy[1], [])
    try:
        first = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        setattr(holder, lazy[1], records)
    return [first, pickle.dumps(list(records), protocol=pickle.HIGHEST_PROTOCOL)]


def _write_entry(path: Path, key: str, value, lazy: tuple[str, str] | None) -> None:
    """Write the cache file atomically (temp file, then rename); a location that cannot be written is skipped."""
    parts = _stored_parts(value, lazy)
    header = json.dumps({"key": key, "parts": [[len(p), hashlib.sha256(p).hexdigest()] for p in parts]}).encode()
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        clean_temp_files(folder)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f"{path.name}.{os.getpid()}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC + len(header).to_bytes(_LENGTH, "big") + header)
                for part in parts:
                    fh.write(part)
            os.replace(tmp, path)  # atomic: a reader sees the old file or the new one; a link there is replaced
        finally:
            if os.path.lexists(tmp):
                os.unlink(tmp)
    except OSError:  # a read-only location, a full disk: work without the cache
        pass


# --------------------------------------------------------------------------- the entry points

def load(root: Path, build: Callable[[], T], lazy: tuple[str, str] | None = None,
         state: str | None = None) -> tuple[T, str]:
    """``(value, state)``: what ``build()`` returns for the data under ``root``, and the data state it is of.

    Parameters
    ----------
    root : pathlib.Path
        The data folder (``sources.yaml``, ``observations/`` ...).
    build : callable
        Reads and validates the data (through `llmtrends.facts.reading`, which
        a snapshot of ``root`` serves while it runs); may raise (nothing is
        cached then).
    lazy : (str, str), optional
        ``(attribute, list attribute)`` of the built value, e.g.
        ``("registry", "observations")``: that list is stored apart and read
        back as a :class:`LazyRecords`, unpickled only when first used.
    state : str, optional
        `llmtrends.facts.files.state` of ``root`` if already computed.

    Returns
    -------
    tuple
        The cached or freshly built value, and the state of the bytes it was
        built from (the state looked up when it came from the cache).
    """
    root = Path(root)
    folder = cache_dir()
    if state is None:
        state = files.state(root)
    path = _file_for(root, folder) if folder is not None else None
    if path is not None:
        found, value = _read_entry(path, cache_key(root, state), lazy)
        if found:
            return value, state
    snapshot = files.Snapshot(root)
    with snapshot.serving():
        value = build()
    if path is not None:
        _write_entry(path, cache_key(root, snapshot.state), value, lazy)
    return value, snapshot.state


def load_or_build(root: Path, build: Callable[[], T], lazy: tuple[str, str] | None = None) -> T:
    """What ``build()`` returns for the data under ``root``, from the cache when its key matches (see `load`)."""
    return load(root, build, lazy)[0]
