"""The lenses: the ways of counting who leads, declared once in ``data/lenses.yaml``.

A *lens* is one measure (a metric: share of spend, of tokens, of businesses
paying ...) among one population (a segment, and the entities the lens reads),
as one publisher's series publishes it, at a cadence (monthly, yearly ...).
Two lenses are never joined: a chart, a sparkline or a sentence that puts them
side by side names each one's measure.

Two kinds of break are declared, so that nothing joins values across them:

- ``follows``: the lens continues an earlier lens of the same publisher after
  a change of MEASURE (Menlo Ventures' shares: among closed-source models in
  2024, of usage in mid-2025, of spend in December 2025). A chain of lenses is
  drawn as one chart of editions, each change marked;
- ``breaks``: within one lens, the first period counted under a new METHOD
  (the Ramp AI Index, June 2026 edition): a line or sparkline stops there.

A new lens or a new edition is a data edit, never a code change.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from llmtrends.facts import files
from llmtrends.facts.periods import PERIOD_FORMS, parse_period
from llmtrends.facts.reading import Problem, accepted_list, read_yaml, suggest

FILE = "data/lenses.yaml"
CADENCES = {"monthly": 31, "quarterly": 92, "twice_a_year": 183, "yearly": 366, "once": None, "irregular": None}
LENS_THEMES = ("vendor_share", "open_vs_closed", "agentic_usage")


def load_lenses(root: Path, reg, problems: list[Problem]) -> dict[str, dict]:
    """``data/lenses.yaml``, validated against the registry (absent file: no lens)."""
    path = root / "lenses.yaml"
    if not files.exists(path):  # as the snapshot being loaded saw it
        return {}
    doc = read_yaml(path, root, problems)
    if doc is None:
        return {}
    lenses: dict[str, dict] = {}
    for lid, spec in (doc.get("lenses") or {}).items():
        lid = str(lid)

        def add(message: str, column: str | None = None, _record=f"lens '{lid}'"):
            problems.append(Problem(FILE, message, record=_record, column=column))

        lenses[lid] = _lens(lid, spec, reg, add)
    for lid, lens in lenses.items():
        follows = lens.get("follows")
        if follows is not None and follows not in lenses:
            problems.append(Problem(FILE, f"follows unknown lens {follows!r}{suggest(follows, lenses)}; accepted: "
                                    f"a lens id of this file", record=f"lens '{lid}'", column="follows"))
        elif follows is not None and _loops(lid, lenses):
            problems.append(Problem(FILE, "its 'follows' chain comes back to it; accepted: a chain from the "
                                    "earliest measure to the latest", record=f"lens '{lid}'", column="follows"))
    return lenses


def _lens(lid: str, spec: dict, reg, add) -> dict:
    lens = dict(spec, lens=lid)
    if spec["theme"] not in LENS_THEMES:
        add(f"unknown theme {spec['theme']!r}; accepted: {', '.join(LENS_THEMES)}", "theme")
    if spec["metric"] not in reg.metrics:
        add(f"unknown metric {spec['metric']!r}{suggest(spec['metric'], reg.metrics)}; accepted: a key of "
            "metrics.yaml", "metric")
    if spec.get("segment") is not None and spec["segment"] not in reg.segments:
        add(f"unknown segment {spec['segment']!r}; accepted: {accepted_list(reg.segments)}", "segment")
    for entity in spec.get("entities") or []:
        if entity not in reg.entities:
            add(f"unknown entity {entity!r}{suggest(entity, reg.entities)}; accepted: an entity id of "
                "vocabulary.yaml", "entities")
    for sid in spec.get("sources") or []:
        if sid not in reg.sources:
            add(f"unknown source {sid!r}{suggest(sid, reg.sources)}; accepted: a key of sources.yaml", "sources")
    series = spec.get("series")
    if series is not None and not any(s.get("series") == series for s in reg.sources.values()):
        known = sorted({s["series"] for s in reg.sources.values() if s.get("series")})
        add(f"unknown series {series!r}; accepted: a 'series' of sources.yaml ({', '.join(known)})", "series")
    if not (spec.get("sources") or series):
        add("a lens names its publisher's editions: 'series' (of sources.yaml) or 'sources' (a list)", "sources")
    if spec["cadence"] not in CADENCES:
        add(f"unknown cadence {spec['cadence']!r}; accepted: {', '.join(CADENCES)}", "cadence")
    for j, brk in enumerate(spec.get("breaks") or [], start=1):
        try:
            parse_period(str(brk["from"]))
        except ValueError:
            add(f"break #{j}: 'from' {brk['from']!r} does not parse; accepted: {PERIOD_FORMS}", "breaks")
        if not (brk.get("quote") and brk.get("doc")) and not brk.get("inferred"):
            add(f"break #{j} needs quote and doc (where the publisher says its method changed) or inferred "
                "(why)", "breaks")
        elif brk.get("doc") and brk["doc"] not in reg.documents:
            add(f"break #{j}: unknown document {brk['doc']!r}; accepted: a key of documents.yaml", "breaks")
    return lens


def _loops(lid: str, lenses: dict[str, dict]) -> bool:
    seen, current = set(), lid
    while current is not None and current in lenses:
        if current in seen:
            return True
        seen.add(current)
        current = lenses[current].get("follows")
    return False


def chain(lenses: dict[str, dict], lid: str) -> list[dict]:
    """The lenses ``lid`` belongs to, from the earliest measure to the latest (``follows`` links).

    >>> toy = {"a": {"lens": "a"}, "b": {"lens": "b", "follows": "a"}, "c": {"lens": "c", "follows": "b"}}
    >>> [lens["lens"] for lens in chain(toy, "b")]
    ['a', 'b', 'c']
    """
    first = lid
    while lenses[first].get("follows"):
        first = lenses[first]["follows"]
    out = [lenses[first]]
    while True:
        nxt = [lens for lens in lenses.values() if lens.get("follows") == out[-1]["lens"]]
        if not nxt:
            return out
        out.append(nxt[0])


def chain_metrics(lenses: dict[str, dict], metric: str, theme: str | None = None) -> tuple[str, ...]:
    """The metrics of the chain of lenses that measures ``metric`` (``(metric,)`` when no lens does)."""
    for lid, lens in lenses.items():
        if lens["metric"] == metric and (theme is None or lens["theme"] == theme):
            return tuple(dict.fromkeys(member["metric"] for member in chain(lenses, lid)))
    return (metric,)


def of_theme(lenses: dict[str, dict], theme: str) -> dict[str, dict]:
    """The lenses of one theme, in file order."""
    return {lid: lens for lid, lens in lenses.items() if lens["theme"] == theme}


def entity_filter(lenses: dict[str, dict], theme: str) -> dict[str, list[str]]:
    """``metric -> entities`` of a theme's lenses that read some entities only (file order)."""
    out: dict[str, list[str]] = {}
    for lens in of_theme(lenses, theme).values():
        if lens.get("entities"):
            out.setdefault(lens["metric"], [])
            out[lens["metric"]] += [e for e in lens["entities"] if e not in out[lens["metric"]]]
    return out


def update_days(lens: dict[str, Any]) -> int | None:
    """Days between editions the cadence promises (``None``: once, or irregular)."""
    return CADENCES.get(lens.get("cadence"))
