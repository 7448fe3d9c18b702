"""The lens declarations of ``data/lenses.yaml``, read and validated on every load.

What a lens is, and how the frames of :mod:`llmtrends.facts.lenses` read it,
is told there; this module only checks each declaration against the registry
(metrics, segments, entities, sources, series, documents of a break) so that
a broken lens is a load error naming the file, the lens and what is accepted.
"""
from __future__ import annotations

from pathlib import Path

from llmtrends.facts import files
from llmtrends.facts.periods import PERIOD_FORMS, parse_period
from llmtrends.facts.reading import Problem, accepted_list, read_yaml, suggest

FILE = "data/lenses.yaml"
CADENCES = {"weekly": 7, "monthly": 31, "quarterly": 92, "twice_a_year": 183, "yearly": 366, "once": None,
            "irregular": None}
LENS_THEMES = ("vendor_share", "open_vs_closed", "agentic_usage")
#: The market a lens counts: China's domestic market and the code-generation market have their own sections.
MARKETS = ("global", "china", "coding")


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
    if spec.get("market", "global") not in MARKETS:
        add(f"unknown market {spec['market']!r}; accepted: {', '.join(MARKETS)}", "market")
    if spec.get("rank_metric") is not None and spec["rank_metric"] not in reg.metrics:
        add(f"unknown rank_metric {spec['rank_metric']!r}{suggest(spec['rank_metric'], reg.metrics)}; accepted: "
            "a key of metrics.yaml", "rank_metric")
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
