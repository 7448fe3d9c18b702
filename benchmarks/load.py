"""Load time of the fact base at scale (``make bench``; not part of ``make test``).

Builds synthetic fact bases of 10^3, 10^4 and 10^5 observation rows from the
real ones: data/ is copied to a temporary folder and every observation row is
replicated with a new ``obs_id`` and its period moved to another year (so each
replica is a distinct figure: share sums, consolidation and disagreement checks
see the same work per row as on the real data). Then, per size, in NEW
processes (nothing imported, nothing cached in memory):

- ``without cache``: ``LLMTRENDS_CACHE=off``, every row validated (as before the cache);
- ``first``: the first ``observations()`` call ever (no validated cache on disk:
  read, validate, build the frames, write the cache);
- ``cold``: a later new process (the validated cache on disk is reused);
- ``again``: a second ``observations()`` call in that process, nothing changed
  (the no-op load: every data file's state is checked, by content where its
  timestamps cannot be trusted), and within it the check alone (``check``).

Each figure is the median of ``--repeat`` processes and times the
``observations()`` call alone (imports excluded; they are measured by
benchmarks/batch.py). Target: cold <= 1.5 s at 10^5 rows.

Usage: ``.venv/bin/python benchmarks/load.py [--repeat N] [--sizes 1000,10000,100000]``
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_COLD_SECONDS = 1.5
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")

PROBE = """
import time, llmtrends.facts.datasets as d, llmtrends.facts.loading as l
t = time.perf_counter(); n = len(d.observations()); dt = time.perf_counter() - t
t = time.perf_counter(); d.observations(); again = time.perf_counter() - t
t = time.perf_counter(); l._loaded(); check = time.perf_counter() - t
print(n, dt, again, check)
"""


def _shift_period(period: str, replica: int) -> str:
    """The same period form, years moved to 2100 + 5 * replica + (year - 2020)."""
    return _YEAR.sub(lambda m: str(2100 + 5 * replica + int(m.group(1)) - 2020), period)


def synthetic_data(target: Path, rows: int) -> int:
    """Copy data/ to ``target`` and grow its observation files to about ``rows`` rows; return the count."""
    shutil.copytree(REPO / "data", target)
    files = sorted((target / "observations").glob("*.csv"))
    parsed = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            parsed.append((path, reader.fieldnames, list(reader)))
    real = sum(len(r) for _, _, r in parsed)
    replicas = max(1, -(-rows // real))
    total = 0
    written: set[str] = set()
    for path, header, records in parsed:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        for k in range(replicas):
            for rec in records:
                if total >= rows and k > 0:
                    break
                row = dict(rec)
                if k:
                    row["obs_id"] = f"{rec['obs_id']}-x{k}"
                    row["period"] = _shift_period(rec["period"], k)
                writer.writerow(row)
                written.add(row["obs_id"])
                total += 1
        path.write_text(out.getvalue(), encoding="utf-8")
    _replicate_declarations(target / "disagreements.yaml", replicas, written)
    return total


def _replicate_declarations(path: Path, replicas: int, written: set[str]) -> None:
    """Each replica's statements disagree as the real ones do: copy their declarations with the new obs_ids."""
    if not path.is_file():
        return
    import yaml
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    copies = []
    for k in range(1, replicas):
        for entry in entries:
            if not entry.get("obs_ids"):
                continue  # a source fact is declared once, whatever the number of rows
            copy = dict(entry, id=f"{entry['id']}-x{k}", obs_ids=[f"{o}-x{k}" for o in entry["obs_ids"]])
            if not set(copy["obs_ids"]) <= written:
                continue
            if copy.get("stands"):
                copy["stands"] = f"{entry['stands']}-x{k}"
            copies.append(copy)
    path.write_text(yaml.safe_dump(entries + copies, allow_unicode=True, sort_keys=False), encoding="utf-8")


def probe(data: Path, cache: Path | str) -> tuple[int, float, float, float]:
    """``(rows, first call, second call, no-change check)`` of a new process, in seconds."""
    env = dict(os.environ, LLMTRENDS_DATA=str(data), LLMTRENDS_CACHE=str(cache))
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=900)
    if done.returncode:
        raise SystemExit(f"loading {data} failed:\n{done.stderr[-3000:]}")
    out = done.stdout.split()
    return int(out[0]), float(out[1]), float(out[2]), float(out[3])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory(prefix="llmtrends-bench-load-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            data = Path(tmp) / f"data-{size}"
            synthetic_data(data, size)
            nocache, firsts, colds, agains, checks = [], [], [], [], []
            for i in range(args.repeat):
                cache = Path(tmp) / f"cache-{size}-{i}"
                nocache.append(probe(data, "off")[1])
                n, first, _, _ = probe(data, cache)
                firsts.append(first)
                _, cold, again, check = probe(data, cache)
                colds.append(cold)
                agains.append(again)
                checks.append(check)
            cold = statistics.median(colds)
            verdict = "OK" if size < 100_000 or cold <= TARGET_COLD_SECONDS else "MISS"
            ok &= verdict == "OK"
            print(f"observations() at {n:>7,} rows: without cache {statistics.median(nocache):6.2f} s   "
                  f"first {statistics.median(firsts):6.2f} s   cold (new process) {cold:6.2f} s   again "
                  f"{statistics.median(agains):6.3f} s (check {statistics.median(checks) * 1000:5.1f} ms)   "
                  f"[{verdict}]", flush=True)
    print(f"target: cold <= {TARGET_COLD_SECONDS} s at 100,000 rows")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
