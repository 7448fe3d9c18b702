"""Run a batch of reports: check, execute in parallel, export, index.

One Python process drives everything through the papermill and nbconvert
APIs. Runs execute in a thread pool: each thread starts its own kernel (a
separate process, where the notebook code actually runs) and waits on it, so
threads are enough to keep several kernels busy. A failing run never stops the
others and never overwrites its last good export.
"""
from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Sequence

from llmtrends import paths
from llmtrends.reports.lock import exports_lock
from llmtrends.reports.execute import DEFAULT_TIMEOUT, Execution, Failure, KernelRegistry, error_text, execute_run
from llmtrends.reports.export import FILE_MODE, ExportFiles, write_exports
from llmtrends.reports.index import write_index
from llmtrends.reports.manifest import load_manifest, run_record, save_manifest
from llmtrends.reports.parameters import check_parameters
from llmtrends.reports.plan import Run
from llmtrends.reports.sanitize import make_scrubber, notebook_sources, sanitize_notebook

CATALOG_NAME = "catalog.html"

Emit = Callable[[str], None]


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
    """

    run: Run
    failure: Failure | None
    started: datetime
    finished: datetime
    files: ExportFiles | None = None
    sources: tuple[str, ...] = ()

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


@dataclass
class BatchResult:
    """The outcome of a batch.

    Attributes
    ----------
    results : list of RunResult
        In plan order.
    index_path : pathlib.Path
    catalog_error : str or None
        Set when the data catalog could not be written.
    elapsed : float
        Wall-clock seconds for the whole batch.
    """

    results: list[RunResult] = field(default_factory=list)
    index_path: Path | None = None
    catalog_error: str | None = None
    elapsed: float = 0.0

    @property
    def failed(self) -> list[RunResult]:
        """The runs that failed."""
        return [result for result in self.results if not result.ok]

    @property
    def exit_status(self) -> int:
        """1 when any run (or the catalog) failed, else 0."""
        return 1 if self.failed or self.catalog_error else 0


def _printer(stream=None) -> Emit:
    def emit(line: str) -> None:
        target = stream or sys.stdout
        target.write(line + "\n")
        target.flush()

    return emit


@contextmanager
def _quiet_papermill() -> Iterator[None]:
    """Silence papermill/nbclient log lines: the runner reports failures itself."""
    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def run_one(
    run: Run, *, exports_dir: Path, timeout: int = DEFAULT_TIMEOUT, kernels: KernelRegistry | None = None
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

    Returns
    -------
    RunResult
        A failure while exporting is reported like an execution failure; in
        both cases the run's previous exports are left untouched.
    """
    execution: Execution = execute_run(run, timeout=timeout, kernels=kernels)
    if not execution.ok:
        return RunResult(run, execution.failure, execution.started, execution.finished)
    try:
        scrub = make_scrubber(
            run.notebook.parent,
            extra_dirs=[
                (Path(exports_dir).absolute(), "<exports>"),
                (paths.project_root(), "<project>"),
                (Path.cwd(), "<cwd>"),
            ],
        )
        clean = sanitize_notebook(
            execution.notebook, run, started=execution.started, finished=execution.finished, scrub=scrub
        )
        files = write_exports(clean, run, Path(exports_dir))
    except Exception as exc:  # a broken export fails this run only
        failure = Failure(None, "", "export failed: " + error_text(type(exc).__name__, str(exc)))
        return RunResult(run, failure, execution.started, datetime.now(timezone.utc))
    return RunResult(
        run, None, execution.started, datetime.now(timezone.utc), files=files, sources=tuple(notebook_sources(clean))
    )


def write_catalog_page(exports_dir: Path) -> tuple[str | None, str | None]:
    """Write the data catalog page with ``llmtrends.catalog.write_catalog``, if available.

    Parameters
    ----------
    exports_dir : pathlib.Path

    Returns
    -------
    (href, error) : tuple of (str or None, str or None)
        ``href`` is the link for the index (``None`` when there is no catalog
        page); ``error`` describes a failure. When writing fails, an existing
        catalog page is kept and still linked.
    """
    target = Path(exports_dir) / CATALOG_NAME
    try:
        from llmtrends.catalog import write_catalog
    except ImportError as exc:
        if exc.name in ("llmtrends.catalog", None) or "llmtrends.catalog" in str(exc):
            return None, None  # not written yet: no link
        return None, f"catalog not importable: {error_text(type(exc).__name__, str(exc))}"
    handle, temp_name = tempfile.mkstemp(dir=exports_dir, prefix=f".{CATALOG_NAME}.", suffix=".tmp.html")
    os.close(handle)
    temp = Path(temp_name)
    try:
        write_catalog(temp)
        os.chmod(temp, FILE_MODE)
        os.replace(temp, target)
    except Exception as exc:
        temp.unlink(missing_ok=True)
        href = CATALOG_NAME if target.is_file() else None
        return href, f"catalog failed: {error_text(type(exc).__name__, str(exc))}"
    return CATALOG_NAME, None


def run_batch(
    runs: Sequence[Run],
    *,
    exports_dir: Path,
    jobs: int | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    plan_runs: Sequence[Run] | None = None,
    emit: Emit | None = None,
) -> BatchResult:
    """Check, execute and export a batch of runs, then write the index.

    Parameters
    ----------
    runs : sequence of Run
        The runs to execute (all of the plan, or the ``--only`` selection).
    exports_dir : pathlib.Path
        Where exports, ``manifest.json``, ``index.html`` and the catalog go.
    jobs : int, optional
        Runs executed at once (default ``os.cpu_count()``).
    timeout : int, optional
        Seconds a single cell may run (default 600).
    plan_runs : sequence of Run, optional
        Every run of the plan, for the index (default ``runs``).
    emit : callable, optional
        Receives each progress / summary line (default: print to stdout).

    Returns
    -------
    BatchResult
        Use ``exit_status`` for the command's exit code.

    Raises
    ------
    ParameterError
        Before any kernel starts, if any run's parameters are wrong.

    Examples
    --------
    >>> result = run_batch(load_plan("notebooks/reports.yaml"), exports_dir=Path("exports"))  # doctest: +SKIP
    start vendor-share (vendor_share.ipynb)
    [1/1] vendor-share ok 4.1s
    ...
    """
    emit = emit or _printer()
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            emit(line)

    runs = list(runs)
    check_parameters(runs)
    exports_dir = Path(exports_dir)
    with exports_lock(exports_dir):
        return _run_locked(runs, exports_dir=exports_dir, jobs=jobs, timeout=timeout, plan_runs=plan_runs,
                           say=say)


def _run_locked(runs, *, exports_dir, jobs, timeout, plan_runs, say) -> BatchResult:
    """The batch proper, once the exports folder is ours (see :func:`run_batch`)."""
    records = load_manifest(exports_dir)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(runs) or 1))
    total = len(runs)
    batch = BatchResult()
    clock = time.perf_counter()

    kernels = KernelRegistry()

    def task(run: Run) -> RunResult:
        say(f"start {run.name} ({run.notebook_name})")
        return run_one(run, exports_dir=exports_dir, timeout=timeout, kernels=kernels)

    results: dict[str, RunResult] = {}
    say(f"running {total} report(s) with {jobs} job(s), timeout {timeout} s per cell")
    with _quiet_papermill():
        executor = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="llmtrends-run")
        try:
            futures = {executor.submit(task, run): run for run in runs}
            for done, future in enumerate(as_completed(futures), start=1):
                result = future.result()
                results[result.run.name] = result
                records[result.run.name] = run_record(
                    records.get(result.run.name),
                    run=result.run,
                    status=result.status,
                    finished=result.finished,
                    duration=result.duration,
                    failure=result.failure,
                    files=result.files,
                    sources=list(result.sources),
                    exports_dir=exports_dir,
                )
                save_manifest(exports_dir, records)
                line = f"[{done}/{total}] {result.run.name} {result.status} {result.duration:.1f}s"
                if result.failure is not None:
                    line += f": {result.failure.describe()}"
                say(line)
        except BaseException:
            # Ctrl-C: kernels live in their own session and did not get it; stop them
            # so the running threads end now, and publish nothing more
            kernels.stop_all()
            executor.shutdown(wait=True, cancel_futures=True)
            raise
        executor.shutdown(wait=True)

    batch.results = [results[run.name] for run in runs]
    catalog_href, batch.catalog_error = write_catalog_page(exports_dir)
    if batch.catalog_error:
        say(batch.catalog_error)
    batch.index_path = write_index(exports_dir, list(plan_runs or runs), records, catalog_href=catalog_href)
    batch.elapsed = time.perf_counter() - clock

    for line in summary_lines(batch, records):
        say(line)
    return batch


def summary_lines(batch: BatchResult, records=None) -> list[str]:
    """The closing lines of a batch: counts, then one line per failed run.

    Parameters
    ----------
    batch : BatchResult
    records : mapping, optional
        Manifest records, to say which earlier export of a failed run is kept.

    Returns
    -------
    list of str
    """
    ok = sum(1 for result in batch.results if result.ok)
    failed = batch.failed
    lines = [f"done: {ok} ok, {len(failed)} failed, {len(batch.results)} run(s) in {batch.elapsed:.1f}s"]
    for result in failed:
        line = f"FAILED {result.run.name} ({result.run.notebook_name}): {result.failure.describe()}"
        last_good = ((records or {}).get(result.run.name) or {}).get("last_good")
        if last_good:
            line += f" [kept last good export from {last_good.get('time')}]"
        lines.append(line)
    if batch.index_path is not None:
        lines.append(f"index: {batch.index_path}")
    return lines
