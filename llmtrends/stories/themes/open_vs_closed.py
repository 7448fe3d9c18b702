"""The open-vs-closed report: every lens on open-model use, side by side, never added.

Select the lens data (the open-vs-closed lenses of ``data/lenses.yaml`` the
parameters name: each lens's own metric, population and publisher's editions),
compute, write the sentences, build the sections. A lens whose measure is a
share or rate of use is drawn on the lens chart; a lens whose measure is a
capability gap (months behind, a lead in benchmark score) is told in its own
section, never on the same axis as a share of use.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from llmtrends.facts import datasets
from llmtrends.facts import lenses as lens_declarations
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
    chart_csv,
    edition_path,
    edition_rows,
    lens_chain,
)
from llmtrends.stories.themes import openrouter_2026
from llmtrends.stories.themes.lens_parts import compact_period, declared_lenses, lens_rows, shown_metrics
from llmtrends.facts.loading import pinned_data

THEME = "open_vs_closed"
ENTERPRISE_LENS = "menlo_open_source_workload_share"  # the first measure of Menlo's open-source chain
ROUTER_LENS = "openrouter_open_weight_token_share"  # OpenRouter's own whole-platform open-weight share
USE_KINDS = ("share", "rate")  # a lens of use; any other kind (a gap, a lag) is a capability lens
KEY = 4  # key findings: the report must print on three pages
ALL_BOARDS = ("language_subjective", "language_objective", "text_to_image", "text_to_video")


@pinned_data
def open_vs_closed(lenses: Sequence[str] | None = None, flageval_boards: Sequence[str] = ALL_BOARDS,
                   show_quotes: bool = True, figures: pd.DataFrame | None = None) -> Story:
    """The open-vs-closed report: every lens on open-model use, side by side, never added.

    Parameters
    ----------
    lenses : sequence of str, optional
        The open-vs-closed lenses (ids of ``data/lenses.yaml``) to compare; default every one declared.
    flageval_boards, show_quotes
        As the notebook's parameters (already checked by :mod:`llmtrends.stories.params`).
    figures : pandas.DataFrame, optional
        Default :func:`llmtrends.figures`.
    """
    figures = _figures() if figures is None else figures
    declared = declared_lenses()
    chosen = [lid for lid in (declared if lenses is None else lenses)]
    rows = {lid: lens_rows(figures, declared[lid]) for lid in chosen}
    rows = {lid: r for lid, r in rows.items() if len(r)}
    use = {lid: r for lid, r in rows.items() if _kind(r) in USE_KINDS and (r["unit"] == "percent").all()}
    capability = {lid: r for lid, r in rows.items() if lid not in use}
    trend = _enterprise_trend(figures, chosen)
    board = _board(use, declared, trend)
    router = openrouter_2026.story_parts(figures, chosen)
    capability_said = _capability_findings(capability, declared)
    study = _study_findings(board, figures)
    editions = _trend_findings(trend)
    # the answer to the question first (every measure of open-weight use, lowest to highest), then the newest
    # evidence (OpenRouter, 2026: Chinese vs US models, a question of country, not of openness)
    key = (_range_findings(board) + router.findings[:1] + capability_said + editions
           + router.findings[1:] + _router_findings(board) + study)
    # the newest evidence (OpenRouter, 2026) first, then every lens side by side
    sections = [s for s in (*router.sections, _lens_section(board, study, trend),
                            _capability_section(capability, declared)) if s is not None]
    flag_section, top5 = _flageval_section(flageval_boards)
    sections.append(flag_section)
    key.append(flag_section.findings[0])
    if show_quotes:
        sections.append(_quotes_section([board, trend, *capability.values()], declared))
    key = _dedupe(key)
    shown = [board, trend, *capability.values(), *router.frames]
    return Story(title=_title(rows, declared),
                 question="How much LLM use goes to open-weight models, by each measure the sources give?",
                 intro="Each measure below asks its own question of its own population: none is added to another.",
                 key_findings=key[:KEY], sections=sections, metrics=shown_metrics(key[:KEY], sections),
                 as_of=_as_of(shown), answer=key[0].text if key else "",
                 extra_sources=sorted(set(top5["source_id"])))


def _title(rows: dict[str, pd.DataFrame], declared: dict[str, dict]) -> str:
    if len(rows) == 1:
        return f"Open-weight models: {words.lower_first(declared[next(iter(rows))]['title'])}"
    if rows and all(declared[lid]["metric"].startswith("openrouter") for lid in rows):
        return "Open vs closed on OpenRouter: how much use goes to open-weight and Chinese models"
    return "Open vs closed: how much use goes to open-weight models"


def _quotes_section(frames: list[pd.DataFrame], declared: dict[str, dict]) -> Section:
    """The verbatim sentence and cleaning note of every figure shown (the analyst version only)."""
    quoted = pd.concat([f for f in frames if len(f)], ignore_index=True)
    quoted = quoted.assign(label=[_lens_label(r, declared) for _, r in quoted.iterrows()])
    return Section("The source sentences (analyst version)", table=Table(
        ["Figure", "Source sentence (verbatim)", "Cleaning note"],
        [[r["label"], str(r["quote"]), str(r["note"])] for _, r in quoted.iterrows()],
        quoted[["label", "period", "value", "source_id", "quote", "note"]], "lens-quotes"), analyst_only=True)


def _kind(rows: pd.DataFrame) -> str:
    return str(datasets.registry().metrics[rows["metric"].iloc[0]]["kind"])


def _board(use: dict[str, pd.DataFrame], declared: dict[str, dict], trend: pd.DataFrame) -> pd.DataFrame:
    """One row per lens of use - its latest figure (last day, then the shortest period) - labelled in full;
    a lens of Menlo Ventures' enterprise chain shows each of its editions (``trend``), its measure named."""
    latest = []
    for lid, r in use.items():
        editions = trend[trend["metric"] == r["metric"].iloc[0]] if len(trend) else trend
        if len(editions):
            latest.append(editions.assign(lens=lid))
            continue
        last = r[r["period_end"] == r["period_end"].max()]
        latest.append(last.sort_values("period_start", ascending=False).iloc[[0]])
    if not latest:
        return pd.DataFrame()
    board = analysis.lenses(pd.concat(latest, ignore_index=True))
    order = {lid: i for i, lid in enumerate(use)}
    publishers = {}
    for lid in use:
        publishers.setdefault(declared[lid]["publisher"], len(publishers))
    board = board.assign(_p=board["lens"].map(lambda lid: publishers[declared[lid]["publisher"]]),
                         _o=board["lens"].map(order))
    board = board.sort_values(["_p", "_o", "period_end"]).drop(columns=["_p", "_o"]).reset_index(drop=True)
    return board.assign(label=[_lens_label(r, declared) for _, r in board.iterrows()],
                        short=[_short_label(r, declared) for _, r in board.iterrows()])


def _short_label(r, declared: dict[str, dict]) -> str:
    """A chart row's name: the lens's few words (``short``, else its title) and its period, months only."""
    lens = declared.get(r.get("lens"), {})
    return f"{lens.get('short') or lens.get('title') or words.metric(r['metric'])}, {compact_period(r['period'])}"


def _lens_label(r, declared: dict[str, dict]) -> str:
    """'Open-weight share of enterprise LLM spend (Menlo Ventures), 2025': measure, publisher, period."""
    lens = declared.get(r.get("lens"), {})
    title = lens.get("title") or words.metric(r["metric"])
    publisher = lens.get("publisher") or words.publisher(r["source_id"])
    return f"{title} ({_short_publisher(publisher)}), {words.period(r['period'])}"


def _short_publisher(publisher: str) -> str:
    """A lens's publisher without its parenthesis: 'The Emerging Market for Intelligence (economists ...)' -> the title."""
    return publisher.split(" (", 1)[0]


# --------------------------------------------------------------------------- sentences

def _by(board: pd.DataFrame, lid: str):
    hit = board[board["lens"] == lid] if len(board) else board
    return hit.iloc[0] if len(hit) else None


def _range_findings(board: pd.DataFrame) -> list[Finding]:
    """The lowest and the highest share of use that all open-weight models get, each with its measure."""
    whole = board[board["entity"] == "open_source_models"] if len(board) else board
    if whole["lens"].nunique() < 2 or whole["value"].nunique() < 2:
        return []
    # 'at most 30%' is below 'about 30%', which is below 'at least 30%'
    bound = whole["qualifier"].map({"at_most": -0.01, "at_least": 0.01}).fillna(0.0)
    ordered = whole.assign(_key=whole["value"] + bound).sort_values("_key", kind="stable")
    low, high = ordered.iloc[0], ordered.iloc[-1]
    declared = declared_lenses()
    text = (f"How much goes to open-weight models depends on what is counted: {words.row_value(low)} of "
            f"{_what(low, declared)} {words.in_period(low['period'])} ({_short_publisher(declared[low['lens']]['publisher'])}), "
            f"against {words.row_value(high)} of {_what(high, declared)} {words.in_period(high['period'])} "
            f"({_short_publisher(declared[high['lens']]['publisher'])}).")
    return [Finding(text, whole.loc[[low.name, high.name]])]


def _what(r, declared: dict[str, dict]) -> str:
    """What a lens's share is a share of: 'enterprise LLM spend', 'all tokens on the OpenRouter API router'."""
    title = declared[r["lens"]]["title"]
    if " share of " in title:
        return words.lower_first(title.split(" share of ", 1)[1].split(",")[0])
    return words.lower_first(declared[r["lens"]]["population"])


def _trend_findings(trend: pd.DataFrame) -> list[Finding]:
    if len(trend) >= 2:
        pubs = words.sources_short(trend["source_id"])
        return [Finding(f"Open-weight models in Menlo Ventures' enterprise surveys: {edition_path(trend)} ({pubs}).",
                        trend)]
    if len(trend) == 1:
        r = trend.iloc[0]
        return [Finding(f"Open-weight models run {words.percent(r['value'])} of enterprise AI workloads "
                        f"({words.period(r['period'])}).", trend)]
    return []


def _study_findings(board: pd.DataFrame, figures: pd.DataFrame) -> list[Finding]:
    """The study that finds open-source tokens below 30% although open models are far cheaper."""
    r = _by(board, "nber_open_source_api_token_share")
    if r is None:
        return []
    rows = board[board["lens"] == "nber_open_source_api_token_share"]
    price = figures[(figures["metric"] == "open_source_llm_price_discount") & (figures["source_id"] == r["source_id"])]
    cheaper = ""
    if len(price):
        p = price.iloc[0]
        cheaper = f" although they are {words.row_value(p)} cheaper at equal intelligence"
        rows = pd.concat([rows, price.iloc[[0]]], ignore_index=True)
    when = ("undated, read as " + words.period(r["period"]) if str(r.get("period_inferred") or "")
            else words.period(r["period"]))
    return [Finding(f"One study ('The Emerging Market for Intelligence', {when}): open-source models' share of LLM API "
                    f"tokens stays {words.row_value(r).replace('at most', 'below')}{cheaper} (via a blog quoting it "
                    f"only).", rows)]


def _router_findings(board: pd.DataFrame) -> list[Finding]:
    out = []
    r = _by(board, ROUTER_LENS)
    if r is not None:
        out.append(Finding(f"On the OpenRouter API router, open-weight models carry {words.row_value(r)} of all tokens "
                           f"({words.period(r['period'])}; OpenRouter's telemetry).",
                           board[board["lens"] == ROUTER_LENS]))
    china = board[board["lens"].isin(["openrouter_chinese_open_avg_weekly_share",
                                      "openrouter_chinese_open_peak_weekly_share"])] if len(board) else board
    if not len(china):
        return out
    parts = [f"{words.row_value(r)} {'on average' if 'avg' in r['metric'] else 'at the peak'}"
             for _, r in china.sort_values("value").iterrows()]
    return out + [Finding(f"Chinese open-weight models' weekly share of OpenRouter tokens: {' and '.join(parts)} "
                          f"({words.period(china['period'].iloc[0])}).", china)]


def _capability_findings(capability: dict[str, pd.DataFrame], declared: dict[str, dict]) -> list[Finding]:
    out = []
    gap = capability.get("ai_index_closed_open_arena_gap")
    if gap is not None and len(gap):
        first, last = gap.iloc[0], gap.iloc[-1]
        moved = ("widened" if last["value"] > first["value"] else "narrowed") if len(gap) >= 2 else ""
        text = (f"The best closed model's lead over the best open-weight model on Arena {moved} from "
                f"{words.row_value(first)} of score ({words.period(first['period'])}) to {words.row_value(last)} "
                f"({words.period(last['period'])})" if moved else
                f"The best closed model leads the best open-weight model on Arena by {words.row_value(last)} of score "
                f"in {words.period(last['period'])}")
        out.append(Finding(f"{text} ({_short_publisher(declared['ai_index_closed_open_arena_gap']['publisher'])} "
                           f"{words.month(datasets.registry().sources[last['source_id']].get('published'))}, "
                           f"via relays only).", gap))
    lag = capability.get("menlo_open_model_capability_lag")
    if lag is not None and len(lag):
        r = lag.iloc[-1]
        out.append(Finding(f"Menlo Ventures judges that open models trail the best closed models by {words.row_value(r)} "
                           f"({words.period(r['period'])}).", lag))
    return out


# --------------------------------------------------------------------------- sections

def _enterprise_trend(figures: pd.DataFrame, chosen: Sequence[str]) -> pd.DataFrame:
    """Menlo Ventures' enterprise editions of the open-weight share, one measure after another."""
    chain = [lens["lens"] for lens in lens_declarations.chain(datasets.registry().lenses, ENTERPRISE_LENS)]
    if not any(lid in chosen for lid in chain):
        return pd.DataFrame()
    trend = edition_rows(figures, lens_chain(figures, datasets.registry().lenses[ENTERPRISE_LENS]["metric"]),
                         "enterprise")
    return trend[trend["entity"] == "open_source_models"].sort_values(["period_end"])


def _lens_section(board: pd.DataFrame, study: list[Finding], trend: pd.DataFrame) -> Section | None:
    title = "Every lens on open-model use, side by side"
    if len(board) >= 2:
        editions = ""
        if len(trend) and trend["metric"].nunique() > 1:
            editions = (" Menlo Ventures' enterprise editions, beside the API router, changed measure from "
                        + " to ".join(dict.fromkeys(_measure_word(m).removeprefix("by ") for m in trend["metric"]))
                        + ": not one series.")
        return Section(title, findings=study,
                       intro="Each bar is one measure (defined below): compared, never added." + editions,
                       charts=[Chart("value_bars", board, "Open-weight model use: different questions, different answers",
                                     "open-source-lenses", {"label": "short", "color_by": "metric", "order": "given",
                                                            "label_lines": 2},
                                     csv=chart_csv(board, "label"))])
    if len(board) == 1:
        r = board.iloc[0]
        return Section(title, findings=[Finding(f"{r['label']}: {words.row_value(r)}.", board)])
    return None


def _capability_section(capability: dict[str, pd.DataFrame], declared: dict[str, dict]) -> Section | None:
    if not capability:
        return None
    finds = _capability_findings(capability, declared)
    return Section("The capability gap", intro="A benchmark score and a judgement, not a share of use.",
                   findings=finds)


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
        flag_text = f"In Dec 2024, none of the {len(top5)} {on_boards} is open; the lists come from a relay, without scores."
    else:
        flag_text = (f"In Dec 2024, {'only ' if n_open * 2 < len(top5) else ''}{n_open} of the {len(top5)} {on_boards} "
                     f"{'is' if n_open == 1 else 'are'} open{which}; the lists come from a relay, without scores.")
    section = Section("Benchmarks: open and closed among the FlagEval models listed",
                      intro="",
                      findings=[Finding(flag_text, top5.assign(value=1.0))])
    return section, top5
