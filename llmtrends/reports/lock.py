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
import time
from pathlib import Path
from typing import Iterator

from llmtrends.errors import LlmtrendsError

LOCK_NAME = ".llmtrends.lock"


class ExportsLocked(LlmtrendsError):
    """Another batch holds the exports folder."""


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
    exports_dir.mkdir(parents=True, exist_ok=True)
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
