"""The package flows one way: three layers, no cycle, rooms one can hold in one's head.

Layers, bottom to top (``llmtrends/__init__.py`` describes them):

- base: ``errors``, ``paths``, ``version``;
- the fact base, ``llmtrends.facts``;
- the stories, ``llmtrends.stories`` (what reports say and draw);
- the batch runner, ``llmtrends.batch``;
- the entry points: ``llmtrends`` itself (what ``import llmtrends as lt`` re-exports) and ``cli`` (with ``cli_data``, its data sub-commands).

A module imports only modules of its own layer or of a layer below it, and no
import - at the top of a module or inside a function, ``import`` statement or
``importlib.import_module("...")`` with a literal name - closes a cycle.

Inside the batch layer a run flows one way too: a step's module may import a
module of an earlier step, never one of a later step, and never the driver
(``runner``); the helpers import no step at all.
"""
from __future__ import annotations

import ast
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import llmtrends.batch as batch
from llmtrends.batch.clock import utc_iso

PACKAGE = Path(batch.__file__).resolve().parents[1]

LAYERS = (  # bottom to top: a module may import its own layer and those before it
    ("base", ("llmtrends.errors", "llmtrends.paths", "llmtrends.version")),
    ("facts", ("llmtrends.facts",)),
    ("stories", ("llmtrends.stories",)),
    ("batch", ("llmtrends.batch",)),
    ("entry", ("llmtrends.cli", "llmtrends.cli_data", "llmtrends")),
)
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
MAX_TOP_LEVEL_MODULES = 10

# the batch: step -> the modules that own it, in the order a run goes through them
FLOW = (
    ("plan", ("plan",)),
    ("check", ("parameters",)),
    ("decide", ("cache",)),
    ("execute", ("kernels", "execute")),
    ("clean", ("sanitize",)),
    ("render and publish", ("render", "pipeline")),
    ("record", ("manifest", "index")),
    ("drive", ("runner",)),
)
# leaves any step may use: the clock, the console, the exports-folder lock
HELPERS = ("clock", "console", "lock")
ORDER = [module for _, modules in FLOW for module in modules]


# --------------------------------------------------------------------------- the import graph

def _modules(root: Path = PACKAGE) -> dict[str, Path]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> dict[str, int]:
    """Every llmtrends module ``name`` imports, at any depth of its code, with the line of the first import."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}

    def add(target: str, line: int) -> None:
        if target.startswith("llmtrends") and target != name:
            found.setdefault(target, line)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base_name = ".".join(base + ([node.module] if node.module else []))
            else:
                base_name = node.module or ""
            for alias in node.names:
                submodule = f"{base_name}.{alias.name}"
                add(submodule if submodule in modules else base_name, node.lineno)
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            add(node.args[0].value, node.lineno)
    return found


def _graph() -> dict[str, dict[str, int]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer(module: str) -> int:
    best, rank = -1, None
    for position, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), position
    assert rank is not None, f"{module} belongs to no layer: add it to LAYERS in tests/test_flow.py"
    return rank


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_belongs_to_a_layer():
    for module in _modules():
        _layer(module)


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for module, imported in _graph().items():
        for target, line in imported.items():
            if _layer(target) > _layer(module):
                upward.append(f"{module} line {line} imports {target} "
                              f"({LAYERS[_layer(module)][0]} -> {LAYERS[_layer(target)][0]})")
    assert upward == []


def test_no_import_cycle_anywhere_lazy_imports_included():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle_and_an_upward_import_is_named():
    graph = {"llmtrends.facts.a": {"llmtrends.facts.b": 3}, "llmtrends.facts.b": {"llmtrends.facts.a": 7},
             "llmtrends.facts.c": {"llmtrends.facts.a": 1}}
    assert _cycles(graph) == [["llmtrends.facts.a", "llmtrends.facts.b"]]
    assert _layer("llmtrends.stories.words") > _layer("llmtrends.facts.datasets") > _layer("llmtrends.errors")
    assert _layer("llmtrends") == _layer("llmtrends.cli") > _layer("llmtrends.batch.runner")


def test_lazy_and_importlib_imports_are_seen(tmp_path):
    package = tmp_path / "llmtrends" / "facts"
    package.mkdir(parents=True)
    (tmp_path / "llmtrends" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (tmp_path / "llmtrends" / "stories").mkdir()
    (tmp_path / "llmtrends" / "stories" / "words.py").write_text("")
    (package / "a.py").write_text("def f():\n    from llmtrends.stories import words\n")
    (package / "b.py").write_text("import importlib\nimportlib.import_module('llmtrends.batch.plan')\n")
    modules = _modules(tmp_path / "llmtrends")
    assert _imports("llmtrends.facts.a", package / "a.py", modules) == {"llmtrends.stories.words": 2}
    assert _imports("llmtrends.facts.b", package / "b.py", modules) == {"llmtrends.batch.plan": 2}


# --------------------------------------------------------------------------- sizes

def test_the_top_level_holds_few_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_no_module_is_longer_than_one_can_hold_in_mind():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_is_longer_than_one_can_hold_in_mind():
    long = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name} ({length} lines)")
    assert long == []


# --------------------------------------------------------------------------- the batch's steps

def _batch_imports(module: str) -> dict[str, int]:
    """The ``llmtrends.batch`` modules ``module`` imports, by short name."""
    prefix = "llmtrends.batch."
    return {target[len(prefix):].split(".")[0]: line
            for target, line in _graph()[prefix + module].items() if target.startswith(prefix)}


def test_every_batch_module_has_a_place_in_the_flow():
    on_disk = {path.stem for path in (PACKAGE / "batch").glob("*.py")} - {"__init__"}
    placed = set(ORDER) | set(HELPERS)
    assert on_disk - placed == set(), "new module(s): add them to FLOW or HELPERS in tests/test_flow.py"
    assert placed - on_disk == set(), "FLOW or HELPERS lists a module that no longer exists"


def test_no_step_imports_a_later_step():
    backward = []
    for position, module in enumerate(ORDER):
        for imported, line in _batch_imports(module).items():
            if imported in HELPERS:
                continue
            assert imported in ORDER, f"{module}.py line {line} imports unknown batch module {imported!r}"
            if ORDER.index(imported) >= position:
                backward.append(f"{module}.py line {line} imports {imported} (a later step)")
    assert backward == []


def test_helpers_depend_on_no_step():
    for helper in HELPERS:
        steps = set(_batch_imports(helper)) - set(HELPERS)
        assert steps == set(), f"{helper} imports {sorted(steps)}: a helper imports other helpers only"


def test_the_package_docstring_names_each_module_with_its_step():
    doc = batch.__doc__
    for step, modules in FLOW:
        for module in modules:
            assert f"``{module}``" in doc, f"llmtrends/batch/__init__.py does not describe {module}"
        assert step.split()[0] in doc, f"llmtrends/batch/__init__.py does not name the step {step!r}"
    for helper in HELPERS:
        assert f"``{helper}``" in doc


def test_the_one_clock_writes_utc_to_the_second():
    two_hours_east = timezone(timedelta(hours=2))
    assert utc_iso(datetime(2025, 7, 31, 11, 30, 5, 999999, tzinfo=two_hours_east)) == "2025-07-31T09:30:05Z"
    assert utc_iso(datetime(2025, 1, 2, 3, 4, 5)) == "2025-01-02T03:04:05Z"  # naive: taken as UTC


def test_no_time_helper_is_left_in_a_step_module():
    for module in ORDER:
        tree = ast.parse((PACKAGE / "batch" / f"{module}.py").read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert defined & {"utc_iso", "utc_now", "_now"} == set(), f"{module}.py defines its own clock"


@pytest.mark.parametrize("old,new", [("llmtrends.datasets", "llmtrends.facts.datasets"),
                                     ("llmtrends.reports.plan", "llmtrends.batch.plan")])
def test_a_path_of_0_1_still_imports_with_a_deprecation_warning(old, new):
    import importlib
    import sys

    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=f"{old} moved to {new}"):
        module = importlib.import_module(old)
    assert module is importlib.import_module(new)
