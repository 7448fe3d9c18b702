"""Reading the files of ``data/``: every problem found becomes a :class:`Problem` with its place.

The loaders (``registry``, ``rows``, ``evidence``) collect every problem they
find and raise one :class:`~llmtrends.errors.DataError`, so an analyst who
broke five rows sees five precise messages. This module reads text, YAML
(strictly, against its schema) and CSV, and says where a name was not found.
"""
from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable


from llmtrends.facts import files, schemas
from llmtrends.facts import strict_yaml as _yaml

#: Characters never written raw to a terminal: C0 and C1 controls, DEL, and the
#: bidirectional overrides and isolates that reorder what a line seems to say.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: object, keep: str = "") -> str:
    r"""``text`` with control characters shown as escapes (``\x1b``, ``\n``), except those in ``keep``.

    File names and values reach messages printed on a terminal: an escape
    sequence or a carriage return in a file name must not redraw the screen.

    >>> print(printable("x\x1b[31m.csv"), printable("a\nb"), printable("\u202eabc"))
    x\x1b[31m.csv a\nb \u202eabc
    >>> printable("a\nb", keep="\n") == "a\nb"
    True
    """
    def escaped(match: re.Match) -> str:
        char = match.group(0)
        if char in keep:
            return char
        return repr(char)[1:-1] if ord(char) < 0x100 else f"\\u{ord(char):04x}"
    return _UNPRINTABLE.sub(escaped, str(text))


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place of one file."""

    file: str
    message: str
    line: int | None = None
    record: str | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = printable(self.file)
        if self.line is not None:
            where += f", line {self.line}"
        if self.record:
            where += f" ({printable(self.record)})"
        if self.column:
            where += f", column '{printable(self.column)}'"
        return f"{where}: {printable(self.message)}"


def suggest(found: str, accepted: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest accepted name, or ``""``."""
    close = difflib.get_close_matches(str(found), [str(a) for a in accepted], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def accepted_list(accepted: Iterable[str], limit: int = 12) -> str:
    items = sorted(str(a) for a in accepted)
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


# --------------------------------------------------------------------------- files

def _rel(path: Path, root: Path) -> str:
    try:
        return f"data/{path.relative_to(root).as_posix()}"
    except ValueError:
        return path.name


def read_text(path: Path, root: Path, problems: list[Problem]) -> str | None:
    """Read a UTF-8 file; record a problem (not a traceback) when it cannot be.

    Read through `llmtrends.facts.files`: from the snapshot a load is built
    from, only a regular file (a FIFO or device is named, never read), and
    no further than a line longer than `files.MAX_LINE_BYTES`.
    """
    name = _rel(path, root)
    try:
        raw = files.read_bytes(path)
    except FileNotFoundError:
        problems.append(Problem(name, "file is missing"))
        return None
    except files.NotRegular as exc:
        problems.append(Problem(name, f"is a {exc.kind}, not a regular file; accepted: a regular file"))
        return None
    except files.LineTooLong as exc:
        problems.append(Problem(name, f"the line is longer than {exc.limit:,} bytes (1 MiB) and the file was not "
                                      "read further; accepted: lines of at most 1 MiB (a data row is one line; "
                                      "a binary file, or a quote never closed, makes one endless line)",
                                line=exc.line))
        return None
    except OSError as exc:  # no permission ...
        problems.append(Problem(name, f"cannot be read: {exc.strerror or exc}; accepted: a readable file"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(
            name,
            f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "accepted: UTF-8 text - re-save the file as UTF-8",
        ))
        return None
    if not text.strip():
        problems.append(Problem(name, "file is empty; accepted: a file with content (see data/README.md)"))
        return None
    return text


def read_yaml(path: Path, root: Path, problems: list[Problem]) -> Any:
    """The YAML document of a data file, read safely (`llmtrends.facts.strict_yaml`) and checked against its schema.

    Returns ``None`` (with the problems recorded) when the file is missing,
    not YAML, refused (duplicate key, alias, non-decimal number) or of the
    wrong shape (`llmtrends.facts.schemas`): no field of it is read then.
    """
    text = read_text(path, root, problems)
    if text is None:
        return None
    name = _rel(path, root)
    try:
        document = _yaml.load(text)
    except _yaml.Refused as refused:
        column = f" at column {refused.column}" if refused.column is not None else ""
        if refused.syntax:
            message = f"YAML syntax error{column}: {refused.problem}; accepted: valid YAML"
        else:
            message = f"{refused.problem}{column and ' (' + column.strip() + ')'}"
        problems.append(Problem(name, message, line=refused.line))
        return None
    except RecursionError:
        problems.append(Problem(name, "nested too deeply to read; accepted: plain mappings and lists"))
        return None
    shape = schemas.problems(path.name, document, text)
    if shape:
        problems.extend(Problem(name, message, line=line, record=record, column=column)
                        for line, record, column, message in shape)
        return None
    return document


def read_csv_rows(path: Path, root: Path, required: Iterable[str], problems: list[Problem],
                  exact: bool = False) -> list[tuple[int, dict[str, str]]] | None:
    """Rows of a CSV as ``(line number, {column: text})``; header problems are fatal for the file."""
    name = _rel(path, root)
    text = read_text(path, root, problems)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:  # pragma: no cover - empty handled above
        problems.append(Problem(name, f"cannot read the header row: {exc}"))
        return None
    header = [h.strip() for h in header]
    required = list(required)
    missing = [c for c in required if c not in header]
    extra = [c for c in header if c not in required] if exact else []
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(f"'{c}'" for c in missing))
        if extra:
            parts.append("unexpected column(s) " + ", ".join(
                f"'{c}'{suggest(c, missing)}" for c in extra))
        problems.append(Problem(name, "; ".join(parts) + f"; accepted header: {','.join(required)}", line=1))
        return None
    dupes = {h for h in header if header.count(h) > 1}
    if dupes:
        problems.append(Problem(name, f"duplicate column(s) {sorted(dupes)}", line=1))
        return None
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            line = reader.line_num
            if len(cells) != len(header):
                problems.append(Problem(
                    name, f"has {len(cells)} cells, the header has {len(header)} "
                          "(a comma inside a value needs double quotes)", line=line))
                continue
            rows.append((line, dict(zip(header, cells))))
    except csv.Error as exc:
        problems.append(Problem(name, _csv_error(exc), line=reader.line_num))
        return None
    return rows


def _csv_error(exc: csv.Error) -> str:
    text = str(exc)
    if text.startswith("field larger than field limit"):
        return (f"a cell is longer than {csv.field_size_limit():,} characters (the CSV reader's bound); accepted: "
                "cells shorter than that - a double quote that is never closed makes the rest of the file one cell")
    return f"CSV syntax error: {text}"



def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


_collapse = collapse  # the name the loaders used
