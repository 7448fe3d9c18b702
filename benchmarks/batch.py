"""Speed and memory of the report batch (``make bench``; not part of ``make test``).

Builds the real plan (notebooks/reports.yaml) several ways in one session and
prints one line per figure, each the median of ``--repeat`` repetitions:

- cold batch: ``llmtrends run --force --jobs 2`` into an empty folder;
- the naive baseline over the same plan: per run the ``papermill`` command,
  then one ``jupyter nbconvert --to html`` per HTML variant (with and without
  ``--no-input``), serially; and the ratio ours / naive;
- no-op rebuild (nothing changed) and its share of the cold batch;
- rebuild after one data edit (one row of a temporary copy of data/);
- per-run overhead: a run's wall time (kernel to exports published) minus the
  time its cells spent executing, from the manifest of the cold batches;
- ``python -c "import llmtrends"`` against ``python -c "import pandas"``, and
  the first ``observations()`` call;
- peak memory of the batch, and the size of the largest export.

Every batch reads a temporary copy of data/ (``LLMTRENDS_DATA``) and writes
to temporary folders: the real data and exports/ are never touched.

Usage: ``.venv/bin/python benchmarks/batch.py [--repeat N] [--jobs J]``
(about 8 minutes at ``--repeat 3``, mostly the naive baseline).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin/: python, llmtrends, papermill, jupyter
PLAN = REPO / "notebooks" / "reports.yaml"
EDITED_FILE = "observations/000_dff873e1b34121a2.csv"
EDITED_TEXT = "USD 3.5 billion"

COMMAND_TIMEOUT = 600  # seconds; no single command of the session should come near it

TARGET_RATIO = 0.35
TARGET_NOOP_SECONDS = 1.5
TARGET_NOOP_SHARE = 0.05
TARGET_OVERHEAD = 1.0
TARGET_IMPORT_RATIO = 1.3
TARGET_OBSERVATIONS_MS = 100
TARGET_PEAK_GB = 1.5
TARGET_EXPORT_MB = 2.0


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISS"


def median(values) -> float:
    return statistics.median(values)


# -- process tree memory ------------------------------------------------------------------------

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with ipykernel
    psutil = None

MEMORY_METHOD = (
    "psutil, RSS of the batch process and all its descendants summed, sampled every 50 ms"
    if psutil is not None
    else "/proc, RSS of the batch process and all its descendants summed, sampled every 50 ms"
)


def _tree_rss(pid: int) -> int:
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                pass
        return total
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            pages = int((entry / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = pages * page
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total


class PeakMemory:
    """Samples the summed RSS of a process tree until stopped."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


# -- commands -----------------------------------------------------------------------------------


def timed(cmd: list[str], env: dict[str, str], *, measure_memory: bool = False, cwd: Path | None = None):
    """Run ``cmd``; return (seconds, stdout, peak bytes). Fails loudly on a non-zero exit."""
    started = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = PeakMemory(process.pid) if measure_memory else None
    try:
        out, err = process.communicate(timeout=COMMAND_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise SystemExit(f"command did not finish within {COMMAND_TIMEOUT} s: {' '.join(cmd)}\n{out}\n{err}")
    seconds = time.perf_counter() - started
    peak = sampler.stop() if sampler else 0
    if process.returncode != 0:
        raise SystemExit(f"command failed ({process.returncode}): {' '.join(cmd)}\n{out}\n{err}")
    return seconds, out, peak


def counts(out: str) -> tuple[int, int]:
    match = re.search(r"\((\d+) rebuilt, (\d+) reused\)", out)
    if not match:
        raise SystemExit(f"unexpected output of llmtrends run:\n{out}")
    return int(match.group(1)), int(match.group(2))


def llmtrends_run(exports: Path, env: dict[str, str], jobs: int, *extra: str, memory: bool = False):
    cmd = [str(BIN / "llmtrends"), "run", "--jobs", str(jobs), "--exports", str(exports), *extra]
    return timed(cmd, env, measure_memory=memory)


def load_runs():
    from llmtrends.batch.plan import load_plan

    return load_plan(PLAN)


def naive_batch(runs, work: Path, env: dict[str, str]) -> float:
    """The plan built step by step with the command-line tools, one after another."""
    import yaml

    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for run in runs:
        executed = work / f"{run.name}.ipynb"
        timed([str(BIN / "papermill"), str(run.notebook), str(executed), "-k", "python3", "--cwd",
               str(run.notebook.parent), "--no-progress-bar", "-y", yaml.safe_dump(dict(run.parameters)) or "{}"],
              env)
        timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(executed), "--output-dir", str(work),
               "--output", f"{run.name}.analyst"], env)
        timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed), "--output-dir",
               str(work), "--output", run.name], env)
    return time.perf_counter() - started


def python_c(code: str, env: dict[str, str]) -> tuple[float, str]:
    seconds, out, _ = timed([sys.executable, "-c", code], env)
    return seconds, out


# -- the session --------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per figure (default 3)")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the batch (default 2)")
    args = parser.parse_args(argv)
    repeat, jobs = max(1, args.repeat), args.jobs

    runs = load_runs()
    scratch = Path(tempfile.mkdtemp(prefix="llmtrends-bench-"))
    data = scratch / "data"
    shutil.copytree(REPO / "data", data)
    env = dict(os.environ, LLMTRENDS_DATA=str(data))
    edited = data / EDITED_FILE
    original = edited.read_text(encoding="utf-8")
    if EDITED_TEXT not in original.splitlines()[1]:
        raise SystemExit(f"cannot find {EDITED_TEXT!r} in the first row of {EDITED_FILE}")

    print(f"llmtrends batch benchmark: {len(runs)} runs of {PLAN.relative_to(REPO)}, --jobs {jobs}, "
          f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {repeat}", flush=True)
    try:
        import importlib.metadata as metadata

        versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("jsonschema", "nbformat", "nbconvert",
                                                                            "papermill"))
        seconds, _ = python_c("import nbformat", env)
        print(f"  context: python -c 'import nbformat' takes {seconds:.1f} s here ({versions})", flush=True)
        import importlib.util

        source = REPO / "llmtrends" / "facts" / "records.py"
        compiled = Path(importlib.util.cache_from_source(str(source)))
        fresh = compiled.is_file() and compiled.stat().st_mtime >= source.stat().st_mtime
        print(f"  context: PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}, llmtrends "
              f"bytecode {'compiled (make runs compileall)' if fresh else 'NOT compiled: every process compiles it'}",
              flush=True)

        # cold batches (each into an empty folder), with memory
        cold, peaks, overheads, amortized = [], [], [], []
        exports = None
        for index in range(repeat):
            exports = scratch / f"cold-{index}"
            seconds, out, peak = llmtrends_run(exports, env, jobs, "--force", memory=True)
            rebuilt, _ = counts(out)
            assert rebuilt == len(runs), out
            cold.append(seconds)
            peaks.append(peak)
            records = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))["runs"]
            overheads += [record["duration"] - record["cell_seconds"] for record in records.values()]
            cell_total = sum(record["cell_seconds"] for record in records.values())
            amortized.append((seconds * jobs - cell_total) / len(records))
        cold_median = median(cold)
        print(f"cold batch (llmtrends run --force, --jobs {jobs}): median {cold_median:.1f} s over {repeat} "
              f"(min {min(cold):.1f}, max {max(cold):.1f}) [target: ours/naive <= {TARGET_RATIO}, below]", flush=True)

        # the naive baseline over the same plan (the long part of the session)
        naive = [naive_batch(runs, scratch / f"naive-{index}", env) for index in range(repeat)]
        naive_median = median(naive)
        ratio = cold_median / naive_median
        print(f"naive baseline (papermill, then jupyter nbconvert --to html with and without --no-input, per run, "
              f"serially): median {naive_median:.1f} s over {repeat}; ours/naive {ratio:.2f} "
              f"[target <= {TARGET_RATIO}] {verdict(ratio <= TARGET_RATIO)}", flush=True)

        # no-op rebuilds on the last cold export folder
        noop = []
        for _ in range(repeat):
            seconds, out, _ = llmtrends_run(exports, env, jobs)
            assert counts(out) == (0, len(runs)), out
            noop.append(seconds)
        noop_median = median(noop)
        share = noop_median / cold_median
        print(f"no-op rebuild (llmtrends run, nothing changed, {len(runs)} reused): median {noop_median:.2f} s over "
              f"{repeat}, {share:.1%} of the cold batch [target <= {TARGET_NOOP_SECONDS} s and <= "
              f"{TARGET_NOOP_SHARE:.0%}] {verdict(noop_median <= TARGET_NOOP_SECONDS and share <= TARGET_NOOP_SHARE)}",
              flush=True)

        # one data row edited before each rebuild
        edits, rebuilt_counts = [], []
        lines = original.splitlines(keepends=True)
        for index in range(repeat):
            lines[1] = original.splitlines(keepends=True)[1].replace(
                EDITED_TEXT, f"{EDITED_TEXT} (benchmark edit {index + 1})", 1)
            edited.write_text("".join(lines), encoding="utf-8")
            seconds, out, _ = llmtrends_run(exports, env, jobs)
            rebuilt_counts.append(counts(out)[0])
            edits.append(seconds)
        edited.write_text(original, encoding="utf-8")
        print(f"rebuild after one data edit (one row of {EDITED_FILE}; {max(rebuilt_counts)} of {len(runs)} runs "
              f"rebuilt, every run's key covers all data): median {median(edits):.1f} s over {repeat}, "
              f"{median(edits) / cold_median:.0%} of the cold batch [no target]", flush=True)

        overhead = median(overheads)
        print(f"per-run overhead (run wall time, kernel to exports published, minus its cells' execution time; "
              f"median of {len(overheads)} runs): {overhead:.2f} s, range {min(overheads):.2f}-{max(overheads):.2f} "
              f"[target <= {TARGET_OVERHEAD} s] {verdict(overhead <= TARGET_OVERHEAD)}; "
              f"batch-amortized ((wall x jobs - cell time) / runs, start-up included): {median(amortized):.2f} s",
              flush=True)

        # imports and the first data access, in fresh interpreters
        samples = max(5, 2 * repeat + 1)
        ours = [python_c("import llmtrends", env)[0] for _ in range(samples)]
        theirs = [python_c("import pandas", env)[0] for _ in range(samples)]
        ratio = median(ours) / median(theirs)
        print(f"import llmtrends vs import pandas (python -c, wall, median of {samples}): {median(ours):.3f} s vs "
              f"{median(theirs):.3f} s = {ratio:.2f}x [target <= {TARGET_IMPORT_RATIO}x] "
              f"{verdict(ratio <= TARGET_IMPORT_RATIO)}", flush=True)

        probe = ("import time, pandas, llmtrends; t = time.perf_counter(); llmtrends.observations(); "
                 "print(time.perf_counter() - t)")
        cold_probe = ("import time, llmtrends; t = time.perf_counter(); llmtrends.observations(); "
                      "print(time.perf_counter() - t)")
        first = [float(python_c(probe, env)[1]) * 1000 for _ in range(samples)]
        with_pandas = [float(python_c(cold_probe, env)[1]) * 1000 for _ in range(samples)]
        print(f"first observations() in a fresh process (pandas already imported; reads, validates and frames "
              f"data/): median {median(first):.0f} ms of {samples} [target <= {TARGET_OBSERVATIONS_MS} ms] "
              f"{verdict(median(first) <= TARGET_OBSERVATIONS_MS)}; including its lazy pandas import: "
              f"{median(with_pandas):.0f} ms", flush=True)

        peak_gb = max(peaks) / 1e9
        print(f"peak memory of the cold batch (--jobs {jobs}; {MEMORY_METHOD}): max {peak_gb:.2f} GB over {repeat} "
              f"(median {median(peaks) / 1e9:.2f}) [target <= {TARGET_PEAK_GB} GB] {verdict(peak_gb <= TARGET_PEAK_GB)}",
              flush=True)

        largest = max((path for path in exports.iterdir() if path.suffix in (".html", ".ipynb")),
                      key=lambda path: path.stat().st_size)
        size_mb = largest.stat().st_size / 1e6
        print(f"largest export: {largest.name} {size_mb:.2f} MB [target every export <= {TARGET_EXPORT_MB} MB] "
              f"{verdict(size_mb <= TARGET_EXPORT_MB)}", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
