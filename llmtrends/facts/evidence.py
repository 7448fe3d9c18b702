"""One figure, all its evidence: statements, declared disagreements, status.

A *figure* is ``(source_id, metric, segment, entity, period)``; every
observation row with that key is a *statement* of it, in the row's document.
Editions of one report series (sources sharing ``series:``) are compared on
``(series, metric, segment, entity, period)``.

Rules (data/README.md, "Disagreements"):

- two statements of one figure, or of one series figure in two editions, with
  different values must be declared in ``data/disagreements.yaml``; an
  undeclared difference is a :class:`DataError` naming both statements;
- where statements of one figure differ, the figure's value is the ``stands``
  statement's; with ``stands: null`` (both stand) the figure takes the
  statement of its primary document, else that of the earliest-published
  document, else the first in file order (:func:`standing`);
- a figure's ``status``: ``differs`` (its statements differ in value, or a
  declaration covers two of them, e.g. "9%" and "under 9%"),
  ``confirmed`` (a primary document of its source states it and at least one
  other document does too, with the same value), ``primary_only`` (only
  primary documents state it), ``relay_only`` (no primary document states it;
  translations count as relays).

Plain Python (no pandas): ``_records`` calls :func:`load_disagreements` and
:func:`check_statements` on every load; ``datasets`` builds frames from
:func:`figure_evidence` and :func:`disagreement_rows`.
"""
from __future__ import annotations

import itertools
import re
from typing import Iterable

from llmtrends.facts import files
from llmtrends.facts.reading import Problem, read_yaml, suggest
from llmtrends.facts.registry import APPROX_SUM_TOLERANCE, SHARE_SUM_TOLERANCE, Registry

FIGURE_KEY = ("source_id", "metric", "segment", "entity", "period")
SERIES_KEY = ("series", "metric", "segment", "entity", "period")
#: same_number_other_measure links one published number that documents (or editions) file under different
#: measures or periods (Menlo's 50% of 2023: among closed-source models, usage, spend): nothing to choose between
DISAGREEMENT_KINDS = ("restatement", "relay_vs_primary", "within_document", "between_documents", "source_fact",
                      "same_number_other_measure")
FACT_FIELDS = ("published", "method", "sample", "fieldwork", "geography", "data_window", "segment_definitions")
#: fields a source_fact declaration may be about: the fact fields and what names the report
SOURCE_FACT_FIELDS = FACT_FIELDS + ("publisher", "title", "url")
STATUSES = ("confirmed", "differs", "relay_only", "primary_only")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
FILE = "data/disagreements.yaml"


# --------------------------------------------------------------------------- the file

def load_disagreements(reg: Registry, problems: list[Problem]) -> list[dict]:
    """Read and validate ``data/disagreements.yaml`` (absent: no declarations)."""
    path = reg.root / "disagreements.yaml"
    if not files.exists(path):  # as the snapshot being loaded saw it
        return []
    doc = read_yaml(path, reg.root, problems)
    if doc is None:
        return []
    if not isinstance(doc, list):
        problems.append(Problem(FILE, "needs a list of declarations (- id: ..., kind: ..., obs_ids: [...], "
                                      "stands: ..., reason: ...)"))
        return []
    obs = {r["obs_id"]: r for r in reg.observations}
    seen: set[str] = set()
    out: list[dict] = []
    for i, entry in enumerate(doc, start=1):
        record = f"disagreement #{i}"
        if not isinstance(entry, dict):
            problems.append(Problem(FILE, "each declaration is a mapping with id, kind, reason ...", record=record))
            continue
        did = str(entry.get("id") or "")
        if did:
            record = f"disagreement '{did}'"
        before = len(problems)

        def add(message: str, column: str | None = None, _record=record):
            problems.append(Problem(FILE, message, record=_record, column=column))

        if not _SLUG.match(did):
            add(f"id {entry.get('id')!r} is not a slug; accepted: lowercase letters, digits, '_', '.', '-'", "id")
        elif did in seen:
            add("id used twice; accepted: an id used nowhere else", "id")
        seen.add(did)
        kind = entry.get("kind")
        if kind not in DISAGREEMENT_KINDS:
            add(f"unknown kind {kind!r}; accepted: {', '.join(DISAGREEMENT_KINDS)}", "kind")
        if not str(entry.get("reason") or "").strip():
            add("'reason' is required: why the statements differ and which stands (or that both stand)", "reason")
        if entry.get("reason_quote"):
            if not entry.get("reason_doc"):
                add("reason_quote needs reason_doc: the document id it is verbatim in", "reason_doc")
            elif entry["reason_doc"] not in reg.documents:
                add(f"unknown document {entry['reason_doc']!r}{suggest(entry['reason_doc'], reg.documents)}; "
                    f"accepted: a key of documents.yaml", "reason_doc")
        if kind == "source_fact":
            _check_source_fact(entry, reg, add)
        elif kind in DISAGREEMENT_KINDS:
            _check_statement_pair(entry, obs, add)
        if len(problems) == before:
            out.append(dict(entry, id=did))
    return out


def _check_source_fact(entry: dict, reg: Registry, add) -> None:
    """A source_fact declaration: a known source and field, two or more statements, a stands among them."""
    stands = entry.get("stands")
    source = entry.get("source")
    if source not in reg.sources:
        add(f"unknown source {source!r}{suggest(source, reg.sources)}; accepted: a key of sources.yaml",
            "source")
    if entry.get("field") not in SOURCE_FACT_FIELDS:
        add(f"unknown field {entry.get('field')!r}; accepted: {', '.join(SOURCE_FACT_FIELDS)}", "field")
    statements = entry.get("statements")
    if not isinstance(statements, list) or len(statements) < 2:
        add("'statements' must list at least two {doc, value, quote}", "statements")
        statements = []
    for j, s in enumerate(statements, start=1):
        if not isinstance(s, dict) or s.get("doc") not in reg.documents or not str(s.get("quote") or "").strip() \
                or s.get("value") is None:
            found = s.get("doc") if isinstance(s, dict) else s
            add(f"statement #{j} needs doc (a key of documents.yaml), value and quote (verbatim in doc); "
                f"found doc {found!r}", "statements")
    docs = [s.get("doc") for s in statements if isinstance(s, dict)]
    if stands is not None and stands not in docs:
        add(f"stands {stands!r} is not the doc of one of its statements; accepted: null or one of {docs}",
            "stands")


def _check_statement_pair(entry: dict, obs: dict[str, dict], add) -> None:
    """A declaration about statements: two or more known obs_ids that differ, a stands among them."""
    stands = entry.get("stands")
    kind = entry.get("kind")
    ids = entry.get("obs_ids")
    if not isinstance(ids, list) or len(ids) < 2:
        add("'obs_ids' must list at least two statements (obs_id of observations/*.csv)", "obs_ids")
        ids = []
    for oid in ids:
        if oid not in obs:
            add(f"unknown obs_id {oid!r}{suggest(oid, obs)}; accepted: an obs_id of observations/*.csv",
                "obs_ids")
    known = [obs[o] for o in ids if o in obs]
    # statements agree only as statements of one figure: the same number stated as a change and as a
    # level, or under two measures, differs in what it says and may be declared
    if len(known) == len(ids) >= 2 and len({tuple(r[k] for k in FIGURE_KEY[1:]) + (
            r["value"], r["value_low"], r["value_high"], r["qualifier"]) for r in known}) == 1:
        add(f"its statements agree ({', '.join(map(str, ids))} all say {known[0]['value']:g}, "
            f"{known[0]['qualifier']}); accepted: statements that differ in value or wording "
            "(remove the declaration if a correction made them agree)", "obs_ids")
    if kind == "same_number_other_measure" and len(known) == len(ids) >= 2:
        _check_same_number(known, add)
    _check_kind_documents(kind, known, add)
    if stands is not None and stands not in ids:
        add(f"stands {stands!r} is not among its obs_ids; accepted: null (both stand) or one of "
            f"{', '.join(map(str, ids))}", "stands")


def _check_kind_documents(kind, known: list[dict], add) -> None:
    """A within_document declaration names statements of one document; between_documents and
    relay_vs_primary name statements of two or more."""
    docs = list(dict.fromkeys(r["doc"] for r in known))
    if kind == "within_document" and len(docs) > 1:
        add(f"kind within_document names statements of {len(docs)} documents ({', '.join(docs)}); accepted: the "
            "statements of one document (declare the pairs across documents as between_documents or "
            "relay_vs_primary)", "kind")
    elif kind in ("between_documents", "relay_vs_primary") and len(docs) == 1 and len(known) > 1:
        add(f"kind {kind} names statements of one document ({docs[0]}); accepted: within_document for a "
            "figure one document words twice", "kind")


def _check_same_number(known: list[dict], add) -> None:
    """A same_number_other_measure declaration: one number, stated for different figures."""
    if len({(r["value"], r["value_low"], r["value_high"]) for r in known}) > 1:
        add(f"its statements state different numbers ({_where(known)}); accepted: one number under "
            "different measures or periods (use another kind for statements that differ in value)",
            "obs_ids")
    same = [(a["obs_id"], b["obs_id"]) for a, b in itertools.combinations(known, 2)
            if all(a[k] == b[k] for k in FIGURE_KEY)]
    if same:
        add(f"{same[0][0]} and {same[0][1]} are statements of one figure; accepted: statements of "
            "different figures (metric, period ...); two statements of one figure are a relay or a "
            "restatement, not another measure", "obs_ids")


# --------------------------------------------------------------------------- statements

def declared_pairs(reg: Registry) -> dict[frozenset, dict]:
    """``{frozenset({obs_a, obs_b}): declaration}`` for every pair a declaration covers."""
    pairs: dict[frozenset, dict] = {}
    for d in reg.disagreements:
        for a, b in itertools.combinations(d.get("obs_ids") or [], 2):
            pairs.setdefault(frozenset((a, b)), d)
    return pairs


def _differs(a: dict, b: dict) -> bool:
    return a["value"] != b["value"]


def _where(rows: Iterable[dict]) -> str:
    return "; ".join(f"{r['obs_id']} ({r['_file']} line {r['_line']}) = {r['value']:g}, theme {r['theme']}"
                     for r in rows)


def figure_groups(rows: Iterable[dict]) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in FIGURE_KEY), []).append(r)
    return groups


def check_statements(reg: Registry, problems: list[Problem]) -> None:
    """Different values for one figure (or one series figure) must be declared; one document states a figure
    once (or declares its two wordings); the declarations of one figure agree on the statement that stands."""
    pairs = declared_pairs(reg)
    groups = figure_groups(reg.observations)
    _check_same_document(groups, reg, problems)
    _check_stands(groups, reg, problems)
    for key, group in groups.items():
        themes = {r["theme"] for r in group}
        undeclared = [(a, b) for a, b in itertools.combinations(group, 2)
                      if _differs(a, b) and frozenset((a["obs_id"], b["obs_id"])) not in pairs]
        if undeclared or len(themes) > 1:
            first = group[0]
            involved = [r for r in group if len(themes) > 1 or any(r is a or r is b for a, b in undeclared)]
            problems.append(Problem(
                first["_file"], f"{len(involved)} rows give one figure {dict(zip(FIGURE_KEY, key))} different values "
                f"or themes: {_where(involved)}; accepted: the same cleaned value and theme for every relay of a figure "
                "(record a correction in the note, or tell the figures apart by metric, segment, entity or period), "
                "or a declared disagreement in data/disagreements.yaml (id, kind, obs_ids: [both], stands, reason)",
                line=int(first["_line"]), record=f"obs_id {first['obs_id']}", column="value"))
    series_groups: dict[tuple, list[dict]] = {}
    for r in reg.observations:
        series = reg.sources[r["source_id"]].get("series")
        if series:
            series_groups.setdefault((series,) + tuple(r[k] for k in FIGURE_KEY[1:]), []).append(r)
    for key, group in series_groups.items():
        undeclared = [(a, b) for a, b in itertools.combinations(group, 2)
                      if a["source_id"] != b["source_id"] and _differs(a, b)
                      and frozenset((a["obs_id"], b["obs_id"])) not in pairs]
        for a, b in undeclared:
            problems.append(Problem(
                b["_file"], f"editions of series '{key[0]}' state one figure {dict(zip(SERIES_KEY, key))} with "
                f"different values: {a['obs_id']} ({a['source_id']}, {a['_file']} line {a['_line']}) = {a['value']:g}; "
                f"{b['obs_id']} ({b['source_id']}, {b['_file']} line {b['_line']}) = {b['value']:g}; accepted: the "
                "same value, or a declared restatement in data/disagreements.yaml (id, kind: restatement, "
                f"obs_ids: [{a['obs_id']}, {b['obs_id']}], stands, reason)",
                line=int(b["_line"]), record=f"obs_id {b['obs_id']}", column="value"))


def _row_ref(r: dict) -> str:
    return f"{r['obs_id']} ({r['_file']} line {r['_line']}: {r['value']:g} {r['qualifier']})"


def _check_same_document(groups: dict[tuple, list[dict]], reg: Registry, problems: list[Problem]) -> None:
    """Two rows of one document that state one figure are one statement written twice, unless a
    ``within_document`` declaration says the document words it twice (another value or qualifier)."""
    within = {pair: d for pair, d in _pairs_of_kind(reg).items() if d["kind"] == "within_document"}
    others = _pairs_of_kind(reg)
    for key, group in groups.items():
        for a, b in itertools.combinations(group, 2):
            pair = frozenset((a["obs_id"], b["obs_id"]))
            if a["doc"] != b["doc"] or pair in within:
                continue
            declared = others.get(pair)
            said = (f"; it is declared '{declared['id']}' of kind {declared['kind']}, which is for statements of "
                    "different documents" if declared else "")
            problems.append(Problem(
                b["_file"], f"two rows state one figure {dict(zip(FIGURE_KEY, key))} from document {b['doc']}: "
                f"{_row_ref(a)} and {_row_ref(b)}{said}; accepted: one row per statement (merge them: keep one "
                "obs_id, and name the other place in not_rows of documents.yaml), or, when the document words the "
                "figure twice with another value or qualifier, a declaration of kind within_document in "
                f"data/disagreements.yaml (obs_ids: [{a['obs_id']}, {b['obs_id']}], stands, reason; data/README.md, "
                "'One figure worded twice in one document')",
                line=int(b["_line"]), record=f"obs_id {b['obs_id']}", column="obs_id"))


def _pairs_of_kind(reg: Registry) -> dict[frozenset, dict]:
    """Like :func:`declared_pairs`, a within_document declaration first where two cover one pair."""
    pairs: dict[frozenset, dict] = {}
    for d in sorted(reg.disagreements, key=lambda d: d.get("kind") != "within_document"):
        for a, b in itertools.combinations(d.get("obs_ids") or [], 2):
            pairs.setdefault(frozenset((a, b)), d)
    return pairs


def _standing_declarations(reg: Registry, rows: list[dict]) -> list[dict]:
    """The declarations, in file order, that name a statement of this figure as the one that stands
    over another statement of the same figure."""
    ids = {r["obs_id"] for r in rows}
    return [d for d in _declarations_of(reg, ids)
            if d.get("stands") in ids and ids & set(d.get("obs_ids") or []) - {d["stands"]}]


def _check_stands(groups: dict[tuple, list[dict]], reg: Registry, problems: list[Problem]) -> None:
    """Two declarations that name different ``stands`` statements for one figure leave its value to chance."""
    for key, group in groups.items():
        found = _standing_declarations(reg, group)
        for other in found[1:]:
            first = found[0]
            if other["stands"] == first["stands"]:
                continue
            problems.append(Problem(
                FILE, f"declarations '{first['id']}' (stands: {first['stands']}) and '{other['id']}' (stands: "
                f"{other['stands']}) name different standing statements for one figure {dict(zip(FIGURE_KEY, key))}; "
                "accepted: one standing statement per figure (the same stands in every declaration of the figure "
                "that names one, or stands: null where a declaration chooses none)",
                record=f"disagreement '{other['id']}'", column="stands"))
            break


def _published(reg: Registry, doc: str) -> str:
    return str(reg.documents.get(doc, {}).get("published") or "9999")


def _declarations_of(reg: Registry, ids: set[str]) -> list[dict]:
    """The declarations naming any of ``ids`` (an index by obs_id, built once per registry)."""
    index = getattr(reg, "_declaration_index", None)
    if index is None or index[0] is not reg.disagreements:
        by_id: dict[str, list[dict]] = {}
        for d in reg.disagreements:
            for o in d.get("obs_ids") or []:
                by_id.setdefault(o, []).append(d)
        index = (reg.disagreements, by_id)
        reg._declaration_index = index
    found = {id(d): d for o in sorted(ids) for d in index[1].get(o, ())}
    order = {id(d): i for i, d in enumerate(reg.disagreements)}
    return sorted(found.values(), key=lambda d: order[id(d)])  # file order, never set order


def declared_standing(reg: Registry, rows: list[dict]) -> dict | None:
    """The ``stands`` statement of a declaration covering these rows, or None.

    At most one statement of a figure is named so (:func:`check_statements` refuses two); the first
    declaration in file order decides when the rows are not one figure's.
    """
    for d in _standing_declarations(reg, rows):
        return next(r for r in rows if r["obs_id"] == d["stands"])
    return None


#: the order of wordings from the most to the least precise, where statements agree in value
QUALIFIER_PRECISION = {"exact": 0, "at_least": 1, "at_most": 1, "approx": 2}


def statement_order(reg: Registry, r: dict, differs: bool = False) -> tuple:
    """The sort key of :func:`standing` after a declared ``stands``: the source's primary document first; where
    the statements agree in value, the most precise wording (exact, then at_least / at_most, then approx); then
    the earliest-published document (undated last), the document id and the row's line in its file."""
    primary = reg.documents.get(r["doc"], {}).get("primary_of") == r["source_id"]
    precision = 0 if differs else QUALIFIER_PRECISION.get(r["qualifier"], 9)
    return (not primary, precision, _published(reg, r["doc"]), r["doc"], int(r.get("_line") or 0), r["obs_id"])


def standing(reg: Registry, rows: list[dict]) -> dict:
    """The statement a figure shows: its value, qualifier, quote, obs_id and document.

    1. the statement a declaration in ``data/disagreements.yaml`` names as ``stands`` (two declarations naming
       different statements of one figure are refused on load);
    2. else the statement of the source's primary document;
    3. else, where the statements agree in value, the most precise wording (exact over at_least / at_most over
       approx);
    4. else the earliest-published document's (undated documents last);
    5. else the first in file order (document id, then line).

    Every step compares values of the rows, never the order of a set or dict, so the choice is the same in every
    process (whatever PYTHONHASHSEED) and with or without the cache.
    """
    declared = declared_standing(reg, rows)
    if declared is not None:
        return declared
    differs = len({r["value"] for r in rows}) > 1
    return min(rows, key=lambda r: statement_order(reg, r, differs))


def figure_evidence(reg: Registry, rows: list[dict]) -> dict:
    """docs, primary_docs, n_docs, n_relays, status of one figure's statements."""
    docs = list(dict.fromkeys(r["doc"] for r in rows))
    primary = [d for d in docs if reg.documents.get(d, {}).get("primary_of") == rows[0]["source_id"]]
    ids = {r["obs_id"] for r in rows}
    declared = any(len(ids & set(d.get("obs_ids") or [])) > 1 for d in _declarations_of(reg, ids))
    if declared or len({r["value"] for r in rows}) > 1:
        status = "differs"
    elif primary and len(primary) < len(docs):
        status = "confirmed"
    elif primary:
        status = "primary_only"
    else:
        status = "relay_only"
    return {"docs": docs, "primary_docs": primary, "n_docs": len(docs), "n_relays": len(docs) - len(primary),
            "status": status}


# --------------------------------------------------------------------------- analyst view

DISAGREEMENT_COLUMNS = [
    "id", "kind", "source_id", "metric", "segment", "entity", "period", "field",
    "obs_id_a", "obs_id_b", "value_a", "value_b", "qualifier_a", "qualifier_b", "source_id_b",
    "doc_a", "doc_b", "quote_a", "quote_b", "stands", "reason", "reason_quote", "reason_doc",
]


def disagreement_rows(reg: Registry) -> list[dict]:
    """One row per pair of disagreeing statements of each declaration, and per pair of source_fact statements."""
    obs = {r["obs_id"]: r for r in reg.observations}
    out = []
    for d in reg.disagreements:
        base = {"id": d["id"], "kind": d["kind"], "stands": d.get("stands"), "reason": d.get("reason"),
                "reason_quote": d.get("reason_quote"), "reason_doc": d.get("reason_doc")}
        if d["kind"] == "source_fact":
            for a, b in itertools.combinations(d["statements"], 2):
                out.append(dict(base, source_id=d["source"], field=d["field"],
                                value_a=str(a["value"]), value_b=str(b["value"]), doc_a=a["doc"], doc_b=b["doc"],
                                quote_a=a["quote"], quote_b=b["quote"]))
            continue
        rows = [obs[o] for o in d["obs_ids"]]
        pairs = [(a, b) for a, b in itertools.combinations(rows, 2)
                 if (a["value"], a["qualifier"]) != (b["value"], b["qualifier"])]
        for a, b in pairs or list(itertools.combinations(rows, 2)):
            out.append(dict(base, **{k: a[k] for k in FIGURE_KEY}, obs_id_a=a["obs_id"], obs_id_b=b["obs_id"],
                            value_a=a["value"], value_b=b["value"], qualifier_a=a["qualifier"],
                            qualifier_b=b["qualifier"], source_id_b=b["source_id"], doc_a=a["doc"], doc_b=b["doc"],
                            quote_a=a["quote"], quote_b=b["quote"]))
    return [{c: r.get(c) for c in DISAGREEMENT_COLUMNS} for r in out]


def _check_share_sums(reg: Registry, rows: list[dict], problems: list[Problem]) -> None:
    """Shares of one whole may not add up to more than 100 (plus rounding).

    One value per entity: where a document states one entity's share twice
    (a declared disagreement), the standing statement counts.
    """
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


