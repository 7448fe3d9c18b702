"""Execute one run's notebook with papermill, in-process, and describe a failure.

`execute_run` never raises for a notebook problem: an exception in a cell, a
kernel that dies and a cell that times out all come back as a `Failure` naming
the cell (its 1-based position in the source notebook and its first line) and
the error (``ename: evalue``, no traceback, no colour codes).

Thread safety: `execute_run` may be called from several threads at once.
papermill's own ``cwd=`` argument calls :func:`os.chdir`, which changes the
working directory of the whole process; instead the kernel is started in the
notebook's folder through nbclient's ``resources["metadata"]["path"]``, so
the process's working directory is never touched.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Mapping

from llmtrends.batch.clock import utc_now
from llmtrends.batch.kernels import (  # noqa: F401 (re-exported: the kernels were part of this module)
    KERNEL_NAME,
    MAX_OUTPUT_BYTES,
    KernelRegistry,
    OutputBound,
    PreparedKernel,
    _KernelWatch,
    close_event_loop,
    prepare_kernel,
)
from llmtrends.batch.plan import Run

if TYPE_CHECKING:  # the Jupyter stack is imported when a notebook is executed, not with this module
    import nbformat

#: Seconds a single cell may run before the run fails (``--timeout``).
DEFAULT_TIMEOUT = 600
#: Seconds a kernel may take to start.
KERNEL_START_TIMEOUT = 60
#: Seconds the outputs of a cell may take to arrive once the kernel says the cell is done (nbclient's
#: ``iopub_timeout``, 4 s by default, failed runs whose large outputs were still arriving on a busy machine).
IOPUB_TIMEOUT = 60

_INJECTED_TAG = "injected-parameters"
_MAX_ERROR = 300


@dataclass(frozen=True)
class Failure:
    """Why a run failed.

    Attributes
    ----------
    cell : int or None
        1-based position of the failing cell among all cells of the source
        notebook; ``None`` when no cell is to blame (the kernel did not start,
        the export failed) or the injected parameters cell failed.
    cell_source : str
        The first non-blank line of the failing cell's source.
    error : str
        ``ename: evalue``, one line, without traceback or colour codes.
    """

    cell: int | None
    cell_source: str
    error: str

    def describe(self) -> str:
        """One line: ``cell 4 `raise ValueError(...)`: ValueError: boom``."""
        if self.cell is None and not self.cell_source:
            return self.error
        where = f"cell {self.cell}" if self.cell is not None else "cell"
        if self.cell_source:
            where += f" `{self.cell_source}`"
        return f"{where}: {self.error}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the manifest)."""
        return {"cell": self.cell, "cell_source": self.cell_source, "error": self.error}

    def scrubbed(self, scrub) -> "Failure":
        """The same failure with machine paths and names removed (see `sanitize.make_scrubber`)."""
        return Failure(self.cell, scrub(self.cell_source), scrub(self.error))


@dataclass(frozen=True)
class Execution:
    """The outcome of executing one run's notebook.

    Attributes
    ----------
    run : Run
    notebook : nbformat.NotebookNode or None
        The executed notebook (not yet sanitized) when the run succeeded.
    failure : Failure or None
        Set when the run failed.
    started, finished : datetime.datetime
        UTC times.
    partial : nbformat.NotebookNode or None
        When the run failed: the notebook as far as it executed (outputs up
        to the failing cell), for debugging; not sanitized.
    """

    run: Run
    notebook: nbformat.NotebookNode | None
    failure: Failure | None
    started: datetime
    finished: datetime
    partial: nbformat.NotebookNode | None = None

    @property
    def ok(self) -> bool:
        """Whether every cell ran without error."""
        return self.failure is None

    @property
    def duration(self) -> float:
        """Seconds from start to finish."""
        return (self.finished - self.started).total_seconds()


_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def strip_ansi(text: str) -> str:
    """Remove terminal colour codes from ``text`` (kernels colour their tracebacks)."""
    return _ANSI.sub("", text)


def one_line(text: str, limit: int = _MAX_ERROR) -> str:
    """Collapse ``text`` to one line without colour codes, at most ``limit`` characters."""
    text = " ".join(strip_ansi(str(text)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_line(source: str | list[str], limit: int = 80) -> str:
    """The first non-blank line of a cell's source, shortened to ``limit`` characters."""
    if isinstance(source, list):
        source = "".join(source)
    for line in source.splitlines():
        if line.strip():
            return one_line(line.strip(), limit)
    return ""


def error_text(ename: str, evalue: str) -> str:
    """``ename: evalue`` on one line (just ``ename`` when there is no value)."""
    ename, evalue = one_line(ename, 80), one_line(evalue)
    return f"{ename}: {evalue}" if evalue else ename


class _CellTracker:
    """Remembers the cells of the executed notebook as nbclient starts them."""

    def __init__(self) -> None:
        self.started: list[tuple[int, nbformat.NotebookNode]] = []
        self.notebook: nbformat.NotebookNode | None = None

    def on_notebook_start(self, notebook: nbformat.NotebookNode, **_: Any) -> None:
        self.notebook = notebook

    def on_cell_start(self, cell: nbformat.NotebookNode, cell_index: int, **_: Any) -> None:
        self.started.append((cell_index, cell))

    def locate(self, run: Run, cell_index: int | None = None) -> tuple[int | None, str]:
        """Position (1-based, in the source notebook) and first line of a started cell.

        ``cell_index`` is the index in the executed notebook; ``None`` means
        the cell that started last (the one running when the kernel died or
        the timeout hit).
        """
        if not self.started:
            return None, ""
        if cell_index is None:
            cell_index, cell = self.started[-1]
        else:
            found = [cell for index, cell in self.started if index == cell_index]
            if not found:
                return cell_index + 1, ""
            cell = found[-1]
        if _INJECTED_TAG in cell.get("metadata", {}).get("tags", []):
            return None, "(injected parameters)"
        return _source_position(run, cell, cell_index, self.started), first_line(cell.source)


def _source_position(run: Run, cell, cell_index: int, started) -> int:
    """Map an executed-notebook cell to its 1-based position in the source notebook."""
    cell_id = cell.get("id")
    if cell_id:
        import nbformat

        try:
            source = nbformat.read(str(run.notebook), as_version=4)
        except Exception:  # the file changed or vanished meanwhile; fall back to counting
            source = None
        if source is not None:
            for position, source_cell in enumerate(source.cells, start=1):
                if source_cell.get("id") == cell_id:
                    return position
    injected_before = sum(
        1 for index, other in started if index < cell_index and _INJECTED_TAG in other.get("metadata", {}).get("tags", [])
    )
    return cell_index + 1 - injected_before


def execute_run(
    run: Run,
    *,
    timeout: int = DEFAULT_TIMEOUT,
    kernel_name: str = KERNEL_NAME,
    kernels: KernelRegistry | None = None,
    prepared: PreparedKernel | None = None,
    env: Mapping[str, str] | None = None,
    max_output: int = MAX_OUTPUT_BYTES,
) -> Execution:
    """Execute a run's notebook with its parameters.

    Parameters
    ----------
    run : Run
        The run to execute.
    timeout : int, optional
        Seconds a single cell may run (default 600).
    kernel_name : str, optional
        Jupyter kernel to use (default ``python3``).
    kernels : KernelRegistry, optional
        Registers the kernel so that an interrupted batch can stop it.
    prepared : PreparedKernel, optional
        A kernel already started (by this thread) in the notebook's folder; it
        is used and then disposed of. One that does not fit the run is
        disposed of and a kernel is started as usual.
    env : mapping, optional
        The environment of a kernel started here (default: this process's;
        a batch gives `llmtrends.paths.kernel_environment`).
    max_output : int, optional
        Bytes of output the kernel may send before the run is stopped and
        fails with ``OutputLimitError`` (`OutputBound`).

    Returns
    -------
    Execution
        With the executed notebook on success, or a `Failure` describing the
        failing cell and error. Nothing is written to disk.

    Notes
    -----
    The kernel runs in the notebook's folder. Its own stdout/stderr (not the
    notebook's outputs) are discarded so that parallel runs do not interleave
    noise with the runner's progress lines.

    Examples
    --------
    >>> execution = execute_run(run, timeout=60)  # doctest: +SKIP
    >>> execution.ok, execution.failure  # doctest: +SKIP
    (False, Failure(cell=4, cell_source='raise ValueError("boom")', error='ValueError: boom'))
    """
    tracker = _CellTracker()
    if prepared is not None and not prepared.fits(run):
        prepared.dispose()
        prepared = None
    if prepared is not None:
        kernel = prepared.watch
        how: dict[str, Any] = {"km": prepared.manager}
    else:
        kernel = _KernelWatch(kernels, env)
        how = {"kernel_manager_class": kernel.manager_class()}
    kernel.bound = OutputBound(max_output)
    started = utc_now()
    try:
        notebook, failure = _papermill(run, tracker, kernel, how, timeout=timeout, kernel_name=kernel_name)
    finally:
        if prepared is not None:
            prepared.dispose()  # nbclient leaves a kernel it did not start to its owner
        elif kernels is not None:
            kernels.discard(kernel.process)
    if failure is not None and kernels is not None and kernels.stopped:
        failure = Failure(failure.cell, failure.cell_source, "interrupted: the batch was stopped")
    partial = tracker.notebook if failure is not None and not (kernels is not None and kernels.stopped) else None
    return Execution(run=run, notebook=notebook if failure is None else None, failure=failure, started=started,
                     finished=utc_now(), partial=partial)


def _papermill(run: Run, tracker: "_CellTracker", kernel, how: dict[str, Any], *, timeout: int,
               kernel_name: str) -> tuple[Any, Failure | None]:
    """Papermill's execution of the run: ``(notebook, None)``, or ``(None, failure)`` naming the cell and error."""
    import papermill

    try:
        notebook = papermill.execute_notebook(
            str(run.notebook),
            None,
            parameters=dict(run.parameters),
            kernel_name=kernel_name,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            start_timeout=KERNEL_START_TIMEOUT,
            execution_timeout=timeout,
            # every cell has run and its outputs are in: stop the kernel at once
            # rather than wait for it to wind down (nbclient's "graceful")
            shutdown_kernel="immediate",
            iopub_timeout=IOPUB_TIMEOUT,
            # the kernel's working directory, without a process-wide os.chdir
            resources={"metadata": {"path": str(run.notebook.parent)}},
            on_cell_start=tracker.on_cell_start,
            on_notebook_start=tracker.on_notebook_start,
            **how,
        )
        return notebook, None
    except Exception as exc:
        if kernel.bound.passed:  # the kernel was stopped for it: whatever nbclient says next is the consequence
            return None, Failure(*tracker.locate(run), kernel.bound.describe())
        return None, _failure(exc, run, tracker, kernel, timeout)


def _failure(exc: Exception, run: Run, tracker: "_CellTracker", kernel, timeout: int) -> Failure:
    """The `Failure` of an execution that raised ``exc``: the cell, and what happened in words."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        cell, source = tracker.locate(run, exc.cell_index)
        return Failure(cell, source, error_text(exc.ename, exc.evalue))
    cell, source = tracker.locate(run)
    if isinstance(exc, CellTimeoutError) and "IOPub" in str(exc):
        return Failure(cell, source, f"CellTimeoutError: the cell's outputs did not arrive within {IOPUB_TIMEOUT} s "
                                     "of its end")
    if isinstance(exc, CellTimeoutError):
        return Failure(cell, source, f"CellTimeoutError: the cell did not finish within {timeout} s")
    if isinstance(exc, DeadKernelError):
        return Failure(cell, source, f"DeadKernelError: the kernel died{kernel.exit_description()}")
    # the kernel did not start, an I/O error ...: still only this run fails
    return Failure(cell, source, error_text(type(exc).__name__, str(exc)))
