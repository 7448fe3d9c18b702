"""Coverage: every number a document writes is a row's value, a period a row states, or declared.

The numbers counted are those written with digits (:func:`llmtrends.facts.numbers.digit_numbers`:
``32%``, ``84億``, ``1,500``, ``1/3``, ``2025``, a footnote marker ``1``) in a
document's body: for ``.md`` files the text after the ``---`` header block.
Numbers in words (三成, "one in five", 翻倍) are read by the value check but not
counted here: whether "one" or 一 is a number depends on the sentence ("one of
the", 一直, 统一), which no rule decides without a reader (data/README.md,
"Numbers in the documents").

A number is covered, in this order, by

1. ``row``: a row of the document whose quote (whitespace runs aside) holds it
   at that place and whose ``value``, ``value_low`` or ``value_high`` it means
   (in the row's unit; a rank through the ordinal around it, 第3 or 3rd);
2. ``period``: a row of the document whose ``period_quote`` holds it at that
   place, when it reads as a date part (a year 1900-2100, or a whole number
   1-31 without a percent sign or magnitude);
3. ``not_rows``: an entry of the document's ``not_rows`` (documents.yaml)
   whose text holds it at that place;

else it is ``UNCOVERED``: ``llmtrends check`` fails on it (one problem per
number, naming the document, the line, the number as written and its
sentence) and ``llmtrends coverage`` lists it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from llmtrends.facts.numbers import Number, digit_numbers, find_numbers, means
from llmtrends.facts.reading import Problem
from llmtrends.facts.registry import Registry

FILE = "data/documents.yaml"
#: what covers a number, in the order it is looked for
HOW = ("row", "period", "not_rows")
_SENTENCE_END = re.compile(r"[。！？；]|[.!?;](?=\s)|\n")


@dataclass(frozen=True)
class Item:
    """One number of a document and what covers it (``how`` None: uncovered)."""

    doc: str
    line: int
    text: str
    sentence: str
    how: str | None = None
    ref: str = ""
    detail: str = ""


class _Body:
    """A document's body with its whitespace runs collapsed, and the way back to lines."""

    def __init__(self, raw: str, file: str):
        self.raw = raw
        start = _body_start(raw) if str(file).endswith(".md") else 0
        pieces, index = [], []
        for m in re.finditer(r"\s+|\S+", raw[start:]):
            chunk = " " if m.group().isspace() else m.group()
            pieces.append(chunk)
            index.extend([start + m.start()] if chunk == " " else range(start + m.start(), start + m.end()))
        self.text = "".join(pieces)
        self.index = index

    def line(self, pos: int) -> int:
        return self.raw.count("\n", 0, self.index[pos]) + 1 if self.index else 1

    def occurrences(self, quote: str) -> list[tuple[int, int]]:
        needle = re.sub(r"\s+", " ", str(quote)).strip()
        found, at = [], self.text.find(needle) if needle else -1
        while at >= 0:
            found.append((at, at + len(needle)))
            at = self.text.find(needle, at + 1)
        return found

    def sentence(self, start: int, end: int, width: int = 110) -> str:
        """The sentence (or line) around ``text[start:end]``, whitespace runs collapsed, at most ``width``
        characters around the number."""
        raw, a, b = self.raw, self.index[start], self.index[end - 1] + 1
        left = max([m.end() for m in _SENTENCE_END.finditer(raw, max(0, a - 400), a)] or [max(0, a - 400)])
        right = _SENTENCE_END.search(raw, b)
        right = right.end() if right else len(raw)
        cut_left, cut_right = max(left, a - width // 2), min(right, b + width // 2)
        text = re.sub(r"\s+", " ", raw[cut_left:cut_right]).strip()
        return ("…" if cut_left > left else "") + text + ("…" if cut_right < right else "")


def _body_start(raw: str) -> int:
    """Where a ``.md`` document's body starts: after its ``---`` header block (0 without one)."""
    m = re.match(r"\ufeff?---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|$)", raw, re.S)
    return m.end() if m else 0


def _is_date_part(n: Number) -> bool:
    if n.text != n.text.strip("%％") or not float(n.values[0]).is_integer() or len(n.values) != 1:
        return False
    v = n.values[0]
    return 1900 <= v <= 2100 or 1 <= v <= 31


def _covering_rows(reg: Registry, did: str, body: _Body) -> list[tuple]:
    """(start, end, how, row) for each place a row's quote or period_quote holds, in file order."""
    spans = []
    rows = sorted((r for r in reg.observations if r["doc"] == did), key=lambda r: (r["_file"], r["_line"]))
    for r in rows:
        spans += [(a, b, "row", r) for a, b in body.occurrences(r["quote"])]
        if r.get("period_quote"):
            spans += [(a, b, "period", r) for a, b in body.occurrences(r["period_quote"])]
    return spans


def _row_detail(number: Number, around: list[Number], r: dict) -> str | None:
    """``"value 32"`` when one of the numbers at this place means the row's value, low or high."""
    for column in ("value", "value_low", "value_high"):
        value = r.get(column)
        if value is not None and any(means(n, value, r["unit"]) for n in around):
            return f"{column} {value:g} {r['unit']}"
    return None


def document(reg: Registry, did: str, raw: str) -> list[Item]:
    """Every number of document ``did`` (text ``raw``) with what covers it, in the order of the text."""
    return _items(reg, did, _Body(raw, reg.documents[did].get("file") or ""))


def _items(reg: Registry, did: str, body: _Body) -> list[Item]:
    spans = _covering_rows(reg, did, body)
    declared = []
    for j, entry in enumerate(reg.documents[did].get("not_rows") or [], start=1):
        declared += [(a, b, j, entry) for a, b in body.occurrences(entry["text"])]
    readings = find_numbers(body.text)
    items = []
    for n in digit_numbers(body.text):
        a, b = n.core
        around = [m for m in readings if m.start <= a and b <= m.end]
        how = ref = detail = None
        for start, end, kind, r in spans:
            if not (start <= a and b <= end):
                continue
            if kind == "row":
                detail = _row_detail(n, around, r)
            elif _is_date_part(n):
                detail = f"period {r['period']}"
            if detail:
                how, ref = kind, r["obs_id"]
                break
        if how is None:
            for start, end, j, entry in declared:
                if start <= a and b <= end:
                    how, ref, detail = "not_rows", f"not_rows #{j}", str(entry["reason"])
                    break
        items.append(Item(did, body.line(n.start), n.text, body.sentence(n.start, n.end), how, ref or "",
                          detail or ""))
    return items


def read_document(store: Path, reg: Registry, did: str) -> str | None:
    """The text of a registered document, or ``None`` when it is absent or not UTF-8 (the store checks say so)."""
    path = Path(store) / str(reg.documents[did].get("file") or "")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def run(store: Path, reg: Registry, docs: list[str] | None = None) -> dict[str, list[Item] | None]:
    """``{document id: its numbers}`` for ``docs`` (default: every registered document, in registry order);
    ``None`` for a document the store does not hold as UTF-8 text."""
    out: dict[str, list[Item] | None] = {}
    for did in docs if docs is not None else list(reg.documents):
        raw = read_document(store, reg, did)
        out[did] = None if raw is None else document(reg, did, raw)
    return out


def check(store: Path, reg: Registry) -> tuple[dict[str, list[Item] | None], list[Problem]]:
    """What ``llmtrends check`` runs: every document's numbers, and the problems: each uncovered number, and
    each not_rows text that finds more than one place in its document's body (its reason would name two numbers)."""
    found: dict[str, list[Item] | None] = {}
    out: list[Problem] = []
    for did, d in reg.documents.items():
        raw = read_document(store, reg, did)
        if raw is None:  # missing or not UTF-8: the store checks name it
            found[did] = None
            continue
        body = _Body(raw, d.get("file") or "")
        found[did] = _items(reg, did, body)
        for j, entry in enumerate(d.get("not_rows") or [], start=1):
            places = len(body.occurrences(entry["text"]))
            if places > 1:
                out.append(Problem(FILE, f"not_rows #{j}: text {str(entry['text'])[:60]!r} occurs {places} times "
                                   f"in the body of {did}; accepted: a text that finds one place (add words of "
                                   "its sentence, or one entry per place)", record=f"document '{did}'",
                                   column="not_rows"))
    return found, out + problems(found)


def problems(found: dict[str, list[Item] | None]) -> list[Problem]:
    """One problem per uncovered number: document, line, the number as written, its sentence."""
    out = []
    for did, items in found.items():
        for item in items or []:
            if item.how is None:
                out.append(Problem(f"document {did}", f"number {item.text!r} is neither a row's value (a row whose "
                                   f"quote holds it), a period of a row's period_quote, nor in a not_rows text: "
                                   f"“{item.sentence}”; accepted: a row for it, or a not_rows entry "
                                   "{text, reason} in data/documents.yaml", line=item.line))
    return out


def summary(did: str, items: list[Item]) -> str:
    """One line: how many numbers the document writes and what covers them."""
    found = {how: sum(1 for i in items if i.how == how) for how in HOW}
    uncovered = sum(1 for i in items if i.how is None)
    return (f"{did}: {_count(len(items), 'number')}: {_count(found['row'], 'row value')}, "
            f"{_count(found['period'], 'period')}, {found['not_rows']} not_rows, {uncovered} UNCOVERED")


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def counts(found: dict[str, list[Item] | None]) -> dict[str, int]:
    """Totals over documents: numbers, row values, periods, not_rows, uncovered, documents read."""
    items = [i for v in found.values() for i in v or []]
    out = {how: sum(1 for i in items if i.how == how) for how in HOW}
    out.update(numbers=len(items), uncovered=sum(1 for i in items if i.how is None),
               documents=sum(1 for v in found.values() if v is not None))
    return out


def table(did: str, items: list[Item], only_uncovered: bool = False, width: int = 160) -> list[str]:
    """The lines ``llmtrends coverage`` prints for one document: a header, one line per number, the summary."""
    if only_uncovered and all(i.how is not None for i in items):
        return [summary(did, items)]
    lines = [f"{did}", f"  {'line':>5}  {'number':<14}  {'covered by':<60}  sentence"]
    for i in items:
        if only_uncovered and i.how is not None:
            continue
        if i.how is None:
            by = "UNCOVERED"
        elif i.how == "not_rows":
            by = f"{i.ref}: {i.detail}"
        else:
            by = f"{i.ref} ({i.detail})"
        by = by if len(by) <= 60 else by[:59] + "…"
        text = i.text if len(i.text) <= 14 else i.text[:13] + "…"
        line = f"  {i.line:>5}  {text:<14}  {by:<60}  {i.sentence}"
        lines.append(line if len(line) <= width else line[: width - 1] + "…")
    lines.append(summary(did, items))
    return lines
