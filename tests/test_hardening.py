"""Regression suite of issue 11 (what a hostile tester broke), the batch runner's part.

Each test names the defect it pins. Data-file shapes, YAML bombs and hostile
HTML have their own modules (test_schemas.py, test_hostile_html.py).
"""
from __future__ import annotations

import errno
import io
import json
import re
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from llmtrends.cli import main
from llmtrends.errors import PlanError
from llmtrends.batch import render as export_module
from llmtrends.batch import index as index_module
from llmtrends.batch import manifest as manifest_module
from llmtrends.batch.console import _Printer
from llmtrends.batch.runner import run_batch
from llmtrends.batch.render import ExportFiles
from llmtrends.batch.manifest import load_manifest
from llmtrends.batch.plan import RESERVED_NAMES, load_plan

from .reports_fixture import NOTEBOOKS, write_plan
from .test_runner import run_cli

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"
                       r"|\b\d{1,2} [A-Z][a-z]{2} \d{4}(, \d\d:\d\d UTC)?")  # and as people write them ("Built 6 Dec 2026")

GREET = """
reports:
  - name: greet
    notebook: greet.ipynb
    title: Greeting
    parameters: {repeat: 3, greeting: salut}
"""


@pytest.fixture(autouse=True)
def _no_data_catalog(monkeypatch):
    """Batches here do not build the real data catalog (it reads the real data)."""
    monkeypatch.setitem(sys.modules, "llmtrends.stories.catalog", None)


def _quiet(*_):
    return None


# -------------------------------------------------------------- plan: reserved names, --keep-going


@pytest.mark.parametrize("name", RESERVED_NAMES)
def test_reserved_run_names_are_refused_by_the_plan_check(tmp_path, name):
    """Defect: runs named index or catalog passed and were overwritten by the index and catalog pages."""
    plan = write_plan(tmp_path, f"""
        reports:
          - name: {name}
            notebook: greet.ipynb
            title: Greeting
        """)
    with pytest.raises(PlanError, match=rf"name '{name}' is reserved"):
        load_plan(plan)


def test_every_file_the_batch_writes_itself_has_a_reserved_name(tmp_path, monkeypatch):
    """The reserved list covers every page the batch writes besides the runs' exports."""
    fake = types.ModuleType("llmtrends.stories.catalog")
    fake.write_catalog = lambda path: Path(path).write_text("<!DOCTYPE html><title>catalog</title>")
    monkeypatch.setitem(sys.modules, "llmtrends.stories.catalog", fake)
    exports = tmp_path / "exports"
    result = run_batch(load_plan(write_plan(tmp_path / "nb", GREET)), exports_dir=exports, jobs=1, emit=_quiet)
    assert result.exit_status == 0
    own = {path.name for path in exports.iterdir() if not path.name.startswith(".")}
    own -= {path.name for path in ExportFiles.for_name("greet").paths(exports)}
    assert own == {"index.html", "catalog.html", "manifest.json"}
    assert {name.split(".")[0] for name in own} <= set(RESERVED_NAMES)


KEEP_GOING_PLAN = """
reports:
  - name: greet
    notebook: greet.ipynb
    title: Greeting
  - name: typo
    notebook: greet.ipynb
    title: Typo in a parameter
    parameters: {repeet: 2}
  - name: index
    notebook: greet.ipynb
    title: Reserved name
"""


def test_keep_going_builds_the_valid_runs_and_exits_2(tmp_path, capsys):
    """Defect (cron): one invalid run in reports.yaml stopped every other run that night."""
    plan = write_plan(tmp_path / "nb", KEEP_GOING_PLAN)
    exports = tmp_path / "exports"
    status = main(["run", "--plan", str(plan), "--exports", str(exports), "--keep-going"])
    captured = capsys.readouterr()
    assert status == 2, captured
    assert (exports / "greet.html").is_file()
    assert not (exports / "typo.html").exists()
    assert "unknown parameter 'repeet'" in captured.out
    assert "name 'index' is reserved" in captured.err
    record = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))["runs"]["typo"]
    assert record["status"] == "failed" and "repeet" in record["failure"]["error"]
    assert "Traceback" not in captured.err


def test_without_keep_going_an_invalid_run_stops_the_batch(tmp_path, capsys):
    plan = write_plan(tmp_path / "nb", KEEP_GOING_PLAN)
    assert main(["run", "--plan", str(plan), "--exports", str(tmp_path / "exports")]) == 2
    assert not (tmp_path / "exports").exists()


# -------------------------------------------------------------- the exports folder


@pytest.mark.parametrize("shape", ["a file", "under a file", "not writable"])
def test_unusable_exports_says_why_before_any_kernel_starts(tmp_path, capsys, monkeypatch, shape):
    """Defect: --exports pointing at a file or a read-only folder gave a traceback with exit 1."""
    plan = write_plan(tmp_path / "nb", GREET)
    target = tmp_path / "target"
    if shape == "a file":
        target.write_text("x")
        expected = "it is a file, not a folder"
    elif shape == "under a file":
        (tmp_path / "file").write_text("x")
        target = tmp_path / "file" / "exports"
        expected = "is a file, not a folder"
    else:  # the tests run as root, who may write anywhere: make the probe fail as it would
        target.mkdir()

        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")
        monkeypatch.setattr("llmtrends.batch.lock.tempfile.mkstemp", refuse)
        expected = "Permission denied"
    monkeypatch.setattr("llmtrends.batch.pipeline.execute_run",
                        lambda *a, **k: pytest.fail("a kernel was started"))
    status = main(["run", "--plan", str(plan), "--exports", str(target)])
    captured = capsys.readouterr()
    assert status == 2
    assert expected in captured.err and "--exports DIR" in captured.err
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err


# -------------------------------------------------------------- manifest.json of the wrong shape


HOSTILE_MANIFESTS = {
    "runs is a list": {"version": 1, "runs": [{"name": "greet"}]},
    "status is a number": {"version": 1, "runs": {"greet": {"status": 5}}},
    "failure is text": {"version": 1, "runs": {"greet": {"status": "failed", "failure": "boom"}}},
    "status injects markup": {"version": 1, "runs": {"greet": {
        "status": '"><script>window.__pwned=1</script>', "failure": None}}},
    "files point elsewhere": {"version": 1, "runs": {"greet": {"status": "ok", "last_good": {
        "files": {"html": "../outside.html", "analyst": "x", "notebook": "y"}}}}},
    "top level is a list": [1, 2],
    "deeply nested": json.loads("[" * 50 + "]" * 50),
}


@pytest.mark.parametrize("shape", sorted(HOSTILE_MANIFESTS))
def test_a_manifest_of_the_wrong_shape_is_treated_as_empty(tmp_path, capsys, shape):
    """Defect: runs as a list, status 5 or failure "boom" gave a traceback despite the docstring's promise."""
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "manifest.json").write_text(json.dumps(HOSTILE_MANIFESTS[shape]), encoding="utf-8")
    assert load_manifest(exports) == {}
    plan = write_plan(tmp_path / "nb", GREET)
    status = main(["run", "--plan", str(plan), "--exports", str(exports)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    index = (exports / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in index and "outside.html" not in index


# -------------------------------------------------------------- one message for a data problem


def test_a_data_problem_is_reported_once_not_once_per_run(tmp_path, data_copy, capsys):
    """Defect: a broken data file gave "6 parameter problems", the same message six times."""
    metrics = data_copy / "metrics.yaml"
    metrics.write_text(metrics.read_text(encoding="utf-8") + "\nbroken_metric: {title: Broken, unit: nowhere, kind: share}\n",
                       encoding="utf-8")
    plan = tmp_path / "reports.yaml"
    plan.write_text((NOTEBOOKS / "reports.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for notebook in NOTEBOOKS.glob("*.ipynb"):
        (tmp_path / notebook.name).write_bytes(notebook.read_bytes())
    status = main(["run", "--plan", str(plan), "--exports", str(tmp_path / "exports")])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.count("unknown unit 'nowhere'") == 1, captured.err
    assert "parameter problems" not in captured.err and "Traceback" not in captured.err
    assert not (tmp_path / "exports").exists()


# -------------------------------------------------------------- scrubbed failures, kept failed notebook


def _missing_file_notebook(folder: Path, missing: Path) -> Path:
    nb = new_notebook(cells=[new_code_cell(f"open({str(missing)!r})")],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    path = folder / "missing.ipynb"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("where", ["notebook folder", "exports folder", "home"])
def test_failure_messages_are_scrubbed_like_outputs(tmp_path, where):
    """Defect: a failing cell's error text (the absolute path of a missing file) reached index.html and manifest.json."""
    folder, exports = tmp_path / "nb", tmp_path / "exports"
    missing = {"notebook folder": folder / "data" / "gone.csv", "exports folder": exports / "gone.csv",
               "home": Path.home() / "secret" / "gone.csv"}[where]
    _missing_file_notebook(folder, missing)
    plan = folder / "reports.yaml"
    plan.write_text("reports:\n  - {name: missing, notebook: missing.ipynb, title: Missing}\n", encoding="utf-8")
    result = run_batch(load_plan(plan), exports_dir=exports, jobs=1, emit=_quiet)
    assert result.exit_status == 1
    assert "FileNotFoundError" in result.results[0].failure.error
    kept = nbformat.read(exports / "missing.failed.ipynb", as_version=4)
    outputs = json.dumps([cell.get("outputs") for cell in kept.cells] + [kept.metadata])  # its code is as written
    published = {"index.html": (exports / "index.html").read_text(encoding="utf-8"),
                 "manifest.json": (exports / "manifest.json").read_text(encoding="utf-8"),
                 "missing.failed.ipynb outputs": outputs}
    for name, text in published.items():
        for needle in (str(tmp_path), str(Path.home()), str(missing.parent)):
            assert needle not in text, f"{name} contains {needle}"
    assert "gone.csv" in (exports / "manifest.json").read_text(encoding="utf-8")  # what failed stays said


def test_a_failed_run_keeps_its_executed_notebook_and_the_manifest_records_it(tmp_path):
    """Defect (cron): a failed run kept no executed notebook to debug from."""
    plan = write_plan(tmp_path / "nb", """
        reports:
          - {name: fails, notebook: fails.ipynb, title: Fails}
        """)
    exports = tmp_path / "exports"
    lines: list[str] = []
    result = run_batch(load_plan(plan), exports_dir=exports, jobs=1, emit=lines.append)
    assert result.exit_status == 1
    kept = exports / "fails.failed.ipynb"
    nb = nbformat.read(kept, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0].evalue == "boom: value is 6"
    assert nb.metadata["llmtrends"]["failure"]["error"] == "ValueError: boom: value is 6"
    assert str(tmp_path) not in kept.read_text(encoding="utf-8")
    record = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))["runs"]["fails"]
    assert record["failed_notebook"] == "fails.failed.ipynb"
    assert any("[executed notebook: fails.failed.ipynb]" in line for line in lines)
    assert 'href="fails.failed.ipynb"' in (exports / "index.html").read_text(encoding="utf-8")


# -------------------------------------------------------------- reproducible exports


def _normalised(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = TIMESTAMP.sub("<time>", text)
    # an export's digest (manifest.json) covers the times it shows; the exports are compared themselves
    text = re.sub(r'("[a-z0-9-]+(?:\.analyst)?\.(?:html|ipynb)": )"[0-9a-f]{64}"', r'\1<digest>', text)
    return re.sub(r'"(duration|cell_seconds)": [0-9.]+', r'"\1": <seconds>', text)


@pytest.mark.slow
def test_two_builds_of_runs_with_parameters_are_byte_identical_apart_from_timestamps(tmp_path):
    """Defect: every run with parameters differed between two builds (papermill's random cell id)."""
    plan_dir = tmp_path / "nb"
    write_plan(plan_dir, GREET)
    (plan_dir / "vendor_share.ipynb").write_bytes((NOTEBOOKS / "vendor_share.ipynb").read_bytes())
    (plan_dir / "reports.yaml").write_text(
        GREET + "  - {name: coding, notebook: vendor_share.ipynb, title: Coding share,\n"
                "     parameters: {metric: enterprise_coding_llm_share, highlight_vendor: openai}}\n",
        encoding="utf-8")
    builds = []
    for attempt in ("first", "second"):
        exports = tmp_path / "exports"
        lines: list[str] = []
        result = run_batch(load_plan(plan_dir / "reports.yaml"), exports_dir=exports, jobs=2, emit=lines.append,
                           force=True)
        assert result.exit_status == 0, "\n".join(lines)
        builds.append({path.name: _normalised(path) for path in sorted(exports.iterdir())
                       if not path.name.startswith(".")})
    first, second = builds
    assert sorted(first) == sorted(second) and len(first) == 2 * 3 + 2
    different = [name for name in first if first[name] != second[name]]
    assert different == []
    nb = nbformat.read(tmp_path / "exports" / "coding.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert [c["id"] for c in injected] == ["injected-parameters"]


# -------------------------------------------------------------- the environment: pipe, disk, temp files


@pytest.mark.slow
def test_a_closed_stdout_ends_the_batch_cleanly(tmp_path):
    """Defect: `llmtrends run --force | head -7` hung forever (a worker died on BrokenPipeError)."""
    plan = write_plan(tmp_path / "nb", """
        reports:
          - {name: one, notebook: greet.ipynb, title: One}
          - {name: two, notebook: greet.ipynb, title: Two}
          - {name: three, notebook: greet.ipynb, title: Three}
        """)
    exports = tmp_path / "exports"
    command = [sys.executable, "-c", "import sys; from llmtrends.cli import main; sys.exit(main(sys.argv[1:]))",
               "run", "--plan", str(plan), "--exports", str(exports), "--force", "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()  # `head -1`: read one line, then close the pipe
    process.stdout.close()
    try:
        status = process.wait(timeout=180)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the batch hung after its stdout was closed")
    err = process.stderr.read().decode()
    process.stderr.close()
    assert status == 0, err
    assert "Traceback" not in err and "BrokenPipeError" not in err
    assert all((exports / f"{name}.html").is_file() for name in ("one", "two", "three"))


def _full_disk_for(file_name: str, real):
    def publish(files):
        for target in files:
            if Path(target).name == file_name:
                raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return real(files)
    return publish


@pytest.mark.parametrize("full", ["greet.html", "manifest.json", "index.html"])
def test_a_full_disk_is_reported_per_file_and_the_index_written_when_it_can_be(tmp_path, monkeypatch, capsys, full):
    """Defect: a full disk gave a raw traceback from save_manifest and no index.html."""
    for module in (export_module, manifest_module, index_module):
        monkeypatch.setattr(module, "publish", _full_disk_for(full, module.publish))
    plan = write_plan(tmp_path / "nb", GREET)
    exports = tmp_path / "exports"
    status, out, err = run_cli("run", "--plan", str(plan), "--exports", str(exports))
    assert status == 1, out + err
    assert f"No space left on device: {full}" in out
    assert "Traceback" not in out + err
    assert (exports / "index.html").is_file() == (full != "index.html")
    if full == "greet.html":
        index = (exports / "index.html").read_text(encoding="utf-8")
        assert "No space left on device: greet.html" in index
    assert not list(exports.glob(".*.tmp"))


def test_temp_files_of_an_interrupted_batch_are_cleaned_at_the_next_start(tmp_path):
    """Defect: temp files left by kill -9, SIGTERM or a full disk were never cleaned."""
    exports = tmp_path / "exports"
    exports.mkdir()
    leftovers = [exports / ".greet.html.k3j2l1.tmp", exports / ".manifest.json.abc.tmp",
                 exports / ".catalog.html.x1y2.tmp.html"]
    for path in leftovers:
        path.write_bytes(b"x" * 1024)
    (exports / "keep.tmp").write_text("not ours")  # not a temp file of the batch (no leading dot)
    lines: list[str] = []
    run_batch(load_plan(write_plan(tmp_path / "nb", GREET)), exports_dir=exports, jobs=1, emit=lines.append)
    assert not any(path.exists() for path in leftovers)
    assert (exports / "keep.tmp").exists()
    assert sum("left by an interrupted batch" in line for line in lines) == len(leftovers)


# -------------------------------------------------------------- cron: timestamps, orphans


def test_log_lines_carry_timestamps_when_stdout_is_not_a_terminal():
    """Defect (cron): log lines carried no timestamps when stdout was not a terminal."""
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    piped, terminal = io.StringIO(), Terminal()
    _Printer(piped)("start greet (greet.ipynb)")
    _Printer(terminal)("start greet (greet.ipynb)")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ start greet \(greet.ipynb\)\n", piped.getvalue())
    assert terminal.getvalue() == "start greet (greet.ipynb)\n"


def test_a_run_removed_from_the_plan_leaves_no_orphan(tmp_path):
    """Defect (cron): a run removed from the plan left its HTML, notebook and manifest entry behind."""
    folder, exports = tmp_path / "nb", tmp_path / "exports"
    two = write_plan(folder, """
        reports:
          - {name: stays, notebook: greet.ipynb, title: Stays}
          - {name: leaves, notebook: greet.ipynb, title: Leaves}
        """)
    run_batch(load_plan(two), exports_dir=exports, jobs=2, emit=_quiet, plan_runs=load_plan(two))
    assert (exports / "leaves.html").is_file()
    one = write_plan(folder, """
        reports:
          - {name: stays, notebook: greet.ipynb, title: Stays}
        """)
    lines: list[str] = []
    runs = load_plan(one)
    run_batch(runs, exports_dir=exports, jobs=1, emit=lines.append, plan_runs=runs)
    assert not any((exports / name).exists() for name in ("leaves.html", "leaves.analyst.html", "leaves.ipynb"))
    assert "leaves" not in json.loads((exports / "manifest.json").read_text(encoding="utf-8"))["runs"]
    assert any(line.startswith("removed leaves: no longer in the plan") for line in lines)
    assert (exports / "stays.html").is_file()


@pytest.mark.slow
def test_raw_papermill_with_a_typo_in_a_parameter_name_fails(tmp_path):
    """Defect (cron): `papermill -p highlight_vendr openai` only warned and rendered the default report, exit 0."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as caught:
        papermill.execute_notebook(str(NOTEBOOKS / "vendor_share.ipynb"), str(tmp_path / "out.ipynb"),
                                   parameters={"highlight_vendr": "openai"}, progress_bar=False,
                                   cwd=str(NOTEBOOKS), kernel_name="python3")
    assert caught.value.ename == "ParameterError"
    assert "'highlight_vendr' is not a parameter of vendor_share; did you mean 'highlight_vendor'?" in caught.value.evalue


def test_a_catalog_that_fails_half_written_leaves_no_temp_file(tmp_path, monkeypatch):
    """Seen on a real full disk: the catalog writer's own temp file stayed behind."""
    from llmtrends.batch.pipeline import write_catalog_page

    def half_written(path):
        path = Path(path)
        path.with_name(f".{path.name}.tmp").write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    fake = types.ModuleType("llmtrends.stories.catalog")
    fake.write_catalog = half_written
    monkeypatch.setitem(sys.modules, "llmtrends.stories.catalog", fake)
    href, error = write_catalog_page(tmp_path)
    assert href is None and "No space left on device" in error
    assert list(tmp_path.iterdir()) == []
