"""What each report says, computed from the data: question, key findings, sections.

A *story* is the content of one report for one set of parameters: the
question it answers, three to five key findings (sentences with their
numbers, each with the figures and sources behind it), the date its data
ends, and its sections. A section with nothing to say for the chosen
parameters (a change from a period to itself, a table with no complete row,
bars that are all equal) carries a one-line ``skipped`` reason instead of its
content. Notebooks only call the story functions and :mod:`llmtrends.stories.display`;
:func:`llmtrends.stories.landing.headlines` feeds the landing page.

This module holds the building blocks every theme's story is made of (one
module per theme under ``llmtrends/stories/themes/``): the parts of a story
(:class:`Finding`, :class:`Chart`, :class:`Table`, :class:`Section`,
:class:`Story`), and the steps they share - selecting a lens's figures
edition by edition, writing a path of values, a chart's download.

Every sentence is written from the data here, never typed in a notebook.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import pandas as pd

from llmtrends.stories import analysis
from llmtrends.facts import datasets
from llmtrends.stories import words
from llmtrends.facts import lenses as lens_declarations
from llmtrends.stories.analysis import REMAINDER

# --------------------------------------------------------------------------- building blocks

@dataclass
class Finding:
    """One sentence with numbers, and the figures it rests on."""

    text: str
    data: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def sources(self) -> list[str]:
        """The source ids the sentence rests on."""
        if not len(self.data) or "source_id" not in self.data:
            return []
        return sorted({s for value in self.data["source_id"].dropna() for s in str(value).split(";") if s})


@dataclass
class Chart:
    """A chart to draw: a :mod:`llmtrends.stories.plotting` helper name, its data and options."""

    kind: str
    data: pd.DataFrame
    title: str
    name: str
    options: dict = field(default_factory=dict)
    csv: pd.DataFrame | None = None


@dataclass
class Table:
    """A small table: formatted text cells, and the raw frame for its CSV.

    ``highlight`` marks rows to stand out (the followed vendor's), ``titles`` is what pointing at
    a row shows, and ``kind`` a style: ``"board"`` stacks each row into a card on a phone.
    """

    columns: list[str]
    rows: list[list[str]]
    data: pd.DataFrame
    name: str
    highlight: list[bool] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    kind: str = ""


@dataclass
class Section:
    """One section of a report; ``skipped`` says why it has nothing to show."""

    title: str
    intro: str = ""
    findings: list[Finding] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    table: Table | None = None
    skipped: str | None = None
    analyst_only: bool = False


@dataclass
class Story:
    """One report's content for one set of parameters."""

    title: str
    question: str
    intro: str
    key_findings: list[Finding]
    sections: list[Section]
    metrics: list[str]
    as_of: str
    answer: str = ""
    extra_sources: list[str] = field(default_factory=list)

    def section(self, title: str) -> Section:
        for s in self.sections:
            if s.title == title:
                return s
        raise KeyError(f"no section {title!r}; sections: {[s.title for s in self.sections]}")


def _as_of(frames: Sequence[pd.DataFrame]) -> str:
    """'Data as of mid-2025 (Menlo Ventures, Jul 2025)': the latest period the report shows."""
    rows = pd.concat([f for f in frames if f is not None and len(f) and "period_end" in f], ignore_index=True)
    if rows.empty:
        return ""
    rows = rows[rows["entity"] != REMAINDER] if "entity" in rows else rows
    last = rows.sort_values(["period_end", "period_start"]).iloc[-1]
    latest = rows[rows["period_end"] == last["period_end"]]
    pubs = sorted({words.source_short(s) for s in latest["source_id"] if s in datasets.registry().sources})
    return f"Data as of {words.period(last['period'])}" + (f" ({'; '.join(pubs)})" if pubs else "")


def _figures() -> pd.DataFrame:
    """:func:`llmtrends.figures` without its ``attrs``: pandas deep-copies attrs on every operation,
    and every frame here carries its ``source_id`` column instead."""
    out = datasets.figures().copy(deep=False)
    out.attrs = {}
    return out


def _metric_rows(figures: pd.DataFrame, metric: str, segment: str | None = None) -> pd.DataFrame:
    rows = figures[figures["metric"] == metric]
    if segment is not None:
        rows = rows[rows["segment"] == segment]
    return rows


def _published(source_id: str) -> str:
    """When a source was published (YYYY-MM...), else the end of the latest period it reports, to order editions."""
    published = datasets.registry().sources.get(source_id, {}).get("published")
    if published:
        return str(published)
    rows = datasets.figures()
    ends = rows.loc[rows["source_id"] == source_id, "period_end"]
    return str(ends.max())[:10] if len(ends) else "9999"


def drop_restatements(rows: pd.DataFrame) -> pd.DataFrame:
    """One point per figure: a later edition repeating the same value for the same time is dropped.

    Menlo's 2025 mid-year update repeats OpenAI's 50% "at the end of 2023"
    that its 2024 report gave for 2023: one figure, so it is drawn once (from
    the earlier report). A restated *different* value stays.
    """
    if rows.empty:
        return rows
    pubs = {s: _published(s) for s in rows["source_id"].unique()}
    d = rows.assign(_pub=rows["source_id"].map(pubs), _end=rows["period_end"].astype(str).str[:7])
    d = d.sort_values(["_pub"], kind="stable")
    keep = ~d.duplicated(["metric", "segment", "entity", "_end", "value"], keep="first")
    out = d[keep].drop(columns=["_pub", "_end"])
    out.attrs = dict(rows.attrs)
    return out


def edition_rows(figures: pd.DataFrame, metrics: Sequence[str], segment: str | None,
                 periods: Sequence[str] = ()) -> pd.DataFrame:
    """The figures of a measure as its editions published them, one measure after another.

    ``metrics`` are the measures a report series used over time (Menlo: closed-source market
    share in its 2024 report, usage share in mid-2025, estimated spend share in December 2025).
    Each measure adds only the periods after those the earlier measures already cover: a later
    edition's look back (the December 2025 report's 2023 and 2024 spend shares, the mid-2025
    update's "end of 2023") is told in words, not drawn as a second point for the same time.
    """
    parts, covered = [], None
    ordered = sorted(metrics, key=lambda m: str(_metric_rows(figures, m, segment)["period_end"].max()))
    for metric in ordered:
        rows = drop_restatements(_metric_rows(figures, metric, segment))
        if periods:
            rows = rows[rows["period"].isin(list(periods))]
        if covered is not None and len(rows):
            rows = rows[rows["period_end"] > covered]
        if len(rows):
            parts.append(rows)
            covered = rows["period_end"].max() if covered is None else max(covered, rows["period_end"].max())
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=figures.columns)


def _share_editions(figures: pd.DataFrame, metrics: Sequence[str], segment: str,
                    periods: Sequence[str] = ()) -> pd.DataFrame:
    """Share tables of the editions of one story (see :func:`edition_rows`), in time order."""
    rows = edition_rows(figures, metrics, segment, periods)
    parts = [analysis.share_table(g) for _, g in rows.groupby("metric", sort=False)] if len(rows) else []
    if not parts:
        return pd.DataFrame()
    order = []
    for part in parts:
        order += [s for s in analysis.snapshots(part) if s not in order]
    out = pd.concat([p.assign(snapshot=p["snapshot"].astype(str)) for p in parts], ignore_index=True)
    ends = out.groupby("snapshot")["period_end"].max()
    order = sorted(order, key=lambda s: (ends[s], order.index(s)))
    out["snapshot"] = pd.Categorical(out["snapshot"], categories=order, ordered=True)
    return out.sort_values("snapshot", kind="stable").reset_index(drop=True)


def _snap_rows(shares: pd.DataFrame, snap) -> pd.DataFrame:
    return shares[shares["snapshot"] == snap]


def _snapshot_words(rows: pd.DataFrame) -> str:
    """'mid-2025 (Menlo Ventures, Jul 2025)'."""
    r = rows.iloc[0]
    return f"{words.period(r['period'])} ({words.source_short(r['source_id'])})"


def edition_path(rows: pd.DataFrame) -> str:
    """``42% (mid-2025) → 54% (2025)``: one figure per edition, in time order, never across a break.

    The arrow joins only values of one run (:func:`llmtrends.facts.lenses.segments`: one measure,
    one method). Runs of several measures are written side by side, each naming its measure
    (``42% (mid-2025) by usage; 54% (2025) by spend``), so no arrow reads as a like-for-like change
    across a change of measure or method.
    """
    if not len(rows):
        return ""
    runs = lens_declarations.segments(rows) if {"metric", "period_start", "period_end"} <= set(rows) else [rows]
    parts = []
    for run in runs:
        path = " → ".join(f"{words.percent(r.value)} ({words.period(r.period)})" for r in run.itertuples())
        parts.append(f"{path} {_measure_word(run['metric'].iloc[0])}" if len(runs) > 1 else path)
    return "; ".join(parts)


def like_for_like(figures: pd.DataFrame, metrics: Sequence[str], segment: str | None,
                  periods: Sequence[str] = ()) -> pd.DataFrame:
    """The figures of one measure, one method and one edition where possible, to compare over time.

    Of a chain of measures (``metrics``, earliest first), the latest that has two periods or more
    (after ``periods``); within it the newest edition that states two periods or more (a December
    2025 edition looking back at 2023 and 2024 compares like with like), else every edition of it;
    within that, the latest run of one method (a lens ``break`` ends a run). Empty when no measure
    has two periods.
    """
    for metric in reversed(list(metrics)):
        rows = drop_restatements(_metric_rows(figures, metric, segment))
        if periods:
            rows = rows[rows["period"].isin(list(periods))]
        if rows["period"].nunique() < 2:
            continue
        pubs = rows["source_id"].map(_published)
        for source in sorted(set(rows["source_id"]), key=lambda sid: _published(sid), reverse=True):
            edition = rows[rows["source_id"] == source]
            if edition["period"].nunique() >= 2:
                rows = edition
                break
        else:
            rows = rows.assign(_pub=pubs).sort_values("_pub").drop_duplicates(
                ["entity", "period"], keep="last").drop(columns="_pub")
        runs = [r for r in lens_declarations.segments(rows) if r["period"].nunique() >= 2]
        if runs:
            return runs[-1]
    return pd.DataFrame(columns=figures.columns)


def restated(rows: pd.DataFrame) -> str:
    """Which values of ``rows`` (one edition, one measure) the edition restates from another measure.

    ``data/disagreements.yaml`` links one published number filed under two measures
    (``same_number_other_measure``: Menlo's December 2025 edition gives as spend shares the 2023
    and 2024 values first published among closed-source models). A comparison over those rows
    spans that change of measure, and says so: ``''`` when no row is linked.
    """
    if not len(rows) or "obs_id" not in rows:
        return ""
    links = datasets.disagreements()
    links = links[links["kind"] == "same_number_other_measure"]
    ours = set(rows["obs_id"])
    metric = rows["metric"].iloc[0]
    metric_of = {o["obs_id"]: o["metric"] for o in datasets.registry().observations}
    earlier: dict[str, list[str]] = {}
    for r in links.itertuples():
        for mine, other in ((r.obs_id_a, r.obs_id_b), (r.obs_id_b, r.obs_id_a)):
            if mine in ours and other not in ours and metric_of.get(other, metric) != metric:
                title = words.lower_first(words.metric(metric_of[other]))
                earlier.setdefault(title, []).append(words.period(rows.loc[rows["obs_id"] == mine, "period"].iloc[0]))
    if not earlier:
        return ""
    told = "; ".join(f"the {' and '.join(dict.fromkeys(periods))} value{'s' if len(set(periods)) > 1 else ''} as "
                     f"{title}" for title, periods in earlier.items())
    return (f"{words.source_short(rows['source_id'].iloc[0])} restates values first published under another "
            f"measure ({told}): the comparison spans that change of measure")


def chart_csv(data: pd.DataFrame, label: str = "entity_name") -> pd.DataFrame:
    """What a chart shows, for its download: label, period, value (with range), unit, source."""
    d = data.reset_index(drop=True).copy()
    label = next((c for c in (label, "entity_name", "category", "label") if c in d), None)
    out = pd.DataFrame({
        "label": d[label].astype(str) if label else [""] * len(d),
        "period": d["period"].map(words.period) if "period" in d else [""] * len(d),
        "value": d["value"] if "value" in d else d["count"],
    })
    if "value_low" in d and d["value_low"].notna().any():
        out["value_low"] = d["value_low"]
        out["value_high"] = d["value_high"]
    if "qualifier" in d:
        out["wording"] = d["qualifier"].map({"exact": "", "approx": "about", "at_least": "at least",
                                              "at_most": "at most"}).fillna("")
    units = datasets.registry().units
    if "unit" in d:
        out["unit"] = d["unit"].map(lambda u: units.get(u, u))
    elif "count" in d:
        out["unit"] = "count"
    if "metric" in d:
        out["measure"] = d["metric"].map(words.metric)
    if "entity" in d and (d["entity"] == REMAINDER).any():
        out.loc[d["entity"].values == REMAINDER, "label"] = "Not named by the source (remainder)"
    out["source"] = d["source_id"].map(lambda s: "; ".join(words.source(x) for x in str(s).split(";") if x))
    return out.reset_index(drop=True)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        if f.text not in seen:
            seen.add(f.text)
            out.append(f)
    return out


def _measure_word(metric: str) -> str:
    """'by spend' / 'by usage' / 'closed models only': how a Menlo edition measured a share."""
    return words.measure(metric)


def lens_chain(figures: pd.DataFrame, metric: str) -> list[str]:
    """The measures of the chain of lenses (``data/lenses.yaml``, ``follows``) that ``metric`` belongs to,
    earliest first, those the figures hold; ``[metric]`` when it is no lens's.

    Menlo Ventures' enterprise shares changed their measure twice (closed-source models only, then usage,
    then spend): a chart of editions shows all three, each change marked.
    """
    chain = lens_declarations.chain_metrics(datasets.registry().lenses, metric)
    return [m for m in chain if (figures["metric"] == m).any()] or [metric]
