"""The batch runner: plan -> papermill -> nbconvert -> exports + index.

The third layer of the package: it may use the fact base (``llmtrends.facts``)
and the stories (``llmtrends.stories``), never the other way round.

A run flows one way, one module per step; a step's module may use the
modules of earlier steps, never those of later ones (``tests/test_flow.py``
pins the order):

1. plan     ``plan``        read and check ``notebooks/reports.yaml`` -> `Run` objects
2. check    ``parameters``  check runs' parameters against their notebooks, before any kernel starts
3. decide   ``cache``       cache keys: reuse a run's exports when none of its inputs changed
4. execute  ``kernels``     start, watch, bound and stop the kernels (in the batch's environment)
            ``execute``     execute one notebook in-process with papermill; describe a failure
5. clean    ``sanitize``    strip machine details from an executed notebook; read its citations
6. render   ``render``      stakeholder / analyst HTML and ``.ipynb`` (and the kept failed notebook's name)
7. publish  ``render``      `publish`: every file the batch writes, atomically
            ``pipeline``    one run through execute -> clean -> render -> publish; the catalog page
8. record   ``manifest``    ``exports/manifest.json``: per-run status kept across batches
            ``index``       ``exports/index.html``, from the plan and the manifest

``runner`` drives the steps: it runs a batch in parallel and calls each step
in turn. Helpers any step may use (they import no step): ``clock`` (the
current UTC time and how times are written), ``console`` (progress lines) and
``lock`` (one batch per exports folder). What a notebook calls to declare its
sources lives with the stories (``llmtrends.stories.citations``); it is
re-exported here as ``declare_sources`` for the notebooks of 0.1.

Names are imported lazily, so ``from llmtrends.batch import load_plan``
does not load papermill and nbconvert.

Examples
--------
>>> from llmtrends.batch import load_plan, run_batch
>>> runs = load_plan("notebooks/reports.yaml")  # doctest: +SKIP
>>> run_batch(runs, exports_dir=Path("exports"), jobs=2).exit_status  # doctest: +SKIP
0
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "BatchResult": "runner",
    "RunResult": "pipeline",
    "run_batch": "runner",
    "run_one": "pipeline",
    "summary_lines": "runner",
    "DEFAULT_TIMEOUT": "execute",
    "Execution": "execute",
    "Failure": "execute",
    "execute_run": "execute",
    "ExportFiles": "render",
    "publish": "render",
    "render_html": "render",
    "write_exports": "render",
    "render_index": "index",
    "write_index": "index",
    "load_manifest": "manifest",
    "save_manifest": "manifest",
    "check_parameters": "parameters",
    "declared_parameters": "parameters",
    "Run": "plan",
    "load_plan": "plan",
    "select_runs": "plan",
    "sanitize_notebook": "sanitize",
    "stakeholder_notebook": "sanitize",
    "SOURCES_MIMETYPE": "llmtrends.stories.citations",
    "declare_sources": "llmtrends.stories.citations",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'llmtrends.batch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module if "." in module else f"llmtrends.batch.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
