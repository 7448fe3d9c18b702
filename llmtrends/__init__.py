"""llmtrends: source-cited datasets about the LLM market, and the reports built on them.

``import llmtrends as lt`` is the only import a notebook needs::

    df = lt.load("vendor_share")          # a tidy, validated frame
    lt.describe("vendor_share")            # metrics, definitions, sources (prints and renders)
    lt.figures(entity="Claude")            # every figure, filtered; the answer columns first
    lt.search("通义千问")                   # an entity's figures by any spelling
    lt.changes()                           # figures added, restated, removed since the last release
    lt.plotting.share_bars(df, ...)        # charts with a source line

``lt.__version__`` is the package's version, ``lt.data_version()`` the data's.

The package has three layers, each importing only the ones below it
(``tests/test_flow.py`` pins the direction):

- ``llmtrends.facts``: the fact base - read, validate, cache, evidence,
  the public frames, search and export;
- ``llmtrends.stories``: what the reports say and draw - one module per
  theme's story, words, charts, display, catalog;
- ``llmtrends.batch``: the batch runner - plan, check, decide, execute,
  clean, render, publish, record;

with ``errors``, ``paths`` and ``version`` below them all and ``cli`` on top.
This module re-exports what notebooks and analysts call. Heavy modules
(pandas, matplotlib, papermill) are imported when first used, so
``import llmtrends`` stays cheap for the command line.

The modules' paths before the three layers (``llmtrends.datasets``,
``llmtrends.reports.plan`` ...) still import in this version, with a
``DeprecationWarning`` naming the new path; they go in 0.3.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import warnings
from typing import Any

from llmtrends.version import __version__ as __version__

#: ``lt.<name>`` -> the module it is
_MODULES = {
    "errors": "llmtrends.errors", "paths": "llmtrends.paths",
    "datasets": "llmtrends.facts.datasets", "frames": "llmtrends.facts.frames",
    "explore": "llmtrends.facts.explore", "accessor": "llmtrends.facts.accessor",
    "export": "llmtrends.facts.export", "store": "llmtrends.facts.store",
    "documents": "llmtrends.facts.store",  # the document store checks (lt.documents.check())
    "facts": "llmtrends.facts", "stories": "llmtrends.stories", "batch": "llmtrends.batch",
    "analysis": "llmtrends.stories.analysis", "plotting": "llmtrends.stories.plotting",
    "params": "llmtrends.stories.params", "catalog": "llmtrends.stories.catalog",
    "display": "llmtrends.stories.display", "words": "llmtrends.stories.words",
    "html": "llmtrends.stories.html", "versions": "llmtrends.facts.versions", "changelog": "llmtrends.facts.changes",
    "spelling": "llmtrends.facts.spelling",
    "reports": "llmtrends.batch",  # the batch runner's name before 0.2
}
#: ``lt.<name>`` -> the module whose attribute it is
_FUNCTIONS = {
    **dict.fromkeys(("load", "names", "describe", "observations", "figures", "sources", "citation",
                     "short_citation", "entities", "metrics", "vocabulary", "disagreements"),
                    "llmtrends.facts.datasets"),
    **dict.fromkeys(("timeseries", "search", "evidence"), "llmtrends.facts.explore"),
    **dict.fromkeys(("data_version", "releases"), "llmtrends.facts.versions"),
    **dict.fromkeys(("changes", "whats_new"), "llmtrends.facts.changes"),
    **dict.fromkeys(("lenses", "latest"), "llmtrends.facts.lenses"),
}

__all__ = sorted(set(_MODULES) | set(_FUNCTIONS) | {"__version__"})


def __getattr__(name: str) -> Any:
    if name in _FUNCTIONS or name in ("datasets", "explore", "export"):
        importlib.import_module("llmtrends.facts.accessor")  # frames handed to users know df.lt
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(_FUNCTIONS[name]), name)
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    raise AttributeError(f"module 'llmtrends' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


# --------------------------------------------------------------------------- the paths of 0.1

#: old module path -> new module path (0.1 -> 0.2); gone in 0.3
MOVED = {
    "llmtrends._yaml": "llmtrends.facts.strict_yaml",
    "llmtrends.schemas": "llmtrends.facts.schemas",
    "llmtrends._records": "llmtrends.facts.records",
    "llmtrends._evidence": "llmtrends.facts.evidence",
    "llmtrends._cache": "llmtrends.facts.cache",
    "llmtrends.documents": "llmtrends.facts.store",
    "llmtrends.datasets": "llmtrends.facts.datasets",
    "llmtrends.frames": "llmtrends.facts.frames",
    "llmtrends.accessor": "llmtrends.facts.accessor",
    "llmtrends.explore": "llmtrends.facts.explore",
    "llmtrends.export": "llmtrends.facts.export",
    "llmtrends.words": "llmtrends.stories.words",
    "llmtrends.html": "llmtrends.stories.html",
    "llmtrends.analysis": "llmtrends.stories.analysis",
    "llmtrends.params": "llmtrends.stories.params",
    "llmtrends.plotting": "llmtrends.stories.plotting",
    "llmtrends.display": "llmtrends.stories.display",
    "llmtrends.catalog": "llmtrends.stories.catalog",
    "llmtrends.reports": "llmtrends.batch",
    "llmtrends.reports.sources": "llmtrends.stories.citations",
    "llmtrends.reports.batch": "llmtrends.batch.runner",
    "llmtrends.reports.export": "llmtrends.batch.render",
    **{f"llmtrends.reports.{m}": f"llmtrends.batch.{m}"
       for m in ("plan", "parameters", "cache", "execute", "sanitize", "manifest", "index", "clock", "lock")},
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import llmtrends.datasets`` (a 0.1 path) gives ``llmtrends.facts.datasets``, with a DeprecationWarning."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        new = MOVED[spec.name]
        warnings.warn(f"{spec.name} moved to {new} in llmtrends 0.2; the old path goes in 0.3",
                      DeprecationWarning, stacklevel=2)
        return importlib.import_module(new)

    def exec_module(self, module) -> None:  # the module is the new one, already executed
        pass


if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
    sys.meta_path.insert(0, _MovedModules())  # before the path finder, which would load a second copy
