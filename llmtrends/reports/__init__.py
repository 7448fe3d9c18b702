"""The report batch runner: plan -> papermill -> nbconvert -> exports + index.

Modules, one job each:

``plan``        read and check ``notebooks/reports.yaml`` -> `Run` objects
``parameters``  check runs' parameters against their notebooks, before any kernel starts
``execute``     execute one notebook in-process with papermill; describe a failure
``sanitize``    strip machine details from an executed notebook
``export``      stakeholder / analyst HTML and ``.ipynb``, published atomically
``manifest``    ``exports/manifest.json``: per-run status kept across batches
``cache``       cache keys: reuse a run's exports when none of its inputs changed
``index``       ``exports/index.html``
``batch``       run a batch in parallel and tie the above together
``sources``     `declare_sources`, called from inside notebooks

Names are imported lazily, so ``from llmtrends.reports import declare_sources``
inside a notebook does not load papermill and nbconvert.

Examples
--------
>>> from llmtrends.reports import load_plan, run_batch
>>> runs = load_plan("notebooks/reports.yaml")  # doctest: +SKIP
>>> run_batch(runs, exports_dir=Path("exports"), jobs=2).exit_status  # doctest: +SKIP
0
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "BatchResult": "batch",
    "RunResult": "batch",
    "run_batch": "batch",
    "run_one": "batch",
    "summary_lines": "batch",
    "DEFAULT_TIMEOUT": "execute",
    "Execution": "execute",
    "Failure": "execute",
    "execute_run": "execute",
    "ExportFiles": "export",
    "publish": "export",
    "render_html": "export",
    "write_exports": "export",
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
    "SOURCES_MIMETYPE": "sources",
    "declare_sources": "sources",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'llmtrends.reports' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"llmtrends.reports.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
