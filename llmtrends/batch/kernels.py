"""The kernels of a batch: started quietly (ahead of their run), watched, bounded, stopped.

A kernel is started in its notebook's folder with the batch's environment
(`llmtrends.paths.kernel_environment`), registered so that an interrupted
batch can kill it (`KernelRegistry`), and its outputs are counted as they
arrive (`OutputBound`): a kernel that sends more than the bound is killed and
its run fails saying so. `execute` runs a notebook on one of them.

Thread safety: a `PreparedKernel` belongs to the thread that started it (its
manager lives on that thread's event loop); each thread closes its event loop
when it is done (`close_event_loop`).
"""
from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from llmtrends.batch.plan import Run

if TYPE_CHECKING:  # the Jupyter stack is imported when a kernel starts, not with this module
    from jupyter_client.manager import AsyncKernelManager

KERNEL_NAME = "python3"
#: Bytes of output (text, data, tracebacks) a run's kernel may send before the run is stopped
#: (``--max-output``): a report's exports are a few megabytes; 200 MB of prints is a bug, not a report.
MAX_OUTPUT_BYTES = 20_000_000


class KernelRegistry:
    """The kernel processes of a batch, so an interrupted batch can stop them.

    Kernels are started in their own session (jupyter_client does that), so a
    Ctrl-C in the terminal does not reach them; `stop_all` kills them, which
    makes their runs fail quickly instead of running to the end.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: set[subprocess.Popen] = set()
        self._stopped = threading.Event()

    @property
    def stopped(self) -> bool:
        """Whether `stop_all` was called."""
        return self._stopped.is_set()

    def add(self, process: subprocess.Popen) -> None:
        """Register a started kernel (killed at once if the batch is stopping)."""
        with self._lock:
            if self._stopped.is_set():
                _kill(process)
            self._processes.add(process)

    def discard(self, process: subprocess.Popen | None) -> None:
        """Forget a kernel that has been shut down."""
        with self._lock:
            self._processes.discard(process)

    def stop_all(self) -> None:
        """Kill every registered kernel and refuse new ones."""
        with self._lock:
            self._stopped.set()
            for process in self._processes:
                _kill(process)


def _kill(process: subprocess.Popen) -> None:
    try:
        process.kill()
    except OSError:  # already gone
        pass


class OutputBound:
    """The bytes of output a run's kernel has sent; past ``limit`` its kernel is stopped.

    Every output message is counted as it arrives (stream text, display data,
    tracebacks); the message that passes the bound is replaced by a one-line
    note, the kernel is killed, and the run fails with `describe` instead of
    holding, scrubbing and publishing the whole output (or waiting for a
    timeout).
    """

    def __init__(self, limit: int = MAX_OUTPUT_BYTES) -> None:
        self.limit, self.total, self.passed = limit, 0, False

    def admit(self, msg: dict, watch: "_KernelWatch") -> dict:
        content = msg.get("content") or {}
        kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
        if kind not in ("stream", "display_data", "execute_result", "update_display_data", "error"):
            return msg
        self.total += _size(content)
        if self.passed or self.total <= self.limit:
            return msg
        self.passed = True
        if watch.process is not None:
            _kill(watch.process)
        note = f"[output stopped: the run's outputs passed {_megabytes(self.limit)}]\n"
        msg["msg_type"] = msg["header"]["msg_type"] = "stream"
        msg["content"] = {"name": "stderr", "text": note}
        return msg

    def describe(self) -> str:
        return (f"OutputLimitError: the outputs passed {_megabytes(self.limit)} ({self.total:,} bytes so far), "
                "so the run was stopped; a report keeps its outputs small (write large data to a file), "
                "or pass --max-output MB")


def _megabytes(count: int) -> str:
    return f"{count / 1e6:g} MB"


def _size(content: Any) -> int:
    """Characters of text in a message's content (the strings of its text, data and traceback)."""
    if isinstance(content, str):
        return len(content)
    if isinstance(content, dict):
        return sum(_size(value) for value in content.values())
    if isinstance(content, (list, tuple)):
        return sum(_size(value) for value in content)
    return 0


class _KernelWatch:
    """Starts the kernel quietly and remembers its process (for its exit status); bounds its outputs."""

    def __init__(self, registry: KernelRegistry | None = None, env: Mapping[str, str] | None = None) -> None:
        self.process: subprocess.Popen | None = None
        self.registry = registry
        self.env = dict(env) if env is not None else None
        self.clients: list[Any] = []
        self.bound = OutputBound()

    def manager_class(self) -> type[AsyncKernelManager]:
        from jupyter_client.manager import AsyncKernelManager

        watch = self

        class RunKernelManager(AsyncKernelManager):
            """Kernel manager whose kernel does not write to the runner's terminal."""

            async def start_kernel(self, **kw: Any) -> None:
                kw.setdefault("stdout", subprocess.DEVNULL)
                kw.setdefault("stderr", subprocess.DEVNULL)
                if watch.env is not None:  # the batch's folders, absolute (see llmtrends.paths.kernel_environment)
                    kw["env"] = dict(watch.env)
                await super().start_kernel(**kw)
                watch.process = getattr(self.provisioner, "process", None)
                if watch.registry is not None and watch.process is not None:
                    watch.registry.add(watch.process)

            def client(self, **kw: Any):
                client = super().client(**kw)
                watch.clients.append(client)  # closed by PreparedKernel.dispose when nbclient does not
                base = client.iopub_channel_class

                class BoundedIOPubChannel(base):  # every output message passes `OutputBound.admit`
                    async def get_msg(self, timeout: float | None = None) -> dict:
                        return watch.bound.admit(await super().get_msg(timeout), watch)

                client.iopub_channel_class = BoundedIOPubChannel
                return client

        return RunKernelManager

    def exit_description(self) -> str:
        process = self.process
        if process is None:
            return ""
        try:
            code = process.poll()
        except Exception:
            return ""
        if code is None:
            return ""
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            hint = ", often out of memory" if name == "SIGKILL" else ""
            return f" (killed by {name}{hint})"
        return f" (exit status {code})"


class PreparedKernel:
    """A kernel started ahead of the run that will use it (see `prepare_kernel`).

    Its kernel boots while the thread that started it does other work (the
    previous run's exports); `execute_run` then executes the run on it and
    disposes of it. Use it from the thread that started it: its kernel manager
    belongs to that thread's event loop.
    """

    def __init__(self, cwd: Path, watch: _KernelWatch, manager: Any) -> None:
        self.cwd = Path(cwd)
        self.watch = watch
        self.manager = manager

    def fits(self, run: Run) -> bool:
        """Whether the kernel can serve ``run``: started in its notebook's folder and still there."""
        return self.manager is not None and self.cwd == Path(run.notebook).parent

    def dispose(self) -> None:
        """Close its client channels and stop the kernel now (a second call does nothing)."""
        from jupyter_core.utils import run_sync

        manager, self.manager = self.manager, None
        if manager is None:
            return
        for client in self.watch.clients:
            try:
                client.stop_channels()
            except Exception:  # already closed
                pass
        self.watch.clients.clear()
        process = self.watch.process
        if process is not None and process.poll() is None:
            # what shutdown_kernel(now=True) does, minus its 0.1 s polling for the exit:
            # SIGKILL to the kernel's process group (its own session), then reap it
            try:
                os.killpg(process.pid, signal.SIGKILL) if os.getpgid(process.pid) == process.pid else process.kill()
                process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            run_sync(manager.shutdown_kernel)(now=True)
        except Exception:  # a dead or half-started kernel: make sure, then forget it
            if self.watch.process is not None:
                _kill(self.watch.process)
            try:
                run_sync(manager.cleanup_resources)()
            except Exception:
                pass
        finally:
            if self.watch.registry is not None:
                self.watch.registry.discard(self.watch.process)


def close_event_loop() -> None:
    """Close the calling thread's asyncio event loop, if it has one that is not running.

    The Jupyter clients (through ``jupyter_core.utils.run_sync``) open one
    event loop per thread and never close it: left to the garbage collector,
    each loop and its two sockets are reported as unclosed (``ResourceWarning``,
    an error under ``PYTHONWARNINGS=error``). A batch's threads call this last.
    """
    import asyncio
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # get_event_loop() without a loop (3.12+)
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:  # no loop in this thread
            return
    if loop.is_running() or loop.is_closed():
        return
    try:
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def prepare_kernel(
    cwd: Path, *, kernels: KernelRegistry | None = None, kernel_name: str = KERNEL_NAME,
    env: Mapping[str, str] | None = None,
) -> PreparedKernel:
    """Start a kernel in ``cwd`` for a run that this thread will execute later.

    Parameters
    ----------
    cwd : pathlib.Path
        The folder of the notebook the kernel will run.
    kernels : KernelRegistry, optional
        Registers the kernel so that an interrupted batch stops it too.
    kernel_name : str, optional
    env : mapping, optional
        The kernel's environment (default: this process's).

    Returns
    -------
    PreparedKernel
        Launched, not waited for: the kernel boots in the background.
    """
    from jupyter_core.utils import run_sync

    watch = _KernelWatch(kernels, env)
    manager = watch.manager_class()(kernel_name=kernel_name)
    prepared = PreparedKernel(Path(cwd), watch, manager)
    try:
        # the same arguments nbclient gives a kernel it starts itself
        run_sync(manager.start_kernel)(cwd=str(cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"])
    except BaseException:
        prepared.dispose()
        raise
    return prepared
