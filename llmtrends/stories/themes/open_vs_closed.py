"""The open-vs-closed report: every lens on open-model use, side by side, never added.

Select the lens data (the open-vs-closed lenses of ``data/lenses.yaml`` the
parameters name, and the enterprise editions of Menlo's chain), compute,
write the sentences, build the sections.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from llmtrends.facts import datasets
from llmtrends.stories import analysis, words
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
    drop_restatements,
    edition_path,
    edition_rows,
    lens_chain,
)

ENTERPRISE_LENS_METRIC = "enterprise_open_source_workload_share"  # the first measure of Menlo's open-source chain
CAPABILITY_LAG_METRIC = "open_model_capability_lag"
ALL_BOARDS = ("language_subjective", "language_objective", "text_to_image", "text_to_video")


def open_vs_closed(lenses: Sequence[str] | None = None, flageval_boards: Sequence[str] = ALL_BOARDS,
                   show_quotes: bool = True, figures: pd.DataFrame | None = None) -> Story:
    """The open-vs-closed report: every lens on open-model share, side by side, never added.

    Parameters
    ----------
    lenses : sequence of str, optional
        The measures (metric ids) of the open-vs-closed lenses to compare; default every one
        ``data/lenses.yaml`` declares.
    flageval_boards, show_quotes
        As the notebook's parameters (already checked by :mod:`llmtrends.stories.params`).
    figures : pandas.DataFrame, optional
        Default :func:`llmtrends.figures`.
    """
    figures = _figures() if figures is None else figures
    lenses = list(analysis.open_source_lens_entities()) if lenses is None else list(lenses)
    lens = drop_restatements(analysis.open_source_lenses(figures, lenses))
    lens["label"] = lens.apply(_lens_label, axis=1)
    trend = pd.DataFrame()
    if ENTERPRISE_LENS_METRIC in lenses:
        trend = edition_rows(figures, lens_chain(figures, ENTERPRISE_LENS_METRIC), "enterprise")
        trend = trend[trend["entity"] == "open_source_models"].sort_values(["period_end"])
    key = _trend_findings(trend) + _router_findings(lens)
    sections = [s for s in (_lens_section(lens), _enterprise_section(trend, lenses)) if s is not None]
    flag_section, top5 = _flageval_section(flageval_boards)
    sections.append(flag_section)
    key.append(flag_section.findings[0])
    lag = _metric_rows(figures, CAPABILITY_LAG_METRIC)
    if len(lag):
        r = lag.iloc[0]
        gap = Finding(f"Open models trail the best closed models by {words.row_value(r)}, according to "
                      f"{words.source_short(r['source_id'])}.", lag)
        sections.append(Section("The capability gap", findings=[gap]))
        key.append(gap)
    if show_quotes:
        rows = [[r["label"], str(r["quote"]), str(r["note"])] for _, r in lens.iterrows()]
        sections.append(Section("The source sentences (analyst version)", table=Table(
            ["Figure", "Source sentence (verbatim)", "Cleaning note"], rows,
            lens[["label", "period", "value", "source_id", "quote", "note"]], "lens-quotes"), analyst_only=True))
    lens_metrics = list(dict.fromkeys(lens["metric"]))
    title = ("Open vs closed: how much use goes to open-weight models" if len(lens_metrics) > 1
             else f"Open-weight models: {words.lower_first(words.metric(lens_metrics[0]))}")
    key = _dedupe(key)
    return Story(title=title, question="How much LLM use goes to open-weight models, by each measure the sources give?",
                 intro=("\"Open-source share\" has no single value: each source asks a different question of a different "
                        "population. This report puts the measures side by side, each with its definition and source."),
                 key_findings=key[:5], sections=sections,
                 metrics=lens_metrics + ([CAPABILITY_LAG_METRIC] if len(lag) else []),
                 as_of=_as_of([lens, trend]), answer=key[0].text if key else "",
                 extra_sources=sorted(set(top5["source_id"])))


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


# --------------------------------------------------------------------------- sentences

def _trend_findings(trend: pd.DataFrame) -> list[Finding]:
    if len(trend) >= 2:
        path = edition_path(trend)
        direction = "fell" if trend["value"].iloc[-1] < trend["value"].iloc[0] else "moved"
        pubs = words.sources_short(trend["source_id"])
        what = "enterprise LLM share" if trend["metric"].nunique() > 1 else "share of enterprise LLM use"
        return [Finding(f"Open-weight models' {what} {direction}: {path} ({pubs}).", trend)]
    if len(trend) == 1:
        r = trend.iloc[0]
        return [Finding(f"Open-weight models run {words.percent(r['value'])} of enterprise AI workloads "
                        f"({words.period(r['period'])}).", trend)]
    return []


def _router_findings(lens: pd.DataFrame) -> list[Finding]:
    out = []
    router = lens[lens["metric"].str.startswith("openrouter")]
    tok = router[(router["metric"] == "openrouter_token_share") & (router["entity"] == "open_source_models")]
    if len(tok):
        r = tok.iloc[-1]
        out.append(Finding(f"On the OpenRouter API router open-weight models carry {words.row_value(r)} of all tokens "
                           f"({words.period(r['period'])}): a different population, measured by telemetry.", tok))
    china = router[router["entity"] == "chinese_open_models"].sort_values("value")
    if len(china):
        parts = [f"{words.row_value(r)} {'on average' if 'avg' in r['metric'] else 'at the peak'}"
                 for _, r in china.iterrows()]
        out.append(Finding(f"Chinese open models' weekly share of OpenRouter tokens: {' and '.join(parts)} "
                           f"({words.period(china['period'].iloc[0])}).", china))
    return out


# --------------------------------------------------------------------------- sections

def _lens_section(lens: pd.DataFrame) -> Section | None:
    title = "Every lens on open-model share, side by side"
    if len(lens) >= 2:
        return Section(title, intro="Each row answers its own question of its own population; the rows are compared, never added.",
                       charts=[Chart("lens_dotplot", lens, "Open-weight model use: different questions, different answers",
                                     "open-source-lenses", {})])
    if len(lens) == 1:
        r = lens.iloc[0]
        return Section(title, findings=[Finding(f"{r['label']}: {words.row_value(r)}.", lens)], skipped=None)
    return None


def _enterprise_section(trend: pd.DataFrame, lenses: Sequence[str]) -> Section | None:
    title = "Enterprises, edition by edition, beside the API router"
    if len(trend) < 2:
        return (Section(title, skipped="The data hold one enterprise figure only, so there is no trend to show.")
                if ENTERPRISE_LENS_METRIC in lenses else None)
    changed = trend["metric"].nunique() > 1
    asked = ("Menlo Ventures' enterprise editions changed their measure, from "
             + " to ".join(dict.fromkeys(_measure_word(m).removeprefix("by ") for m in trend["metric"]))
             + " (each bar says which), so the bars are not one series"
             if changed else "Menlo Ventures' enterprise surveys asked the same question in each edition")
    bars = trend.assign(entity_name=[f"{words.period(r.period)}, {_measure_word(r.metric)}" for r in trend.itertuples()])
    chart_title = ("Open-weight models' enterprise LLM share, edition by edition" if changed
                   else "Open-weight models' share of enterprise LLM use, edition by edition")
    return Section(title, intro=asked + "; OpenRouter's telemetry measures tokens on one platform. Same topic, different questions.",
                   charts=[Chart("value_bars", bars, chart_title, "enterprise-open-share",
                                 {"label": "entity_name", "color_by": "metric", "order": "given"})])


def _flageval_section(flageval_boards: Sequence[str]) -> tuple[Section, pd.DataFrame]:
    """The FlagEval lists, counted open vs closed; the section and the rows it counts."""
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
                      [[words.label("board", r.board), str(int(r.open)), str(int(r.places - r.open))]
                       for r in per_board.itertuples()],
                      per_board.assign(board=per_board["board"].map(lambda b: words.label("board", b)),
                                       source_id=top5["source_id"].iloc[0]), "flageval-open-closed")
    section = Section("Benchmarks: open and closed among the FlagEval models listed",
                      intro=("The document relays part of the FlagEval results: a short list of models per board, "
                             "each labelled open or closed, with no scores and no statement that the lists are "
                             "rankings. Counting the labels says what the listed models look like, not how models "
                             "rank and not what share of use open models have."),
                      findings=[Finding(flag_text, top5.assign(value=1.0))], table=table)
    return section, top5
