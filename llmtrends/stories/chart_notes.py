"""What a chart says besides its shapes: the colour of each vendor, what pointing at a mark shows,
and the source line with what is weak about its figures.

One palette for every chart of every report (:func:`palette`: a vendor's colour from
vocabulary.yaml, its models' and apps' too, earth tones for what is no vendor's); each
drawn bar, point or line gets the text a pointer shows (:func:`mark`, :func:`tip`); the
source line cites each source, says when its figures are known only through relays or
from documents with no known URL (:func:`weak_provenance`), and cites a long series
(the monthly Ramp AI Index) once (:func:`citations`). :mod:`llmtrends.stories.plotting`
re-exports these names.
"""
from __future__ import annotations

import re
from typing import Sequence

import pandas as pd

from llmtrends.facts import datasets
from llmtrends.stories.analysis import REMAINDER

REMAINDER_COLOR = "#D9D9D9"
#: Colours of what is not a vendor (a category, a period, a group of respondents, a measure): earth tones
#: chosen at least 20 CIE76 units from every vendor colour of vocabulary.yaml (tests/test_plotting.py checks
#: it), so that a colour means one vendor on every chart of every report.
CATEGORY_COLORS = ["#7B6F5B", "#B5A642", "#6B8E23", "#BC8F8F", "#DA8BC3", "#937860", "#C2B280", "#7A7A35"]
NEUTRAL = CATEGORY_COLORS[0]

# --------------------------------------------------------------------------- colours

def vendor_colour(entity: str) -> str | None:
    """The colour of an entity's vendor (vocabulary.yaml ``color``): a vendor's own, a model's or product's
    vendor's, ``None`` for what belongs to no vendor (a category, a group of models, a period)."""
    reg = datasets.registry()
    meta = reg.entities.get(entity, {})
    if meta.get("color") and meta.get("kind") == "vendor":
        return str(meta["color"])
    vendor = meta.get("vendor")
    colour = reg.entities.get(vendor, {}).get("color") if vendor else None
    return str(colour) if colour else None


def palette(entities: Sequence[str]) -> dict[str, str]:
    """A colour per entity id: one palette for every chart of every report.

    A vendor has its fixed colour (vocabulary.yaml), and so do its models,
    products and apps (ChatGPT is OpenAI's green, Volcano Engine ByteDance's
    teal), so a colour means one vendor everywhere. Whatever belongs to no
    vendor (categories, groups of models, the market as a whole) takes the
    earth tones of :data:`CATEGORY_COLORS`, in the order given, which no
    vendor uses. The remainder is light grey.
    """
    out: dict[str, str] = {}
    spare = iter(CATEGORY_COLORS * 4)
    for e in entities:
        if e in out:
            continue
        out[e] = REMAINDER_COLOR if e == REMAINDER else (vendor_colour(e) or next(spare))
    return out


# --------------------------------------------------------------------------- what a pointer shows

def tip(row, label: str | None = None) -> str:
    """What hovering or tapping a mark shows: ``'Anthropic: 40% · Share of enterprise LLM API spend · 2025 ·
    Menlo Ventures, Dec 2025'`` (and ``relay only`` / ``no known URL`` when the figure rests on nothing better)."""
    from llmtrends.stories import words
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    name = label if label is not None else (get("entity_name") or get("label") or "")
    parts = [f"{name}: {words.row_value(row)}" if name else words.row_value(row)]
    if get("metric") is not None and str(get("metric")) in datasets.registry().metrics:
        parts.append(words.metric(get("metric")))
    if get("period") is not None:
        parts.append(words.period(get("period")))
    sources = [s for s in str(get("source_id") or "").split(";") if s in datasets.registry().sources]
    if sources:
        parts.append(words.sources_short(sources))
    flag = _figure_flags(row)
    if flag:
        parts.append(flag)
    return " · ".join(p for p in parts if p)


def _figure_flags(row) -> str:
    from llmtrends.facts.lenses import provenance
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    docs = get("docs")
    frame = pd.DataFrame([{"status": get("status"), "docs": list(docs) if isinstance(docs, (list, tuple)) else []}])
    return provenance(frame, datasets.registry())


def mark(ax, artist, text: str, entity: str | None = None) -> None:
    """Give a drawn bar, point or line the text a pointer shows (an SVG ``<title>`` in the report).

    :func:`llmtrends.stories.display.chart` writes it into the chart's SVG, with the entity it
    stands for (``data-entity``), so the page stays one offline file.
    """
    marks = ax.__dict__.setdefault("_llmtrends_marks", [])
    counted = ax.figure.__dict__.setdefault("_llmtrends_marked", [0])  # one count per figure: ids the same every build
    gid = f"ltmark{counted[0]}"
    counted[0] += 1
    artist.set_gid(gid)
    marks.append((gid, text, entity))


# --------------------------------------------------------------------------- source line

def source_ids(data: pd.DataFrame) -> list[str]:
    """Source ids a frame rests on, from its ``source_id`` column or ``attrs``, oldest report first."""
    if "source_id" in data.columns:
        ids = []
        for value in data["source_id"].dropna():
            ids += [s for s in str(value).split(";") if s]
        return _by_date(set(ids))
    return list(data.attrs.get("sources", []))


def _by_date(ids) -> list[str]:
    """Source ids in the order their reports were published (undated last, then by id)."""
    from llmtrends.facts import datasets
    known = datasets.registry().sources

    def key(sid: str):
        published = known.get(sid, {}).get("published")
        return (published is None, str(published or ""), sid)
    return sorted(ids, key=key)


def weak_provenance(data: pd.DataFrame) -> dict[str, str]:
    """``source id -> what is weak about its figures in data``: known only through relays (no primary
    text states them), or no document that states them has a known URL. Sources resting on better are absent.

    Each figure row of ``data`` (a frame of :func:`llmtrends.figures`, with ``status`` and ``docs``) counts;
    rows computed here (a remainder) have neither and count for nothing.
    """
    if "source_id" not in data or "status" not in data:
        return {}
    reg = datasets.registry()
    out = {}
    figures = data[data["status"].fillna("").astype(str) != ""]
    for sid, rows in figures.groupby("source_id", sort=False):
        relayed = int((rows["status"] == "relay_only").sum())
        notes = []
        if relayed == len(rows):
            notes.append("known only through relays")
        elif relayed:
            notes.append(f"{relayed} of {len(rows)} figures known only through relays")
        docs = {d for ds in rows.get("docs", pd.Series(dtype=object)) if isinstance(ds, (list, tuple)) for d in ds}
        if docs and not any(reg.documents.get(d, {}).get("url") for d in docs):
            notes.append("no known URL for its documents")
        if notes:
            out[str(sid)] = "; ".join(notes)
    return out


def cite(source_id: str, weak: dict[str, str], fieldwork: bool = True) -> str:
    """One source of a chart's source line, with what is weak about its figures in brackets."""
    from llmtrends.stories import words
    text = words.source(source_id, fieldwork=fieldwork)
    return f"{text} [{weak[source_id]}]" if source_id in weak else text


#: Editions of one series cited one by one up to this many; more are cited as one series.
SERIES_EDITIONS_CITED = 3


def citations(data: pd.DataFrame, fieldwork: bool = True) -> list[str]:
    """The citations of a chart's source line, oldest report first; three or more editions of one
    series (the Ramp AI Index, monthly) are cited once, each weak edition named."""
    reg = datasets.registry()
    weak = weak_provenance(data)
    groups: dict[str, list[str]] = {}
    for sid in source_ids(data):
        groups.setdefault(reg.sources.get(sid, {}).get("series") or sid, []).append(sid)
    out = []
    for key, members in groups.items():
        if len(members) <= SERIES_EDITIONS_CITED:
            out += [cite(s, weak, fieldwork) for s in members]
        else:
            out.append(_series_citation(key, members, weak))
    return out


def _series_citation(series: str, members: list[str], weak: dict[str, str]) -> str:
    """'Ramp, Ramp AI Index: 6 editions, Feb 2026 to Aug 2026 [known only through relays: the Mar ... editions]'."""
    from llmtrends.stories import words
    reg = datasets.registry()
    month = {s: words.month(reg.sources[s].get("published")) or words.source_short(s) for s in members}
    base = str(reg.sources[members[-1]].get("publisher") or "").split(" (")[0]
    text = f"{base}, {words.label('series', series)}: {len(members)} editions, {month[members[0]]} to {month[members[-1]]}"
    notes: dict[str, list[str]] = {}
    for s in members:
        for note in filter(None, (weak.get(s) or "").split("; ")):
            notes.setdefault(re.sub(r"^\d+ of \d+ figures ", "some figures ", note), []).append(month[s])
        inferred = str(reg.sources[s].get("publisher_inferred") or "")
        if inferred:  # 'attribution inferred; the relaying text names no source'
            notes.setdefault(inferred.split(";")[0], []).append(month[s])
    if notes:
        text += " [" + "; ".join(f"{note}: the {_and(months)} edition{'s' if len(months) > 1 else ''}"
                                 for note, months in notes.items()) + "]"
    return text


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def source_line(data: pd.DataFrame) -> str:
    """``'Source: publisher, report (month); method: sample'`` for every source of ``data``, each
    saying when its figures are known only through relays or from documents with no known URL."""
    ids = source_ids(data)
    if not ids:
        raise ValueError("the data carry no source_id: a chart without a source cannot be drawn")
    label = "Source" if len(ids) == 1 else "Sources"
    return f"{label}: " + " | ".join(citations(data))
