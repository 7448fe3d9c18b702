"""One batch at a time per exports folder.

Two batches writing the same ``exports/`` would interleave manifest and index
updates. The second one is refused with a message naming the holder, rather
than queued: a scheduler should see the clash, not wait silently.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Iterator

from llmtrends.errors import LlmtrendsError

LOCK_NAME = ".llmtrends.lock"


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
    handle = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            try:
                holder = json.loads(handle.read() or "{}")
            except ValueError:
                holder = {}
            raise ExportsLocked(
                f"another llmtrends batch is writing to {exports_dir.name}/ (pid {holder.get('pid', '?')}, "
                f"started {holder.get('started', '?')}); wait for it to finish, or pass --exports DIR "
                "to build elsewhere") from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(),
                                 "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}))
        handle.flush()
        yield path
    finally:
        handle.close()  # closing releases the flock
