"""The vendor-share report: who supplies enterprise LLMs, lens by lens.

The story reads in four steps: select the lens data (:func:`_select`: the
chain of lenses the chosen measure belongs to, edition by edition), compute
(leaders, changes, concentration), write the sentences (:func:`_key_findings`)
and build the sections, each its own function.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from llmtrends.stories import analysis, words
from llmtrends.stories.analysis import REMAINDER
from llmtrends.stories.story import (
    Chart,
    Finding,
    Section,
    Story,
    Table,
    _as_of,
    _dedupe,
    _figures,
    _measure_word,
    _metric_rows,
    _published,
    _share_editions,
    _snap_rows,
    _snapshot_words,
    drop_restatements,
    edition_path,
    lens_chain,
)

CODING_LENS_METRIC = "enterprise_coding_llm_share"  # the first measure of the coding lenses' chain
DEVELOPER_SURVEY_METRIC = "developer_model_usage_rate"


@dataclass
class _Selection:
    """What the story is told from: the parameters and the figures they select."""

    figures: pd.DataFrame
    metric: str
    segment: str
    highlight_vendor: str
    periods: Sequence[str]
    metrics: list[str]          # the chain of measures, earliest first (only those the figures hold)
    shares: pd.DataFrame        # share tables of every edition, in time order
    lead: pd.DataFrame          # the leader of each edition

    @property
    def highlight(self) -> str:
        return words.entity(self.highlight_vendor)

    @property
    def is_coding(self) -> bool:
        return "coding" in self.metric

    @property
    def topic(self) -> str:
        return "code generation" if self.is_coding else "enterprise LLM APIs"

    @property
    def focus(self) -> pd.DataFrame:
        """The highlighted vendor's share in each edition."""
        return self.shares[self.shares["entity"] == self.highlight_vendor] if len(self.shares) else pd.DataFrame()


def vendor_share(metric: str = "enterprise_llm_api_usage_share", segment: str = "enterprise",
                 highlight_vendor: str = "anthropic", periods: Sequence[str] = (),
                 figures: pd.DataFrame | None = None) -> Story:
    """The vendor-share report for one set of parameters.

    Parameters
    ----------
    metric : str
        The share metric charted; the editions of its lens chain that measure the
        same market another way (``data/lenses.yaml``: usage, then estimated
        spend) are drawn with it, the change of measure marked.
    segment, highlight_vendor, periods
        As the notebook's parameters (already checked by :mod:`llmtrends.stories.params`).
    figures : pandas.DataFrame, optional
        Default :func:`llmtrends.figures`.

    Returns
    -------
    Story
    """
    sel = _select(metric, segment, highlight_vendor, periods, _figures() if figures is None else figures)
    key = _key_findings(sel)
    sections = [_editions_section(sel), _changes_section(sel, key)]
    size = market_size(sel.figures)
    if size is not None:
        sections.append(size)
        if len(key) < 5:
            key.append(size.findings[0])
    sections += [_concentration_section(sel), _coding_section(sel, key), _developers_section(sel)]
    return _story(sel, key, sections)


def _select(metric, segment, highlight_vendor, periods, figures) -> _Selection:
    metrics = lens_chain(figures, metric)
    shares = _share_editions(figures, metrics, segment, periods)
    lead = analysis.leaders(shares) if len(shares) else pd.DataFrame()
    return _Selection(figures, metric, segment, highlight_vendor, periods, metrics, shares, lead)


def _story(sel: _Selection, key: list[Finding], sections: list[Section]) -> Story:
    shares, figures = sel.shares, sel.figures
    ordered = shares.sort_values("period_end")["period"] if len(shares) else pd.Series(dtype=object)
    first_period = words.period(ordered.iloc[0]) if len(ordered) else ""
    last_period = words.period(ordered.iloc[-1]) if len(ordered) else ""
    span = f", {first_period} to {last_period}" if first_period != last_period else f", {last_period}"
    # "enterprises use for enterprise LLM APIs" says "enterprise" twice: the question names the work instead
    work = "code generation" if sel.is_coding else "their LLM API workloads"
    question = (f"Which vendors' models do {words.segment(sel.segment).lower()} use for {work}, "
                f"and where does {sel.highlight} stand?")
    answer = key[0].text if key else "The data hold no figures for this measure."
    intro = (f"How {words.segment(sel.segment).lower()}' use of {sel.topic} is split between model vendors, edition "
             "by edition of Menlo Ventures' surveys, with the other measures beside it.")
    used = list(dict.fromkeys(list(shares["metric"].unique()) if len(shares) else [sel.metric]))
    used += [m for m in (CODING_LENS_METRIC, DEVELOPER_SURVEY_METRIC) if (figures["metric"] == m).any()]
    return Story(title=f"Who supplies {sel.topic}{span}", question=question, intro=intro,
                 key_findings=_dedupe(key)[:5], sections=sections, metrics=list(dict.fromkeys(used)),
                 as_of=_as_of([shares]), answer=answer)


# --------------------------------------------------------------------------- sentences

def _key_findings(sel: _Selection) -> list[Finding]:
    """The leader, a change of hands, the highlighted vendor's path, and the change of measure."""
    return _leader_findings(sel) + _highlight_findings(sel) + _measure_findings(sel)


def _leader_findings(sel: _Selection) -> list[Finding]:
    lead, shares = sel.lead, sel.shares
    if not len(lead):
        return []
    last = lead.iloc[-1]
    rows = _snap_rows(shares, last["snapshot"])
    runner = (f", ahead of {last['runner_up']} ({words.percent(last['runner_up_value'])})"
              if isinstance(last["runner_up"], str) else "")
    how = "leads" if last["certain"] else "is the largest vendor the source names"
    out = [Finding(
        f"**{last['entity_name']}** {how} with {words.percent(last['value'])} of {words.share_of(rows['metric'].iloc[0])}"
        f"{runner}, {words.in_period(rows['period'].iloc[0])} ({words.source_short(rows['source_id'].iloc[0])}).",
        rows[rows["entity"] != REMAINDER])]
    if len(lead) > 1 and lead.iloc[0]["entity"] != last["entity"]:
        f0 = lead.iloc[0]
        r0 = _snap_rows(shares, f0["snapshot"])
        m0, m1 = r0["metric"].iloc[0], rows["metric"].iloc[0]
        by0, by1 = ((f" ({_measure_word(m0)})", f" ({_measure_word(m1)})") if m0 != m1 else ("", ""))
        out.append(Finding(
            f"The lead changed hands: {f0['entity_name']} held {words.percent(f0['value'])} "
            f"{words.in_period(f0['period'])}{by0}; {last['entity_name']} leads with {words.percent(last['value'])} "
            f"{words.in_period(last['period'])}{by1}.",
            pd.concat([r0[r0["entity"] == f0["entity"]], rows[rows["entity"] == last["entity"]]])))
    return out


def _highlight_findings(sel: _Selection) -> list[Finding]:
    focus, lead, highlight = sel.focus, sel.lead, sel.highlight
    mixed = len(sel.metrics) > 1

    def when(r) -> str:
        return f"{words.period(r.period)}, {_measure_word(r.metric)}" if mixed else words.period(r.period)

    out = []
    if len(focus) >= 2 and focus["value"].nunique() == 1:
        out.append(Finding(f"{highlight} holds {words.percent(focus['value'].iloc[0])} in each edition ("
                           + "; ".join(when(r) for r in focus.itertuples()) + ").", focus))
    elif len(focus) >= 2:
        path = " → ".join(f"{words.percent(r.value)} ({when(r)})" for r in focus.itertuples())
        out.append(Finding(f"{highlight} across Menlo's editions: {path}.", focus))
    elif len(focus) == 1 and not (len(lead) and lead.iloc[-1]["entity"] == sel.highlight_vendor):
        r = focus.iloc[0]
        out.append(Finding(f"{highlight} holds {words.percent(r['value'])} {words.in_period(r['period'])} "
                           f"({words.source_short(r['source_id'])}).", focus))
    for later in sel.metrics[1:]:
        back = drop_restatements(_metric_rows(sel.figures, later, sel.segment))
        back = back[back["entity"] == sel.highlight_vendor].sort_values("period_end")
        if len(back) >= 2 and len(focus) < 3:
            path = " → ".join(f"{words.percent(r.value)} ({words.period(r.period)})" for r in back.itertuples())
            out.append(Finding(f"Measured by estimated spend, Menlo Ventures' "
                               f"{words.source_short(back['source_id'].iloc[-1]).split(', ')[-1]} edition puts "
                               f"{highlight} at {path}.", back))
    return out


def _measure_findings(sel: _Selection) -> list[Finding]:
    shares = sel.shares
    if len(sel.metrics) <= 1:
        return []
    shown = list(dict.fromkeys(shares["metric"]))
    return [Finding("Menlo changed the measure between editions: " + "; then ".join(
        f"{words.lower_first(words.metric(m))} ({', '.join(dict.fromkeys(words.period(p) for p in shares.loc[shares['metric'] == m, 'period']))})"
        for m in shown) + ". The chart marks each change.", shares[shares["entity"] != REMAINDER])]


# --------------------------------------------------------------------------- sections

def _editions_section(sel: _Selection) -> Section:
    shares, lead = sel.shares, sel.lead
    title = "Share by vendor, edition by edition"
    if not len(shares):
        return Section(title, skipped="The data hold no figures for this measure and these periods.")
    notes = [words.period(row.period) for row in lead.itertuples() if not row.certain]
    chart_title = (f"Vendor shares of {words.share_of(sel.metric)}" if len(sel.metrics) == 1 else
                   f"Vendor shares of {sel.topic}, edition by edition ("
                   + ", then ".join(dict.fromkeys(_measure_word(m) for m in shares["metric"])) + ")")
    sec = Section(
        title,
        intro=("Each bar is one edition of the data as its source published it. A source that names only "
               "some vendors leaves a remainder, hatched grey: it is what the source does not attribute, not a vendor."),
        charts=[Chart("share_bars", shares, chart_title, "vendor-share-by-edition", {"highlight": sel.highlight_vendor})])
    if notes:
        sec.findings.append(Finding(
            f"For {' and '.join(dict.fromkeys(notes))} the source names too little of the market to say who leads: "
            "an unnamed vendor could be larger than the largest one named.",
            shares[shares["entity"] == REMAINDER]))
    return sec


def _changes_section(sel: _Selection, key: list[Finding]) -> Section:
    """How the chosen measure's shares changed; the largest move may join the key findings."""
    title = "How shares changed"
    chosen = drop_restatements(_metric_rows(sel.figures, sel.metric, sel.segment))
    if sel.periods:
        chosen = chosen[chosen["period"].isin(list(sel.periods))]
    one_measure = analysis.share_table(chosen) if len(chosen) else chosen
    if not (len(one_measure) and one_measure["period"].nunique() >= 2):
        last_period = (words.period(sel.shares.sort_values("period_end")["period"].iloc[-1])
                       if len(sel.shares) else "")
        only = words.period(one_measure["period"].iloc[0]) if len(one_measure) else last_period
        measure = words.lower_first(words.metric(sel.metric))
        return Section(title, skipped=(
            f"Not shown: the data give {measure} for one period only ({only}), so there is no change to show."))
    change = analysis.changes(one_measure)
    change = change[change["entity"] != REMAINDER]
    if not len(change):
        return Section(title, skipped="No vendor is named in both the first and the last period, so no change can be computed.")
    rows = [[r.entity_name, f"{words.percent(r.value_start)} ({words.period(r.start)})",
             f"{words.percent(r.value_end)} ({words.period(r.end)})", words.points(r.change_pp)]
            for r in change.itertuples()]
    big = change.iloc[change["change_pp"].abs().argmax()]
    largest = Finding(
        f"The largest move: {big['entity_name']} from {words.percent(big['value_start'])} "
        f"{words.in_period(big['start'])} to {words.percent(big['value_end'])} {words.in_period(big['end'])} "
        f"({words.points(big['change_pp'])}).", one_measure[one_measure["entity"] == big["entity"]])
    csv = change.assign(period=change["start"] + " to " + change["end"])
    focus_ids = set(sel.focus["entity"]) if len(sel.focus) else set()
    lead_changed = any(f.text.startswith("The lead changed hands") for f in key)
    if len(key) < 4 and big["entity"] not in focus_ids and not lead_changed:
        key.insert(1, largest)
    return Section(title, findings=[largest],
                   table=Table(["Vendor", "Then", "Latest", "Change"], rows,
                               csv[["entity_name", "start", "value_start", "end", "value_end", "change_pp",
                                    "source_id"]], "share-change"))


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


def _concentration_section(sel: _Selection) -> Section:
    shares = sel.shares
    title = "How concentrated the market is"
    conc = analysis.concentration(shares) if len(shares) else pd.DataFrame()
    complete = conc[conc["complete"]] if len(conc) else conc
    if not len(complete):
        return Section(title, skipped=(
            f"Not shown: no edition names at least {words.percent(analysis.MIN_COVERAGE)} of the market and "
            f"{analysis.MIN_NAMED} vendors, so concentration cannot be measured."))
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
    return Section(title, intro=(
        f"Measured only where the source names at least {words.percent(analysis.MIN_COVERAGE)} of the market "
        f"and {analysis.MIN_NAMED} vendors; the unnamed remainder's split is unknown, so the index is a range."),
        findings=finds, table=table)


def _coding_section(sel: _Selection, key: list[Finding]) -> Section:
    """Coding shares edition by edition (unless coding is the measure charted); its path may join the key findings."""
    title = "Coding, the first killer application"
    if sel.is_coding:
        return Section(title, skipped="Coding is the measure charted above.")
    coding = _share_editions(sel.figures, lens_chain(sel.figures, CODING_LENS_METRIC), sel.segment)
    if not len(coding):
        return Section(title, skipped="The data hold no coding shares.")
    latest = coding[coding["snapshot"] == analysis.snapshots(coding)[-1]]
    named = latest[latest["entity"] != REMAINDER].sort_values("value", ascending=False)
    top = named.iloc[0]
    text = f"In {_snapshot_words(latest)}, {top['entity_name']} holds {words.percent(top['value'])} of code generation"
    if len(named) > 1:
        second = named.iloc[1]
        text += f", {words.number(top['value'] / second['value'])} times {second['entity_name']} ({words.percent(second['value'])})"
    finds = [Finding(text + ".", named)]
    path = coding[(coding["entity"] == top["entity"])]
    if len(path) >= 2:
        finds.append(Finding(f"{top['entity_name']}'s coding share across editions: {edition_path(path)}.", path))
    if len(key) < 5:
        key.append(finds[-1])
    return Section(title, findings=finds, charts=[Chart("share_bars", coding, "Share of code-generation use, by vendor",
                                                        "coding-share", {"highlight": sel.highlight_vendor})])


def _developers_section(sel: _Selection) -> Section:
    title = "Chinese developers: which model families they use"
    survey = _metric_rows(sel.figures, DEVELOPER_SURVEY_METRIC)
    if not (len(survey) >= 2 and survey["value"].nunique() > 1):
        return Section(title, skipped="The data hold fewer than two developer usage rates.")
    ranked = survey.sort_values("value", ascending=False)
    text = ", ".join(f"{r.entity_name} by {words.percent(r.value)}" for r in ranked.itertuples())
    return Section(title, intro=(
        "A different question: the share of surveyed Chinese AI developers using each model family. One developer "
        "can use several, so these rates do not add up to a whole and are not market shares."),
        findings=[Finding(f"Of the Chinese developers surveyed, {text} ({words.source_short(ranked['source_id'].iloc[0])}).", ranked)],
        charts=[Chart("value_bars", survey, "Chinese AI developers using each model family", "developer-usage-rates",
                      {"highlight": sel.highlight_vendor, "xlabel": "developers using it (multi-answer)"})])
