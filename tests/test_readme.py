"""The README's counts of the fact base are the data's (they were typed, and went stale once)."""
from __future__ import annotations

import re
from pathlib import Path

from llmtrends.facts import datasets

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _said(pattern: str) -> int:
    found = re.search(pattern, " ".join(README.split()))
    assert found, f"the README no longer says {pattern!r}"
    return int(found.group(1).replace(",", ""))


def test_the_readme_counts_documents_figures_and_statements_as_the_data_hold_them():
    reg = datasets.registry()
    assert _said(r"rests on (\d+) documents") == len(reg.documents)
    assert _said(r"giving ([\d,]+) figures") == len(datasets.figures())
    assert _said(r"\(([\d,]+) statements, one per figure and document\)") == len(datasets.observations())


def test_the_readme_counts_the_lenses_of_each_theme():
    themes = [lens["theme"] for lens in datasets.registry().lenses.values()]
    assert _said(r"(\d+) lenses on vendor share") == themes.count("vendor_share")
    assert _said(r"(\d+) on open versus closed models") == themes.count("open_vs_closed")
    assert _said(r"(\d+) on agentic use") == themes.count("agentic_usage")
