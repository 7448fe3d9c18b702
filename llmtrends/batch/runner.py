"""Run a batch of reports: check, execute in parallel, export, index.

One Python process drives everything through the papermill and nbconvert
APIs. Runs execute in a thread pool: each thread starts its own kernel (a
separate process, where the notebook code actually runs) and waits on it, so
threads are enough to keep several kernels busy. A thread takes the next run
as soon as its kernel is done with the current one and starts that run's
kernel before rendering the current run's HTML, so the kernel boots meanwhile;
both HTML variants are rendered from the one executed notebook, with exporters
whose templates are compiled once per process (in the background, while the
first kernels start). A failing run never stops the others and never
overwrites its last good export.

Runs whose inputs have not changed since their last good export are reused,
not executed (see `llmtrends.batch.cache`); ``force=True`` rebuilds them.
Deciding that reads files only: a batch with nothing to rebuild never imports
papermill, nbformat or nbconvert.
"""
from __future__ import annotations

import collections
import logging
import os
import queue
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from llmtrends import paths
from llmtrends.batch import cache
from llmtrends.batch.clock import utc_iso, utc_now
from llmtrends.batch.lock import check_exports_dir, exports_lock
from llmtrends.batch.execute import (
    DEFAULT_TIMEOUT,
    Execution,
    Failure,
    KernelRegistry,
    PreparedKernel,
    error_text,
    execute_run,
    prepare_kernel,
)
from llmtrends.batch.render import FILE_MODE, ExportFiles, failed_notebook_name, publish, warm_up, write_exports
from llmtrends.batch.index import INDEX_NAME, cached_content, write_index
from llmtrends.batch.manifest import (
    MANIFEST_NAME,
    load_catalog_entry,
    load_index_entry,
    load_manifest,
    reused_record,
    run_record,
    save_manifest,
)
from llmtrends.batch.parameters import parameter_error, parameter_problems
from llmtrends.batch.plan import Run
from llmtrends.batch.sanitize import make_scrubber, notebook_sources, sanitize_notebook

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
    invalid : dict of str to list of str
        With ``keep_going``: the runs left out for invalid parameters, and why.
    write_errors : list of str
        Files of the batch itself (manifest, index) that could not be written.
    """

    results: list[RunResult] = field(default_factory=list)
    index_path: Path | None = None
    catalog_error: str | None = None
    elapsed: float = 0.0
    invalid: dict[str, list[str]] = field(default_factory=dict)
    write_errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[RunResult]:
        """The runs that failed."""
        return [result for result in self.results if not result.ok]

    @property
    def reused(self) -> list[RunResult]:
        """The runs whose up-to-date exports were reused."""
        return [result for result in self.results if result.reused]

    @property
    def rebuilt(self) -> list[RunResult]:
        """The runs that were executed (successfully or not)."""
        return [result for result in self.results if not result.reused and result.run.name not in self.invalid]

    @property
    def exit_status(self) -> int:
        """2 when runs were left out as invalid (``keep_going``), 1 when any run, the catalog,
        the manifest or the index failed, else 0."""
        if self.invalid:
            return 2
        return 1 if self.failed or self.catalog_error or self.write_errors else 0


class _Printer:
    """Progress lines to a stream (stdout by default).

    Lines carry a UTC timestamp when the stream is not a terminal (a cron log,
    a file). A closed stream (``llmtrends run | head``) ends the output, not
    the batch: further lines are dropped and the batch finishes its runs.
    """

    def __init__(self, stream=None, timestamps: bool | None = None) -> None:
        self.stream = stream
        self.timestamps = timestamps
        self.closed = False

    def __call__(self, line: str) -> None:
        if self.closed:
            return
        target = self.stream or sys.stdout
        stamp = self.timestamps
        if stamp is None:
            try:
                stamp = not target.isatty()
            except (AttributeError, ValueError):
                stamp = True
        if stamp:
            line = f"{utc_iso(utc_now())} {line}"
        try:
            target.write(line + "\n")
            target.flush()
        except (BrokenPipeError, ValueError, OSError):
            self.closed = True
            _silence(target)


def _silence(stream) -> None:
    """Point a closed stdout/stderr at /dev/null, so that Python's exit-time flush does not fail."""
    try:
        fileno = stream.fileno()
    except (AttributeError, ValueError, OSError):
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fileno)
        os.close(devnull)
    except OSError:
        pass


def _printer(stream=None, timestamps: bool | None = None) -> Emit:
    return _Printer(stream, timestamps)


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

    Returns
    -------
    RunResult
        A failure while exporting is reported like an execution failure; in
        both cases the run's previous exports are left untouched.
    """
    execution: Execution = execute_run(run, timeout=timeout, kernels=kernels, prepared=prepared)
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


def write_catalog_page(exports_dir: Path) -> tuple[str | None, str | None]:
    """Write the data catalog page with ``llmtrends.stories.catalog.write_catalog``, if available.

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
        from llmtrends.stories.catalog import write_catalog
    except ImportError as exc:
        if exc.name in ("llmtrends.stories.catalog", None) or "llmtrends.stories.catalog" in str(exc):
            return None, None  # not written yet: no link
        return None, f"catalog not importable: {error_text(type(exc).__name__, str(exc))}"
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


def run_batch(
    runs: Sequence[Run],
    *,
    exports_dir: Path,
    jobs: int | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    plan_runs: Sequence[Run] | None = None,
    emit: Emit | None = None,
    force: bool = False,
    keep_going: bool = False,
    prune: bool | None = None,
) -> BatchResult:
    """Check, execute and export a batch of runs, then write the index.

    A run whose last good export is up to date (same cache key, files intact:
    see `llmtrends.batch.cache`) is reused instead of executed.

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
        Receives each progress / summary line (default: print to stdout,
        timestamped when stdout is not a terminal).
    force : bool, optional
        Rebuild every run (and the catalog) even when up to date.
    keep_going : bool, optional
        Runs with invalid parameters are reported and left out (recorded as
        failed, their last good export kept) instead of stopping the batch;
        ``exit_status`` is then 2.
    prune : bool, optional
        Remove the exports and manifest records of runs that are no longer in
        the plan (default: when ``plan_runs`` is given, i.e. the whole plan is known).

    Returns
    -------
    BatchResult
        Use ``exit_status`` for the command's exit code.

    Raises
    ------
    ExportsUnusable
        Before anything else, when ``exports_dir`` cannot be created or written.
    ParameterError
        Before any kernel starts, if any run to rebuild has wrong parameters
        (a reused run passed the same check with the same inputs), unless ``keep_going``.
    DataError
        Before any kernel starts, once, when the data the parameter checks read is broken.

    Examples
    --------
    >>> result = run_batch(load_plan("notebooks/reports.yaml"), exports_dir=Path("exports"))  # doctest: +SKIP
    rebuild vendor-share: no earlier export
    running 1 report(s) with 1 job(s), timeout 600 s per cell
    start vendor-share (vendor_share.ipynb)
    [1/1] vendor-share ok 4.1s
    ...
    """
    emit = emit or _printer()
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            try:
                emit(line)
            except (BrokenPipeError, ValueError, OSError):  # a closed output ends the output, not the batch
                pass

    clock = time.perf_counter()
    runs = list(runs)
    exports_dir = check_exports_dir(Path(exports_dir))
    shared = cache.SharedInputs.collect()
    inputs = {run.name: cache.run_inputs(run, shared) for run in runs}
    # a first look, before the exports folder is locked, only to know which runs to
    # check: a bad parameter must stop the batch before anything is written
    seen = load_manifest(exports_dir)
    to_check = [run for run in runs if not cache.decide(seen.get(run.name), inputs[run.name], exports_dir, force=force).reuse]
    invalid = _check(to_check, keep_going)
    with exports_lock(exports_dir):
        batch = _run_locked(runs, exports_dir=exports_dir, jobs=jobs, timeout=timeout, plan_runs=plan_runs,
                            say=say, force=force, shared=shared, inputs=inputs,
                            checked={run.name for run in to_check}, clock=clock, keep_going=keep_going,
                            invalid=invalid, prune=(plan_runs is not None) if prune is None else prune)
    return batch


def _check(runs: Sequence[Run], keep_going: bool) -> dict[str, list[str]]:
    """Parameter problems by run; raises them all at once unless ``keep_going``."""
    problems = parameter_problems(runs)
    if problems and not keep_going:
        raise parameter_error([problem for found in problems.values() for problem in found])
    return problems


def _clean_temp_files(exports_dir: Path, say) -> None:
    """Remove the temp files an interrupted batch (kill -9, full disk) left behind.

    Called with the exports lock held: no other batch is writing them.
    """
    for pattern in (".*.tmp", ".*.tmp.html"):
        for temp in Path(exports_dir).glob(pattern):
            try:
                temp.unlink()
            except OSError:
                continue
            say(f"removed {temp.name}: left by an interrupted batch")


def _remove_orphans(exports_dir: Path, records: dict, plan_names: set[str], say) -> None:
    """Forget runs that left the plan: their exports (only the files the manifest names) and records."""
    for name in sorted(set(records) - plan_names):
        record = records.pop(name)
        files = ExportFiles.for_name(name)
        for file_name in (files.html, files.analyst, files.notebook, failed_notebook_name(name)):
            try:
                (Path(exports_dir) / file_name).unlink(missing_ok=True)
            except OSError:
                pass
        say(f"removed {name}: no longer in the plan (its exports and manifest entry"
            f"{', last built ' + str(record.get('time')) if record.get('time') else ''})")


def _run_locked(runs, *, exports_dir, jobs, timeout, plan_runs, say, force=False, shared=None, inputs=None,
                checked=None, clock=None, keep_going=False, invalid=None, prune=False) -> BatchResult:
    """The batch proper, once the exports folder is ours (see :func:`run_batch`)."""
    clock = time.perf_counter() if clock is None else clock
    shared = shared or cache.SharedInputs.collect()
    inputs = inputs or {run.name: cache.run_inputs(run, shared) for run in runs}
    invalid = dict(invalid or {})
    _clean_temp_files(exports_dir, say)
    records = load_manifest(exports_dir)
    catalog_entry = load_catalog_entry(exports_dir)
    index_entry = load_index_entry(exports_dir)
    batch = BatchResult()
    results: dict[str, RunResult] = {}

    def record_manifest() -> None:
        """Save the manifest; a failure (full disk ...) is reported and the batch goes on."""
        try:
            save_manifest(exports_dir, records, catalog=catalog_entry, index=index_entry)
        except OSError as exc:
            message = f"cannot write {MANIFEST_NAME}: {_os_error_text(exc)}"
            if message not in batch.write_errors:
                batch.write_errors.append(message)
                say(f"error: {message}")

    if prune:
        _remove_orphans(exports_dir, records, {run.name for run in (plan_runs or runs)}, say)
    # the authoritative decision, now that no other batch can write here
    decisions = {run.name: cache.decide(records.get(run.name), inputs[run.name], exports_dir, force=force)
                 for run in runs}
    unchecked = [run for run in runs if not decisions[run.name].reuse and run.name not in (checked or ())]
    if unchecked:  # the manifest changed between the first look and the lock
        invalid.update(_check(unchecked, keep_going))
    to_build = [run for run in runs if not decisions[run.name].reuse and run.name not in invalid]
    now = utc_now()
    for run in runs:
        decision = decisions[run.name]
        if run.name in invalid:
            failure = Failure(None, "", "invalid parameters, not run: " + "; ".join(invalid[run.name]))
            results[run.name] = RunResult(run, failure, now, now)
            records[run.name] = run_record(records.get(run.name), run=run, status="failed", finished=now,
                                           duration=0.0, failure=failure, exports_dir=exports_dir)
            for problem in invalid[run.name]:
                say(f"invalid {problem}")
        elif decision.reuse:
            records[run.name] = reused_record(records[run.name], run=run, checked=now)
            last_good = records[run.name]["last_good"]
            results[run.name] = RunResult(
                run, None, now, now, files=ExportFiles.for_name(run.name),
                sources=tuple(last_good.get("sources") or ()), reused_from=decision.built or "?",
            )
            say(f"reused {run.name}: up to date (export from {decision.built})")
        else:
            say(f"rebuild {run.name}: {decision.reason}")
    batch.invalid = invalid
    if len(to_build) < len(runs) or prune:
        record_manifest()

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(to_build) or 1))
    total = len(to_build)
    kernels = KernelRegistry()
    pending = collections.deque(to_build)
    pending_lock = threading.Lock()
    stopping = threading.Event()
    outcomes: queue.Queue = queue.Queue()
    catalog_lock = threading.Lock()
    catalog_done: list = []  # the outcome of `_catalog`, once computed

    def catalog_once() -> None:
        """Write the catalog page (or find it up to date), once; the first worker out of runs does it."""
        with catalog_lock:
            if not catalog_done and not stopping.is_set():
                catalog_done.append(_catalog(exports_dir, shared, catalog_entry, force=force))

    def claim() -> Run | None:
        with pending_lock:
            if stopping.is_set() or not pending:
                return None
            run = pending.popleft()
        say(f"start {run.name} ({run.notebook_name})")
        return run

    def prepare(run: Run) -> PreparedKernel | None:
        try:
            return prepare_kernel(run.notebook.parent, kernels=kernels)
        except Exception:  # execute_run starts one itself (and reports why if it fails)
            return None

    def worker() -> None:
        """Take runs until none is left; start each next kernel while the previous run's exports render.

        Whatever escapes (not a run failure: those are results) reaches the
        main thread through ``outcomes``, so that it never waits for a worker
        that is gone.
        """
        following: list = [None, None]  # the next run and its kernel
        try:
            run = claim()
            prepared = prepare(run) if run is not None else None
            while run is not None:
                following[:] = [None, None]

                def start_next() -> None:
                    following[0] = claim()
                    if following[0] is not None:
                        following[1] = prepare(following[0])

                result = run_one(run, exports_dir=exports_dir, timeout=timeout, kernels=kernels,
                                 inputs=inputs[run.name], prepared=prepared, after_execution=start_next)
                outcomes.put(result)
                run, prepared = following
                following[:] = [None, None]
                if stopping.is_set() and prepared is not None:
                    prepared.dispose()
                    return
        except BaseException as exc:
            if following[1] is not None:
                following[1].dispose()
            outcomes.put(exc)
            return
        try:  # no run left for this worker: the catalog, while the other workers finish theirs
            catalog_once()
        except Exception:  # _catalog reports its own failures; anything else is retried below
            pass

    if to_build:
        say(f"running {total} report(s) with {jobs} job(s), timeout {timeout} s per cell")
    else:
        say(f"nothing to rebuild: {len(runs)} report(s) up to date")
    warming = None
    with _quiet_papermill():
        executor = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="llmtrends-run")
        try:
            for _ in range(jobs if to_build else 0):
                executor.submit(worker)
            if to_build:
                # compile the export templates while the first kernels start, not after their cells
                warming = threading.Thread(target=_warm_up_quietly, name="llmtrends-warm-up", daemon=True)
                warming.start()
            for done in range(1, total + 1):
                result = _next_outcome(outcomes)
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
                    cache=result.cache,
                    cell_seconds=result.cell_seconds,
                    failed_notebook=result.failed_notebook,
                )
                record_manifest()
                line = f"[{done}/{total}] {result.run.name} {result.status} {result.duration:.1f}s"
                if result.failure is not None:
                    line += f": {result.failure.describe()}"
                say(line)
        except BaseException:
            # Ctrl-C: kernels live in their own session and did not get it; stop them
            # so the running threads end now, and publish nothing more
            stopping.set()
            kernels.stop_all()
            executor.shutdown(wait=True, cancel_futures=True)
            raise
        executor.shutdown(wait=True)
        if warming is not None:
            warming.join()

    batch.results = [results[run.name] for run in runs]
    catalog_once()
    catalog_href, catalog_entry, written, batch.catalog_error = catalog_done[0]
    if batch.catalog_error:
        say(batch.catalog_error)
    if to_build or written:
        _forget_keys_of_changed_inputs(to_build, records, inputs, catalog_entry if written else None, say)
    # the page's findings: reused from the manifest when data, source and environment are unchanged
    index_content, index_entry = cached_content(list(plan_runs or runs), shared, None if force else index_entry)
    record_manifest()
    try:
        batch.index_path = write_index(exports_dir, list(plan_runs or runs), records, catalog_href=catalog_href,
                                       content=index_content)
    except OSError as exc:
        message = f"cannot write {INDEX_NAME}: {_os_error_text(exc)}"
        batch.write_errors.append(message)
        say(f"error: {message}")
    batch.elapsed = time.perf_counter() - clock

    for line in summary_lines(batch, records):
        say(line)
    return batch


def _next_outcome(outcomes: queue.Queue) -> RunResult:
    """The next finished run; re-raises what stopped a worker. Waits in short steps so Ctrl-C gets through."""
    while True:
        try:
            outcome = outcomes.get(timeout=0.2)
        except queue.Empty:
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def _warm_up_quietly() -> None:
    try:
        warm_up()
    except Exception:  # the first real render reports any problem with the templates
        pass


def _catalog(exports_dir: Path, shared: cache.SharedInputs, entry: Mapping[str, Any] | None, *, force: bool):
    """Write the catalog page unless it is up to date; return ``(href, cache entry, written, error)``."""
    key = cache.key_of(cache.catalog_inputs(shared))
    page = Path(exports_dir) / CATALOG_NAME
    if (not force and entry and entry.get("key") == key and entry.get("digest")
            and cache.file_digest(page) == entry["digest"]):
        return CATALOG_NAME, dict(entry), False, None
    started = utc_now()
    href, error = write_catalog_page(exports_dir)
    if error:  # published in the index and the log: no machine paths
        error = make_scrubber(paths.project_root(), extra_dirs=[(Path(exports_dir).absolute(), "<exports>"),
                                                                (paths.data_dir(), "<data>")])(error)
    if href is None or error:
        return href, None, False, error
    entry = {"key": key, "inputs": cache.catalog_inputs(shared), "digest": cache.file_digest(page),
             "time": utc_iso(started)}
    return href, entry, True, None


def _forget_keys_of_changed_inputs(built, records, inputs, catalog_entry, say) -> None:
    """Drop the cache keys of what was built while its inputs changed, so that it is rebuilt next time.

    A data file saved during the batch may or may not have been read by a
    kernel; its export must not be taken for one of either version.
    """
    after = cache.SharedInputs.collect()
    for run in built:
        record = records.get(run.name) or {}
        last_good = record.get("last_good") or {}
        if record.get("status") != "ok" or not last_good.get("key"):
            continue
        parts = cache.changed_parts(inputs[run.name], cache.run_inputs(run, after))
        if parts:
            last_good["key"] = None
            say(f"warning: {', '.join(parts)} changed while {run.name} was built; it will be rebuilt next time")
    if catalog_entry is not None and catalog_entry.get("inputs") != cache.catalog_inputs(after):
        catalog_entry["key"] = None


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
    lines = [
        f"done: {ok} ok, {len(failed)} failed, {len(batch.results)} run(s) in {batch.elapsed:.1f}s "
        f"({len(batch.rebuilt)} rebuilt, {len(batch.reused)} reused)"
    ]
    for result in failed:
        line = f"FAILED {result.run.name} ({result.run.notebook_name}): {result.failure.describe()}"
        last_good = ((records or {}).get(result.run.name) or {}).get("last_good")
        if last_good:
            line += f" [kept last good export from {last_good.get('time')}]"
        if result.failed_notebook:
            line += f" [executed notebook: {result.failed_notebook}]"
        lines.append(line)
    for message in batch.write_errors:
        lines.append(f"ERROR {message}")
    if batch.invalid:
        lines.append(f"{len(batch.invalid)} run(s) left out for invalid parameters (--keep-going): "
                     f"{', '.join(batch.invalid)}")
    if batch.index_path is not None:
        lines.append(f"index: {batch.index_path}")
    return lines
