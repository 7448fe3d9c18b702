"""What the reports say and draw: the second layer of llmtrends.

It reads the fact base (``llmtrends.facts``) and never the batch. One module
per theme's story under ``themes/`` (select the lens data -> compute ->
sentences -> sections), the building blocks they share (``story``), what the
landing page says (``landing``), and what
turns a story into a page: ``words`` (numbers, dates and names as people
write them), ``analysis`` (share tables, changes, concentration),
``plotting`` (charts), ``display`` (a story in a notebook), ``catalog`` (the
data catalog page), ``params`` (the notebooks' parameters, checked),
``citations`` (the sources a notebook declares) and ``html``.

The story functions are re-exported here, so a notebook calls
``lt.stories.vendor_share(**params)``. Names are imported lazily: importing
``llmtrends.stories.words`` does not load pandas.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "vendor_share": "llmtrends.stories.themes.vendor_share",
    "market_size": "llmtrends.stories.themes.vendor_share",
    "open_vs_closed": "llmtrends.stories.themes.open_vs_closed",
    "agentic_usage": "llmtrends.stories.themes.agentic_usage",
    "headlines": "llmtrends.stories.landing",
    "for_notebook": "llmtrends.stories.landing",
    "STORIES": "llmtrends.stories.landing",
    # the building blocks a story is made of
    **dict.fromkeys(("Finding", "Chart", "Table", "Section", "Story", "chart_csv", "edition_rows", "edition_path",
                     "drop_restatements", "lens_chain"), "llmtrends.stories.story"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:  # a submodule not imported yet falls through to the import system here
        raise AttributeError(f"module 'llmtrends.stories' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
