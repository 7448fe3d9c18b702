"""The files of ``data/`` as the loader and every cache see them: listed, read and digested one way.

What decides which data a load validated lives here, so that the loader
(:mod:`llmtrends.facts.reading`), the validated cache on disk
(:mod:`llmtrends.facts.cache`), the in-process cache
(:mod:`llmtrends.facts.loading`) and the run cache
(:mod:`llmtrends.batch.cache`) agree:

- **which files count** (`data_files`): every file under the folder,
  following symbolic links to folders and files (``data/observations`` may
  be a link; a link loop is walked once). Names listed in `IGNORED` (hidden
  files, editor and Office lock, swap and backup files) are not data: the
  loader never reads them and no cache key covers them.
- **what a file holds** (`token`): the SHA-256 of its bytes. Only a regular
  file is ever read: a FIFO, device or socket is named (``<fifo>``), never
  opened for reading, so it can neither hang a load nor stream forever.
- **the state of a folder** (`state`): one SHA-256 over the relative path and
  token of every file that counts. Content decides, never timestamps: a
  file's digest is reused only while its device, inode, size, mtime and ctime
  are unchanged *and* it was hashed more than `RACY_NS` after it last changed.
  That is git's "racy clean" rule: on a file system with one- or two-second
  timestamps an edit of the same size within the second leaves every field
  as it was, so a file changed that recently is hashed again on every look.

A `Snapshot` reads every data file once and serves the loader from memory
while it builds, so the state a load is cached under is computed from the very
bytes it validated: a file saved during a load can never put new data under
an old key.

Lines of a data file are bounded (`MAX_LINE_BYTES`): a 200 MB line is refused
after reading one mebibyte of it, not held in memory whole.
"""
from __future__ import annotations

import contextlib
import contextvars
import errno
import hashlib
import os
import stat
import threading
import time
from pathlib import Path
from typing import Iterator

#: The names that are never data (listing, loading and every cache key skip them).
IGNORED = ("names starting with '.', '~' or '#', or ending with '~' or '#': hidden files, editor and Office "
           "lock files (.#x.csv, ~$x.csv, .~lock.x.csv#), swap and backup files (.x.csv.swp, #x.csv#, x.csv~); "
           "and folders named __pycache__")

#: Longest line accepted in a data file, in bytes (1 MiB).
MAX_LINE_BYTES = 1 << 20

#: A file changed less than this before it was hashed is hashed again (file systems with 2-second timestamps).
RACY_NS = 2_000_000_000

#: Files whose bytes a `Snapshot` keeps for the loader (the others are only digested).
READ_SUFFIXES = (".csv", ".yaml", ".yml")

_CHUNK = 1 << 20
#: The resolution timestamps are read at (1 ns: as the system gives them; tests simulate coarse file systems).
_TIMESTAMP_NS = 1


def ignored(name: str) -> bool:
    """Whether a file or folder name is not data (see `IGNORED`).

    >>> [ignored(n) for n in (".#x.csv", "~$x.csv", "x.csv~", "#x.csv#", ".x.csv.swp", "x.csv", "__pycache__")]
    [True, True, True, True, True, False, True]
    """
    return name.startswith((".", "~", "#")) or name.endswith(("~", "#")) or name == "__pycache__"


# --------------------------------------------------------------------------- kinds of files

class NotRegular(OSError):
    """A path that is not a regular file (``kind``: ``"FIFO"``, ``"device"``, ``"socket"``, ``"folder"`` ...)."""

    def __init__(self, path, kind: str):
        super().__init__(f"{kind}, not a regular file")
        self.filename = os.fspath(path)
        self.kind = kind


class LineTooLong(ValueError):
    """A line of a data file is longer than `MAX_LINE_BYTES` (``line`` is 1-based)."""

    def __init__(self, line: int, limit: int = MAX_LINE_BYTES):
        super().__init__(f"line {line} is longer than {limit:,} bytes")
        self.line, self.limit = line, limit


def kind_of(mode: int) -> str:
    """``"file"`` for a regular file, else what it is, in words."""
    if stat.S_ISREG(mode):
        return "file"
    for test, word in ((stat.S_ISDIR, "folder"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "device"),
                       (stat.S_ISBLK, "device"), (stat.S_ISSOCK, "socket"), (stat.S_ISLNK, "symbolic link")):
        if test(mode):
            return word
    return "special file"


def open_regular(path, *, follow_symlinks: bool = True):
    """``(binary file, stat)`` of a regular file; IsADirectoryError for a folder, `NotRegular` for anything else.

    Never waits: a FIFO is recognised before it is opened, and opened (if it
    replaced the file meanwhile) without blocking, then refused. With
    ``follow_symlinks=False`` a symbolic link is refused too.
    """
    before = os.stat(path, follow_symlinks=follow_symlinks)
    if stat.S_ISDIR(before.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    if not stat.S_ISREG(before.st_mode):
        raise NotRegular(path, kind_of(before.st_mode))
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow_symlinks and os.path.islink(path):
            raise NotRegular(path, "symbolic link") from exc
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced between the two looks
            raise NotRegular(path, kind_of(st.st_mode))
        return os.fdopen(fd, "rb"), st
    except BaseException:
        os.close(fd)
        raise


# --------------------------------------------------------------------------- digests

_known: dict[str, tuple[tuple, str, int]] = {}  # path -> (signature, sha256, time hashed)
_known_lock = threading.Lock()


def _times(st: os.stat_result) -> tuple[int, int]:
    return st.st_mtime_ns - st.st_mtime_ns % _TIMESTAMP_NS, st.st_ctime_ns - st.st_ctime_ns % _TIMESTAMP_NS


def _signature(st: os.stat_result) -> tuple:
    return (st.st_dev, st.st_ino, st.st_size, *_times(st))


def _settled(st: os.stat_result, hashed_at: int) -> bool:
    """Whether the file last changed long enough before it was hashed for its timestamps to be trusted."""
    return max(_times(st)) < hashed_at - RACY_NS


def _read(path, *, keep: bool, follow_symlinks: bool = True) -> tuple[str, bytes | None, int | None]:
    """``(sha256, bytes or None, number of a line over MAX_LINE_BYTES or None)``, reading the file once.

    The bytes are kept only with ``keep`` and while no line is too long;
    memory stays within a chunk and a line otherwise. Records the digest for `token`.
    """
    hashed_at = time.time_ns()
    fh, st = open_regular(path, follow_symlinks=follow_symlinks)
    digest = hashlib.sha256()
    chunks: list[bytes] | None = [] if keep else None
    line, run, too_long = 1, 0, None  # run: bytes since the last newline
    with fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            if chunks is None:
                continue
            first = chunk.find(b"\n")
            if first < 0:
                run += len(chunk)
            else:
                run += first
            if run > MAX_LINE_BYTES:  # lines wholly inside a chunk are shorter than the chunk (= the bound)
                too_long, chunks = line, None
                continue
            if first >= 0:
                line += chunk.count(b"\n")
                run = len(chunk) - chunk.rfind(b"\n") - 1
            chunks.append(chunk)
    hexdigest = digest.hexdigest()
    with _known_lock:
        _known[os.fspath(path)] = (_signature(st), hexdigest, hashed_at)
    return hexdigest, (b"".join(chunks) if chunks is not None else None), too_long


def token(path, *, follow_symlinks: bool = True) -> str:
    """The SHA-256 of a regular file's bytes; for anything else a marker saying what is there.

    Markers: ``<missing>``, ``<FIFO>``, ``<device>``, ``<folder>``, ``<unreadable: reason>`` ...
    A digest is reused without reading while the file's signature is unchanged
    and the file was hashed well after it last changed (see the module description).
    """
    try:
        st = os.stat(path, follow_symlinks=follow_symlinks)
    except FileNotFoundError:
        return "<missing>"
    except OSError as exc:
        return f"<unreadable: {exc.strerror or exc}>"
    if not stat.S_ISREG(st.st_mode):
        return f"<{kind_of(st.st_mode)}>"
    with _known_lock:
        known = _known.get(os.fspath(path))
    if known is not None and known[0] == _signature(st) and _settled(st, known[2]):
        return known[1]
    try:
        return _read(path, keep=False, follow_symlinks=follow_symlinks)[0]
    except NotRegular as exc:
        return f"<{exc.kind}>"
    except FileNotFoundError:
        return "<missing>"
    except OSError as exc:
        return f"<unreadable: {exc.strerror or exc}>"


def sha256(path, *, follow_symlinks: bool = True) -> str | None:
    """The SHA-256 of a regular file, or ``None`` when there is none to read (missing, special, unreadable)."""
    found = token(path, follow_symlinks=follow_symlinks)
    return None if found.startswith("<") else found


# --------------------------------------------------------------------------- folders

def _walk(root) -> Iterator[tuple[str, Path, bool]]:
    """``(relative POSIX path, path, is a folder)`` of everything under ``root``, `ignored` names included.

    Follows symbolic links to folders, but never into a folder it is already
    inside (a link loop is walked once); does not descend into ignored folders.
    """
    def walk(folder: str, prefix: str, ancestors: frozenset):
        try:
            st = os.stat(folder)
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        here = ancestors | {(st.st_dev, st.st_ino)}
        for entry in entries:
            try:
                inside = os.stat(entry.path) if entry.is_dir() else None  # follows a link
            except OSError:
                inside = None
            yield prefix + entry.name, Path(entry.path), inside is not None
            if inside is not None and not ignored(entry.name) and (inside.st_dev, inside.st_ino) not in here:
                yield from walk(entry.path, f"{prefix}{entry.name}/", here)

    yield from walk(os.fspath(root), "", frozenset())


def data_files(root) -> list[tuple[str, Path]]:
    """``(relative POSIX path, path)`` of every file that counts under ``root``, sorted by relative path.

    Follows symbolic links to folders and files; lists everything that is
    not a folder, special files included (their `token` says what they are);
    skips `ignored` names and whatever is inside an ignored folder.
    """
    return sorted((rel, path) for rel, path, is_dir in _walk(root)
                  if not is_dir and not ignored(path.name))


def _state_of(tokens: Iterator[tuple[str, str]]) -> str:
    digest = hashlib.sha256(b"llmtrends-data-state-1\n")
    for rel, found in tokens:
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0" + found.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def state(root) -> str:
    """One SHA-256 over every file that counts under ``root``: relative path and content (see `token`).

    A missing folder has a state of its own. Editing, adding, removing or
    renaming a file that counts changes it; touching a file does not.
    """
    if not os.path.isdir(root):
        return _state_of(iter([("", "<missing folder>")]))
    return _state_of((rel, token(path)) for rel, path in data_files(root))


# --------------------------------------------------------------------------- the loader's view

_active: contextvars.ContextVar["Snapshot | None"] = contextvars.ContextVar("llmtrends_snapshot", default=None)


class Snapshot:
    """Every data file under ``root`` read once; the loader reads from it while it is `serving`.

    Attributes
    ----------
    root : pathlib.Path
    state : str
        `state` of the bytes read (what a load from this snapshot is cached under).
    """

    def __init__(self, root):
        self.root = Path(root)
        self._entries: dict[str, tuple[str, bytes | None, int | None]] = {}  # rel -> (token, bytes, long line)
        self._folders: set[str] = set()
        tokens = []
        if os.path.isdir(self.root):
            self._folders = {rel for rel, _, is_dir in _walk(self.root) if is_dir}
            for rel, path in data_files(self.root):
                entry = self._take(path, keep=rel.endswith(READ_SUFFIXES))
                self._entries[rel] = entry
                tokens.append((rel, entry[0]))
            self.state = _state_of(iter(tokens))
        else:
            self.state = _state_of(iter([("", "<missing folder>")]))

    @staticmethod
    def _take(path: Path, keep: bool) -> tuple[str, bytes | None, int | None]:
        try:
            return _read(path, keep=keep)
        except NotRegular as exc:
            return f"<{exc.kind}>", None, None
        except FileNotFoundError:
            return "<missing>", None, None
        except OSError as exc:
            return f"<unreadable: {exc.strerror or exc}>", None, None

    @contextlib.contextmanager
    def serving(self):
        """Within this block, `read_bytes`, `exists` and `listing` under ``root`` answer from the snapshot."""
        reset = _active.set(self)
        try:
            yield self
        finally:
            _active.reset(reset)

    def _rel(self, path) -> str | None:
        try:
            rel = Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return None
        return rel if rel != "." else ""

    def read_bytes(self, path) -> bytes:
        rel = self._rel(path)
        if rel in self._folders:
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
        found, data, long_line = self._entries.get(rel, ("<missing>", None, None))
        if long_line is not None:
            raise LineTooLong(long_line)
        if data is not None:
            return data
        if found == "<missing>":
            raise FileNotFoundError(2, "No such file or directory", os.fspath(path))
        if found.startswith("<unreadable"):
            raise OSError(found[len("<unreadable: "):-1])
        if found.startswith("<"):
            raise NotRegular(path, found[1:-1])
        return read_bytes(path, snapshot=False)  # digested only (not a suffix the loader reads)

    def listing(self, folder, suffix: str) -> list[Path]:
        rel = self._rel(folder)
        prefix = f"{rel}/" if rel else ""
        names = [name[len(prefix):] for name in self._entries if name.startswith(prefix)]
        return [Path(folder) / name for name in sorted(names) if "/" not in name and name.endswith(suffix)]


def _serving(path) -> Snapshot | None:
    snapshot = _active.get()
    return snapshot if snapshot is not None and snapshot._rel(path) is not None else None


def read_bytes(path, *, snapshot: bool = True) -> bytes:
    """The bytes of a regular file (from the snapshot being served when it covers ``path``).

    Raises
    ------
    FileNotFoundError, NotRegular, OSError
        As reading the file would.
    LineTooLong
        When a line is longer than `MAX_LINE_BYTES` (read no further than that).
    """
    served = _serving(path) if snapshot else None
    if served is not None:
        return served.read_bytes(path)
    _, data, long_line = _read(path, keep=True)
    if long_line is not None:
        raise LineTooLong(long_line)
    return data


def exists(path) -> bool:
    """Whether ``path`` is there (as the snapshot being served saw it, when one covers it)."""
    served = _serving(path)
    if served is not None:
        rel = served._rel(path)
        return rel in served._folders or (rel in served._entries and served._entries[rel][0] != "<missing>")
    return os.path.exists(path)


def listing(folder, suffix: str) -> list[Path]:
    """The files of ``folder`` (not its sub-folders) whose name ends with ``suffix``, `ignored` names aside, sorted."""
    served = _serving(folder)
    if served is not None:
        return served.listing(folder, suffix)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir and not ignored(entry.name) and entry.name.endswith(suffix):
            out.append(Path(folder) / entry.name)
    return out


def ignored_files(root) -> list[str]:
    """Relative paths of the `ignored` files and folders under ``root`` (``__pycache__`` aside): what the loader skips."""
    return sorted(rel for rel, path, _ in _walk(root) if ignored(path.name) and path.name != "__pycache__")
