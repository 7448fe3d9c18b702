"""How a report run moves between the ``llmtrends.batch`` modules (not part of ``make test``).

Prints two figures:

- the import graph: per module of ``llmtrends/reports/``, the other modules of
  the package it imports (at any depth, including imports inside functions);
- a traced batch of one real run (the ``greet`` test fixture, one kernel, a
  temporary exports folder): every call from one reports module into another,
  in order. ``driver hand-offs`` is the sequence of step modules ``batch``
  calls, consecutive calls to the same module counted once; ``back`` counts
  the hand-offs to an earlier step than the one before (the back-and-forth);
  ``step -> later step`` lists calls where a step's own module calls a later
  step's module (should be none: tests/test_flow.py pins the imports).

The step order is the one ``tests/test_flow.py`` pins.

    .venv/bin/python benchmarks/flow.py
"""
from __future__ import annotations

import ast
import collections
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_flow import HELPERS, ORDER, reports_imports  # noqa: E402

PREFIX = "llmtrends.batch."


def import_graph() -> None:
    print("import graph (module -> reports modules it imports):")
    for module in sorted(set(ORDER) | set(HELPERS)):
        print(f"  {module:11} -> {', '.join(sorted(reports_imports(module))) or '-'}")


def traced_run() -> None:
    from llmtrends.batch import Run, run_batch

    calls: list[tuple[str, str, str]] = []

    def profile(frame, event, arg):
        if event != "call":
            return
        callee = frame.f_globals.get("__name__", "")
        caller = frame.f_back.f_globals.get("__name__", "") if frame.f_back else ""
        if callee.startswith(PREFIX) and caller.startswith(PREFIX) and callee != caller:
            calls.append((caller[len(PREFIX):], callee[len(PREFIX):], frame.f_code.co_name))

    with tempfile.TemporaryDirectory() as tmp:
        notebook = Path(tmp) / "nb" / "greet.ipynb"
        notebook.parent.mkdir()
        notebook.write_bytes((ROOT / "tests" / "fixtures" / "notebooks" / "greet.ipynb").read_bytes())
        run = Run("greet", notebook, "Greeting", {"repeat": 1})
        sys.setprofile(profile)
        threading.setprofile(profile)
        try:
            run_batch([run], exports_dir=Path(tmp) / "exports", jobs=1, emit=lambda line: None)
        finally:
            sys.setprofile(None)
            threading.setprofile(None)

    pairs = collections.Counter((caller, callee) for caller, callee, _ in calls)
    print(f"traced batch of one run: {len(calls)} calls between reports modules")
    for (caller, callee), count in sorted(pairs.items()):
        print(f"  {caller:11} -> {callee:11} {count}")
    handoffs: list[str] = []
    for caller, callee, _ in calls:
        if caller == "batch" and callee in ORDER and (not handoffs or handoffs[-1] != callee):
            handoffs.append(callee)
    back = sum(1 for before, after in zip(handoffs, handoffs[1:]) if ORDER.index(after) < ORDER.index(before))
    print(f"driver hand-offs: {len(handoffs)} ({back} back to an earlier step): {' > '.join(handoffs)}")
    if "-v" in sys.argv:
        print("  " + "\n  ".join(f"{c} -> {m}.{n}" for c, m, n in calls if c == "batch"))
    later = sorted({f"{caller}.{callee}.{name}" for caller, callee, name in calls
                    if caller in ORDER and callee in ORDER and caller != "batch"
                    and ORDER.index(callee) > ORDER.index(caller)})
    print(f"step -> later step: {', '.join(later) or 'none'}")


if __name__ == "__main__":
    import_graph()
    traced_run()
