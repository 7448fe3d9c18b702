"""The vendor-share report: who leads the LLM market, by what measure.

The story reads in four steps: select the lens data (the current lenses,
:mod:`llmtrends.stories.themes.vendor_lenses`; and :func:`_select`: the chain
of lenses the chosen measure belongs to, edition by edition), compute
(leaders, changes, concentration), write the sentences (:func:`_lead`,
:func:`_key_findings`) and build the sections, each its own function.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

import pandas as pd

from llmtrends.stories import analysis, words
from llmtrends.stories.analysis import REMAINDER
from llmtrends.stories.themes.vendor_lenses import (
    SERIES_CADENCES,
    LensView,
    board_section,
    break_findings,
    china_finding,
    china_section,
    crossings,
    lens_view,
    series_sections,
    standing,
    tally,
)
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
    edition_path,
    lens_chain,
    restated,
    like_for_like,
)
from llmtrends.facts.loading import pinned_data

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


@pinned_data
def vendor_share(metric: str = "enterprise_llm_api_usage_share", segment: str = "enterprise",
                 highlight_vendor: str = "anthropic", periods: Sequence[str] = (),
                 figures: pd.DataFrame | None = None, today: date | None = None) -> Story:
    """The vendor-share report for one set of parameters: who leads, by what measure.

    First the finding (which vendor leads on how many lenses, where the others lead, where the
    followed vendor stands), then the lens board (``data/lenses.yaml``, each lens's latest period),
    each monthly series split at its changes of method, the editions of the chosen measure's
    publisher (Menlo Ventures: closed-source share, then usage, then spend, each change marked),
    and China's market on its own.

    Parameters
    ----------
    metric : str
        The share metric whose editions are charted; the editions of its lens chain that measure
        the same market another way (``data/lenses.yaml``: usage, then estimated spend) are drawn
        with it, the change of measure marked. A coding metric makes the report about code generation.
    segment, highlight_vendor, periods
        As the notebook's parameters (already checked by :mod:`llmtrends.stories.params`).
    figures : pandas.DataFrame, optional
        Default :func:`llmtrends.figures`.
    today : datetime.date, optional
        The date the lenses' age counts to (default: today).

    Returns
    -------
    Story
    """
    figures = _figures() if figures is None else figures
    sel = _select(metric, segment, highlight_vendor, periods, figures)
    view = lens_view(figures, today=today)
    menlo = _key_findings(sel)
    # Menlo's own findings (its leader, a change of hands, its change of measure) lead its section; for code
    # generation they lead the report instead
    editions = [_editions_section(sel, [] if sel.is_coding else menlo), _changes_section(sel, menlo)]
    size = market_size(sel.figures)
    rest = ([size] if size is not None else []) + [_concentration_section(sel), _coding_section(sel, menlo),
                                                     _developers_section(sel)]
    lenses = [board_section(view, highlight_vendor)] + series_sections(view, highlight_vendor)
    sections = (editions + lenses + rest if sel.is_coding else lenses + editions + rest) + [china_section(view, highlight_vendor)]
    return _story(sel, view, _lead(sel, view, menlo, size), sections)


def _lead(sel: _Selection, view: LensView, menlo: list[Finding], size: Section | None) -> list[Finding]:
    """Three to five key findings: the lenses first (or, for code generation, Menlo's coding editions)."""
    counted = tally(view)
    top = counted is not None and f". **{sel.highlight}** leads on" in counted.text
    lens_first = [f for f in (counted, standing(view, sel.highlight_vendor, china=True, leads_told=top))
                  if f is not None]
    for r in view.board.itertuples():
        if r.cadence in SERIES_CADENCES:
            lens_first += crossings(view, r.lens)[:1] + break_findings(view, r.lens)[:1]
    lens_first += [f for f in (china_finding(view),) if f is not None]
    if sel.is_coding:
        key = menlo[:2] + lens_first[1:2] + lens_first[:1] + menlo[2:]
    else:
        key = lens_first + [f for f in menlo if "lead changed hands" in f.text] + menlo
    if size is not None and len(_dedupe(key)) < 3:
        key.append(size.findings[0])
    return _dedupe(key)[:5]


def _select(metric, segment, highlight_vendor, periods, figures) -> _Selection:
    metrics = lens_chain(figures, metric)
    shares = _share_editions(figures, metrics, segment, periods)
    lead = analysis.leaders(shares) if len(shares) else pd.DataFrame()
    return _Selection(figures, metric, segment, highlight_vendor, periods, metrics, shares, lead)


def _story(sel: _Selection, view: LensView, key: list[Finding], sections: list[Section]) -> Story:
    shares, figures = sel.shares, sel.figures
    snaps = [view.snapshots[lid] for lid in list(view.board["lens"]) + list(view.china["lens"])]
    periods = pd.concat([shares[["period", "period_end"]]] + [s[["period", "period_end"]] for s in snaps]) \
        if len(shares) or snaps else pd.DataFrame(columns=["period", "period_end"])
    ordered = periods.sort_values("period_end")["period"]
    if sel.is_coding:
        ordered = shares.sort_values("period_end")["period"] if len(shares) else ordered
    first_period = words.period(ordered.iloc[0]) if len(ordered) else ""
    last_period = words.period(ordered.iloc[-1]) if len(ordered) else ""
    span = f", {first_period} to {last_period}" if first_period != last_period else f", {last_period}"
    answer = key[0].text if key else "The data hold no figures for this measure."
    used = list(dict.fromkeys(list(shares["metric"].unique()) if len(shares) else [sel.metric]))
    used += [m for m in lens_chain(figures, CODING_LENS_METRIC) + [DEVELOPER_SURVEY_METRIC] if (figures["metric"] == m).any()]
    lens_metrics = list(view.board["metric"]) + list(view.china["metric"])
    if sel.is_coding:
        title = f"Who supplies {sel.topic}{span}"
        question = (f"Which vendors' models do {words.segment(sel.segment).lower()} use for code generation, "
                    f"and where does {sel.highlight} stand on every lens?")
        intro = (f"How {words.segment(sel.segment).lower()}' use of code generation is split between model vendors, "
                 "edition by edition of Menlo Ventures' surveys; then every lens on who leads the market as a whole.")
        metrics = used + lens_metrics
    else:
        title = f"Who leads the LLM market depends on what is counted{span}"
        question = f"Which vendor leads the LLM market, by which measure, and where does {sel.highlight} stand?"
        intro = (f"{len(view.board)} lenses on the market as a whole, each one publisher's measure among one "
                 "population, newest first; then the monthly series, Menlo Ventures' survey editions since 2023, and "
                 "China's market on its own. No figure of one lens is added to or joined with another's.")
        metrics = lens_metrics + used
    return Story(title=title, question=question, intro=intro, key_findings=key, sections=sections,
                 metrics=list(dict.fromkeys(metrics)), as_of=_as_of([shares] + snaps), answer=answer)


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
    out += _lead_change(sel)
    return out


def _lead_change(sel: _Selection) -> list[Finding]:
    """A change of leader, told within one measure and one edition (never across a change of measure)."""
    rows = like_for_like(sel.figures, sel.metrics, sel.segment, sel.periods)
    if not len(rows):
        return []
    lead = analysis.leaders(analysis.share_table(rows))
    first, last = lead.iloc[0], lead.iloc[-1]
    if first["entity"] == last["entity"] or not (first["certain"] and last["certain"]):
        return []
    return [Finding(
        f"By {_share_phrase(rows['metric'].iloc[0])} ({words.sources_short(rows['source_id'].unique())}), "
        f"the lead changed hands: {first['entity_name']} held {words.percent(first['value'])} "
        f"{words.in_period(first['period'])}; {last['entity_name']} leads with {words.percent(last['value'])} "
        f"{words.in_period(last['period'])}." + _restated_words(rows),
        rows[rows["entity"].isin([first["entity"], last["entity"]])])]


def _restated_words(rows: pd.DataFrame) -> str:
    """``' <who> restates values ...: the comparison spans that change of measure.'`` or ``''``."""
    note = restated(rows)
    return f" {note}." if note else ""


def _measure_noun(metric: str) -> str:
    """'spend' / 'usage' / 'use among closed-source models': what one Menlo measure counts."""
    word = _measure_word(metric)
    return word[3:] if word.startswith("by ") else "use among closed-source models"


def _share_phrase(metric: str) -> str:
    """'share of spend' / 'share of usage' / 'share among closed-source models'."""
    word = _measure_word(metric)
    return f"share of {word[3:]}" if word.startswith("by ") else "share among closed-source models"


def _highlight_findings(sel: _Selection) -> list[Finding]:
    """The highlighted vendor's path in one measure (like for like), and its latest share by the other measures."""
    highlight = sel.highlight
    rows = like_for_like(sel.figures, sel.metrics, sel.segment, sel.periods)
    path = rows[rows["entity"] == sel.highlight_vendor].sort_values("period_end") if len(rows) else rows
    out = []
    if len(path) >= 2:
        out.append(Finding(
            f"{highlight}'s {_share_phrase(path['metric'].iloc[0])}: {edition_path(path)} "
            f"({words.sources_short(path['source_id'].unique())})." + _restated_words(path), path))
    focus = sel.focus
    others = focus[~focus["metric"].isin(path["metric"].unique())] if len(path) and len(focus) else focus
    if len(others) and not (len(sel.lead) and sel.lead.iloc[-1]["entity"] == sel.highlight_vendor and len(path) < 2):
        said = "; ".join(f"{words.percent(r.value)} {words.in_period(r.period)} ({_measure_word(r.metric)})"
                         for r in others.sort_values("period_end").itertuples())
        topic = "'s share of code generation" if sel.is_coding else ""
        out.append(Finding(f"{highlight}{topic} by Menlo's earlier measures: {said}.", others))
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

def _editions_section(sel: _Selection, told: Sequence[Finding] = ()) -> Section:
    shares, lead = sel.shares, sel.lead
    title = "Menlo Ventures' editions: share by vendor" if not sel.is_coding else "Share by vendor, edition by edition"
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
        findings=list(told),
        charts=[Chart("share_bars", shares, chart_title, "vendor-share-by-edition", {"highlight": sel.highlight_vendor})])
    if notes:
        sec.findings.append(Finding(
            f"For {' and '.join(dict.fromkeys(notes))} the source names too little of the market to say who leads: "
            "an unnamed vendor could be larger than the largest one named.",
            shares[shares["entity"] == REMAINDER]))
    return sec


def _changes_section(sel: _Selection, key: list[Finding]) -> Section:
    """How shares changed within one measure and one edition; the largest move may join the key findings."""
    title = "How shares changed"
    rows = like_for_like(sel.figures, sel.metrics, sel.segment, sel.periods)
    if not len(rows):
        held = "; ".join(f"{words.lower_first(words.metric(m))}: "
                         + ", ".join(dict.fromkeys(words.period(p) for p in sel.shares.loc[sel.shares["metric"] == m, "period"]))
                         for m in dict.fromkeys(sel.shares["metric"])) if len(sel.shares) else ""
        return Section(title, skipped=("Not shown: no single measure in the chart above has two periods to compare"
                                       + (f" ({held})" if held else "") + ", and a change across measures is no change."))
    change = analysis.changes(analysis.share_table(rows))
    change = change[change["entity"] != REMAINDER]
    if not len(change):
        return Section(title, skipped="No vendor is named in both the first and the last period, so no change can be computed.")
    measure, cited = _share_phrase(rows["metric"].iloc[0]), words.sources_short(rows["source_id"].unique())
    table_rows = [[r.entity_name, f"{words.percent(r.value_start)} ({words.period(r.start)})",
                   f"{words.percent(r.value_end)} ({words.period(r.end)})", words.points(r.change_pp)]
                  for r in change.itertuples()]
    order = change["change_pp"].abs().sort_values(ascending=False).index
    big = change.loc[order[0]]
    # with one vendor named in both periods there is no "largest" move, only its move
    whose = (f"the largest move is {big['entity_name']}'s" if len(change) > 1
             else f"{big['entity_name']} is the one vendor named in both periods")
    text = (f"By {measure} ({cited}), {whose}: "
            f"{words.percent(big['value_start'])} {words.in_period(big['start'])} to "
            f"{words.percent(big['value_end'])} {words.in_period(big['end'])} ({words.points(big['change_pp'])})")
    opposite = [i for i in order[1:] if change.loc[i, "change_pp"] * big["change_pp"] < 0]
    if opposite:
        o = change.loc[opposite[0]]
        text += (f"; {o['entity_name']} went from {words.percent(o['value_start'])} to "
                 f"{words.percent(o['value_end'])} ({words.points(o['change_pp'])})")
    moved = rows[rows["entity"].isin([big["entity"]] + [change.loc[i, "entity"] for i in opposite[:1]])]
    note = restated(rows)
    largest = Finding(text + "." + (f" {note}." if note else ""), moved)
    csv = change.assign(period=change["start"] + " to " + change["end"])
    lead_changed = any("the lead changed hands" in f.text for f in key)
    if len(key) < 4 and big["entity"] != sel.highlight_vendor and not lead_changed:
        key.insert(1, largest)
    return Section(title, intro=(f"One measure ({words.lower_first(words.metric(rows['metric'].iloc[0]))}) as "
                                 f"{cited} states it for each period"
                                 + (", so the change compares like with like." if not note else
                                    "; some of its values were first published under another measure (below).")),
                   findings=[largest],
                   table=Table(["Vendor", "Then", "Latest", "Change"], table_rows,
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
                  {"label": "entity_name", "color_by": "entity", "order": "given"})
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
                     f"({_hhi_guideline(last['hhi_low'], last['hhi_high'])}).", _snap_rows(shares, last["snapshot"]))]
    table = (Table(["Edition", "Named share", "Top three", "HHI range"], rows,
                   complete[["period", "coverage", "top3_share", "hhi_low", "hhi_high", "source_id"]], "concentration")
             if len(rows) >= 2 else None)
    return Section(title, intro=(
        f"Measured only where the source names at least {words.percent(analysis.MIN_COVERAGE)} of the market "
        f"and {analysis.MIN_NAMED} vendors; the unnamed remainder's split is unknown, so the index is a range."),
        findings=finds, table=table)


#: Thresholds of the US Horizontal Merger Guidelines for a highly concentrated market (HHI above ...).
HHI_HIGHLY_CONCENTRATED = {"2023 US Merger Guidelines": 1800, "2010 US Horizontal Merger Guidelines": 2500}


def _hhi_guideline(low: float, high: float) -> str:
    """Where an HHI range stands under the 2023 US Merger Guidelines (above 1,800: highly concentrated),
    and under the 2010 ones (2,500) that reports of earlier years cite."""
    (new_name, new), (old_name, old) = HHI_HIGHLY_CONCENTRATED.items()

    def verdict(limit: int) -> str:
        return "above" if low > limit else ("below" if high <= limit else "around")
    return (f"{verdict(new)} the {words.number(new, 0)} that the {new_name} count as highly concentrated; "
            f"{verdict(old)} the {words.number(old, 0)} of the {old_name}")


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
    same = like_for_like(sel.figures, lens_chain(sel.figures, CODING_LENS_METRIC), sel.segment)
    path = same[same["entity"] == top["entity"]].sort_values("period_end") if len(same) else same
    if len(path) >= 2:
        finds.append(Finding(
            f"{top['entity_name']}'s share of code-generation {_measure_noun(path['metric'].iloc[0])} "
            f"({words.sources_short(path['source_id'].unique())}): {edition_path(path)}." + _restated_words(path),
            path))
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
    first, rest = ranked.iloc[0], ranked.iloc[1:]
    text = (f"{words.percent(first['value'])} of the Chinese AI developers surveyed use {first['entity_name']}'s models"
            + "".join(f", {words.percent(r.value)} {r.entity_name}'s" for r in rest.itertuples()))
    return Section(title, intro=(
        "A different question: the share of surveyed Chinese AI developers using each model family. One developer "
        "can use several, so these rates do not add up to a whole and are not market shares."),
        findings=[Finding(f"{text} ({words.source_short(ranked['source_id'].iloc[0])}).", ranked)],
        charts=[Chart("value_bars", survey, "Chinese AI developers using each model family", "developer-usage-rates",
                      {"highlight": sel.highlight_vendor, "xlabel": "developers using it (multi-answer)"})])
