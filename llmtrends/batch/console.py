"""The batch's console: progress lines, timestamped when the output is a log, and an output that closes.

Every line is one line of visible text (`visible`): a file name, a title or
an error message with an escape sequence, a carriage return, a newline or a
bidirectional override in it shows that character as an escape (``\\x1b``)
and can neither redraw the terminal nor forge a line of a cron log. A console
that cannot encode a character (``LC_ALL=C``) gets it as an escape too.

A helper any step may use; it imports no other module of ``llmtrends.batch``
but the clock.
"""
from __future__ import annotations

import os
import re
import sys
import threading
from typing import Callable

from llmtrends.batch.clock import utc_iso, utc_now

Emit = Callable[[str], None]

# C0 and C1 controls, DEL, and the characters that reorder or break text (bidi marks and overrides, line
# and paragraph separators)
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: object) -> str:
    r"""``text`` with every control character written as an escape.

    >>> print(visible("a\x1b[2Jb\nc\u202ed"))
    a\x1b[2Jb\nc\u202ed
    """
    def escaped(match: re.Match) -> str:
        char = match.group(0)
        return repr(char)[1:-1] if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _INVISIBLE.sub(escaped, str(text))


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
        line = visible(line)
        if stamp:
            line = f"{utc_iso(utc_now())} {line}"
        try:
            try:
                target.write(line + "\n")
            except UnicodeEncodeError:  # a console that cannot show a character shows its escape
                encoding = getattr(target, "encoding", None) or "ascii"
                target.write(line.encode(encoding, "backslashreplace").decode(encoding) + "\n")
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
