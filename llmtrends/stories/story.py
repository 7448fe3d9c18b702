"""What each report says, computed from the data: question, key findings, sections.

A *story* is the content of one report for one set of parameters: the
question it answers, three to five key findings (sentences with their
numbers, each with the figures and sources behind it), the date its data
ends, and its sections. A section with nothing to say for the chosen
parameters (a change from a period to itself, a table with no complete row,
bars that are all equal) carries a one-line ``skipped`` reason instead of its
content. Notebooks only call these functions and :mod:`llmtrends.stories.display`;
:func:`headlines` feeds the landing page.

Every sentence is written from the data here, never typed in a notebook.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import pandas as pd

from llmtrends.stories import analysis
from llmtrends.facts import datasets
from llmtrends.stories import words
from llmtrends.stories.analysis import REMAINDER

#: The Menlo Ventures edition measures, in the order the editions changed them.
VENDOR_SHARE_METRICS = ("enterprise_closed_llm_market_share", "enterprise_llm_api_usage_share",
                        "enterprise_llm_api_spend_share")
CODING_METRICS = ("enterprise_coding_llm_share", "enterprise_coding_llm_spend_share")
OPEN_SOURCE_METRICS = ("enterprise_open_source_workload_share", "enterprise_open_source_llm_spend_share")


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
    """A small table: formatted text cells, and the raw frame for its CSV."""

    columns: list[str]
    rows: list[list[str]]
    data: pd.DataFrame
    name: str


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
    """``42% (mid-2025, by usage) → 54% (2025, by spend)``: one figure per edition, in time order.

    When the editions measured the share differently (usage, then spend) each
    point says its measure, so the arrow never reads as a like-for-like change.
    """
    if "period_end" in rows:
        rows = rows.sort_values("period_end", kind="stable")
    mixed = rows["metric"].nunique() > 1 if "metric" in rows else False
    return " → ".join(f"{words.percent(r.value)} ({words.period(r.period)}"
                      + (f", {_measure_word(r.metric)})" if mixed else ")") for r in rows.itertuples())


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


# --------------------------------------------------------------------------- vendor share

def vendor_share(metric: str = "enterprise_llm_api_usage_share", segment: str = "enterprise",
                 highlight_vendor: str = "anthropic", periods: Sequence[str] = (),
                 figures: pd.DataFrame | None = None) -> Story:
    """The vendor-share report for one set of parameters.

    Parameters
    ----------
    metric : str
        The share metric charted; the Menlo editions that measure the same
        market another way (usage, then estimated spend) are drawn with it,
        the change of measure marked.
    segment, highlight_vendor, periods
        As the notebook's parameters (already checked by :mod:`llmtrends.stories.params`).
    figures : pandas.DataFrame, optional
        Default :func:`llmtrends.figures`.

    Returns
    -------
    Story
    """
    figures = _figures() if figures is None else figures
    family = next((f for f in (VENDOR_SHARE_METRICS, CODING_METRICS) if metric in f), (metric,))
    metrics = [m for m in family if (figures["metric"] == m).any()] or [metric]
    shares = _share_editions(figures, metrics, segment, periods)
    highlight = words.entity(highlight_vendor)
    measure = words.lower_first(words.metric(metric))
    is_coding = "coding" in metric
    topic = "code generation" if is_coding else "enterprise LLM APIs"
    snaps = analysis.snapshots(shares)
    lead = analysis.leaders(shares) if len(shares) else pd.DataFrame()
    first_period = words.period(shares.sort_values("period_end")["period"].iloc[0]) if len(shares) else ""
    last_period = words.period(shares.sort_values("period_end")["period"].iloc[-1]) if len(shares) else ""
    span = f", {first_period} to {last_period}" if first_period != last_period else f", {last_period}"
    title = f"Who supplies {topic}{span}"
    # "enterprises use for enterprise LLM APIs" says "enterprise" twice: the question names the work instead
    work = "code generation" if is_coding else "their LLM API workloads"
    question = (f"Which vendors' models do {words.segment(segment).lower()} use for {work}, "
                f"and where does {highlight} stand?")
    key: list[Finding] = []
    sections: list[Section] = []

    # the latest leader
    if len(lead):
        last = lead.iloc[-1]
        rows = _snap_rows(shares, last["snapshot"])
        runner = (f", ahead of {last['runner_up']} ({words.percent(last['runner_up_value'])})"
                  if isinstance(last["runner_up"], str) else "")
        how = "leads" if last["certain"] else "is the largest vendor the source names"
        key.append(Finding(
            f"**{last['entity_name']}** {how} with {words.percent(last['value'])} of {words.share_of(rows['metric'].iloc[0])}"
            f"{runner}, {words.in_period(rows['period'].iloc[0])} ({words.source_short(rows['source_id'].iloc[0])}).", rows[rows["entity"] != REMAINDER]))
        if len(lead) > 1 and lead.iloc[0]["entity"] != last["entity"]:
            f0 = lead.iloc[0]
            r0 = _snap_rows(shares, f0["snapshot"])
            m0, m1 = r0["metric"].iloc[0], rows["metric"].iloc[0]
            by0, by1 = ((f" ({_measure_word(m0)})", f" ({_measure_word(m1)})") if m0 != m1 else ("", ""))
            key.append(Finding(
                f"The lead changed hands: {f0['entity_name']} held {words.percent(f0['value'])} "
                f"{words.in_period(f0['period'])}{by0}; {last['entity_name']} leads with {words.percent(last['value'])} "
                f"{words.in_period(last['period'])}{by1}.",
                pd.concat([r0[r0["entity"] == f0["entity"]], rows[rows["entity"] == last["entity"]]])))

    # the highlighted vendor across editions
    focus = shares[shares["entity"] == highlight_vendor] if len(shares) else pd.DataFrame()
    mixed = len(metrics) > 1

    def when(r) -> str:
        return f"{words.period(r.period)}, {_measure_word(r.metric)}" if mixed else words.period(r.period)

    if len(focus) >= 2 and focus["value"].nunique() == 1:
        key.append(Finding(f"{highlight} holds {words.percent(focus['value'].iloc[0])} in each edition ("
                           + "; ".join(when(r) for r in focus.itertuples()) + ").", focus))
    elif len(focus) >= 2:
        path = " → ".join(f"{words.percent(r.value)} ({when(r)})" for r in focus.itertuples())
        key.append(Finding(f"{highlight} across Menlo's editions: {path}.", focus))
    elif len(focus) == 1 and not (len(lead) and lead.iloc[-1]["entity"] == highlight_vendor):
        r = focus.iloc[0]
        key.append(Finding(f"{highlight} holds {words.percent(r['value'])} {words.in_period(r['period'])} ({words.source_short(r['source_id'])}).", focus))

    for later in metrics[1:]:
        back = drop_restatements(_metric_rows(figures, later, segment))
        back = back[back["entity"] == highlight_vendor].sort_values("period_end")
        if len(back) >= 2 and len(focus) < 3:
            path = " → ".join(f"{words.percent(r.value)} ({words.period(r.period)})" for r in back.itertuples())
            key.append(Finding(f"Measured by estimated spend, Menlo Ventures' "
                               f"{words.source_short(back['source_id'].iloc[-1]).split(', ')[-1]} edition puts "
                               f"{highlight} at {path}.", back))
    if len(metrics) > 1:
        changed = [words.lower_first(words.metric(m)) for m in metrics]
        shown = list(dict.fromkeys(shares["metric"]))
        key.append(Finding("Menlo changed the measure between editions: " + "; then ".join(
            f"{words.lower_first(words.metric(m))} ({', '.join(dict.fromkeys(words.period(p) for p in shares.loc[shares['metric'] == m, 'period']))})"
            for m in shown) + ". The chart marks each change.", shares[shares["entity"] != REMAINDER]))

    # section: the chart of every edition
    if len(shares):
        notes = []
        for row in lead.itertuples():
            if not row.certain:
                notes.append(words.period(row.period))
        sec = Section(
            "Share by vendor, edition by edition",
            intro=("Each bar is one edition of the data as its source published it. A source that names only "
                   "some vendors leaves a remainder, hatched grey: it is what the source does not attribute, not a vendor."),
            charts=[Chart("share_bars", shares, (f"Vendor shares of {words.share_of(metric)}" if len(metrics) == 1 else
                                                 f"Vendor shares of {topic}, edition by edition ("
                                                 + ", then ".join(dict.fromkeys(_measure_word(m) for m in shares["metric"])) + ")"),
                          "vendor-share-by-edition",
                          {"highlight": highlight_vendor})])
        if notes:
            sec.findings.append(Finding(
                f"For {' and '.join(dict.fromkeys(notes))} the source names too little of the market to say who leads: "
                "an unnamed vendor could be larger than the largest one named.",
                shares[shares["entity"] == REMAINDER]))
        sections.append(sec)
    else:
        sections.append(Section("Share by vendor, edition by edition",
                                skipped="The data hold no figures for this measure and these periods."))

    # section: changes
    change_title = "How shares changed"
    first_end = shares["period_end"].min() if len(shares) else None
    last_end = shares["period_end"].max() if len(shares) else None
    chosen = drop_restatements(_metric_rows(figures, metric, segment))
    if periods:
        chosen = chosen[chosen["period"].isin(list(periods))]
    one_measure = analysis.share_table(chosen) if len(chosen) else chosen
    if len(one_measure) and one_measure["period"].nunique() >= 2:
        change = analysis.changes(one_measure)
        change = change[change["entity"] != REMAINDER]
        if len(change):
            rows = [[r.entity_name, f"{words.percent(r.value_start)} ({words.period(r.start)})",
                     f"{words.percent(r.value_end)} ({words.period(r.end)})", words.points(r.change_pp)]
                    for r in change.itertuples()]
            finds = []
            big = change.iloc[change["change_pp"].abs().argmax()]
            finds.append(Finding(
                f"The largest move: {big['entity_name']} from {words.percent(big['value_start'])} "
                f"{words.in_period(big['start'])} to {words.percent(big['value_end'])} {words.in_period(big['end'])} "
                f"({words.points(big['change_pp'])}).", one_measure[one_measure["entity"] == big["entity"]]))
            csv = change.assign(period=change["start"] + " to " + change["end"])
            sections.append(Section(change_title, findings=finds,
                                    table=Table(["Vendor", "Then", "Latest", "Change"], rows,
                                                csv[["entity_name", "start", "value_start", "end", "value_end",
                                                     "change_pp", "source_id"]], "share-change")))
            focus_ids = set(focus["entity"]) if len(focus) else set()
            lead_changed = any(f.text.startswith("The lead changed hands") for f in key)
            if len(key) < 4 and big["entity"] not in focus_ids and not lead_changed:
                key.insert(1, finds[0])
        else:
            sections.append(Section(change_title, skipped="No vendor is named in both the first and the last period, so no change can be computed."))
    else:
        only = words.period(one_measure["period"].iloc[0]) if len(one_measure) else last_period
        sections.append(Section(change_title, skipped=(
            f"Not shown: the data give {measure} for one period only ({only}), so there is no change to show.")))

    # section: how big the market is (Menlo's sizing, with its restatement)
    size = market_size(figures)
    if size is not None:
        sections.append(size)
        if len(key) < 5:
            key.append(size.findings[0])

    # section: concentration
    conc_title = "How concentrated the market is"
    conc = analysis.concentration(shares) if len(shares) else pd.DataFrame()
    complete = conc[conc["complete"]] if len(conc) else conc
    if len(complete):
        rows = [[_snapshot_words(_snap_rows(shares, r.snapshot)), words.percent(r.coverage), words.percent(r.top3_share),
                 f"{words.number(r.hhi_low, 0)}–{words.number(r.hhi_high, 0)}"] for r in complete.itertuples()]
        last = complete.iloc[-1]
        finds = [Finding(f"In {_snapshot_words(_snap_rows(shares, last['snapshot']))} the three largest vendors hold "
                         f"{words.percent(last['top3_share'])}; the Herfindahl-Hirschman index is between "
                         f"{words.number(last['hhi_low'], 0)} and {words.number(last['hhi_high'], 0)} "
                         "(above 2,500 counts as highly concentrated).", _snap_rows(shares, last["snapshot"]))]
        table = (Table(["Edition", "Named share", "Top three", "HHI range"], rows,
                       complete[["period", "coverage", "top3_share", "hhi_low", "hhi_high", "source_id"]], "concentration")
                 if len(rows) >= 2 else None)
        sections.append(Section(conc_title, intro=(
            f"Measured only where the source names at least {words.percent(analysis.MIN_COVERAGE)} of the market "
            f"and {analysis.MIN_NAMED} vendors; the unnamed remainder's split is unknown, so the index is a range."),
            findings=finds, table=table))
    else:
        sections.append(Section(conc_title, skipped=(
            f"Not shown: no edition names at least {words.percent(analysis.MIN_COVERAGE)} of the market and "
            f"{analysis.MIN_NAMED} vendors, so concentration cannot be measured.")))

    # section: coding
    coding_title = "Coding, the first killer application"
    if is_coding:
        sections.append(Section(coding_title, skipped="Coding is the measure charted above."))
    else:
        coding = _share_editions(figures, [m for m in CODING_METRICS if (figures["metric"] == m).any()], segment)
        if len(coding):
            latest = coding[coding["snapshot"] == analysis.snapshots(coding)[-1]]
            named = latest[latest["entity"] != REMAINDER].sort_values("value", ascending=False)
            top = named.iloc[0]
            text = f"In {_snapshot_words(latest)}, {top['entity_name']} holds {words.percent(top['value'])} of code generation"
            if len(named) > 1:
                second = named.iloc[1]
                text += f", {words.number(top['value'] / second['value'])} times {second['entity_name']} ({words.percent(second['value'])})"
            f = Finding(text + ".", named)
            path = coding[(coding["entity"] == top["entity"])]
            finds = [f]
            if len(path) >= 2:
                finds.append(Finding(f"{top['entity_name']}'s coding share across editions: {edition_path(path)}.", path))
            charts = ([Chart("share_bars", coding, "Share of code-generation use, by vendor", "coding-share",
                             {"highlight": highlight_vendor})])
            sections.append(Section(coding_title, findings=finds, charts=charts))
            if len(key) < 5:
                key.append(finds[-1])
        else:
            sections.append(Section(coding_title, skipped="The data hold no coding shares."))

    # section: Chinese developers (a different question)
    dev_title = "Chinese developers: which model families they use"
    survey = _metric_rows(figures, "developer_model_usage_rate")
    if len(survey) >= 2 and survey["value"].nunique() > 1:
        ranked = survey.sort_values("value", ascending=False)
        text = ", ".join(f"{r.entity_name} by {words.percent(r.value)}" for r in ranked.itertuples())
        sections.append(Section(dev_title, intro=(
            "A different question: the share of surveyed Chinese AI developers using each model family. One developer "
            "can use several, so these rates do not add up to a whole and are not market shares."),
            findings=[Finding(f"Of the Chinese developers surveyed, {text} ({words.source_short(ranked['source_id'].iloc[0])}).", ranked)],
            charts=[Chart("value_bars", survey, "Chinese AI developers using each model family", "developer-usage-rates",
                          {"highlight": highlight_vendor, "xlabel": "developers using it (multi-answer)"})]))
    else:
        sections.append(Section(dev_title, skipped="The data hold fewer than two developer usage rates."))

    answer = key[0].text if key else "The data hold no figures for this measure."
    intro = (f"How {words.segment(segment).lower()}' use of {topic} is split between model vendors, edition by edition of "
             "Menlo Ventures' surveys, with the other measures beside it.")
    used = list(dict.fromkeys(list(shares["metric"].unique()) if len(shares) else [metric]))
    used += [m for m in ("enterprise_coding_llm_share", "developer_model_usage_rate") if (figures["metric"] == m).any()]
    return Story(title=title, question=question, intro=intro, key_findings=_dedupe(key)[:5], sections=sections,
                 metrics=list(dict.fromkeys(used)), as_of=_as_of([shares]), answer=answer)


def market_size(figures: pd.DataFrame, metric: str = "enterprise_genai_spend") -> Section | None:
    """Menlo's sizing of enterprise generative-AI spend, each year as its latest edition states it,
    and any earlier estimate that edition replaced (a restatement, told, not hidden)."""
    rows = _metric_rows(figures, metric)
    if rows["period"].nunique() < 2:
        return None
    rows = rows.assign(_pub=rows["source_id"].map(_published)).sort_values(["period_end", "_pub"])
    latest = rows.groupby("period", sort=False).tail(1).sort_values("period_end")
    earlier = rows.drop(latest.index)
    path = " → ".join(f"{words.row_value(r)} ({words.period(r['period'])})" for _, r in latest.iterrows())
    last = latest.iloc[-1]
    times = last["value"] / latest.iloc[0]["value"]
    text = (f"Enterprise spend on generative AI: {path}, about {words.number(times, 0)} times in "
            f"{len(latest) - 1} years ({words.source_short(last['source_id'])}).")
    finds = [Finding(text, latest.drop(columns="_pub"))]
    for _, r in earlier.iterrows():
        now = latest[latest["period"] == r["period"]].iloc[0]
        finds.append(Finding(
            f"The {words.period(r['period'])} figure was first put at {words.row_value(r)} "
            f"({words.source_short(r['source_id'])}); the {words.source_short(now['source_id']).split(', ')[-1]} edition "
            f"restates it at {words.row_value(now)}; both estimates stay in the data.", rows.loc[[_]].drop(columns="_pub")))
    chart = Chart("value_bars", latest.drop(columns="_pub").assign(entity_name=latest["period"].map(words.period)),
                  "Enterprise spend on generative AI, USD billion", "genai-spend",
                  {"label": "entity_name", "color_by": "period", "order": "given"})
    return Section("How big the market is", findings=finds, charts=[chart])


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        if f.text not in seen:
            seen.add(f.text)
            out.append(f)
    return out


# --------------------------------------------------------------------------- open vs closed

def _measure_word(metric: str) -> str:
    """'by spend' / 'by usage' / 'closed models only': how a Menlo edition measured a share."""
    return words.measure(metric)


def _lens_label(r) -> str:
    """'Open-weight models: share of OpenRouter tokens, Dec 2024 to Oct 2025'."""
    who = {"open_source_models": "Open-weight models", "chinese_open_models": "Chinese open models"}.get(
        r["entity"], r["entity_name"])
    what = words.metric(r["metric"])
    if "the model family" in what:  # a rate per model family: name the family ("... using Meta models")
        return f"{what.replace('the model family', who + ' models')}, {words.period(r['period'])}"
    if what.lower().startswith(who.split()[0].lower()):  # "Open-weight share of ..." names the models already
        return f"{what}, {words.period(r['period'])}"
    return f"{who}: {words.lower_first(what)}, {words.period(r['period'])}"


def open_vs_closed(lenses: Sequence[str] = tuple(analysis.OPEN_SOURCE_LENSES),
                   flageval_boards: Sequence[str] = ("language_subjective", "language_objective", "text_to_image", "text_to_video"),
                   show_quotes: bool = True, figures: pd.DataFrame | None = None) -> Story:
    """The open-vs-closed report: every lens on open-model share, side by side, never added."""
    figures = _figures() if figures is None else figures
    lens = analysis.open_source_lenses(figures, list(lenses))
    lens = drop_restatements(lens)
    lens["label"] = lens.apply(_lens_label, axis=1)
    key: list[Finding] = []
    sections: list[Section] = []

    trend = pd.DataFrame()
    if "enterprise_open_source_workload_share" in lenses:
        ent = edition_rows(figures, [m for m in OPEN_SOURCE_METRICS if (figures["metric"] == m).any()], "enterprise")
        ent = ent[ent["entity"] == "open_source_models"].sort_values(["period_end"])
        trend = ent
        if len(ent) >= 2:
            path = edition_path(ent)
            direction = "fell" if ent["value"].iloc[-1] < ent["value"].iloc[0] else "moved"
            pubs = words.sources_short(ent["source_id"])
            what = "enterprise LLM share" if ent["metric"].nunique() > 1 else "share of enterprise LLM use"
            key.append(Finding(f"Open-weight models' {what} {direction}: {path} ({pubs}).", ent))
        elif len(ent) == 1:
            r = ent.iloc[0]
            key.append(Finding(f"Open-weight models run {words.percent(r['value'])} of enterprise AI workloads "
                               f"({words.period(r['period'])}).", ent))
    router = lens[lens["metric"].str.startswith("openrouter")]
    tok = router[(router["metric"] == "openrouter_token_share") & (router["entity"] == "open_source_models")]
    if len(tok):
        r = tok.iloc[-1]
        key.append(Finding(f"On the OpenRouter API router open-weight models carry {words.row_value(r)} of all tokens "
                           f"({words.period(r['period'])}): a different population, measured by telemetry.", tok))
    china = router[router["entity"] == "chinese_open_models"].sort_values("value")
    if len(china):
        parts = [f"{words.row_value(r)} {'on average' if 'avg' in r['metric'] else 'at the peak'}" for _, r in china.iterrows()]
        key.append(Finding(f"Chinese open models' weekly share of OpenRouter tokens: {' and '.join(parts)} "
                           f"({words.period(china['period'].iloc[0])}).", china))

    # lenses chart
    if len(lens) >= 2:
        sections.append(Section(
            "Every lens on open-model share, side by side",
            intro=("Each row answers its own question of its own population; the rows are compared, never added."),
            charts=[Chart("lens_dotplot", lens, "Open-weight model use: different questions, different answers",
                          "open-source-lenses", {})]))
    elif len(lens) == 1:
        r = lens.iloc[0]
        sections.append(Section("Every lens on open-model share, side by side",
                                findings=[Finding(f"{r['label']}: {words.row_value(r)}.", lens)],
                                skipped=None))
    # enterprise editions beside the router
    if len(trend) >= 2:
        changed = trend["metric"].nunique() > 1
        asked = ("Menlo Ventures' enterprise editions changed their measure, from "
                 + " to ".join(dict.fromkeys(_measure_word(m).removeprefix("by ") for m in trend["metric"]))
                 + " (each bar says which), so the bars are not one series"
                 if changed else "Menlo Ventures' enterprise surveys asked the same question in each edition")
        sec = Section("Enterprises, edition by edition, beside the API router",
                      intro=asked + "; OpenRouter's telemetry measures tokens on one platform. Same topic, different questions.",
                      charts=[Chart("value_bars", trend.assign(entity_name=[
                                        f"{words.period(r.period)}, {_measure_word(r.metric)}" for r in trend.itertuples()]),
                                    "Open-weight models' enterprise LLM share, edition by edition" if changed
                                    else "Open-weight models' share of enterprise LLM use, edition by edition",
                                    "enterprise-open-share", {"label": "entity_name", "color_by": "metric", "order": "given"})])
        sections.append(sec)
    elif "enterprise_open_source_workload_share" in lenses:
        sections.append(Section("Enterprises, edition by edition, beside the API router",
                                skipped="The data hold one enterprise figure only, so there is no trend to show."))

    # FlagEval
    top5 = datasets.load("flageval_listed")
    top5 = top5[top5["board"].isin(list(flageval_boards))]
    n_open = int((top5["license"] == "open").sum())
    boards = top5["board"].nunique()
    open_rows = top5[top5["license"] == "open"]
    which = ("" if open_rows.empty else ": " + "; ".join(
        f"{r.model} ({r.organization}, {words.label('board', r.board).lower()} board)" for r in open_rows.itertuples()))
    on_boards = f"models FlagEval lists on {boards} board{'s' if boards != 1 else ''}"
    if n_open == 0:
        flag_text = f"In Dec 2024, none of the {len(top5)} {on_boards} is open."
    else:
        flag_text = (f"In Dec 2024, {'only ' if n_open * 2 < len(top5) else ''}{n_open} of the {len(top5)} {on_boards} "
                     f"{'is' if n_open == 1 else 'are'} open{which}.")
    per_board = (top5.assign(is_open=top5["license"] == "open").groupby("board", sort=False)
                 .agg(open=("is_open", "sum"), places=("is_open", "size")).reset_index())
    table = None
    if len(per_board) >= 2 and per_board["open"].nunique() > 1:
        table = Table(["Board", "Open models", "Closed models"],
                      [[words.label("board", r.board), str(int(r.open)), str(int(r.places - r.open))] for r in per_board.itertuples()],
                      per_board.assign(board=per_board["board"].map(lambda b: words.label("board", b)),
                                       source_id=top5["source_id"].iloc[0]), "flageval-open-closed")
    sections.append(Section("Benchmarks: open and closed among the FlagEval models listed",
                            intro=("The document relays part of the FlagEval results: a short list of models per board, "
                                   "each labelled open or closed, with no scores and no statement that the lists are "
                                   "rankings. Counting the labels says what the listed models look like, not how models "
                                   "rank and not what share of use open models have."),
                            findings=[Finding(flag_text, top5.assign(value=1.0))], table=table))
    key.append(Finding(flag_text, top5.assign(value=1.0)))

    # capability gap
    lag = _metric_rows(figures, "open_model_capability_lag")
    if len(lag):
        r = lag.iloc[0]
        f = Finding(f"Open models trail the best closed models by {words.row_value(r)}, according to "
                    f"{words.source_short(r['source_id'])}.", lag)
        sections.append(Section("The capability gap", findings=[f]))
        key.append(f)

    # verbatim quotes: analyst export only
    if show_quotes:
        rows = [[r["label"], str(r["quote"]), str(r["note"])] for _, r in lens.iterrows()]
        sections.append(Section("The source sentences (analyst version)", table=Table(
            ["Figure", "Source sentence (verbatim)", "Cleaning note"], rows,
            lens[["label", "period", "value", "source_id", "quote", "note"]], "lens-quotes"), analyst_only=True))

    lens_metrics = list(dict.fromkeys(lens["metric"]))
    n = len(lens_metrics)
    title = ("Open vs closed: how much use goes to open-weight models" if n > 1
             else f"Open-weight models: {words.lower_first(words.metric(lens_metrics[0]))}")
    question = "How much LLM use goes to open-weight models, by each measure the sources give?"
    intro = ("\"Open-source share\" has no single value: each source asks a different question of a different "
             "population. This report puts the measures side by side, each with its definition and source.")
    key = _dedupe(key)
    return Story(title=title, question=question, intro=intro, key_findings=key[:5], sections=sections,
                 metrics=lens_metrics + (["open_model_capability_lag"] if len(lag) else []),
                 as_of=_as_of([lens, trend]), answer=key[0].text if key else "",
                 extra_sources=sorted(set(top5["source_id"])))


# --------------------------------------------------------------------------- agentic usage

def agentic_usage(compute_segments: Sequence[str] = ("startup", "enterprise"), agent_map_view: str = "both",
                  top_n_scenarios: int = 10, figures: pd.DataFrame | None = None) -> Story:
    """The agentic-usage report: reasoning, inference, coding, migration to new models, agents."""
    figures = _figures() if figures is None else figures
    key: list[Finding] = []
    sections: list[Section] = []
    shown: list[pd.DataFrame] = []

    reasoning = _metric_rows(figures, "openrouter_task_type_usage_share")
    if len(reasoning):
        finds = [Finding(f"{r['entity_name']} account for {words.row_value(r)} of all usage on OpenRouter "
                         f"({words.period(r['period'])}).", reasoning.loc[[i]]) for i, r in reasoning.iterrows()]
        sections.append(Section("Reasoning-intensive use", findings=finds))
        key.append(finds[0])
        shown.append(reasoning)

    compute = _metric_rows(figures, "respondents_mostly_inference_compute")
    compute = compute[compute["segment"].isin(list(compute_segments))]
    shift = analysis.before_after(compute, by="segment") if len(compute) else pd.DataFrame()
    if len(shift):
        shift = shift.assign(segment=shift["segment"].map(words.segment))
        parts = [f"{r.segment.lower()} {words.percent(r.value_before)} → {words.percent(r.value_after)}" for r in shift.itertuples()]
        f = Finding(f"Respondents whose compute is mostly inference, {words.period(shift['period_before'].iloc[0])} to "
                    f"{words.period(shift['period_after'].iloc[0])}: {'; '.join(parts)}.", compute)
        charts = [Chart("slope", shift, "Respondents whose compute is mostly inference", "inference-shift", {},
                        csv=chart_csv(compute.assign(entity_name=compute["segment"].map(words.segment))))]
        sections.append(Section("Compute moves from training to inference", findings=[f], charts=charts))
        key.append(f)
        shown.append(compute)
    else:
        sections.append(Section("Compute moves from training to inference",
                                skipped="The data hold no before-and-after pair for the chosen respondents."))

    coding = _share_editions(figures, [m for m in CODING_METRICS if (figures["metric"] == m).any()], "enterprise")
    if len(coding):
        latest = coding[coding["snapshot"] == analysis.snapshots(coding)[-1]]
        named = latest[latest["entity"] != REMAINDER].sort_values("value", ascending=False)
        top = named.iloc[0]
        path = coding[coding["entity"] == top["entity"]]
        if len(path) >= 2:
            text = f"{top['entity_name']}'s share of code generation: {edition_path(path)}."
        else:
            text = f"{top['entity_name']} holds {words.percent(top['value'])} of code generation {words.in_period(latest['period'].iloc[0])} ({words.source_short(latest['source_id'].iloc[0])})."
        f = Finding(text, path)
        eco = _metric_rows(figures, "code_generation_ecosystem_value")
        finds = [f] + [Finding(f"The code-generation ecosystem is worth {words.row_value(r)} "
                               f"({words.period(r['period'])}).", eco.loc[[i]]) for i, r in eco.iterrows()]
        sections.append(Section("Coding, the first killer application", findings=finds,
                                charts=[Chart("share_bars", coding, "Vendor shares of code generation, edition by edition", "coding-share", {})]))
        key.append(f)
        shown.append(coding)

    agents = _metric_rows(figures, "production_deployments_true_agent_rate")
    agents = agents[agents["segment"].isin(list(compute_segments))].sort_values("value")
    if len(agents):
        parts = [f"{words.percent(r.value)} {'at' if r.segment != 'all' else 'in'} {words.segment(r.segment).lower()}"
                 for r in agents.itertuples()]
        f = Finding(f"Of AI deployments in production, {' and '.join(parts)} are true agents, which plan, act and "
                    f"adapt ({words.source_short(agents['source_id'].iloc[0])}).",
                    agents)
        daily = _metric_rows(figures, "developers_daily_ai_coding_tool_use_rate").sort_values("value")
        finds = [f]
        if len(daily):
            finds.append(Finding("Developers using AI coding tools daily: " + "; ".join(
                f"{words.percent(r.value)} ({r.entity_name.lower() if r.entity != 'all' else 'all organizations'})"
                for r in daily.itertuples()) + f" ({words.source_short(daily['source_id'].iloc[0])}).", daily))
        sections.append(Section("Agents in production", findings=finds))
        key.insert(min(2, len(key)), f)
        shown.append(agents)

    models = _metric_rows(figures, "anthropic_user_model_share")
    if len(models) and models["period"].nunique() >= 2:
        mshares = analysis.share_table(models)
        moves = analysis.changes(mshares)
        finds = [Finding(f"{r.entity_name}: {words.percent(r.value_start)} in {words.period(r.start)} to "
                         f"{words.percent(r.value_end)} in {words.period(r.end)} ({words.points(r.change_pp)}).",
                         models[models["entity"] == r.entity]) for r in moves.itertuples()]
        last = models.sort_values("period_end")["period"].iloc[-1]
        new = models[(models["period"] == last) & ~models["entity"].isin(moves["entity"])]
        finds += [Finding(f"{r.entity_name}, new in {words.period(r.period)}, already holds {words.percent(r.value)} "
                          f"of Anthropic's users ({words.source_short(r.source_id)}).",
                          new[new["entity"] == r.entity]) for r in new.itertuples()]
        sections.append(Section("How fast users move to a new frontier model",
                                intro="Shares of Anthropic's users on each Claude model before and within a month of a new model's launch.",
                                findings=finds, charts=[Chart("share_bars", mshares, "Anthropic users by Claude model",
                                                              "model-migration", {})]))
        if new.shape[0]:
            key.append(finds[-1])
        shown.append(models)
    switching = _metric_rows(figures, "model_switching_behaviour_share")
    if len(switching) >= 2:
        sw = analysis.share_table(switching)
        top = switching.sort_values("value", ascending=False).iloc[0]
        f = Finding(f"Over the past year {words.percent(top['value'])} of developers {top['entity_name'].lower()} "
                    f"({words.source_short(top['source_id'])}).", switching)
        sections.append(Section("Switching models", findings=[f], charts=[Chart(
            "share_bars", sw, "What developers did with their model over the past year", "switching", {})]))
        key.append(f)

    scen = _metric_rows(figures, "enterprise_ai_scenario_selection_rate").nlargest(int(top_n_scenarios), "value")
    if len(scen):
        top = scen.iloc[0]
        f = Finding(f"The AI scenario enterprises choose most is {top['entity_name']} ({words.row_value(top)} of respondents).", scen)
        charts = [Chart("value_bars", scen, "Enterprise AI scenarios chosen (multi-answer)", "enterprise-scenarios",
                        {"xlabel": "respondents choosing it"})] if len(scen) >= 2 and scen["value"].nunique() > 1 else []
        sections.append(Section("What enterprises use AI for", findings=[f], charts=charts))

    agents = datasets.load("agent_map")
    views = ["industry", "function"] if agent_map_view == "both" else [agent_map_view]
    for view in views:
        counted = analysis.counts(agents[agents["section"] == view], "category")
        counted["category"] = counted["category"].map(lambda c: words.label("agent_map_category", c))
        title = f"The Chinese agent map, by {view}"
        if counted["count"].nunique() <= 1:
            n = int(counted["count"].iloc[0]) if len(counted) else 0
            sections.append(Section(title, skipped=(
                f"Not charted: the map lists {n} agents in each of its {len(counted)} {view} categories "
                f"({', '.join(counted['category'].str.lower())}), so there is no ranking to show.")))
        else:
            most = counted[counted["count"] == counted["count"].max()]
            f = Finding(f"By {view}: {int(counted['count'].sum())} listings in {len(counted)} categories; the most listed: "
                        f"{', '.join(most['category'])} ({int(most['count'].iloc[0])}).", counted)
            sections.append(Section(title, intro="A count of the products the map lists, not of their use.", findings=[f],
                                    charts=[Chart("count_bars", counted, f"Chinese agent applications by {view}",
                                                  f"agent-map-{view}", {"xlabel": "agents listed"})]))

    segs = " and ".join(words.segment(s).lower() for s in compute_segments)
    title = "Agentic usage: reasoning, inference and the move to new models"
    if list(compute_segments) == ["enterprise"]:
        title = "Agentic usage in enterprises: reasoning, inference and new models"
    question = f"How fast is LLM use becoming reasoning and agents, for {segs}?"
    intro = ("How use of LLMs moved from one-shot answers to reasoning and agents: reasoning-heavy use, compute moving "
             "to inference, coding, how fast users switch to a new model, and the Chinese agent map.")
    metrics = [m for m in ("openrouter_task_type_usage_share", "respondents_mostly_inference_compute",
                           "enterprise_coding_llm_share", "anthropic_user_model_share", "model_switching_behaviour_share",
                           "enterprise_ai_scenario_selection_rate") if (figures["metric"] == m).any()]
    key = _dedupe(key)
    return Story(title=title, question=question, intro=intro, key_findings=key[:5], sections=sections, metrics=metrics,
                 as_of=_as_of(shown), answer=key[1].text if len(key) > 1 else (key[0].text if key else ""))


# --------------------------------------------------------------------------- per notebook, for the index

STORIES = {"vendor_share": vendor_share, "open_vs_closed": open_vs_closed, "agentic_usage": agentic_usage}


def for_notebook(notebook: str, parameters: dict[str, Any] | None = None) -> Story:
    """The story of a notebook (by stem) with its parameters checked by :mod:`llmtrends.stories.params`."""
    import inspect

    from llmtrends.stories import params as params_module
    story = STORIES[notebook]
    values = {name: p.default for name, p in inspect.signature(story).parameters.items()
              if name != "figures" and p.default is not inspect.Parameter.empty}
    values = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
    values.update(parameters or {})
    checked = params_module.validate(notebook, values)
    return story(**checked)


def headlines(told: dict[str, Story] | None = None) -> list[Finding]:
    """Five to eight findings across the reports, for the landing page (each with its data for a sparkline).

    ``told`` may hold stories already computed with the notebooks' defaults, by notebook name.
    """
    told = told or {}
    vendor_share_ = (lambda: told["vendor_share"]) if "vendor_share" in told else vendor_share
    open_vs_closed_ = (lambda: told["open_vs_closed"]) if "open_vs_closed" in told else open_vs_closed
    agentic_usage_ = (lambda: told["agentic_usage"]) if "agentic_usage" in told else agentic_usage
    picks: list[Finding] = []
    try:
        vs = vendor_share_()
        picks += vs.key_findings[:2]
        size = market_size(_figures())
        picks += size.findings[:1] if size is not None else vs.key_findings[2:3]
    except Exception:  # a story that cannot be told must not take the landing page down
        pass
    try:
        oc = open_vs_closed_()
        picks += oc.key_findings[:2]
    except Exception:
        pass
    try:
        ag = agentic_usage_()
        picks += [f for f in ag.key_findings if "inference" in f.text or "code generation" in f.text][:2]
        picks += [f for f in ag.key_findings if "OpenRouter" in f.text][:1]
    except Exception:
        pass
    return _dedupe(picks)[:8]
