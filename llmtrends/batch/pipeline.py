"""One run through the steps: execute -> clean -> render -> publish (:func:`run_one`).

A failed run keeps its executed notebook as ``<name>.failed.ipynb`` (scrubbed)
and never touches its last good export; the data catalog page is written here
too (:func:`write_catalog_page`), by the first worker out of runs. The batch
(``runner``) calls these for each run, in parallel.
"""
from __future__ import annotations

import importlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping

from llmtrends import paths
from llmtrends.batch import cache
from llmtrends.batch.clock import utc_now
from llmtrends.batch.execute import (
    DEFAULT_TIMEOUT,
    MAX_OUTPUT_BYTES,
    Execution,
    Failure,
    KernelRegistry,
    PreparedKernel,
    error_text,
    execute_run,
)
from llmtrends.batch.plan import Run
from llmtrends.batch.render import FILE_MODE, ExportFiles, failed_notebook_name, publish, write_exports
from llmtrends.batch.sanitize import make_scrubber, notebook_sources, sanitize_notebook

CATALOG_NAME = "catalog.html"


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run of a batch.

    Attributes
    ----------
    run : Run
    failure : Failure or None
        Why the run failed (execution or export); ``None`` when it succeeded.
    started, finished : datetime.datetime
        UTC times, execution and export included.
    files : ExportFiles or None
        The exports written (successful runs only).
    sources : tuple of str
        The citations recorded in the executed notebook.
    cell_seconds : float or None
        Seconds its cells spent executing (runs that executed).
    cache : mapping or None
        ``key``, ``inputs`` and ``digests`` of the exports written, for the
        manifest (see `llmtrends.batch.cache`).
    reused_from : str or None
        Set when the run was not executed because its last good export, from
        this time, is up to date.
    failed_notebook : str or None
        A failed run's executed notebook, kept in the exports folder (scrubbed).
    """

    run: Run
    failure: Failure | None
    started: datetime
    finished: datetime
    files: ExportFiles | None = None
    sources: tuple[str, ...] = ()
    cell_seconds: float | None = None
    cache: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    reused_from: str | None = None
    failed_notebook: str | None = None

    @property
    def reused(self) -> bool:
        """Whether the run's up-to-date export was reused instead of executing it."""
        return self.reused_from is not None

    @property
    def ok(self) -> bool:
        """Whether the run executed and exported without error."""
        return self.failure is None

    @property
    def status(self) -> str:
        """``"ok"`` or ``"failed"``."""
        return "ok" if self.ok else "failed"

    @property
    def duration(self) -> float:
        """Seconds from start to finish."""
        return (self.finished - self.started).total_seconds()


def _cell_seconds(nb) -> float:
    """Seconds the cells of an executed notebook spent executing (papermill's per-cell durations)."""
    total = 0.0
    for cell in nb.cells:
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if isinstance(duration, (int, float)):
            total += duration
    return total


def run_one(
    run: Run,
    *,
    exports_dir: Path,
    timeout: int = DEFAULT_TIMEOUT,
    kernels: KernelRegistry | None = None,
    inputs: Mapping[str, str] | None = None,
    prepared: PreparedKernel | None = None,
    after_execution: Callable[[], None] | None = None,
    env: Mapping[str, str] | None = None,
    max_output: int = MAX_OUTPUT_BYTES,
) -> RunResult:
    """Execute one run and, if it succeeded, publish its exports.

    Parameters
    ----------
    run : Run
    exports_dir : pathlib.Path
    timeout : int, optional
        Seconds a single cell may run.
    kernels : KernelRegistry, optional
        The batch's kernels, so that an interrupted batch can stop them (a
        stopped run fails and publishes nothing).
    inputs : mapping of str to str, optional
        The run's input digests (`cache.run_inputs`) taken before it started;
        recorded with the exports so that a later batch can reuse them.
    prepared : PreparedKernel, optional
        A kernel this thread started ahead for the run (see `execute_run`).
    after_execution : callable, optional
        Called once the kernel is done, before the exports are rendered (the
        batch starts the next run's kernel there, so that it boots meanwhile).
    env : mapping, optional
        The kernel's environment (see `execute_run`).
    max_output : int, optional
        Bytes of output the kernel may send (see `execute_run`).

    Returns
    -------
    RunResult
        A failure while exporting is reported like an execution failure; in
        both cases the run's previous exports are left untouched.
    """
    execution: Execution = execute_run(run, timeout=timeout, kernels=kernels, prepared=prepared, env=env,
                                          max_output=max_output)
    if after_execution is not None:
        after_execution()
    scrub = run_scrubber(run, exports_dir)
    if not execution.ok:
        kept = _keep_failed_notebook(execution, run, Path(exports_dir), scrub)
        return RunResult(run, execution.failure.scrubbed(scrub), execution.started, execution.finished,
                         failed_notebook=kept)
    cell_seconds = _cell_seconds(execution.notebook)
    try:
        clean = sanitize_notebook(
            execution.notebook, run, started=execution.started, finished=execution.finished, scrub=scrub
        )
        sources = tuple(notebook_sources(clean))  # read while cleaning, before the export step
        files = write_exports(clean, run, Path(exports_dir))
    except Exception as exc:  # a broken export (a full disk ...) fails this run only
        failure = Failure(None, "", "export failed: " + error_text(type(exc).__name__, _os_error_text(exc)))
        return RunResult(run, failure.scrubbed(scrub), execution.started, utc_now())
    (Path(exports_dir) / failed_notebook_name(run.name)).unlink(missing_ok=True)  # stale now
    stamp = None
    if inputs is not None:
        names = (files.html, files.analyst, files.notebook)
        stamp = {"key": cache.key_of(inputs), "inputs": dict(inputs), "digests": cache.export_digests(exports_dir, names)}
    return RunResult(
        run, None, execution.started, utc_now(), files=files, sources=sources,
        cell_seconds=cell_seconds, cache=stamp,
    )


def run_scrubber(run: Run, exports_dir: Path):
    """The scrubber for everything a run publishes: exports, failure texts, the kept failed notebook."""
    return make_scrubber(
        run.notebook.parent,
        extra_dirs=[
            (Path(exports_dir).absolute(), "<exports>"),
            (paths.project_root(), "<project>"),
            (paths.data_dir(), "<data>"),
            (Path.cwd(), "<cwd>"),
        ],
    )


def _os_error_text(exc: BaseException) -> str:
    """``No space left on device: manifest.json`` for an OSError (file name only), else ``str(exc)``."""
    if isinstance(exc, OSError) and exc.strerror:
        name = Path(exc.filename).name if exc.filename else ""
        return f"{exc.strerror}: {name}" if name else exc.strerror
    return str(exc)


def _keep_failed_notebook(execution: Execution, run: Run, exports_dir: Path, scrub) -> str | None:
    """Publish a failed run's executed notebook as ``<name>.failed.ipynb`` (scrubbed); its name or ``None``."""
    if execution.partial is None:
        return None
    try:
        import nbformat

        clean = sanitize_notebook(execution.partial, run, started=execution.started, finished=execution.finished,
                                  scrub=scrub)
        clean.metadata["llmtrends"]["failure"] = execution.failure.scrubbed(scrub).to_dict()
        name = failed_notebook_name(run.name)
        publish({exports_dir / name: nbformat.writes(clean).encode("utf-8")})
        return name
    except Exception:  # a debugging aid: its absence must not hide the run's own failure
        return None


def write_catalog_page(exports_dir: Path, *, stopped: Callable[[], bool] = lambda: False
                       ) -> tuple[str | None, str | None]:
    """Write the data catalog page with ``llmtrends.stories.catalog``, if available.

    The page is rendered in memory (``render_catalog``) and then published
    atomically, so that a batch stopped while it renders leaves no file
    behind; a catalog module with ``write_catalog`` only writes a temp file.

    Parameters
    ----------
    exports_dir : pathlib.Path
    stopped : callable, optional
        Asked once the page is rendered: when true (the batch was stopped),
        nothing is written and the existing page, if any, stays linked.

    Returns
    -------
    (href, error) : tuple of (str or None, str or None)
        ``href`` is the link for the index (``None`` when there is no catalog
        page); ``error`` describes a failure. When writing fails, an existing
        catalog page is kept and still linked.
    """
    target = Path(exports_dir) / CATALOG_NAME
    try:  # sys.modules first: a test may put a stand-in there (or None, to leave the catalog out)
        catalog = importlib.import_module("llmtrends.stories.catalog")
    except ImportError as exc:
        if exc.name in ("llmtrends.stories.catalog", None) or "llmtrends.stories.catalog" in str(exc):
            return None, None  # not written yet: no link
        return None, f"catalog not importable: {error_text(type(exc).__name__, str(exc))}"
    render = getattr(catalog, "render_catalog", None)
    if render is not None:
        try:
            page = render().encode("utf-8")
            if stopped():
                return (CATALOG_NAME if target.is_file() else None), None
            publish({target: page})
        except Exception as exc:
            href = CATALOG_NAME if target.is_file() else None
            return href, f"catalog failed: {error_text(type(exc).__name__, _os_error_text(exc))}"
        return CATALOG_NAME, None
    write_catalog = catalog.write_catalog
    temp = None
    try:
        handle, temp_name = tempfile.mkstemp(dir=exports_dir, prefix=f".{CATALOG_NAME}.", suffix=".tmp.html")
        os.close(handle)
        temp = Path(temp_name)
        write_catalog(temp)
        os.chmod(temp, FILE_MODE)
        os.replace(temp, target)
    except Exception as exc:
        if temp is not None:
            # with any temp file the catalog writer made beside it (a full disk leaves it half-written)
            for leftover in [temp, *Path(exports_dir).glob(f".{temp.name}*")]:
                leftover.unlink(missing_ok=True)
        href = CATALOG_NAME if target.is_file() else None
        return href, f"catalog failed: {error_text(type(exc).__name__, _os_error_text(exc))}"
    return CATALOG_NAME, None
