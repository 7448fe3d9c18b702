"""llmtrends: source-cited datasets about the LLM market, and the reports built on them.

``import llmtrends as lt`` is the only import a notebook needs::

    df = lt.load("vendor_share")          # a tidy, validated frame
    print(lt.describe("vendor_share"))     # metrics, definitions, sources
    lt.plotting.share_bars(df, ...)        # charts with a source line

Heavy modules (pandas, matplotlib, papermill) are imported when first used,
so ``import llmtrends`` stays cheap for the command line.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {"datasets", "analysis", "plotting", "params", "reports", "catalog", "paths", "errors", "display",
               "stories", "words", "html"}
_FROM_DATASETS = {"load", "names", "describe", "observations", "figures", "sources", "citation", "short_citation"}
# the analyst's workbench (issue 10): whole-fact-base frames, series, search, evidence, export
_SUBMODULES |= {"frames", "explore", "accessor", "export"}
_FROM_DATASETS |= {"entities", "metrics", "vocabulary", "disagreements"}  # documents: lt.datasets.documents() (lt.documents is a module)
_FROM_MODULES = {"timeseries": "explore", "search": "explore", "evidence": "explore"}
# ``lt.export`` is the module llmtrends.export, callable: ``lt.export(DIR)``, ``lt.export.read(DIR)``
# the document store (issue 8): lt.documents.check(); declared disagreements: lt.disagreements()
_SUBMODULES |= {"documents"}
_FROM_DATASETS |= {"disagreements"}

__all__ = sorted(_SUBMODULES | _FROM_DATASETS | set(_FROM_MODULES) | {"__version__"})


def __getattr__(name: str) -> Any:
    if name in _FROM_MODULES:
        return getattr(importlib.import_module(f".{_FROM_MODULES[name]}", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _FROM_DATASETS:
        return getattr(importlib.import_module(".datasets", __name__), name)
    raise AttributeError(f"module 'llmtrends' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
