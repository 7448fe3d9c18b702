"""The batch's console: progress lines, timestamped when the output is a log, and an output that closes.

A helper any step may use; it imports no other module of ``llmtrends.batch``
but the clock.
"""
from __future__ import annotations

import os
import sys
import threading
from typing import Callable

from llmtrends.batch.clock import utc_iso, utc_now

Emit = Callable[[str], None]


class _Printer:
    """Progress lines to a stream (stdout by default).

    Lines carry a UTC timestamp when the stream is not a terminal (a cron log,
    a file). A closed stream (``llmtrends run | head``) ends the output, not
    the batch: further lines are dropped and the batch finishes its runs.
    """

    def __init__(self, stream=None, timestamps: bool | None = None) -> None:
        self.stream = stream
        self.timestamps = timestamps
        self.closed = False

    def __call__(self, line: str) -> None:
        if self.closed:
            return
        target = self.stream or sys.stdout
        stamp = self.timestamps
        if stamp is None:
            try:
                stamp = not target.isatty()
            except (AttributeError, ValueError):
                stamp = True
        if stamp:
            line = f"{utc_iso(utc_now())} {line}"
        try:
            target.write(line + "\n")
            target.flush()
        except (BrokenPipeError, ValueError, OSError):
            self.closed = True
            _silence(target)


def _silence(stream) -> None:
    """Point a closed stdout/stderr at /dev/null, so that Python's exit-time flush does not fail."""
    try:
        fileno = stream.fileno()
    except (AttributeError, ValueError, OSError):
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fileno)
        os.close(devnull)
    except OSError:
        pass


def printer(stream=None, timestamps: bool | None = None) -> Emit:
    return _Printer(stream, timestamps)


def guarded(emit: Emit) -> Emit:
    """``emit`` for many threads: one line at a time; a closed output ends the output, not the batch."""
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            try:
                emit(line)
            except (BrokenPipeError, ValueError, OSError):
                pass

    return say
