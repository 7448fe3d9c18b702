"""OpenRouter in 2026, for the open-vs-closed report: Chinese and US models, and the weekly volume.

Three bases never joined: the whole platform (every token OpenRouter
processes), its ten most-used models ("top 10"), and the models of its weekly
usage ranking summed by their developers' country. Each chart bar and each
sentence names its basis. The figures reach the store through press articles
and a funding announcement: the sentences say so.

A report of every lens (the default run) tells the Chinese and US figures in
sentences and shows the two share lenses on its lens chart; a report of
OpenRouter's lenses only (its own run) charts them and the weekly volume.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import pandas as pd

from llmtrends.stories import words
from llmtrends.stories.story import Chart, Finding, Section
from llmtrends.stories.themes.lens_parts import compact_period, declared_lenses, lens_rows

CHINESE_SHARE_LENS = "openrouter_chinese_token_share"  # whole platform, Chinese models
TOP10_LENS = "openrouter_top10_chinese_open_share"  # the top 10 models, Chinese open-weight models
RANKED = "openrouter_ranked_models_weekly_tokens"  # the weekly ranking's models, by developer country
WEEKLY = {"openrouter_weekly_tokens": "whole platform", "openrouter_top10_weekly_tokens": "top 10 models"}


@dataclass
class Parts:
    """What the OpenRouter 2026 figures add to the report: findings, sections, and the frames they show."""

    findings: list[Finding] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    frames: list[pd.DataFrame] = field(default_factory=list)


def story_parts(figures: pd.DataFrame, chosen: Sequence[str]) -> Parts:
    """The 2026 OpenRouter findings and sections of the open-vs-closed report, for the lenses ``chosen``.

    Charts only when every chosen lens is OpenRouter's (its own run): the report of every lens keeps to
    its lens chart and tells the rest in sentences.
    """
    declared = declared_lenses()
    detail = bool(chosen) and all(declared[lid]["metric"].startswith("openrouter") for lid in chosen)
    shares = {lid: lens_rows(figures, declared[lid]) for lid in (CHINESE_SHARE_LENS, TOP10_LENS)
              if lid in chosen and lid in declared}
    shares = {lid: r for lid, r in shares.items() if len(r)}
    parts = Parts()
    if not shares:
        return parts
    ranked = _metric(figures, RANKED)
    ranked = ranked[ranked["entity"].isin(["chinese_models", "us_models"])]
    crossing = _crossing(ranked)
    parts.findings += crossing + [_share_finding(lid, rows) for lid, rows in shares.items()]
    parts.frames += [ranked, *shares.values()]
    volume = _metric(figures, "openrouter_weekly_tokens")
    volume = volume[volume["entity"] == "all"]
    moved = _volume_finding(volume) if detail else []  # the weekly volume is the OpenRouter run's
    parts.findings += moved
    charts = []
    if detail and len(ranked) >= 2:
        bars = ranked.assign(entity_name=[f"{r.entity_name}, {compact_period(r.period)}" for r in ranked.itertuples()])
        charts.append(Chart("value_bars", bars, "Weekly tokens of the models on OpenRouter's usage ranking, by their "
                            "developers' country", "openrouter-china-us-weekly",
                            {"label": "entity_name", "color_by": "entity", "order": "given",
                             "xlabel": "trillion tokens a week"}))
    if detail and len(volume) >= 2:
        parts.frames.append(volume)
        bars = volume.assign(entity_name=[compact_period(p) for p in volume["period"]])
        charts.append(Chart("value_bars", bars, "Tokens processed on OpenRouter a week, whole platform",
                            "openrouter-weekly-volume", {"label": "entity_name", "color_by": "metric",
                                                         "order": "given", "xlabel": "trillion tokens a week"}))
    elif moved:
        parts.frames.append(volume)
    parts.sections.append(Section(
        "Chinese and US models on OpenRouter, 2024 to 2026",
        intro="Three bases, never joined: all tokens, the ten most-used models, the weekly ranking's models.",
        findings=parts.findings, charts=charts))
    return parts


def _metric(figures: pd.DataFrame, metric: str) -> pd.DataFrame:
    return figures[figures["metric"] == metric].sort_values(["period_end", "period_start"], kind="stable")


def tokens(r) -> str:
    """'4.12 trillion tokens': a weekly volume as the source gives it (no digit rounded away)."""
    prefix = {"approx": "about ", "at_least": "at least ", "at_most": "at most "}.get(str(r["qualifier"]), "")
    return f"{prefix}{words.number(r['value'], 3)} trillion tokens"


def _cite(rows: pd.DataFrame) -> str:
    """'Tech Times, May 2026, relayed': each publisher named short, once."""
    names = []
    for sid in dict.fromkeys(rows["source_id"]):
        name = words.source_short(sid)
        publisher = words.publisher(sid)
        names.append(name.replace(publisher, publisher.split(" (", 1)[0]))
    relayed = "status" in rows and (rows["status"] == "relay_only").all()
    return "; ".join(names) + (", via press relays only" if relayed else "")


def _crossing(ranked: pd.DataFrame) -> list[Finding]:
    """The first week the data hold in which Chinese models' weekly tokens pass US models'."""
    if not len(ranked):
        return []
    pivot = ranked.pivot_table(index="period", columns="entity", values="value", aggfunc="first")
    if not {"chinese_models", "us_models"} <= set(pivot.columns):
        return []
    ahead = [p for p in pivot.index if pivot.loc[p, "chinese_models"] > pivot.loc[p, "us_models"]]
    first = ranked[ranked["period"].isin(ahead)].sort_values("period_end")
    if not len(first):
        return []
    week = first[first["period"] == first["period"].iloc[0]]
    cn = week[week["entity"] == "chinese_models"].iloc[0]
    us = week[week["entity"] == "us_models"].iloc[0]
    later = len(set(first["period"])) - 1
    return [Finding(
        f"On OpenRouter, Chinese models passed US models in the week of {compact_period(cn['period'])} "
        f"({tokens(cn)} against {words.number(us['value'], 3)} trillion, models of its weekly ranking only)"
        + (f" and stayed ahead in the {later} later week{'s' if later > 1 else ''} the data hold" if later else "")
        + f" ({_cite(ranked)}).", ranked)]


def _share_finding(lid: str, rows: pd.DataFrame) -> Finding:
    basis = "of the tokens of OpenRouter's top 10 models" if lid == TOP10_LENS else "of all tokens on OpenRouter"
    first = rows.iloc[0]
    word = lambda r: words.row_value(r).replace("at most", "below")  # noqa: E731
    path = f"{word(first)} ({compact_period(first['period'])})"
    if len(rows) >= 2:
        path += "".join(f", {word(r)} ({compact_period(r['period'])})" for _, r in rows.iloc[1:].iterrows())
    return Finding(f"{first['entity_name']}' share {basis}: {path} ({_cite(rows)}).", rows)


def _volume_finding(volume: pd.DataFrame) -> list[Finding]:
    if len(volume) < 2:
        return []
    a, b = volume.iloc[0], volume.iloc[-1]
    return [Finding(f"OpenRouter's whole platform processed {tokens(b)} a week in {compact_period(b['period'])}, "
                    f"against {tokens(a)} in the week of {compact_period(a['period'])} ({_cite(volume)}).", volume)]
