"""What the open-vs-closed and agentic reports share: their lenses' figures, a chart row's period, the
measures a report shows.

A lens (``data/lenses.yaml``) reads its metric, segment and entities from its own publisher's editions only:
another publisher's figure of the same metric is another lens.
"""
from __future__ import annotations

import re
from typing import Sequence

import pandas as pd

from llmtrends.facts import datasets
from llmtrends.facts import lenses as lens_declarations
from llmtrends.stories import words
from llmtrends.stories.story import Finding, Section, drop_restatements


def declared_lenses(theme: str = "open_vs_closed") -> dict[str, dict]:
    """The lenses of one theme of ``data/lenses.yaml``, in file order."""
    return lens_declarations.of_theme(datasets.registry().lenses, theme)


def lens_rows(figures: pd.DataFrame, lens: dict) -> pd.DataFrame:
    """The figures a lens reads: its metric, segment and entities, from its publisher's editions, oldest first."""
    reg = datasets.registry()
    rows = figures[figures["metric"] == lens["metric"]]
    if lens.get("segment"):
        rows = rows[rows["segment"] == lens["segment"]]
    if lens.get("entities"):
        rows = rows[rows["entity"].isin(list(lens["entities"]))]
    sources = list(lens.get("sources") or [sid for sid, s in reg.sources.items()
                                            if lens.get("series") and s.get("series") == lens["series"]])
    rows = drop_restatements(rows[rows["source_id"].isin(sources)])
    return rows.sort_values(["period_end", "period_start"], kind="stable").assign(lens=lens["lens"])


def shown_metrics(key: Sequence[Finding], sections: Sequence[Section]) -> list[str]:
    """Every measure a reader sees - in a key finding, a section's sentence or chart - for "What the measures mean"."""
    frames = [f.data for f in key] + [f.data for s in sections if not s.analyst_only and not s.skipped
                                      for f in s.findings] + [c.data for s in sections if not s.analyst_only
                                                              for c in s.charts]
    return list(dict.fromkeys(m for frame in frames if len(frame) and "metric" in frame for m in frame["metric"]
                              if m in datasets.registry().metrics))


def compact_period(label) -> str:
    """A period as a chart row writes it: 'Nov 2024–Nov 2025', 'Jan–May 2026', a week '9–15 Feb 2026'.

    >>> compact_period("2024-11-03..2025-11-30"), compact_period("2026-02-23..2026-04")
    ('Nov 2024–Nov 2025', 'Feb–Apr 2026')
    """
    text = str(label)
    if ".." not in text:
        return words.period(text)
    first, last = text.split("..", 1)
    if len(first) == len(last) == 10:
        a, b = pd.Timestamp(first), pd.Timestamp(last)
        if (b - a).days <= 31:  # a week: '9–15 Feb 2026', '23 Feb–1 Mar 2026'
            return (f"{a.day}–{words.day(last)}" if a.month == b.month else
                    f"{a.day} {words.MONTHS[a.month - 1]}–{words.day(last)}")
    if re.fullmatch(r"\d{4}-\d\d(-\d\d)?", first) and re.fullmatch(r"\d{4}-\d\d(-\d\d)?", last):
        first, last = first[:7], last[:7]  # months: a day is the download's
        if first[:4] == last[:4]:  # 'Jan–May 2026'
            return f"{words.MONTHS[int(first[5:7]) - 1]}–{words.period(last)}"
    return f"{words.period(first)}–{words.period(last)}"
