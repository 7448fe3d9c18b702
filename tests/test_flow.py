"""A report run flows one way: no step's module imports a module of a later step.

The order is listed once, here (and described in ``llmtrends/reports/__init__.py``).
A module may import a module of an earlier step, never one of a later step, and
never the driver (``batch``); the helpers import no ``llmtrends.reports`` module
at all, so any step may use them. A new module in ``llmtrends/reports/`` must be
placed in this list, so the direction can only be kept or improved.
"""
from __future__ import annotations

import ast
from datetime import datetime, timedelta, timezone
from pathlib import Path

import llmtrends.reports as reports
from llmtrends.reports.clock import utc_iso

# step -> the modules that own it, in the order a run goes through them
FLOW = (
    ("plan", ("plan",)),
    ("check", ("parameters",)),
    ("decide", ("cache",)),
    ("execute", ("execute",)),
    ("clean", ("sanitize",)),
    ("render and publish", ("export",)),
    ("record", ("manifest", "index")),
    ("drive", ("batch",)),
)
# leaves any step may use: the clock, the exports-folder lock, the in-notebook API
HELPERS = ("clock", "lock", "sources")

ORDER = [module for _, modules in FLOW for module in modules]
PACKAGE_DIR = Path(reports.__file__).parent


def reports_imports(module: str) -> dict[str, int]:
    """The ``llmtrends.reports`` modules ``module`` imports (at any depth), with a line of each."""
    tree = ast.parse((PACKAGE_DIR / f"{module}.py").read_text(encoding="utf-8"))
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "llmtrends.reports":
                names = [alias.name for alias in node.names]
            elif node.module.startswith("llmtrends.reports."):
                names = [node.module.split(".")[2]]
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{module}.py line {node.lineno}: relative import; write llmtrends.reports.<module>")
        elif isinstance(node, ast.Import):
            names = [alias.name.split(".")[2] for alias in node.names
                     if alias.name.startswith("llmtrends.reports.")]
        for name in names:
            found.setdefault(name, node.lineno)
    return found


def test_every_reports_module_has_a_place_in_the_flow():
    on_disk = {path.stem for path in PACKAGE_DIR.glob("*.py")} - {"__init__"}
    placed = set(ORDER) | set(HELPERS)
    assert on_disk - placed == set(), "new module(s): add them to FLOW or HELPERS in tests/test_flow.py"
    assert placed - on_disk == set(), "FLOW or HELPERS lists a module that no longer exists"


def test_no_step_imports_a_later_step():
    backward = []
    for position, module in enumerate(ORDER):
        for imported, line in reports_imports(module).items():
            if imported in HELPERS:
                continue
            assert imported in ORDER, f"{module}.py line {line} imports unknown reports module {imported!r}"
            if ORDER.index(imported) >= position:
                backward.append(f"{module}.py line {line} imports {imported} (a later step)")
    assert backward == []


def test_helpers_depend_on_no_step():
    for helper in HELPERS:
        assert reports_imports(helper) == {}, f"{helper} must import no llmtrends.reports module"


def test_the_package_docstring_names_each_module_with_its_step():
    doc = reports.__doc__
    for step, modules in FLOW:
        for module in modules:
            assert f"``{module}``" in doc, f"llmtrends/reports/__init__.py does not describe {module}"
        assert step.split()[0] in doc, f"llmtrends/reports/__init__.py does not name the step {step!r}"
    for helper in HELPERS:
        assert f"``{helper}``" in doc


def test_the_one_clock_writes_utc_to_the_second():
    two_hours_east = timezone(timedelta(hours=2))
    assert utc_iso(datetime(2025, 7, 31, 11, 30, 5, 999999, tzinfo=two_hours_east)) == "2025-07-31T09:30:05Z"
    assert utc_iso(datetime(2025, 1, 2, 3, 4, 5)) == "2025-01-02T03:04:05Z"  # naive: taken as UTC


def test_no_time_helper_is_left_in_a_step_module():
    for module in ORDER:
        tree = ast.parse((PACKAGE_DIR / f"{module}.py").read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert defined & {"utc_iso", "utc_now", "_now"} == set(), f"{module}.py defines its own clock"
