"""The exports folder: usable, one batch at a time, and read without leaving it.

Two batches writing the same ``exports/`` would interleave manifest and index
updates. The second one is refused with a message naming the holder, rather
than queued: a scheduler should see the clash, not wait silently.

Whatever the batch reads back from the exports folder (the manifest, an
earlier export) is read with `read_inside`: a regular file of the folder
itself, never through a symbolic link (which may point anywhere) and never a
FIFO or a device (a FIFO named like a notebook would hang the batch, a link to
``/dev/zero`` exhaust its memory), and no more than a stated size.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Iterator

from llmtrends.errors import LlmtrendsError

LOCK_NAME = ".llmtrends.lock"
#: Bytes of the lock file read to name its holder (it holds a pid and a time).
_LOCK_READ = 4096


class ExportsLocked(LlmtrendsError):
    """Another batch holds the exports folder."""


class ExportsUnusable(LlmtrendsError):
    """The exports folder cannot be created or written to."""


def check_exports_dir(exports_dir: Path) -> Path:
    """Make sure ``exports_dir`` is a folder this process can write files in (created if missing).

    Called before any kernel starts, so that ``--exports`` pointing at a file
    or a read-only folder is reported at once, not after every run failed.

    Raises
    ------
    ExportsUnusable
        Naming the folder and why (not a folder, permission denied, disk full ...).
    """
    exports_dir = Path(exports_dir)
    hint = "pass --exports DIR with a folder you can write to (created if missing)"
    existing = exports_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent  # a folder to be created: its nearest existing ancestor must take it
    if not existing.is_dir():
        what = "it is" if existing == exports_dir else f"{existing} is"
        raise ExportsUnusable(f"cannot write the exports to {exports_dir}: {what} a file, not a folder; {hint}")
    if existing != exports_dir:
        if not os.access(existing, os.W_OK | os.X_OK):
            raise ExportsUnusable(f"cannot create the exports folder {exports_dir}: {existing} is not writable; "
                                  f"{hint}")
        return exports_dir  # nothing is created before the parameters are checked
    try:
        handle, probe = tempfile.mkstemp(dir=exports_dir, prefix=".llmtrends-probe.", suffix=".tmp")
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise ExportsUnusable(f"cannot write the exports to {exports_dir}: {exc.strerror or exc}; {hint}") from None
    return exports_dir


@contextlib.contextmanager
def exports_lock(exports_dir: Path) -> Iterator[Path]:
    """Hold an exclusive, non-blocking lock on ``exports_dir`` for the duration of a batch.

    Parameters
    ----------
    exports_dir : pathlib.Path
        The exports folder (created if missing).

    Raises
    ------
    ExportsLocked
        When another process holds the lock; the message names its pid and start time.

    Notes
    -----
    The lock is an ``flock`` on ``exports/.llmtrends.lock``: the kernel releases
    it when the holder exits, even after ``kill -9``, so a crash never leaves a
    stale lock behind.
    """
    exports_dir = Path(exports_dir)
    try:
        exports_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportsUnusable(f"cannot create the exports folder {exports_dir}: {exc.strerror or exc}") from None
    path = exports_dir / LOCK_NAME
    fd = _open_lock(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                holder = json.loads(os.pread(fd, _LOCK_READ, 0).decode("utf-8") or "{}")
            except (ValueError, OSError):
                holder = {}
            holder = holder if isinstance(holder, dict) else {}
            raise ExportsLocked(
                f"another llmtrends batch is writing to {exports_dir.name}/ (pid {holder.get('pid', '?')}, "
                f"started {holder.get('started', '?')}); wait for it to finish, or pass --exports DIR "
                "to build elsewhere") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(),
                                  "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}).encode("utf-8"), 0)
        yield path
    finally:
        os.close(fd)  # closing releases the flock


def _open_lock(path: Path) -> int:
    """The lock file's descriptor: a regular file of the exports folder, created if missing.

    Never through a symbolic link (its target would be truncated) and never a
    FIFO or device: those are refused with `ExportsUnusable`, naming the file.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    fix = "remove it (the batch creates its lock file itself) or pass --exports DIR to build elsewhere"
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP or os.path.islink(path):
            raise ExportsUnusable(f"{path.parent.name}/{LOCK_NAME} is a symbolic link{_target(path)}, "
                                  f"not the batch's lock file: {fix}") from None
        if exc.errno == errno.EISDIR:
            raise ExportsUnusable(f"{path.parent.name}/{LOCK_NAME} is a folder, not the batch's lock file: {fix}") from None
        raise ExportsUnusable(f"cannot open the lock file {path.parent.name}/{LOCK_NAME}: {exc.strerror or exc}; "
                              f"{fix}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ExportsUnusable(f"{path.parent.name}/{LOCK_NAME} is {_kind(mode)}, not the batch's lock file: {fix}")
    return fd


def _target(link: Path) -> str:
    try:
        return f" (to {os.readlink(link)})"
    except OSError:
        return ""


def _kind(mode: int) -> str:
    """What a file that is not a regular one is, in words."""
    for test, word in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return word
    return "a special file"


class NotInside(OSError):
    """A file of the exports folder that the batch does not read: a link, a FIFO, a device, or too large."""


def read_inside(path: Path, *, limit: int) -> bytes:
    """The bytes of ``path``, a regular file (not a link) of its folder, at most ``limit`` bytes long.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    NotInside
        When it is a symbolic link, a FIFO, a device or a folder (never opened
        for reading, so nothing hangs), or longer than ``limit``; the message says which.
    OSError
        When it cannot be read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotInside(errno.ELOOP, "a symbolic link, not read", str(path)) from None
        raise
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotInside(errno.EINVAL, f"{_kind(mode)}, not read", str(path))
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise NotInside(errno.EFBIG, f"larger than {limit:,} bytes, not read", str(path))
    return data


def regular_inside(path: Path) -> bool:
    """Whether ``path`` is a regular file of its folder (not a link, FIFO, device or folder)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False
