"""The agentic-usage report: reasoning, inference, coding, migration to new models, agents.

Each section selects its figures, computes and writes its sentences in its
own function; :func:`agentic_usage` puts them in order and picks the key
findings.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from llmtrends.facts import datasets
from llmtrends.stories import analysis, words
from llmtrends.stories.analysis import REMAINDER
from llmtrends.stories.story import (
    Chart,
    Finding,
    Section,
    Story,
    _as_of,
    _dedupe,
    _figures,
    _metric_rows,
    _share_editions,
    chart_csv,
    edition_path,
    lens_chain,
)

CODING_LENS_METRIC = "enterprise_coding_llm_share"
SHOWN_METRICS = ("openrouter_task_type_usage_share", "respondents_mostly_inference_compute",
                 "enterprise_coding_llm_share", "anthropic_user_model_share", "model_switching_behaviour_share",
                 "enterprise_ai_scenario_selection_rate")


def agentic_usage(compute_segments: Sequence[str] = ("startup", "enterprise"), agent_map_view: str = "both",
                  top_n_scenarios: int = 10, figures: pd.DataFrame | None = None) -> Story:
    """The agentic-usage report: reasoning, inference, coding, migration to new models, agents."""
    figures = _figures() if figures is None else figures
    key: list[Finding] = []
    shown: list[pd.DataFrame] = []
    sections = [
        _reasoning_section(figures, key, shown),
        _compute_section(figures, compute_segments, key, shown),
        _coding_section(figures, key, shown),
        _agents_section(figures, compute_segments, key, shown),
        _migration_section(figures, key, shown),
        _switching_section(figures, key),
        _scenarios_section(figures, top_n_scenarios),
    ]
    sections = [s for s in sections if s is not None] + _agent_map_sections(agent_map_view)
    segs = " and ".join(words.segment(s).lower() for s in compute_segments)
    title = "Agentic usage: reasoning, inference and the move to new models"
    if list(compute_segments) == ["enterprise"]:
        title = "Agentic usage in enterprises: reasoning, inference and new models"
    intro = ("How use of LLMs moved from one-shot answers to reasoning and agents: reasoning-heavy use, compute moving "
             "to inference, coding, how fast users switch to a new model, and the Chinese agent map.")
    key = _dedupe(key)
    return Story(title=title, question=f"How fast is LLM use becoming reasoning and agents, for {segs}?", intro=intro,
                 key_findings=key[:5], sections=sections,
                 metrics=[m for m in SHOWN_METRICS if (figures["metric"] == m).any()],
                 as_of=_as_of(shown), answer=key[1].text if len(key) > 1 else (key[0].text if key else ""))


def _reasoning_section(figures, key, shown) -> Section | None:
    reasoning = _metric_rows(figures, "openrouter_task_type_usage_share")
    if not len(reasoning):
        return None
    finds = [Finding(f"{r['entity_name']} account for {words.row_value(r)} of all usage on OpenRouter "
                     f"({words.period(r['period'])}).", reasoning.loc[[i]]) for i, r in reasoning.iterrows()]
    key.append(finds[0])
    shown.append(reasoning)
    return Section("Reasoning-intensive use", findings=finds)


def _compute_section(figures, compute_segments, key, shown) -> Section:
    title = "Compute moves from training to inference"
    compute = _metric_rows(figures, "respondents_mostly_inference_compute")
    compute = compute[compute["segment"].isin(list(compute_segments))]
    shift = analysis.before_after(compute, by="segment") if len(compute) else pd.DataFrame()
    if not len(shift):
        return Section(title, skipped="The data hold no before-and-after pair for the chosen respondents.")
    shift = shift.assign(segment=shift["segment"].map(words.segment))
    parts = [f"{r.segment.lower()} {words.percent(r.value_before)} → {words.percent(r.value_after)}" for r in shift.itertuples()]
    f = Finding(f"Respondents whose compute is mostly inference, {words.period(shift['period_before'].iloc[0])} to "
                f"{words.period(shift['period_after'].iloc[0])}: {'; '.join(parts)}.", compute)
    charts = [Chart("slope", shift, "Respondents whose compute is mostly inference", "inference-shift", {},
                    csv=chart_csv(compute.assign(entity_name=compute["segment"].map(words.segment))))]
    key.append(f)
    shown.append(compute)
    return Section(title, findings=[f], charts=charts)


def _coding_section(figures, key, shown) -> Section | None:
    coding = _share_editions(figures, lens_chain(figures, CODING_LENS_METRIC), "enterprise")
    if not len(coding):
        return None
    latest = coding[coding["snapshot"] == analysis.snapshots(coding)[-1]]
    named = latest[latest["entity"] != REMAINDER].sort_values("value", ascending=False)
    top = named.iloc[0]
    path = coding[coding["entity"] == top["entity"]]
    if len(path) >= 2:
        text = f"{top['entity_name']}'s share of code generation: {edition_path(path)}."
    else:
        text = (f"{top['entity_name']} holds {words.percent(top['value'])} of code generation "
                f"{words.in_period(latest['period'].iloc[0])} ({words.source_short(latest['source_id'].iloc[0])}).")
    f = Finding(text, path)
    eco = _metric_rows(figures, "code_generation_ecosystem_value")
    finds = [f] + [Finding(f"The code-generation ecosystem is worth {words.row_value(r)} "
                           f"({words.period(r['period'])}).", eco.loc[[i]]) for i, r in eco.iterrows()]
    key.append(f)
    shown.append(coding)
    return Section("Coding, the first killer application", findings=finds,
                   charts=[Chart("share_bars", coding, "Vendor shares of code generation, edition by edition",
                                 "coding-share", {})])


def _agents_section(figures, compute_segments, key, shown) -> Section | None:
    agents = _metric_rows(figures, "production_deployments_true_agent_rate")
    agents = agents[agents["segment"].isin(list(compute_segments))].sort_values("value")
    if not len(agents):
        return None
    parts = [f"{words.percent(r.value)} {'at' if r.segment != 'all' else 'in'} {words.segment(r.segment).lower()}"
             for r in agents.itertuples()]
    f = Finding(f"Of AI deployments in production, {' and '.join(parts)} are true agents, which plan, act and "
                f"adapt ({words.source_short(agents['source_id'].iloc[0])}).", agents)
    daily = _metric_rows(figures, "developers_daily_ai_coding_tool_use_rate").sort_values("value")
    finds = [f]
    if len(daily):
        finds.append(Finding("Developers using AI coding tools daily: " + "; ".join(
            f"{words.percent(r.value)} ({r.entity_name.lower() if r.entity != 'all' else 'all organizations'})"
            for r in daily.itertuples()) + f" ({words.source_short(daily['source_id'].iloc[0])}).", daily))
    key.insert(min(2, len(key)), f)
    shown.append(agents)
    return Section("Agents in production", findings=finds)


def _migration_section(figures, key, shown) -> Section | None:
    models = _metric_rows(figures, "anthropic_user_model_share")
    if not (len(models) and models["period"].nunique() >= 2):
        return None
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
    if new.shape[0]:
        key.append(finds[-1])
    shown.append(models)
    return Section("How fast users move to a new frontier model",
                   intro="Shares of Anthropic's users on each Claude model before and within a month of a new model's launch.",
                   findings=finds, charts=[Chart("share_bars", mshares, "Anthropic users by Claude model",
                                                 "model-migration", {})])


def _switching_section(figures, key) -> Section | None:
    switching = _metric_rows(figures, "model_switching_behaviour_share")
    if len(switching) < 2:
        return None
    sw = analysis.share_table(switching)
    top = switching.sort_values("value", ascending=False).iloc[0]
    f = Finding(f"Over the past year {words.percent(top['value'])} of developers {top['entity_name'].lower()} "
                f"({words.source_short(top['source_id'])}).", switching)
    key.append(f)
    return Section("Switching models", findings=[f], charts=[Chart(
        "share_bars", sw, "What developers did with their model over the past year", "switching", {})])


def _scenarios_section(figures, top_n_scenarios) -> Section | None:
    scen = _metric_rows(figures, "enterprise_ai_scenario_selection_rate").nlargest(int(top_n_scenarios), "value")
    if not len(scen):
        return None
    top = scen.iloc[0]
    f = Finding(f"The AI scenario enterprises choose most is {top['entity_name']} ({words.row_value(top)} of respondents).", scen)
    charts = [Chart("value_bars", scen, "Enterprise AI scenarios chosen (multi-answer)", "enterprise-scenarios",
                    {"xlabel": "respondents choosing it"})] if len(scen) >= 2 and scen["value"].nunique() > 1 else []
    return Section("What enterprises use AI for", findings=[f], charts=charts)


def _agent_map_sections(agent_map_view: str) -> list[Section]:
    agents = datasets.load("agent_map")
    views = ["industry", "function"] if agent_map_view == "both" else [agent_map_view]
    out = []
    for view in views:
        counted = analysis.counts(agents[agents["section"] == view], "category")
        counted["category"] = counted["category"].map(lambda c: words.label("agent_map_category", c))
        title = f"The Chinese agent map, by {view}"
        if counted["count"].nunique() <= 1:
            n = int(counted["count"].iloc[0]) if len(counted) else 0
            out.append(Section(title, skipped=(
                f"Not charted: the map lists {n} agents in each of its {len(counted)} {view} categories "
                f"({', '.join(counted['category'].str.lower())}), so there is no ranking to show.")))
            continue
        most = counted[counted["count"] == counted["count"].max()]
        f = Finding(f"By {view}: {int(counted['count'].sum())} listings in {len(counted)} categories; the most listed: "
                    f"{', '.join(most['category'])} ({int(most['count'].iloc[0])}).", counted)
        out.append(Section(title, intro="A count of the products the map lists, not of their use.", findings=[f],
                           charts=[Chart("count_bars", counted, f"Chinese agent applications by {view}",
                                         f"agent-map-{view}", {"xlabel": "agents listed"})]))
    return out
