"""The agentic-usage report: reasoning, inference, coding, migration to new models, agents.

Each section selects its figures, computes and writes its sentences in its
own function; :func:`agentic_usage` puts them in order and picks the key
findings.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from llmtrends.facts import datasets
from llmtrends.facts import lenses as lens_declarations
from llmtrends.stories import analysis, words
from llmtrends.stories.analysis import REMAINDER
from llmtrends.stories.themes.lens_parts import compact_period, lens_rows, shown_metrics
from llmtrends.stories.story import (
    Chart,
    Finding,
    Section,
    Story,
    Table,
    _as_of,
    _dedupe,
    _figures,
    _metric_rows,
    _share_editions,
    chart_csv,
    edition_path,
    lens_chain,
)
from llmtrends.facts.loading import pinned_data

CODING_LENS_METRIC = "enterprise_coding_llm_share"
THEME = "agentic_usage"
SHOWN_METRICS = ("ai_gateway_agentic_token_share", "ai_gateway_agentic_token_share_change_multiple",
                 "ai_gateway_tool_call_request_share", "claude_collaboration_mode_share",
                 "openrouter_task_type_usage_share", "production_deployments_true_agent_rate",
                 "developers_daily_ai_coding_tool_use_rate", "respondents_mostly_inference_compute",
                 "enterprise_coding_llm_share", "enterprise_coding_llm_spend_share", "code_generation_ecosystem_value",
                 "anthropic_user_model_share", "model_switching_behaviour_share", "enterprise_ai_scenario_selection_rate")


@pinned_data
def agentic_usage(compute_segments: Sequence[str] = ("startup", "enterprise"), agent_map_view: str = "both",
                  top_n_scenarios: int = 10, figures: pd.DataFrame | None = None) -> Story:
    """The agentic-usage report: agentic and automated shares of use, reasoning, inference, coding, new models."""
    figures = _figures() if figures is None else figures
    key: list[Finding] = []
    shown: list[pd.DataFrame] = []
    board = _board(figures, compute_segments)
    sections = [
        _lens_section(board, key, shown),
        _gateway_section(figures, key, shown),
        _automation_section(figures, key, shown),
        _reasoning_finding(board, key),
        _agents_section(figures, compute_segments, key, shown),
        _coding_section(figures, key, shown),
        _compute_section(figures, compute_segments, key, shown),
        _migration_section(figures, key, shown),
        _switching_section(figures, key, shown),
        _scenarios_section(figures, top_n_scenarios, shown),
    ]
    sections = [s for s in sections if s is not None] + _agent_map_sections(agent_map_view)
    segs = " and ".join(words.segment(s).lower() for s in compute_segments)
    title = "Agentic usage: agents, automation, reasoning and the move to new models"
    # compute_segments narrows the sections counted by respondent (agents in production, compute), not the
    # lenses, whose populations are their publishers' own: the question says which is which
    narrowed = sorted(compute_segments) != ["enterprise", "startup"]
    question = "How fast is LLM use becoming agents and automation?" + (
        f" Agents in production and compute are shown for {segs} only; every other measure keeps its own "
        "population." if narrowed else "")
    intro = ("How use of LLMs moved from one-shot answers to agents: the agentic and automated share of traffic by "
             "each measure the sources give (each with its population and period, never added), agents in "
             "production, reasoning, compute moving to inference, coding, how fast users switch to a new model, "
             "and the Chinese agent map.")
    key = _dedupe(key)
    metrics = shown_metrics(key[:5], sections)
    return Story(title=title, question=question, intro=intro,
                 key_findings=key[:5], sections=sections,
                 metrics=[m for m in SHOWN_METRICS if m in metrics] + [m for m in metrics if m not in SHOWN_METRICS],
                 as_of=_as_of(shown), answer=key[0].text if key else "")


# --------------------------------------------------------------------------- the agentic lenses

def _board(figures: pd.DataFrame, compute_segments: Sequence[str]) -> pd.DataFrame:
    """Each agentic lens of ``data/lenses.yaml``: its latest figure (a lens of one respondent group only when chosen)."""
    declared = lens_declarations.of_theme(datasets.registry().lenses, THEME)
    latest = []
    for lid, lens in declared.items():
        if lens.get("segment") in ("enterprise", "startup") and lens["segment"] not in compute_segments:
            continue
        rows = lens_rows(figures, lens)
        if len(rows):
            last = rows[rows["period_end"] == rows["period_end"].max()]
            latest.append(last.iloc[[-1]])
    if not latest:
        return pd.DataFrame()
    board = pd.concat(latest, ignore_index=True)
    return board.assign(short=[f"{declared[r.lens].get('short') or declared[r.lens]['title']}, "
                               f"{compact_period(r.period)}" for r in board.itertuples()],
                        label=[f"{declared[r.lens]['title']} ({declared[r.lens]['publisher']}), {words.period(r.period)}"
                               for r in board.itertuples()])


def _relayed(rows: pd.DataFrame) -> bool:
    """Whether every figure of ``rows`` rests on relays only (no primary text states it)."""
    return "status" in rows and len(rows) > 0 and bool((rows["status"] == "relay_only").all())


def _cite(rows: pd.DataFrame, publisher: str | None = None) -> str:
    """'Vercel, May 2026' or 'Anthropic, Jan 2026, known here only through a relay'."""
    sid = rows["source_id"].iloc[0]
    published = words.month(datasets.registry().sources[sid].get("published"))
    who = publisher or words.publisher(sid)
    text = f"{who}, {published}" if published else who
    return text + (", known here only through a relay" if _relayed(rows) else "")


def _lens_section(board: pd.DataFrame, key, shown) -> Section | None:
    if len(board) < 2:
        return None
    shown.append(board)
    return Section("Agentic and automated use, by every measure",
                   intro=("Each bar is one measure's latest figure, of its own population, in its own period: a share "
                          "of tokens, of requests, of sampled traffic, of usage or of deployments. They are compared, "
                          "never added, and no bar continues another."),
                   charts=[Chart("value_bars", board, "How much use is agentic or automated: different questions",
                                 "agentic-lenses", {"label": "short", "color_by": "metric", "order": "given", "label_lines": 2},
                                 csv=chart_csv(board, "label"))])


def _gateway_section(figures, key, shown) -> Section | None:
    agentic = _metric_rows(figures, "ai_gateway_agentic_token_share")
    tools = _metric_rows(figures, "ai_gateway_tool_call_request_share").sort_values("period_end")
    if not len(agentic) and not len(tools):
        return None
    finds = []
    grew = _metric_rows(figures, "ai_gateway_agentic_token_share_change_multiple")
    if len(agentic):
        r = agentic.sort_values("period_end").iloc[-1]
        up = (f" (up {words.row_value(grew.iloc[0])} {words.in_period(grew['period'].iloc[0])}, as Vercel words it, "
              f"without saying whether the share or the volume grew)" if len(grew) else "")
        finds.append(Finding(f"Agentic workloads carry {words.row_value(r)} of all the tokens routed through Vercel's "
                             f"AI Gateway {words.in_period(r['period'])}{up} ({_cite(agentic)}).",
                             pd.concat([agentic, grew], ignore_index=True)))
    charts = []
    if len(tools):
        a, b = tools.iloc[0], tools.iloc[-1]
        if len(tools) >= 2:
            finds.append(Finding(f"Requests through the gateway that carry tool calls rose from {words.row_value(a)} "
                                 f"{words.in_period(a['period'])} to {words.row_value(b)} {words.in_period(b['period'])} "
                                 f"({_cite(tools)}).", tools))
            bars = tools.assign(entity_name=[words.period(p) for p in tools["period"]])
            charts.append(Chart("value_bars", bars, "Requests through Vercel's AI Gateway that carry tool calls",
                                "gateway-tool-calls", {"label": "entity_name", "color_by": "metric", "order": "given",
                                                       "xlabel": "share of requests"}))
    key += finds[:1]
    shown += [agentic, grew if len(agentic) else agentic.iloc[0:0], tools]
    return Section("Agents on Vercel's AI Gateway",
                   intro=("Telemetry of the production traffic of the teams on Vercel's AI Gateway (over 200,000 "
                          "teams), from its production index of May 2026; the texts that report it do not say how "
                          "Vercel defines 'agentic'."),
                   findings=finds, charts=charts)


def _automation_section(figures, key, shown) -> Section | None:
    modes = _metric_rows(figures, "claude_collaboration_mode_share")
    if not len(modes):
        return None
    where = {"platform_users": "Claude API", "consumer": "Claude.ai"}
    modes = modes[modes["segment"].isin(list(where))].sort_values(["segment", "value"], ascending=[False, False])
    api = modes[(modes["segment"] == "platform_users") & (modes["entity"] == "automation")]
    chat = modes[(modes["segment"] == "consumer") & (modes["entity"] == "automation")]
    finds = []
    if len(api):
        r = api.iloc[0]
        versus = (f", against {words.row_value(chat.iloc[0])} of the Claude.ai conversations it sampled"
                  if len(chat) else "")
        finds.append(Finding(f"{words.row_value(r).capitalize()} of the first-party API traffic to Claude that Anthropic "
                             f"sampled is automation (Claude carries out the task){versus}, "
                             f"{words.in_period(r['period'])} ({_cite(modes, 'Anthropic Economic Index')}).",
                             pd.concat([api, chat], ignore_index=True)))
    key += finds
    shown.append(modes)
    bars = modes.assign(entity_name=[f"{where[r.segment]}: {r.entity}, {words.period(r.period)}"
                                     for r in modes.itertuples()])
    charts = [Chart("value_bars", bars, "Claude use that is automation or augmentation, by where it is used",
                    "claude-automation", {"label": "entity_name", "color_by": "entity", "order": "given"})] \
        if len(modes) >= 2 else []
    return Section("Automation on Claude: the API against Claude.ai",
                   intro=("Anthropic's Economic Index classifies a sample of Claude use as automation (Claude carries out "
                          "the task) or augmentation (Claude works with the person). Each bar is a share of its own "
                          "sample; the API figure is not given with its augmentation share. Known here only through a "
                          "press relay of the January 2026 report."),
                   findings=finds, charts=charts)


def _reasoning_finding(board: pd.DataFrame, key) -> None:
    """OpenRouter's reasoning-intensive share: a key finding; its bar is on the lens chart."""
    rows = board[board["metric"] == "openrouter_task_type_usage_share"] if len(board) else board
    for _, r in rows.iterrows():
        key.append(Finding(f"{r['entity_name']} account for {words.row_value(r)} of all usage on the OpenRouter API "
                           f"router ({words.period(r['period'])}; {_cite(rows.loc[[r.name]], 'OpenRouter')}).",
                           rows.loc[[r.name]]))
    return None


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
    shown += [coding, eco]
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
                f"adapt ({words.period(agents['period'].iloc[-1])}; {words.source_short(agents['source_id'].iloc[0])}).",
                agents)
    daily = _metric_rows(figures, "developers_daily_ai_coding_tool_use_rate").sort_values("value")
    finds = [f]
    who = {"all": "all organizations"}
    if len(daily):
        finds.append(Finding("Developers using AI coding tools daily: " + "; ".join(
            f"{words.percent(r.value)} ({who.get(r.entity, r.entity_name.lower())})" for r in daily.itertuples())
            + f" ({words.period(daily['period'].iloc[-1])}; {words.source_short(daily['source_id'].iloc[0])}).", daily))
    key.append(f)
    shown += [agents, daily]
    bars = pd.concat([
        agents.assign(entity_name=[f"{words.segment(r.segment).removesuffix('s')} deployments, true agents"
                                   for r in agents.itertuples()]),
        daily.assign(entity_name=[f"Daily AI coding, {who.get(r.entity, r.entity_name.lower())}"
                                  for r in daily.itertuples()])], ignore_index=True)
    return Section("Agents in production", intro=(
        "Two measures from Menlo Ventures' enterprise survey of December 2025, each bar with its own population: "
        "the share of production deployments that are true agents, and the share of developers using AI coding "
        "tools every day."), findings=finds,
        charts=[Chart("value_bars", bars, "Agents in production and daily AI coding, by population", "agents-production",
                      {"label": "entity_name", "color_by": "metric", "order": "given", "label_lines": 2})])


def _migration_section(figures, key, shown) -> Section | None:
    models = _metric_rows(figures, "anthropic_user_model_share")
    if not (len(models) and models["period"].nunique() >= 2):
        return None
    mshares = analysis.share_table(models)
    moves = analysis.changes(mshares)
    finds = [Finding(f"{r.entity_name}: {words.percent(r.value_start)} in {words.period(r.start)} to "
                     f"{words.percent(r.value_end)} in {words.period(r.end)} ({words.points(r.change_pp)}).",
                     models[models["entity"] == r.entity]) for r in moves.itertuples()]
    order = analysis.period_order(models)
    first, last = order[0], order[-1]
    new = models[(models["period"] == last) & ~models["entity"].isin(models.loc[models["period"] == first, "entity"])]
    # the data hold when a model is first NAMED, not when it was launched: the sentence says only the first
    finds += [Finding(f"{r.entity_name}, not among the models named {words.in_period(first)}, holds "
                      f"{words.percent(r.value)} of Anthropic's users {words.in_period(r.period)} "
                      f"({words.source_short(r.source_id)}).", new[new["entity"] == r.entity]) for r in new.itertuples()]
    if new.shape[0]:
        key.append(finds[-1])
    shown.append(models)
    inferred = models["period_inferred"].fillna("").astype(str).str.strip().ne("").all()
    when = (f" The months shown ({words.period(first)} and {words.period(last)}) are inferred: the source dates the "
            "figures by the release (before it, and within one month of it), not by month." if inferred else "")
    return Section("How fast users move to a new frontier model",
                   intro="Shares of Anthropic's users on each Claude model before and after a new model's release." + when,
                   findings=finds, charts=[Chart("share_bars", mshares, "Anthropic users by Claude model",
                                                 "model-migration", {})])


def _switching_section(figures, key, shown) -> Section | None:
    switching = _metric_rows(figures, "model_switching_behaviour_share")
    if len(switching) < 2:
        return None
    sw = analysis.share_table(switching)
    top = switching.sort_values("value", ascending=False).iloc[0]
    f = Finding(f"Over the past year {words.percent(top['value'])} of developers {top['entity_name'].lower()} "
                f"({words.source_short(top['source_id'])}).", switching)
    key.append(f)
    shown.append(switching)
    return Section("Switching models", findings=[f], charts=[Chart(
        "share_bars", sw, "What developers did with their model over the past year", "switching", {})])


def _scenarios_section(figures, top_n_scenarios, shown) -> Section | None:
    scen = _metric_rows(figures, "enterprise_ai_scenario_selection_rate").nlargest(int(top_n_scenarios), "value")
    if not len(scen):
        return None
    top = scen.iloc[0]
    f = Finding(f"The AI scenario enterprises choose most is {top['entity_name']} ({words.row_value(top)} of respondents, "
                f"{words.period(top['period'])}).", scen)
    shown.append(scen)
    if len(scen) < 2 or scen["value"].nunique() <= 1:
        return Section("What enterprises use AI for", findings=[f], table=Table(
            ["Scenario", "Respondents choosing it"], [[r.entity_name, words.row_value(r._asdict())] for r in scen.itertuples()],
            scen, "enterprise-scenarios"))
    return Section("What enterprises use AI for", findings=[f], charts=[
        Chart("value_bars", scen, "Enterprise AI scenarios chosen (multi-answer)", "enterprise-scenarios",
              {"xlabel": "respondents choosing it"})])


def _agent_map_sections(agent_map_view: str) -> list[Section]:
    agents = datasets.load("agent_map")
    views = ["industry", "function"] if agent_map_view == "both" else [agent_map_view]
    out = []
    for view in views:
        listed = agents[agents["section"] == view]
        counted = analysis.counts(listed, "category")
        counted["category"] = counted["category"].map(lambda c: words.label("agent_map_category", c))
        title = f"The Chinese agent map, by {view}"
        if not len(counted):
            out.append(Section(title, skipped=f"The map lists no agent by {view}."))
            continue
        if counted["count"].nunique() <= 1:
            out.append(_agent_list_section(title, view, listed, int(counted["count"].iloc[0])))
            continue
        most = counted[counted["count"] == counted["count"].max()]
        f = Finding(f"By {view}: {int(counted['count'].sum())} listings in {len(counted)} categories; the most listed: "
                    f"{', '.join(most['category'])} ({int(most['count'].iloc[0])}).", counted)
        out.append(Section(title, intro="A count of the products the map lists, not of their use.", findings=[f],
                           charts=[Chart("count_bars", counted, f"Chinese agent applications by {view}",
                                         f"agent-map-{view}", {"xlabel": "agents listed"})]))
    return out


def _agent_list_section(title: str, view: str, listed: pd.DataFrame, each: int) -> Section:
    """The map's agents, category by category: it lists the same number in each, so a count ranks nothing."""
    rows, raw = [], []
    for category, group in listed.groupby("category", sort=False):
        names = "; ".join(f"{r.organization}: {r.agent}" if isinstance(r.agent, str) and r.agent else str(r.organization)
                          for r in group.itertuples())
        rows.append([words.label("agent_map_category", category), names])
        raw.append({"category": rows[-1][0], "agents": names, "source_id": group["source_id"].iloc[0]})
    source = words.source_short(listed["source_id"].iloc[0])
    return Section(title, intro=(f"The map ({source}) lists {each} agents in each of its {len(rows)} {view} categories: "
                                 "a layout, not a count of products or of use, so it is shown as a list (organization: "
                                 "product, as printed)."),
                   table=Table(["Category", "Agents the map lists"], rows, pd.DataFrame(raw), f"agent-map-{view}"))
