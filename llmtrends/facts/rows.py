"""The rows of ``data/``: observations (one figure as one document states it) and categorical tables."""
from __future__ import annotations

import re
import unicodedata

from llmtrends.facts import files as _files
from llmtrends.facts import numbers
from llmtrends.facts.periods import PERIOD_FORMS, parse_period, period_hint
from llmtrends.facts.reading import Problem, _rel, accepted_list, read_csv_rows, read_yaml, suggest
from llmtrends.facts.registry import Registry

OBSERVATION_COLUMNS = (
    "obs_id", "source_id", "theme", "metric", "segment", "entity", "period",
    "value", "value_low", "value_high", "qualifier", "unit", "quote", "note",
    "period_quote", "period_inferred", "value_derived",
)
TABLE_COMMON_COLUMNS = ("source_id", "quote", "note")
_OBS_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


#: A number as the data files write it: ASCII digits, an optional sign and decimal point.
_DECIMAL = re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?\Z", re.ASCII)
NUMBER_FORMS = ("a plain decimal of ASCII digits like 42, -3 or 19.99 (no units, %, thousands separators, "
                "underscores, exponents or other digits than 0-9)")


def _number(text: str) -> float | None:
    """The value of a numeric cell (``None`` when empty); ValueError for anything but `NUMBER_FORMS`.

    Not ``float()``: it reads ``1_8`` as 18, full-width ``１８`` as 18 and
    ``1e3``, ``inf`` or ``nan`` as numbers, so a typo would pass as a figure.

    >>> _number(" 19.99 "), _number("-3"), _number("")
    (19.99, -3.0, None)
    >>> _number("1_8")
    Traceback (most recent call last):
    ValueError: 1_8
    """
    text = text.strip()
    if not text:
        return None
    if not _DECIMAL.match(text):
        raise ValueError(text)  # the caller reports it with its row and column
    return float(text)


def _number_hint(text: str) -> str:
    """``"; did you mean '18'?"`` for a number written with other digits (full-width ``１８``), else ``""``."""
    plain = "".join(str(unicodedata.digit(c, c)) if c.isdigit() else c
                    for c in unicodedata.normalize("NFKC", text.strip()))
    return f"; did you mean '{plain}'?" if plain != text.strip() and _DECIMAL.match(plain) else ""


def _check_name(value: str, accepted: dict, what: str, add) -> bool:
    if value in accepted:
        return True
    found = repr(value) if value else "nothing"
    add(f"unknown {what} {found}{suggest(value, accepted)}; accepted: {accepted_list(accepted)}")
    return False


def _load_observations(reg: Registry, problems: list[Problem]) -> list[dict]:
    """Every row of ``data/observations/*.csv``, validated; a broken row is a problem, never a row."""
    folder = reg.root / "observations"
    files = _files.listing(folder, ".csv")  # hidden, lock and backup files aside (files.IGNORED)
    if not files:
        problems.append(Problem("data/observations/", "no observation files (*.csv)"))
    out: list[dict] = []
    first_seen: dict[str, str] = {}
    for path in files:
        fname = _rel(path, reg.root)
        doc = path.stem
        if doc not in reg.documents:
            problems.append(Problem(fname, f"file name must be a document id of documents.yaml; "
                                           f"'{doc}' is not{suggest(doc, reg.documents)}"))
        for line, row in read_csv_rows(path, reg.root, OBSERVATION_COLUMNS, problems, exact=True) or []:
            rec = {k: v if k in _FREE_TEXT else v.strip() for k, v in row.items()}
            record = f"obs_id {rec['obs_id']}" if rec["obs_id"] else None

            def add(message: str, column: str | None = None, _line=line, _record=record):
                problems.append(Problem(fname, message, line=_line, record=_record, column=column))

            _check_obs_id(rec["obs_id"], first_seen, f"{fname}, line {line}", add)
            row_out = _observation(rec, reg, doc, add)
            if row_out is not None:
                out.append(dict(row_out, _file=fname, _line=line))
    return out


#: columns whose text is kept as written (the others are stripped)
_FREE_TEXT = ("quote", "note", "period_quote", "period_inferred", "value_derived")


def _check_obs_id(oid: str, first_seen: dict[str, str], where: str, add) -> None:
    if not _OBS_ID.match(oid):
        add(f"obs_id {oid!r} is not a slug; accepted: lowercase letters, digits, '_', '.', '-'", "obs_id")
    elif oid in first_seen:
        add(f"duplicate obs_id; first used in {first_seen[oid]}; accepted: an obs_id used nowhere else", "obs_id")
    else:
        first_seen[oid] = where


def _observation(rec: dict, reg: Registry, doc: str, add) -> dict | None:
    """One validated row (without its place), or ``None`` when ``add`` was told what is wrong."""
    ok = _names_ok(rec, reg, doc, add)
    entity = reg.entity_id(rec["entity"])
    if entity is None:
        found = repr(rec["entity"]) if rec["entity"] else "nothing"
        add(f"unknown entity spelling {found}{suggest(rec['entity'].casefold(), list(reg.aliases))}; "
            "accepted: a spelling listed in vocabulary.yaml entities (add it as an alias)", "entity")
        ok = False
    try:
        start, end = parse_period(rec["period"])
    except ValueError:
        add(f"period {rec['period']!r} does not parse{period_hint(rec['period'])}; accepted: {PERIOD_FORMS}",
            "period")
        start = end = None
        ok = False
    metric = reg.metrics.get(rec["metric"])
    values = _values(rec, add, change=metric is not None and metric.get("kind") == "change")
    ok &= values is not None
    if not rec["quote"].strip():
        add("quote is empty; accepted: the sentence the figure came from, verbatim", "quote")
        ok = False
    elif values is not None and rec["unit"] in reg.units:
        ok &= _value_in_quote(rec, add)
    period_forms = [c for c in ("period_quote", "period_inferred") if rec[c].strip()]
    if len(period_forms) != 1:
        add(f"period {rec['period']!r} has {'both' if period_forms else 'neither'} of period_quote and "
            "period_inferred; accepted: exactly one: period_quote (verbatim text of this document stating "
            "the period) or period_inferred (why the period is what it is, from what)",
            "period_inferred" if period_forms else "period_quote")
        ok = False
    if not ok:
        return None
    return {
        "obs_id": rec["obs_id"], "source_id": rec["source_id"], "theme": rec["theme"],
        "metric": rec["metric"], "segment": rec["segment"], "entity": entity,
        "entity_as_written": rec["entity"], "period": rec["period"],
        "period_start": start, "period_end": end, **values,
        "qualifier": rec["qualifier"], "unit": rec["unit"],
        "doc": doc, "quote": rec["quote"].strip(), "note": rec["note"].strip(),
        "period_quote": rec["period_quote"].strip(), "period_inferred": rec["period_inferred"].strip(),
    }


def _value_in_quote(rec: dict, add) -> bool:
    """Each number written in value, value_low, value_high is readable in the quote, in any notation the
    document uses (:mod:`llmtrends.facts.numbers`), unless ``value_derived`` says how it follows from it."""
    if rec["value_derived"].strip():
        return True
    ok = True
    for column in ("value", "value_low", "value_high"):
        if not rec[column].strip():
            continue
        value = float(rec[column])
        if not numbers.reads_as(value, rec["unit"], rec["quote"]):
            add(f"{column} {value:g} ({rec['unit']}) is not readable in its quote, which holds "
                f"{numbers.describe(rec['quote'], rec['unit'])}; accepted: a value the quote states (digits, "
                "万/亿, million, 1/3, 三分之一, half, 三成, 翻倍, doubled; an ordinal 第三 / third for a rank; "
                "data/README.md 'Numbers in the documents'), or value_derived saying how the value follows from "
                "the quote (e.g. \"'the market leader' -> 1\")", column)
            ok = False
    return ok


def _names_ok(rec: dict, reg: Registry, doc: str, add) -> bool:
    """Source, theme, segment, qualifier, unit and metric are known, and agree with each other."""
    ok = True
    if rec["source_id"] not in reg.sources:
        _check_name(rec["source_id"], reg.sources, "source_id", lambda m: add(m, "source_id"))
        ok = False
    elif doc in reg.documents and rec["source_id"] not in reg.documents[doc]["reports"]:
        add(f"source '{rec['source_id']}' is not among the sources document '{doc}' reports; accepted: "
            f"{', '.join(reg.documents[doc]['reports'])} (or add it to 'reports:' of '{doc}' in "
            "documents.yaml)", "source_id")
    for column, accepted in (("theme", reg.themes), ("segment", reg.segments), ("qualifier", reg.qualifiers),
                             ("unit", reg.units)):
        ok &= _check_name(rec[column], accepted, column, lambda m, c=column: add(m, c))
    metric = reg.metrics.get(rec["metric"])
    if metric is None:
        _check_name(rec["metric"], reg.metrics, "metric", lambda m: add(m, "metric"))
        ok = False
    elif rec["unit"] in reg.units and metric["unit"] != rec["unit"]:
        add(f"unit '{rec['unit']}' does not match metric '{rec['metric']}', whose unit is '{metric['unit']}'", "unit")
        ok = False
    return ok


def _values(rec: dict, add, change: bool = False) -> dict | None:
    """``value`` (a range's midpoint when only its ends are given), ``value_low``, ``value_high``, ``value_derived``."""
    ok = True
    nums: dict[str, float | None] = {}
    for col in ("value", "value_low", "value_high"):
        try:
            nums[col] = _number(rec[col])
        except ValueError:
            add(f"{rec[col].strip()!r} is not a number{_number_hint(rec[col])}; accepted: {NUMBER_FORMS}", col)
            ok = False
            nums[col] = None
    low, high, value = nums["value_low"], nums["value_high"], nums["value"]
    derived = ""
    if (low is None) != (high is None) and rec["value_low"].strip() + rec["value_high"].strip():
        if not (rec["value_low"].strip() and rec["value_high"].strip()):
            add("a range needs both value_low and value_high", "value_low" if low is None else "value_high")
            ok = False
    if value is None and low is not None and high is not None:
        value = (low + high) / 2
        derived = "midpoint of the published range"
    written = rec["value_derived"].strip()
    if written:
        derived = f"{derived}; {written}" if derived else written
    if value is None and ok and not (rec["value"].strip()):
        add("no value; accepted: a number in 'value', or both ends of a range in value_low/value_high", "value")
        ok = False
    if low is not None and high is not None and value is not None and not (low <= value <= high):
        col = "value_low" if value < low else "value_high"
        add(f"value_low <= value <= value_high fails: {low:g} <= {value:g} <= {high:g}; "
            "accepted: a value inside its published range", col)
        ok = False
    if rec["unit"] == "percent":
        # A share or rate lies in 0-100; a change in percent ("up 452%", "fell 1.5%") may pass 100
        # or be negative, but nothing falls by more than all of itself.
        for col, num in (("value", value), ("value_low", low), ("value_high", high)):
            if num is None:
                continue
            if change and num < -100:
                add(f"change of {num:g} percent is below -100; accepted: -100 or more for a change "
                    f"metric in unit 'percent' (a fall of 100% leaves nothing)", col)
                ok = False
            elif not change and not 0 <= num <= 100:
                add(f"percentage {num:g} is outside 0-100; accepted: 0 to 100 for unit 'percent' "
                    "(a change metric, kind 'change', may be negative or above 100)", col)
                ok = False
    if not ok:
        return None
    return {"value": value, "value_low": low, "value_high": high, "value_derived": derived}


def _load_tables(reg: Registry, problems: list[Problem]) -> tuple[dict, dict]:
    name = "data/tables.yaml"
    path = reg.root / "tables.yaml"
    if not _files.exists(path):
        return {}, {}
    doc = read_yaml(path, reg.root, problems)
    if doc is None:
        return {}, {}
    tables, rows_by_table = {}, {}
    for tname, spec in (doc or {}).items():
        record = f"table '{tname}'"
        if not isinstance(spec, dict) or not isinstance(spec.get("columns"), dict):
            problems.append(Problem(name, "needs title, definition, source_id and a 'columns' mapping", record=record))
            continue
        for col in ("title", "definition"):
            if not str(spec.get(col) or "").strip():
                problems.append(Problem(name, f"'{col}' is required", record=record, column=col))
        tables[str(tname)] = dict(spec, name=str(tname))
        csv_path = reg.root / "tables" / f"{tname}.csv"
        columns = list(spec["columns"])
        for c in TABLE_COMMON_COLUMNS:
            if c not in columns:
                columns.append(c)
        rows = read_csv_rows(csv_path, reg.root, columns, problems, exact=True)
        fname = _rel(csv_path, reg.root)
        clean = []
        for line, row in rows or []:
            def add(message, column=None, _line=line):
                problems.append(Problem(fname, message, line=_line, column=column))
            ok = _check_name(row["source_id"].strip(), reg.sources, "source_id", lambda m: add(m, "source_id"))
            if not row["quote"].strip():
                add("quote is empty; accepted: the table line the row came from, verbatim", "quote")
                ok = False
            if "vendor" in row and row["vendor"].strip():
                vid = reg.entity_id(row["vendor"])
                if vid is None:
                    add(f"unknown entity spelling {row['vendor']!r}; accepted: a spelling in vocabulary.yaml", "vendor")
                    ok = False
                else:
                    row = dict(row, vendor=vid)
            for col, col_spec in spec["columns"].items():  # typed columns: load() casts them
                if isinstance(col_spec, dict) and col_spec.get("type") == "int" and col in row:
                    if not re.fullmatch(r"-?[0-9]+", row[col].strip()):
                        found = repr(row[col].strip()) if row[col].strip() else "nothing"
                        add(f"{found} is not a whole number; accepted: ASCII digits like 3 "
                            f"(column '{col}' is typed int in tables.yaml)", col)
                        ok = False
            if ok:
                clean.append(dict({k: v.strip() for k, v in row.items()}, _file=fname, _line=line))
        rows_by_table[str(tname)] = clean
    return tables, rows_by_table


