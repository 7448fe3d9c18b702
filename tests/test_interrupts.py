"""Batches that are stopped or collide: nothing half-written, no kernel left behind, no corruption."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from llmtrends.batch.lock import ExportsLocked, exports_lock

from .reports_fixture import write_plan
from .test_runner import run_cli

SLOW_PLAN = """\
reports:
  - name: slow-a
    notebook: sleeps.ipynb
    title: Slow A
    parameters: {seconds: 30}
  - name: slow-b
    notebook: sleeps.ipynb
    title: Slow B
    parameters: {seconds: 30}
"""


#: The command as a terminal starts it in the foreground, its signal handlers set explicitly: a test
#: run in the background from a script (`make test &` in sh), under nohup or by some CI wrappers
#: inherits SIGINT ignored, and a child started plainly would inherit that too and never see Ctrl-C.
CLI_WITH_DEFAULT_SIGNALS = (
    "import signal, sys\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "signal.signal(signal.SIGTERM, signal.SIG_DFL)\n"
    "from llmtrends.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def cli_process(*argv: str, **popen) -> subprocess.Popen:
    """``llmtrends ARGV`` in a child process whose SIGINT and SIGTERM handlers are the defaults, however the
    test itself was started."""
    return subprocess.Popen([sys.executable, "-c", CLI_WITH_DEFAULT_SIGNALS, *argv], **popen)


def _kernels_of(pid: int) -> list[int]:
    """Kernel processes whose command line mentions ipykernel and whose parent was ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if "ipykernel" in cmd and int(stat[1]) == pid:
            found.append(int(entry.name))
    return found


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("sig,status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_stopped_batch_leaves_no_half_written_file_and_no_kernel(tmp_path, sig, status):
    plan = write_plan(tmp_path / "plan", SLOW_PLAN, notebooks=("sleeps.ipynb",))
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "slow-a.html").write_text("previous good export", encoding="utf-8")
    proc = cli_process("run", "--plan", str(plan), "--exports", str(exports), "--jobs", "2",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: len(_kernels_of(proc.pid)) == 2, 60), "kernels did not start"
        kernels = _kernels_of(proc.pid)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == status, err
    assert "the batch was stopped" in err
    assert _wait_for(lambda: not any(Path(f"/proc/{k}").exists() for k in kernels), 10), "a kernel survived"
    leftovers = [p.name for p in exports.iterdir() if p.name not in ("slow-a.html", ".llmtrends.lock")]
    assert leftovers == [] or leftovers == ["manifest.json"], leftovers
    assert (exports / "slow-a.html").read_text(encoding="utf-8") == "previous good export"


def test_a_second_batch_on_the_same_exports_is_refused(tmp_path):
    plan = write_plan(tmp_path / "plan", SLOW_PLAN, notebooks=("sleeps.ipynb",))
    exports = tmp_path / "exports"
    with exports_lock(exports):
        status, out, err = run_cli("run", "--plan", str(plan), "--exports", str(exports))
    assert status == 2
    assert f"another llmtrends batch is writing to exports/ (pid {os.getpid()}" in err
    assert "--exports DIR" in err
    assert sorted(p.name for p in exports.iterdir()) == [".llmtrends.lock"], "the refused batch wrote nothing"


def test_the_lock_is_released_after_a_batch_and_after_a_crash(tmp_path):
    exports = tmp_path / "exports"
    with exports_lock(exports):
        pass
    with exports_lock(exports):  # released by the first holder
        pass
    code = textwrap.dedent(f"""
        import os
        from llmtrends.batch.lock import exports_lock
        with exports_lock(__import__('pathlib').Path({str(exports)!r})):
            os._exit(9)
    """)
    assert subprocess.run([sys.executable, "-c", code]).returncode == 9
    with exports_lock(exports):  # a crashed holder does not leave a stale lock
        pass


def test_lock_error_is_a_package_error():
    assert issubclass(ExportsLocked, Exception)
    from llmtrends.errors import LlmtrendsError
    assert issubclass(ExportsLocked, LlmtrendsError)


SIGINT_IGNORED = "import signal; print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)"
#: `command &` in a script (sh without job control: the command inherits SIGINT and SIGQUIT ignored),
#: under nohup (SIGHUP ignored, output to a file): how `make test &` runs from a script or a cron job.
BACKGROUND = 'log="$0/out.log"; dir="$1"; shift; (cd "$dir" && exec nohup "$@" > "$log" 2>&1) & wait $!; cat "$log"'


def _in_the_background(tmp_path: Path, folder: Path, *command: str) -> str:
    done = subprocess.run(["sh", "-c", BACKGROUND, str(tmp_path), str(folder), *command],
                          capture_output=True, text=True, timeout=600)
    return done.stdout


@pytest.mark.slow
def test_the_interrupt_tests_pass_when_started_in_the_background_from_a_script_under_nohup(tmp_path):
    """Defect (item 8): `make test &` from a script, nohup and some CI wrappers start the suite with SIGINT
    ignored; the SIGINT test's child inherited that, ran to the end and exited 0 instead of 130."""
    probe = _in_the_background(tmp_path, tmp_path, sys.executable, "-c", SIGINT_IGNORED)
    assert probe.strip().splitlines()[-1] == "True", f"the setup does not reproduce: SIGINT is not ignored: {probe}"
    out = _in_the_background(tmp_path, Path(__file__).parents[1], sys.executable, "-m", "pytest", "-q", "-p",
                             "no:cacheprovider", "tests/test_interrupts.py", "-k", "not background")
    summary = out.strip().splitlines()[-1]
    assert re.match(r"\d+ passed", summary) and "failed" not in summary and "error" not in summary, out
