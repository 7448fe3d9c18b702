"""Read and validate the curated records of ``data/``.

This module turns the hand-edited files into plain Python structures and
collects *every* problem it finds before raising one :class:`DataError`, so an
analyst who broke five rows sees five precise messages. It does not import
pandas: ``datasets`` builds frames from what this returns.
"""
from __future__ import annotations

import calendar
import csv
import difflib
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import yaml

from . import _yaml, schemas
from .errors import DataError

OBSERVATION_COLUMNS = (
    "obs_id", "source_id", "theme", "metric", "segment", "entity", "period",
    "value", "value_low", "value_high", "qualifier", "unit", "quote", "note",
    "period_quote", "period_inferred", "value_derived",
)
TABLE_COMMON_COLUMNS = ("source_id", "quote", "note")
METRIC_KINDS = ("share", "rate", "level", "change", "multiple", "price", "rank")
SOURCE_METHODS = (
    "survey", "telemetry", "financial_filing", "desk_research", "benchmark",
    "company_statement", "app_monitoring", "press_report", "test_report", "transaction_data",
    "market_research", "not_stated",
)
DOCUMENT_KINDS = ("relay", "primary", "translation")
#: registry fields that state a fact about a source: each needs <field>_quote or <field>_inferred when not null
FACT_FIELDS = ("published", "method", "sample", "fieldwork", "geography", "data_window", "segment_definitions")
DOCUMENT_LANGUAGES = ("en", "zh-Hans", "zh-Hant")
SHARE_SUM_TOLERANCE = 1.0  # percentage points allowed above 100 for rounding of exact figures
APPROX_SUM_TOLERANCE = 5.0  # ... when a member is approximate ("about a third" + "about 70%")
_OBS_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place of one file."""

    file: str
    message: str
    line: int | None = None
    record: str | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.record:
            where += f" ({self.record})"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


def suggest(found: str, accepted: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest accepted name, or ``""``."""
    close = difflib.get_close_matches(str(found), [str(a) for a in accepted], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def accepted_list(accepted: Iterable[str], limit: int = 12) -> str:
    items = sorted(str(a) for a in accepted)
    shown = ", ".join(items[:limit])
    return shown + (f", ... ({len(items)} in all)" if len(items) > limit else "")


# --------------------------------------------------------------------------- periods

_PERIOD_PART = re.compile(
    r"^(?:(?P<edge>end|mid)-(?P<ey>\d{4})"
    r"|(?P<y>\d{4})(?:-(?:(?P<m>\d{2})(?:-(?P<d>\d{2}))?|Q(?P<q>[1-4])|H(?P<h>[12])))?)$"
)
PERIOD_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn, YYYY-Hn, end-YYYY, mid-YYYY, or a span A..B of those"


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _parse_period_part(text: str) -> tuple[date, date]:
    match = _PERIOD_PART.match(text.strip())
    if not match:
        raise ValueError(text)
    g = match.groupdict()
    if g["edge"]:
        y = int(g["ey"])
        point = date(y, 12, 31) if g["edge"] == "end" else date(y, 6, 30)
        return point, point
    y = int(g["y"])
    if g["q"]:
        q = int(g["q"])
        return date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
    if g["h"]:
        h = int(g["h"])
        return date(y, 6 * h - 5, 1), _month_end(y, 6 * h)
    if g["m"]:
        m = int(g["m"])
        if g["d"]:
            d = date(y, m, int(g["d"]))  # raises ValueError on 2024-02-31
            return d, d
        if not 1 <= m <= 12:
            raise ValueError(text)
        return date(y, m, 1), _month_end(y, m)
    return date(y, 1, 1), date(y, 12, 31)


def parse_period(label: str) -> tuple[date, date]:
    """Turn a period label into its first and last day.

    Parameters
    ----------
    label : str
        ``2024``, ``2024-11``, ``2024-11-05``, ``2024-Q3``, ``2024-H1``,
        ``end-2023`` (31 December), ``mid-2025`` (30 June), or a span ``A..B``.

    Returns
    -------
    tuple of datetime.date
        ``(start, end)``.

    Raises
    ------
    ValueError
        When the label does not parse or a span ends before it starts.

    Examples
    --------
    >>> parse_period("2024-Q3")
    (datetime.date(2024, 7, 1), datetime.date(2024, 9, 30))
    """
    parts = str(label).split("..")
    if len(parts) == 1:
        return _parse_period_part(parts[0])
    if len(parts) == 2:
        start, _ = _parse_period_part(parts[0])
        _, end = _parse_period_part(parts[1])
        if end < start:
            raise ValueError(label)
        return start, end
    raise ValueError(label)


# --------------------------------------------------------------------------- files

def _rel(path: Path, root: Path) -> str:
    try:
        return f"data/{path.relative_to(root).as_posix()}"
    except ValueError:
        return path.name


def read_text(path: Path, root: Path, problems: list[Problem]) -> str | None:
    """Read a UTF-8 file; record a problem (not a traceback) when it cannot be."""
    name = _rel(path, root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(name, "file is missing"))
        return None
    except OSError as exc:  # a folder in its place, no permission ...
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
    """The YAML document of a data file, read safely (`llmtrends._yaml`) and checked against its schema.

    Returns ``None`` (with the problems recorded) when the file is missing,
    not YAML, refused (duplicate key, alias, non-decimal number) or of the
    wrong shape (`llmtrends.schemas`): no field of it is read then.
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
        problems.append(Problem(name, f"CSV syntax error: {exc}", line=reader.line_num))
        return None
    return rows


# --------------------------------------------------------------------------- registry

@dataclass
class Registry:
    """Everything under ``data/`` in plain Python form, validated."""

    root: Path
    themes: dict[str, str]
    segments: dict[str, str]
    units: dict[str, str]
    qualifiers: dict[str, str]
    entities: dict[str, dict]          # id -> entity record
    aliases: dict[str, str]            # lowercased spelling -> id
    metrics: dict[str, dict]
    documents: dict[str, dict]
    sources: dict[str, dict]
    tables: dict[str, dict]
    observations: list[dict] = field(default_factory=list)
    table_rows: dict[str, list[dict]] = field(default_factory=dict)
    disagreements: list[dict] = field(default_factory=list)

    def entity_id(self, spelling: str) -> str | None:
        return self.aliases.get(str(spelling).strip().casefold())


def _mapping(obj: Any, name: str, key: str, problems: list[Problem]) -> dict:
    if obj is None:
        return {}
    value = obj.get(key) if isinstance(obj, dict) else None
    if not isinstance(value, dict) or not value:
        problems.append(Problem(name, f"needs a non-empty mapping '{key}:'"))
        return {}
    return value


def _load_vocabulary(root: Path, problems: list[Problem]):
    name = "data/vocabulary.yaml"
    doc = read_yaml(root / "vocabulary.yaml", root, problems)
    themes = _mapping(doc, name, "themes", problems)
    segments = _mapping(doc, name, "segments", problems)
    units = _mapping(doc, name, "units", problems)
    qualifiers = _mapping(doc, name, "qualifiers", problems)
    entities: dict[str, dict] = {}
    aliases: dict[str, str] = {}
    raw = doc.get("entities") if isinstance(doc, dict) else None
    if doc is not None and not isinstance(raw, list):
        problems.append(Problem(name, "needs a list 'entities:'"))
        raw = []
    for i, ent in enumerate(raw or [], start=1):
        record = f"entity #{i}"
        if not isinstance(ent, dict) or not ent.get("id"):
            problems.append(Problem(name, "each entity needs an 'id'", record=record))
            continue
        eid = str(ent["id"])
        record = f"entity '{eid}'"
        if eid in entities:
            problems.append(Problem(name, "defined twice", record=record, column="id"))
            continue
        kind = ent.get("kind")
        if kind not in ("vendor", "model", "product", "app", "category", "aggregate"):
            problems.append(Problem(name, f"unknown kind {kind!r}; accepted: vendor, model, product, app, category, aggregate",
                                    record=record, column="kind"))
        if kind == "vendor" and not _HEX_COLOUR.match(str(ent.get("color", ""))):
            problems.append(Problem(name, f"a vendor needs a colour '#RRGGBB', found {ent.get('color')!r}",
                                    record=record, column="color"))
        entities[eid] = dict(ent, id=eid, name=str(ent.get("name") or eid))
        for spelling in [eid, ent.get("name")] + list(ent.get("aliases") or []):
            if spelling is None:
                continue
            key = str(spelling).strip().casefold()
            other = aliases.get(key)
            if other is not None and other != eid:
                problems.append(Problem(name, f"spelling {spelling!r} already means '{other}'",
                                        record=record, column="aliases"))
                continue
            aliases[key] = eid
    for eid, ent in entities.items():
        vendor = ent.get("vendor")
        if vendor is not None and entities.get(vendor, {}).get("kind") != "vendor":
            problems.append(Problem(name, f"vendor {vendor!r} is not a vendor entity{suggest(vendor, entities)}",
                                    record=f"entity '{eid}'", column="vendor"))
    return themes, segments, units, qualifiers, entities, aliases


def _load_metrics(root: Path, units: dict, problems: list[Problem]) -> dict[str, dict]:
    name = "data/metrics.yaml"
    doc = read_yaml(root / "metrics.yaml", root, problems)
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        problems.append(Problem(name, "needs a mapping of metric name -> definition, unit, kind"))
        return {}
    metrics = {}
    for key, m in doc.items():
        record = f"metric '{key}'"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(key)):
            problems.append(Problem(name, "metric names are snake_case", record=record))
        if not isinstance(m, dict):
            problems.append(Problem(name, "needs definition, unit and kind", record=record))
            continue
        if not str(m.get("definition") or "").strip():
            problems.append(Problem(name, "needs a one-line definition", record=record, column="definition"))
        if units and m.get("unit") not in units:
            problems.append(Problem(name, f"unknown unit {m.get('unit')!r}{suggest(m.get('unit'), units)}; "
                                          f"accepted: {accepted_list(units)}", record=record, column="unit"))
        if m.get("kind") not in METRIC_KINDS:
            problems.append(Problem(name, f"unknown kind {m.get('kind')!r}; accepted: {', '.join(METRIC_KINDS)}",
                                    record=record, column="kind"))
        metrics[str(key)] = dict(m, metric=str(key))
    return metrics


def _load_sources(root: Path, problems: list[Problem]) -> dict[str, dict]:
    name = "data/sources.yaml"
    doc = read_yaml(root / "sources.yaml", root, problems)
    if isinstance(doc, dict) and "documents" in doc:
        problems.append(Problem(name, "'documents:' belongs in data/documents.yaml now; accepted: only 'sources:' "
                                      "in sources.yaml (move each document entry to documents.yaml)"))
    sources = _mapping(doc, name, "sources", problems)
    for sid, src in sources.items():
        record = f"source '{sid}'"
        if not isinstance(src, dict):
            problems.append(Problem(name, "needs publisher, title, method ...", record=record))
            continue
        for col in ("publisher", "title", "method"):
            if not str(src.get(col) or "").strip():
                problems.append(Problem(name, f"'{col}' is required", record=record, column=col))
        if src.get("method") and src["method"] not in SOURCE_METHODS:
            problems.append(Problem(name, f"unknown method {src['method']!r}; accepted: {', '.join(SOURCE_METHODS)}",
                                    record=record, column="method"))
        if "relayed_by" in src:
            problems.append(Problem(name, "'relayed_by' is derived from the 'reports:' lists of data/documents.yaml; "
                                          "accepted: no relayed_by here (list the source under 'reports:' of each "
                                          "document that states its figures)", record=record, column="relayed_by"))
        for fact in FACT_FIELDS:
            value = src.get(fact)
            if value is None or (fact == "method" and value == "not_stated"):
                continue
            forms = [f"{fact}_{k}" for k in ("quote", "inferred") if str(src.get(f"{fact}_{k}") or "").strip()]
            if len(forms) != 1:
                found = "both" if forms else "neither"
                problems.append(Problem(
                    name, f"{fact} {_short(value)} has {found} of {fact}_quote and {fact}_inferred; accepted: exactly "
                    f"one of {fact}_quote (verbatim text of a document that reports this source, or of "
                    f"{fact}_doc: <document id>) or {fact}_inferred (why, from what), or {fact}: null",
                    record=record, column=fact))
        fieldwork = src.get("fieldwork")
        if fieldwork:
            try:
                parse_period(str(fieldwork))
            except ValueError:
                problems.append(Problem(name, f"fieldwork {fieldwork!r} does not parse; accepted: {PERIOD_FORMS}",
                                        record=record, column="fieldwork"))
    return {str(k): dict(v, source_id=str(k)) for k, v in sources.items() if isinstance(v, dict)}


def _short(value: Any, limit: int = 40) -> str:
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "...'"


_FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _document_file_matches(fname: str, did: str) -> bool:
    """``<id>.txt`` / ``<id>.md`` at the top of the store or in one folder of it (``2026/<id>.md``)."""
    parts = fname.split("/")
    if len(parts) > 2 or (len(parts) == 2 and not _FOLDER.match(parts[0])):
        return False
    return Path(parts[-1]).stem == did and Path(parts[-1]).suffix in (".txt", ".md")


def _load_documents(root: Path, sources: dict[str, dict], problems: list[Problem]) -> dict[str, dict]:
    """``data/documents.yaml``: one entry per file of the document store.

    Also derives each source's ``documents`` (every document whose ``reports``
    lists it) and ``relayed_by`` (those of them that are not its primary, i.e.
    relays and translations, and primaries of another source that cite it).
    """
    name = "data/documents.yaml"
    doc = read_yaml(root / "documents.yaml", root, problems)
    if doc is None:
        return {}
    if not isinstance(doc, dict) or not doc:
        problems.append(Problem(name, "needs a mapping of document id -> file, sha256, kind, ... (see data/README.md)"))
        return {}
    documents: dict[str, dict] = {}
    for did, d in doc.items():
        did = str(did)
        record = f"document '{did}'"

        def add(message: str, column: str | None = None, _record=record):
            problems.append(Problem(name, message, record=_record, column=column))

        if not isinstance(d, dict):
            add("needs file, sha256, kind, language, title, publisher, url, published, reports")
            continue
        fname = str(d.get("file") or "")
        if not fname:
            add("'file' is required: the file name in the document store", "file")
        elif not _document_file_matches(fname, did):
            add(f"file {fname!r} does not match the id; accepted: '{did}.txt' or '{did}.md', or in one folder of "
                f"the store, like '2026/{did}.md' (the id is the file name without extension)", "file")
        if not _SHA256.match(str(d.get("sha256") or "")):
            add(f"sha256 {d.get('sha256')!r} is not a SHA-256; accepted: 64 lowercase hex digits "
                "(sha256sum of the file)", "sha256")
        if d.get("kind") not in DOCUMENT_KINDS:
            add(f"unknown kind {d.get('kind')!r}; accepted: {', '.join(DOCUMENT_KINDS)}", "kind")
        if d.get("language") not in DOCUMENT_LANGUAGES:
            add(f"unknown language {d.get('language')!r}; accepted: {', '.join(DOCUMENT_LANGUAGES)}", "language")
        for col in ("title", "publisher"):
            if not str(d.get(col) or "").strip():
                add(f"'{col}' is required", col)
        for col in ("url", "published", "note"):
            if col not in d:
                add(f"'{col}' is required (null when the document does not state it)", col)
        published = d.get("published")
        if published is not None:
            try:
                parse_period(str(published))
            except ValueError:
                add(f"published {published!r} does not parse; accepted: YYYY, YYYY-MM or YYYY-MM-DD, or null",
                    "published")
            forms = [k for k in ("published_quote", "published_inferred") if str(d.get(k) or "").strip()]
            if len(forms) != 1:
                add(("published needs exactly one of published_quote (verbatim text of this document stating the "
                     "date) or published_inferred (why, from what)") + ("; found both" if forms else "; found neither"),
                    "published")
        reports = d.get("reports")
        if not isinstance(reports, list) or not reports:
            add("'reports' must list the source(s) whose figures this document states", "reports")
            reports = []
        for sid in reports:
            if sources and sid not in sources:  # sources.yaml broken: reported alone
                add(f"unknown source {sid!r}{suggest(sid, sources)}; accepted: a key of sources.yaml "
                    f"({accepted_list(sources)})", "reports")
        primary_of = d.get("primary_of")
        if d.get("kind") == "primary":
            if not primary_of:
                add("a primary document needs 'primary_of': the source it is", "primary_of")
            elif primary_of not in reports:
                add(f"primary_of {primary_of!r} is not among its reports; accepted: one of {reports}", "primary_of")
        elif primary_of:
            add(f"primary_of is for kind 'primary' only; this document is a {d.get('kind')}", "primary_of")
        for j, item in enumerate(d.get("not_rows") or [], start=1):
            if not str(item.get("text") or "").strip() or not str(item.get("reason") or "").strip():
                add(f"not_rows #{j} needs a non-empty text (the number as written, verbatim) and reason", "not_rows")
        entry = dict(d, document=did, reports=[str(s) for s in reports])
        if entry.get("published") is not None:
            entry["published"] = str(entry["published"])
        documents[did] = entry
    for sid, src in sources.items():
        for key, value in src.items():
            if key.endswith("_doc") and value is not None and documents and value not in documents:
                problems.append(Problem("data/sources.yaml", f"unknown document {value!r}{suggest(value, documents)}; "
                                        "accepted: a key of data/documents.yaml", record=f"source '{sid}'", column=key))
        docs = [did for did, d in documents.items() if sid in d["reports"]]
        src["documents"] = docs
        # a document is primary evidence only for its primary_of source: the mid-year
        # page citing the 2024 report's total is a relay of that report
        src["relayed_by"] = [did for did in docs if documents[did].get("primary_of") != sid]
        if not docs:
            problems.append(Problem("data/sources.yaml", "no document reports this source; accepted: its id in "
                                    "'reports:' of a document in data/documents.yaml", record=f"source '{sid}'"))
    return documents


def _number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    value = float(text)  # ValueError for non-numbers, caller reports
    if math.isnan(value) or math.isinf(value):
        raise ValueError(text)
    return value


def _check_name(value: str, accepted: dict, what: str, add) -> bool:
    if value in accepted:
        return True
    found = repr(value) if value else "nothing"
    add(f"unknown {what} {found}{suggest(value, accepted)}; accepted: {accepted_list(accepted)}")
    return False


def _load_observations(reg: Registry, problems: list[Problem]) -> list[dict]:
    folder = reg.root / "observations"
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
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
        rows = read_csv_rows(path, reg.root, OBSERVATION_COLUMNS, problems, exact=True)
        for line, row in rows or []:
            rec = {k: v.strip() if k not in ("quote", "note", "period_quote", "period_inferred", "value_derived") else v
                   for k, v in row.items()}
            oid = rec["obs_id"]
            record = f"obs_id {oid}" if oid else None

            def add(message: str, column: str | None = None, _line=line, _record=record):
                problems.append(Problem(fname, message, line=_line, record=_record, column=column))

            if not _OBS_ID.match(oid):
                add(f"obs_id {oid!r} is not a slug; accepted: lowercase letters, digits, '_', '.', '-'", "obs_id")
            elif oid in first_seen:
                add(f"duplicate obs_id; first used in {first_seen[oid]}; accepted: an obs_id used nowhere else", "obs_id")
            else:
                first_seen[oid] = f"{fname}, line {line}"
            ok = True
            if rec["source_id"] not in reg.sources:
                _check_name(rec["source_id"], reg.sources, "source_id", lambda m: add(m, "source_id"))
                ok = False
            elif doc in reg.documents and rec["source_id"] not in reg.documents[doc]["reports"]:
                add(f"source '{rec['source_id']}' is not among the sources document '{doc}' reports; accepted: "
                    f"{', '.join(reg.documents[doc]['reports'])} (or add it to 'reports:' of '{doc}' in "
                    "documents.yaml)", "source_id")
            ok &= _check_name(rec["theme"], reg.themes, "theme", lambda m: add(m, "theme"))
            ok &= _check_name(rec["segment"], reg.segments, "segment", lambda m: add(m, "segment"))
            ok &= _check_name(rec["qualifier"], reg.qualifiers, "qualifier", lambda m: add(m, "qualifier"))
            ok &= _check_name(rec["unit"], reg.units, "unit", lambda m: add(m, "unit"))
            metric = reg.metrics.get(rec["metric"])
            if metric is None:
                _check_name(rec["metric"], reg.metrics, "metric", lambda m: add(m, "metric"))
                ok = False
            elif rec["unit"] in reg.units and metric["unit"] != rec["unit"]:
                add(f"unit '{rec['unit']}' does not match metric '{rec['metric']}', whose unit is '{metric['unit']}'",
                    "unit")
                ok = False
            entity = reg.entity_id(rec["entity"])
            if entity is None:
                spellings = [a for a in reg.aliases]
                found = repr(rec["entity"]) if rec["entity"] else "nothing"
                add(f"unknown entity spelling {found}{suggest(rec['entity'].casefold(), spellings)}; "
                    "accepted: a spelling listed in vocabulary.yaml entities (add it as an alias)", "entity")
                ok = False
            try:
                start, end = parse_period(rec["period"])
            except ValueError:
                add(f"period {rec['period']!r} does not parse; accepted: {PERIOD_FORMS}", "period")
                start = end = None
                ok = False
            nums: dict[str, float | None] = {}
            for col in ("value", "value_low", "value_high"):
                try:
                    nums[col] = _number(rec[col])
                except ValueError:
                    add(f"{rec[col]!r} is not a number; accepted: a plain decimal like 42 or 19.99 "
                        "(no units, %, or thousands separators)", col)
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
                change = metric is not None and metric.get("kind") == "change"
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
            if not rec["quote"].strip():
                add("quote is empty; accepted: the sentence the figure came from, verbatim", "quote")
                ok = False
            period_forms = [c for c in ("period_quote", "period_inferred") if rec[c].strip()]
            if len(period_forms) != 1:
                add(f"period {rec['period']!r} has {'both' if period_forms else 'neither'} of period_quote and "
                    "period_inferred; accepted: exactly one: period_quote (verbatim text of this document stating "
                    "the period) or period_inferred (why the period is what it is, from what)",
                    "period_inferred" if period_forms else "period_quote")
                ok = False
            if not ok:
                continue
            out.append({
                "obs_id": oid, "source_id": rec["source_id"], "theme": rec["theme"],
                "metric": rec["metric"], "segment": rec["segment"], "entity": entity,
                "entity_as_written": rec["entity"], "period": rec["period"],
                "period_start": start, "period_end": end,
                "value": value, "value_low": low, "value_high": high,
                "value_derived": derived, "qualifier": rec["qualifier"], "unit": rec["unit"],
                "doc": doc, "quote": rec["quote"].strip(), "note": rec["note"].strip(),
                "period_quote": rec["period_quote"].strip(), "period_inferred": rec["period_inferred"].strip(),
                "_file": fname, "_line": line,
            })
    return out


def _check_share_sums(reg: Registry, rows: list[dict], problems: list[Problem]) -> None:
    """Shares of one whole may not add up to more than 100 (plus rounding).

    One value per entity: where a document states one entity's share twice
    (a declared disagreement), the standing statement counts.
    """
    from ._evidence import declared_standing
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if reg.metrics[r["metric"]]["kind"] == "share" and r["entity"] != "all":
            key = (r["metric"], r["source_id"], r["segment"], r["period"], r["doc"])
            groups.setdefault(key, []).append(r)
    for (metric, source, segment, period, doc), members in groups.items():
        # One statement per entity: a document that words one share twice ("9%" and "under 9%")
        # states one part of the whole, not two. A declared disagreement's `stands` statement
        # counts; otherwise the exact wording counts where there is one.
        per_entity: dict[str, dict] = {}
        for r in members:
            kept = per_entity.get(r["entity"])
            if kept is None or (kept["qualifier"] != "exact" and r["qualifier"] == "exact"):
                per_entity[r["entity"]] = r
        for entity, r in per_entity.items():
            rows = [m for m in members if m["entity"] == entity]
            per_entity[entity] = declared_standing(reg, rows) or r if len(rows) > 1 else r
        members = list(per_entity.values())
        total = sum(r["value"] for r in members)
        loose = any(r["qualifier"] != "exact" for r in members)
        if total > 100 + (APPROX_SUM_TOLERANCE if loose else SHARE_SUM_TOLERANCE):
            ids = ", ".join(f"{r['obs_id']} ({r['value']:g})" for r in members)
            problems.append(Problem(
                members[0]["_file"],
                f"shares of metric '{metric}' for source '{source}', segment '{segment}', period '{period}' "
                f"sum to {total:g} > 100: {ids}",
                line=members[-1]["_line"], column="value"))


def _load_tables(reg: Registry, problems: list[Problem]) -> tuple[dict, dict]:
    name = "data/tables.yaml"
    path = reg.root / "tables.yaml"
    if not path.exists():
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


def load_registry(root: Path) -> Registry:
    """Read and validate everything under ``root``; raise one DataError listing all problems."""
    problems: list[Problem] = []
    themes, segments, units, qualifiers, entities, aliases = _load_vocabulary(root, problems)
    metrics = _load_metrics(root, units, problems)
    sources = _load_sources(root, problems)
    documents = _load_documents(root, sources, problems)
    if problems:
        # every observation is checked against these files: with one of
        # them broken, row-level messages would only repeat the same cause
        raise DataError(problems)
    reg = Registry(root, themes, segments, units, qualifiers, entities, aliases, metrics, documents, sources, {})
    reg.observations = _load_observations(reg, problems)
    if not reg.observations and not problems:
        problems.append(Problem("data/observations/", "no observation rows (every file holds only its header); "
                                                      "accepted: at least one figure"))
    from ._evidence import check_statements, load_disagreements
    if not problems:  # declarations name obs_ids: checked against valid rows only
        reg.disagreements = load_disagreements(reg, problems)
        check_statements(reg, problems)
        _check_share_sums(reg, reg.observations, problems)
    reg.tables, reg.table_rows = _load_tables(reg, problems)
    if problems:
        raise DataError(problems)
    return reg


# --------------------------------------------------------------------------- quotes

def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
