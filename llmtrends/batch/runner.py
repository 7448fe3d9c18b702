"""Run a batch of reports: check, execute in parallel, export, index.

One Python process drives everything through the papermill and nbconvert
APIs. Runs execute in a thread pool: each thread starts its own kernel (a
separate process, where the notebook code actually runs) and waits on it, so
threads are enough to keep several kernels busy. A thread takes the next run
as soon as its kernel is done with the current one and starts that run's
kernel before rendering the current run's HTML, so the kernel boots meanwhile;
both HTML variants are rendered from the one executed notebook, with exporters
whose templates are compiled once per process (in the background, while the
first kernels start). Meanwhile another thread computes what the landing
page says from the data and the data catalog page (`_Landing`): they depend
on the data only, so the batch does not end with them. A failing run never
stops the others and never overwrites its last good export.

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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from llmtrends import paths
from llmtrends.batch import cache
from llmtrends.batch.clock import utc_iso, utc_now
from llmtrends.batch.console import Emit, _Printer, guarded, printer  # noqa: F401 (_Printer: tests)
from llmtrends.batch.execute import DEFAULT_TIMEOUT, MAX_OUTPUT_BYTES, Failure, KernelRegistry
from llmtrends.batch.execute import PreparedKernel, close_event_loop, prepare_kernel
from llmtrends.batch.index import INDEX_NAME, cached_content, write_index
from llmtrends.batch.lock import check_exports_dir, exports_lock, regular_inside
from llmtrends.batch.manifest import (
    MANIFEST_NAME,
    load_catalog_entry,
    load_index_entry,
    load_manifest,
    read_document,
    reused_record,
    run_record,
    save_manifest,
)
from llmtrends.batch.parameters import parameter_error, parameter_problems
from llmtrends.batch.pipeline import (  # noqa: F401 (RunResult, run_one: part of the runner's API)
    CATALOG_NAME,
    RunResult,
    _os_error_text,
    run_one,
    write_catalog_page,
)
from llmtrends.batch.plan import Run
from llmtrends.batch.render import ExportFiles, failed_notebook_name, warm_up
from llmtrends.batch.sanitize import make_scrubber

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


def run_batch(
    runs: Sequence[Run],
    *,
    exports_dir: Path,
    jobs: int | None = None,
    timeout: int = DEFAULT_TIMEOUT,
    max_output: int = MAX_OUTPUT_BYTES,
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
    max_output : int, optional
        Bytes of output a run's kernel may send before the run is stopped (default 20 MB).
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
    >>> run_batch(load_plan("notebooks/reports.yaml"), exports_dir=Path("exports")).exit_status  # doctest: +SKIP
    0
    """
    say = guarded(emit or printer())
    clock = time.perf_counter()
    runs = list(runs)
    # every folder once, absolute: the runner checks and hashes the data the kernels read
    exports_dir = check_exports_dir(Path(exports_dir).absolute())
    kernel_env = paths.kernel_environment()
    shared = cache.SharedInputs.collect(data_dir=Path(kernel_env["LLMTRENDS_DATA"]))
    inputs = {run.name: cache.run_inputs(run, shared) for run in runs}
    to_check, invalid = _first_look(runs, inputs, exports_dir, force=force, keep_going=keep_going)
    with exports_lock(exports_dir):
        locked = _LockedBatch(runs, exports_dir=exports_dir, plan_runs=plan_runs, say=say, force=force, shared=shared,
                              inputs=inputs, invalid=invalid, clock=clock, kernel_env=kernel_env)
        return locked.run(jobs=jobs, limits=(timeout, max_output), checked={run.name for run in to_check},
                          keep_going=keep_going, prune=(plan_runs is not None) if prune is None else prune)


def _first_look(runs, inputs, exports_dir: Path, *, force: bool, keep_going: bool):
    """``(runs to check, invalid runs)``: a look before the exports folder is locked, to know which runs' parameters
    to check (a bad parameter must stop the batch before anything is written)."""
    seen = load_manifest(exports_dir)
    to_check = [run for run in runs if not cache.decide(seen.get(run.name), inputs[run.name], exports_dir,
                                                        force=force).reuse]
    return to_check, _check(to_check, keep_going)


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


class _LockedBatch:
    """The batch proper, once the exports folder is ours (see :func:`run_batch`):
    decide -> execute the runs to rebuild in parallel -> record -> catalog and index."""

    def __init__(self, runs, *, exports_dir, plan_runs, say, force, shared, inputs, invalid, clock, kernel_env=None):
        self.runs, self.exports_dir, self.plan_runs, self.say, self.force = runs, exports_dir, plan_runs, say, force
        self.shared, self.inputs, self.invalid, self.clock = shared, inputs, dict(invalid or {}), clock
        self.kernel_env = kernel_env  # the kernels' environment (`paths.kernel_environment`)
        _clean_temp_files(exports_dir, say)
        document, problem = read_document(exports_dir)
        if problem:  # said once: every record is rebuilt from the exports on disk
            say(f"warning: {MANIFEST_NAME} not read ({problem}); the runs' records start afresh")
        self.records = load_manifest(exports_dir, document)
        self.catalog_entry = load_catalog_entry(exports_dir, document)
        self.index_entry = load_index_entry(exports_dir, document)
        self.batch = BatchResult()
        self.results: dict[str, RunResult] = {}

    def run(self, *, jobs, limits, checked, keep_going, prune) -> BatchResult:
        if prune:
            _remove_orphans(self.exports_dir, self.records, {run.name for run in (self.plan_runs or self.runs)},
                            self.say)
        to_build = self.decide(checked, keep_going)
        if len(to_build) < len(self.runs) or prune:
            self.record_manifest()
        pool = _Workers(to_build, self, jobs=jobs, limits=limits)
        landing = _Landing(self, pool.stopping).start()  # overlapped with the kernels, not after them
        pool.run()
        self.batch.results = [self.results[run.name] for run in self.runs]
        self.finish(to_build, *landing.outcome())
        return self.batch

    def record_manifest(self) -> None:
        """Save the manifest; a failure (full disk ...) is reported and the batch goes on."""
        try:
            save_manifest(self.exports_dir, self.records, catalog=self.catalog_entry, index=self.index_entry)
        except OSError as exc:
            message = f"cannot write {MANIFEST_NAME}: {_os_error_text(exc)}"
            if message not in self.batch.write_errors:
                self.batch.write_errors.append(message)
                self.say(f"error: {message}")

    def decide(self, checked, keep_going) -> list[Run]:
        """The authoritative decision, now that no other batch can write here: the runs to build.

        Invalid runs and reused ones get their result and manifest record here.
        """
        runs, records, say = self.runs, self.records, self.say
        decisions = {run.name: cache.decide(records.get(run.name), self.inputs[run.name], self.exports_dir,
                                            force=self.force) for run in runs}
        unchecked = [run for run in runs if not decisions[run.name].reuse and run.name not in (checked or ())]
        if unchecked:  # the manifest changed between the first look and the lock
            self.invalid.update(_check(unchecked, keep_going))
        now = utc_now()
        for run in runs:
            decision = decisions[run.name]
            if run.name in self.invalid:
                failure = Failure(None, "", "invalid parameters, not run: " + "; ".join(self.invalid[run.name]))
                self.results[run.name] = RunResult(run, failure, now, now)
                records[run.name] = run_record(records.get(run.name), run=run, status="failed", finished=now,
                                               duration=0.0, failure=failure, exports_dir=self.exports_dir)
                for problem in self.invalid[run.name]:
                    say(f"invalid {problem}")
            elif decision.reuse:
                records[run.name] = reused_record(records[run.name], run=run, checked=now)
                last_good = records[run.name]["last_good"]
                self.results[run.name] = RunResult(
                    run, None, now, now, files=ExportFiles.for_name(run.name),
                    sources=tuple(last_good.get("sources") or ()), reused_from=decision.built or "?",
                )
                say(f"reused {run.name}: up to date (export from {decision.built})")
            else:
                say(f"rebuild {run.name}: {decision.reason}")
        self.batch.invalid = self.invalid
        return [run for run in runs if not decisions[run.name].reuse and run.name not in self.invalid]

    def record(self, result: RunResult, done: int, total: int) -> None:
        """A finished run: its result, its manifest record (saved at once), its progress line."""
        self.results[result.run.name] = result
        self.records[result.run.name] = run_record(
            self.records.get(result.run.name), run=result.run, status=result.status, finished=result.finished,
            duration=result.duration, failure=result.failure, files=result.files, sources=list(result.sources),
            exports_dir=self.exports_dir, cache=result.cache, cell_seconds=result.cell_seconds,
            failed_notebook=result.failed_notebook,
        )
        self.record_manifest()
        line = f"[{done}/{total}] {result.run.name} {result.status} {result.duration:.1f}s"
        if result.failure is not None:
            line += f": {result.failure.describe()}"
        self.say(line)

    def finish(self, to_build: list[Run], content, catalog) -> None:
        """The catalog's outcome, the landing page's findings (both from `_Landing`), the index, the summary."""
        batch, say = self.batch, self.say
        catalog_href, catalog_entry, written, batch.catalog_error = catalog
        self.catalog_entry = catalog_entry
        if batch.catalog_error:
            say(batch.catalog_error)
        if to_build or written:
            _forget_keys_of_changed_inputs(to_build, self.records, self.inputs, catalog_entry if written else None, say)
        plan = list(self.plan_runs or self.runs)
        index_content, self.index_entry = content
        self.record_manifest()
        try:
            batch.index_path = write_index(self.exports_dir, plan, self.records, catalog_href=catalog_href,
                                           content=index_content)
        except OSError as exc:
            message = f"cannot write {INDEX_NAME}: {_os_error_text(exc)}"
            batch.write_errors.append(message)
            say(f"error: {message}")
        batch.elapsed = time.perf_counter() - self.clock
        for line in summary_lines(batch, self.records):
            say(line)


class _Landing:
    """The landing page's findings and the data catalog page, computed in a thread from the start of the batch.

    Both read the data only (no run's outcome changes them), so they are
    computed while the kernels run rather than after the last one: the runner
    process is otherwise idle then. The findings are reused from the manifest
    when data, source and environment are unchanged (`cached_content`), and the
    catalog page when its key and digest match (`_catalog`). A stopped batch
    (Ctrl-C) publishes no catalog page.
    """

    def __init__(self, batch: "_LockedBatch", stopping: threading.Event) -> None:
        self.batch, self.stopping = batch, stopping
        self.content: tuple | None = None
        self.catalog: tuple | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="llmtrends-landing", daemon=True)

    def start(self) -> "_Landing":
        self.thread.start()
        return self

    def _work(self) -> None:
        b = self.batch
        try:
            plan = list(b.plan_runs or b.runs)
            self.content = cached_content(plan, b.shared, None if b.force else b.index_entry)
            self.catalog = _catalog(b.exports_dir, b.shared, b.catalog_entry, force=b.force, stopped=self.stopping.is_set)
        except BaseException as exc:  # re-raised in the main thread by `outcome`
            self.error = exc

    def outcome(self) -> tuple[tuple, tuple]:
        """``(content, catalog)`` once computed: see `cached_content` and `_catalog`. Waits in short steps (Ctrl-C)."""
        while self.thread.is_alive():
            self.thread.join(0.2)
        if self.error is not None:
            raise self.error
        return self.content, self.catalog


class _Workers:
    """The runs to build, executed by ``jobs`` threads; each thread starts its next run's kernel while the
    current run's exports render."""

    def __init__(self, to_build: list[Run], batch: _LockedBatch, *, jobs, limits):
        self.to_build, self.batch, (self.timeout, self.max_output) = to_build, batch, limits
        self.jobs = max(1, min(jobs or os.cpu_count() or 1, len(to_build) or 1))
        self.kernels = KernelRegistry()
        self.pending = collections.deque(to_build)
        self.pending_lock = threading.Lock()
        self.stopping = threading.Event()
        self.outcomes: queue.Queue = queue.Queue()

    def claim(self) -> Run | None:
        with self.pending_lock:
            if self.stopping.is_set() or not self.pending:
                return None
            run = self.pending.popleft()
        self.batch.say(f"start {run.name} ({run.notebook_name})")
        return run

    def prepare(self, run: Run) -> PreparedKernel | None:
        try:
            return prepare_kernel(run.notebook.parent, kernels=self.kernels, env=self.batch.kernel_env)
        except Exception:  # execute_run starts one itself (and reports why if it fails)
            return None

    def worker(self) -> None:
        """Take runs until none is left; start each next kernel while the previous run's exports render.

        Whatever escapes (not a run failure: those are results) reaches the
        main thread through ``outcomes``, so that it never waits for a worker
        that is gone.
        """
        following: list = [None, None]  # the next run and its kernel
        try:
            run = self.claim()
            prepared = self.prepare(run) if run is not None else None
            while run is not None:
                following[:] = [None, None]

                def start_next() -> None:
                    following[0] = self.claim()
                    if following[0] is not None:
                        following[1] = self.prepare(following[0])

                result = run_one(run, exports_dir=self.batch.exports_dir, timeout=self.timeout, kernels=self.kernels,
                                 inputs=self.batch.inputs[run.name], prepared=prepared, after_execution=start_next,
                                 env=self.batch.kernel_env, max_output=self.max_output)
                self.outcomes.put(result)
                run, prepared = following
                following[:] = [None, None]
                if self.stopping.is_set() and prepared is not None:
                    prepared.dispose()
                    return
        except BaseException as exc:
            if following[1] is not None:
                following[1].dispose()
            self.outcomes.put(exc)
        finally:
            close_event_loop()  # the thread's, opened by the Jupyter clients: never left to the garbage collector

    def run(self) -> None:
        """Execute every run to build and record each as it finishes; Ctrl-C stops the kernels and publishes nothing more."""
        total, say = len(self.to_build), self.batch.say
        if self.to_build:
            say(f"running {total} report(s) with {self.jobs} job(s), timeout {self.timeout} s per cell")
        else:
            say(f"nothing to rebuild: {len(self.batch.runs)} report(s) up to date")
        warming = None
        with _quiet_papermill():
            executor = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="llmtrends-run")
            try:
                for _ in range(self.jobs if self.to_build else 0):
                    executor.submit(self.worker)
                if self.to_build:
                    # compile the export templates while the first kernels start, not after their cells
                    warming = threading.Thread(target=_warm_up_quietly, name="llmtrends-warm-up", daemon=True)
                    warming.start()
                for done in range(1, total + 1):
                    self.batch.record(_next_outcome(self.outcomes), done, total)
            except BaseException:
                # Ctrl-C: kernels live in their own session and did not get it; stop them
                # so the running threads end now, and publish nothing more
                self.stopping.set()
                self.kernels.stop_all()
                executor.shutdown(wait=True, cancel_futures=True)
                raise
            executor.shutdown(wait=True)
            if warming is not None:
                warming.join()


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


def _catalog(exports_dir: Path, shared: cache.SharedInputs, entry: Mapping[str, Any] | None, *, force: bool,
             stopped=lambda: False):
    """Write the catalog page unless it is up to date; return ``(href, cache entry, written, error)``.

    ``stopped()`` true once the page is computed: the batch was stopped, nothing is written.
    """
    key = cache.key_of(cache.catalog_inputs(shared))
    page = Path(exports_dir) / CATALOG_NAME
    if (not force and entry and entry.get("key") == key and entry.get("digest") and regular_inside(page)
            and cache.file_digest(page) == entry["digest"]):
        return CATALOG_NAME, dict(entry), False, None
    started = utc_now()
    href, error = write_catalog_page(exports_dir, stopped=stopped)
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
