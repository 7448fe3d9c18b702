"""The registry: vocabulary, metrics, sources and documents of ``data/``, read and validated.

:class:`Registry` holds everything under ``data/`` in plain Python form; the
loaders here fill its vocabulary, metrics, sources and documents (the rows
come from :mod:`llmtrends.facts.rows`, the declarations from
:mod:`llmtrends.facts.evidence`). No pandas here: ``datasets`` builds frames.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from llmtrends.facts.periods import PERIOD_FORMS, parse_period, period_hint
from llmtrends.facts.reading import Problem, accepted_list, read_yaml, suggest


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
_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

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
    lenses: dict[str, dict] = field(default_factory=dict)   # data/lenses.yaml (llmtrends.facts.lenses)

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
        for column in ("published", "fieldwork"):  # periods: one spelling each (ASCII digits)
            period = src.get(column)
            if period is None or period == "":
                continue
            try:
                parse_period(str(period))
            except ValueError:
                problems.append(Problem(name, f"{column} {period!r} does not parse{period_hint(str(period))}; "
                                              f"accepted: {PERIOD_FORMS}", record=record, column=column))
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


def _document(did: str, d: Any, sources: dict[str, dict], add) -> dict | None:
    """One entry of ``documents.yaml``, validated: ``None`` when it is not a mapping."""
    if not isinstance(d, dict):
        add("needs file, sha256, kind, language, title, publisher, url, published, reports")
        return None
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
            add(f"published {published!r} does not parse{period_hint(str(published))}; accepted: YYYY, YYYY-MM or "
                "YYYY-MM-DD (ASCII digits 0-9), or null",
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
    return entry


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

        def add(message: str, column: str | None = None, _record=f"document '{did}'"):
            problems.append(Problem(name, message, record=_record, column=column))

        entry = _document(did, d, sources, add)
        if entry is not None:
            documents[did] = entry
    _link_sources(sources, documents, problems)
    return documents


def _link_sources(sources: dict[str, dict], documents: dict[str, dict], problems: list[Problem]) -> None:
    """Each source's ``documents`` and ``relayed_by``, derived from the documents' ``reports``."""
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


