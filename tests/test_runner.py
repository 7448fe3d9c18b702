"""The batch runner: execution, failure isolation, exports, index, command line."""
from __future__ import annotations

import contextlib
import getpass
import io
import json
import os
import re
import socket
import sys
import types
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from llmtrends.cli import main
from llmtrends.batch.pipeline import CATALOG_NAME, write_catalog_page
from llmtrends.batch.execute import Failure, error_text, first_line
from llmtrends.batch.render import ExportFiles, publish
from llmtrends.batch.index import render_index
from llmtrends.batch.lock import LOCK_NAME
from llmtrends.batch.manifest import last_good_from_disk, run_record
from llmtrends.batch.plan import Run
from llmtrends.batch.sanitize import make_scrubber, sanitize_notebook, stakeholder_notebook
from llmtrends.stories.citations import SOURCES_MIMETYPE, declare_sources

from .reports_fixture import write_plan
EVIL_TITLE = "<script>alert(1)</script> Loud greeting"




LOG_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ", re.M)


def run_cli(*argv: str, timestamps: bool = False) -> tuple[int, str, str]:
    """Run the command in-process; its stdout is not a terminal, so lines are timestamped:
    without ``timestamps`` they are checked and removed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    text = out.getvalue()
    if not timestamps:
        lines = text.splitlines()
        assert all(LOG_TIMESTAMP.match(line) for line in lines), text
        text = LOG_TIMESTAMP.sub("", text)
    return status, text, err.getvalue()


def without_style(html: str) -> str:
    """The page without its <style> blocks (JupyterLab's CSS contains words like ':root')."""
    return re.sub(r"<style.*?</style>", "", html, flags=re.S)


def as_people_write(iso: str) -> str:
    """A manifest time (``2026-11-27T16:49:03Z``) as the index prints it: ``27 Nov 2026, 16:49 UTC``."""
    moment = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def section(index_html: str, name: str) -> str:
    match = re.search(rf'<section class="run" id="run-{re.escape(name)}">(.*?)</section>', index_html, re.S)
    assert match, f"no section for {name}"
    return match.group(1)


@pytest.fixture(autouse=True)
def _no_data_catalog(monkeypatch):
    """Batches here do not build the real data catalog (it reads the real data)."""
    monkeypatch.setitem(sys.modules, "llmtrends.stories.catalog", None)


# -- one batch of three runs, one failing on purpose ---------------------------------------------


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    plan = write_plan(
        root / "notebooks",
        f"""
        reports:
          - name: greet
            notebook: greet.ipynb
            title: Greeting
            parameters: {{repeat: 3}}
          - name: greet-loud
            notebook: greet.ipynb
            title: "{EVIL_TITLE}"
            parameters: {{loud: true, greeting: "<b>hi</b>"}}
          - name: fails
            notebook: fails.ipynb
            title: Fails on purpose
        """,
    )
    exports = root / "exports"
    exports.mkdir()
    previous = {name: f"previous good export {name}".encode() for name in ExportFiles.for_name("fails").paths(exports)}
    for path, content in previous.items():
        path.write_bytes(content)
    cwd = os.getcwd()
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "llmtrends.stories.catalog", None)  # the real catalog is tested elsewhere
        status, out, err = run_cli("run", "--plan", str(plan), "--exports", str(exports), "--jobs", "2")
    return types.SimpleNamespace(
        root=root, exports=exports, status=status, out=out, err=err, previous=previous, cwd=cwd, cwd_after=os.getcwd()
    )


@pytest.mark.slow
def test_a_failing_run_makes_the_batch_exit_1_and_is_reported_with_cell_and_error(batch):
    assert batch.status == 1
    cell = 'cell 4 `raise ValueError(f"boom: value is {value}")`: ValueError: boom: value is 6'
    assert re.search(r"^\[\d/3\] fails failed \d+\.\ds: " + re.escape(cell) + "$", batch.out, re.M), batch.out
    assert f"FAILED fails (fails.ipynb): {cell}" in batch.out
    assert "Traceback" not in batch.out and "\x1b[" not in batch.out


@pytest.mark.slow
def test_progress_has_one_line_per_start_and_finish(batch):
    lines = batch.out.splitlines()
    assert sorted(line for line in lines if line.startswith("start ")) == [
        "start fails (fails.ipynb)",
        "start greet (greet.ipynb)",
        "start greet-loud (greet.ipynb)",
    ]
    assert re.search(r"^\[\d/3\] greet ok \d+\.\ds$", batch.out, re.M)
    assert re.search(r"^\[\d/3\] greet-loud ok \d+\.\ds$", batch.out, re.M)
    assert "done: 2 ok, 1 failed, 3 run(s)" in batch.out


@pytest.mark.slow
def test_the_other_runs_are_exported_in_both_variants(batch):
    for name in ("greet", "greet-loud"):
        for path in ExportFiles.for_name(name).paths(batch.exports):
            assert path.is_file(), path


@pytest.mark.slow
def test_stakeholder_html_hides_code_and_analyst_html_shows_it(batch):
    stakeholder = (batch.exports / "greet.html").read_text(encoding="utf-8")
    analyst = (batch.exports / "greet.analyst.html").read_text(encoding="utf-8")
    # `basename` only occurs in the code of the third cell
    assert "basename" not in stakeholder
    assert "basename" in analyst
    # outputs are in both
    assert "cwd name: notebooks" in stakeholder and "cwd name: notebooks" in analyst


@pytest.mark.slow
def test_previous_export_of_the_failing_run_is_byte_identical(batch):
    for path, content in batch.previous.items():
        assert path.read_bytes() == content


@pytest.mark.slow
def test_no_temp_files_are_left_behind(batch):
    leftovers = [path.name for path in batch.exports.iterdir()
                 if (path.name.startswith(".") or path.suffix == ".tmp") and path.name != LOCK_NAME]
    assert leftovers == []  # the lock file stays by design (see llmtrends.batch.lock)


@pytest.mark.slow
def test_exports_leak_no_path_user_or_host_and_load_nothing_from_the_network(batch):
    user = getpass.getuser()
    host = socket.gethostname()
    files = [path for path in batch.exports.iterdir() if path.name not in ("manifest.json", LOCK_NAME)]
    assert {path.suffix for path in files} == {".html", ".ipynb"}
    for path in files:
        if path.name.startswith("fails"):
            continue  # the pre-created stand-ins
        text = path.read_text(encoding="utf-8")
        assert str(batch.root) not in text, path.name
        assert os.path.realpath(batch.root) not in text, path.name
        assert "<script src=" not in text and "https://cdn" not in text, path.name
        assert not re.search(r"<link[^>]+href=\"https?:", text), path.name
        visible = without_style(text)
        assert not re.search(rf"\b{re.escape(user)}\b", visible), f"user name in {path.name}"
        assert not re.search(rf"\b{re.escape(host)}\b", visible), f"host name in {path.name}"


@pytest.mark.slow
def test_the_kernel_ran_in_the_notebook_folder_and_paths_are_scrubbed(batch):
    analyst = (batch.exports / "greet.analyst.html").read_text(encoding="utf-8")
    assert "cwd name: notebooks" in analyst
    assert "working in ." in analyst
    assert batch.cwd_after == batch.cwd  # the runner never changes the process's directory


@pytest.mark.slow
def test_charts_are_embedded_and_warnings_stay_out_of_the_stakeholder_export(batch):
    stakeholder = (batch.exports / "greet.html").read_text(encoding="utf-8")
    analyst = (batch.exports / "greet.analyst.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in stakeholder
    assert "fixture warning for analysts only" not in stakeholder
    assert "fixture warning for analysts only" in analyst


@pytest.mark.slow
def test_executed_notebook_keeps_only_publishable_metadata(batch):
    nb = nbformat.read(str(batch.exports / "greet-loud.ipynb"), as_version=4)
    assert set(nb.metadata) == {"kernelspec", "language_info", "llmtrends"}
    own = nb.metadata["llmtrends"]
    assert own["run"] == "greet-loud"
    assert own["notebook"] == "greet.ipynb"
    assert own["parameters"] == {"loud": True, "greeting": "<b>hi</b>"}
    assert own["start_time"].endswith("Z") and own["end_time"].endswith("Z")
    assert own["version"]
    assert own["sources"] == [
        "Fixture Publisher, Tiny report (2025)",
        "Second Publisher <script>alert('src')</script> (2024)",
    ]
    assert all("papermill" not in cell.metadata for cell in nb.cells)
    assert SOURCES_MIMETYPE not in json.dumps([cell.get("outputs", []) for cell in nb.cells])


@pytest.mark.slow
def test_index_lists_every_run_with_status_and_escapes_text(batch):
    index = (batch.exports / "index.html").read_text(encoding="utf-8")
    assert "<script" not in index
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Loud greeting" in index
    assert "&lt;script&gt;alert(&#x27;src&#x27;)&lt;/script&gt;" in index

    greet = section(index, "greet")
    assert 'class="status status-ok">ok<' in greet
    assert "<li>repeat: 3</li>" in greet
    assert 'href="greet.html">Read the report: Greeting</a>' in index
    assert 'href="greet.analyst.html"' in greet and 'href="greet.ipynb"' in greet
    assert "Fixture Publisher, Tiny report (2025)" in greet
    assert re.search(r"built <time datetime=\"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\"", greet)

    loud = section(index, "greet-loud")
    assert "<li>greeting: &lt;b&gt;hi&lt;/b&gt;</li>" in loud

    fails = section(index, "fails")
    assert 'class="status status-failed">failed<' in fails
    assert "cell 4" in fails and "ValueError: boom: value is 6" in fails
    # the pre-created export is kept and linked as the last good one
    assert re.search(r"Last good export from <time datetime=\"[^\"]+\">\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC</time>",
                     fails), fails
    assert 'href="fails.html"' in fails
    assert 'href="fails.html"' in index


@pytest.mark.slow
def test_manifest_records_each_run(batch):
    manifest = json.loads((batch.exports / "manifest.json").read_text(encoding="utf-8"))
    runs = manifest["runs"]
    assert {name: record["status"] for name, record in runs.items()} == {
        "greet": "ok",
        "greet-loud": "ok",
        "fails": "failed",
    }
    assert runs["fails"]["failure"]["cell"] == 4
    assert runs["fails"]["last_good"]["files"]["html"] == "fails.html"
    assert runs["greet"]["last_good"]["time"] == runs["greet"]["time"]


# -- more failure kinds, and state across batches -----------------------------------------------


@pytest.mark.slow
def test_timeout_and_dead_kernel_fail_only_their_run(tmp_path):
    plan = write_plan(
        tmp_path / "notebooks",
        """
        reports:
          - name: sleeps
            notebook: sleeps.ipynb
            title: Sleeps too long
            parameters: {seconds: 30}
          - name: dies
            notebook: dies.ipynb
            title: Kernel dies
        """,
        notebooks=("sleeps.ipynb", "dies.ipynb"),
    )
    status, out, _ = run_cli("run", "--plan", str(plan), "--exports", str(tmp_path / "exports"), "--timeout", "1")
    assert status == 1
    assert "FAILED sleeps (sleeps.ipynb): cell 2 `import time`: CellTimeoutError: the cell did not finish within 1 s" in out
    assert "FAILED dies (dies.ipynb): cell 2 `import os`: DeadKernelError: the kernel died (exit status 3)" in out
    assert not (tmp_path / "exports" / "sleeps.html").exists()


@pytest.mark.slow
def test_a_run_that_fails_later_keeps_its_last_good_export_across_batches(tmp_path):
    folder = tmp_path / "notebooks"
    exports = tmp_path / "exports"
    good_plan = write_plan(
        folder,
        """
        reports:
          - name: flaky
            notebook: greet.ipynb
            title: Flaky
          - name: never
            notebook: greet.ipynb
            title: Never run
        """,
    )
    assert run_cli("run", "--plan", str(good_plan), "--exports", str(exports), "--only", "flaky")[0] == 0
    first = {path: path.read_bytes() for path in ExportFiles.for_name("flaky").paths(exports)}
    first_time = json.loads((exports / "manifest.json").read_text())["runs"]["flaky"]["time"]

    bad_plan = write_plan(
        folder,
        """
        reports:
          - name: flaky
            notebook: fails.ipynb
            title: Flaky
          - name: never
            notebook: greet.ipynb
            title: Never run
        """,
    )
    status, out, _ = run_cli("run", "--plan", str(bad_plan), "--exports", str(exports), "--only", "flaky")
    assert status == 1
    assert f"[kept last good export from {first_time}]" in out
    assert {path: path.read_bytes() for path in first} == first

    index = (exports / "index.html").read_text(encoding="utf-8")
    flaky = section(index, "flaky")
    assert "failed" in flaky and f"Last good export from <time datetime=\"{first_time}\">{as_people_write(first_time)}</time>" in flaky and 'href="flaky.html"' in flaky
    assert "Fixture Publisher, Tiny report (2025)" in flaky  # sources of the linked export
    never = section(index, "never")
    assert 'class="status status-not-run">not run<' in never and "No export yet." in never


# -- command line without kernels ----------------------------------------------------------------


def test_list_prints_each_run(tmp_path, capsys):
    plan = write_plan(
        tmp_path,
        """
        reports:
          - name: greet
            notebook: greet.ipynb
            title: Greeting
            parameters: {repeat: 3, greeting: hi}
          - name: fails
            notebook: fails.ipynb
            title: Fails
        """,
    )
    assert main(["list", "--plan", str(plan)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:4] == [
        "greet",
        "  notebook:   greet.ipynb",
        "  title:      Greeting",
        "  parameters: repeat = 3, greeting = hi",
    ]
    assert "  parameters: (the notebook's defaults)" in out


def test_plan_error_exits_2(tmp_path, capsys):
    plan = write_plan(tmp_path, "reports:\n  - name: x\n    notebook: missing.ipynb\n    title: X\n")
    assert main(["run", "--plan", str(plan), "--exports", str(tmp_path / "exports")]) == 2
    assert "notebook 'missing.ipynb' not found" in capsys.readouterr().err
    assert not (tmp_path / "exports").exists()


def test_parameter_error_exits_2_before_any_kernel_starts(tmp_path, capsys):
    plan = write_plan(
        tmp_path,
        """
        reports:
          - name: greet
            notebook: greet.ipynb
            title: Greeting
            parameters: {repeet: 3}
          - name: fails
            notebook: fails.ipynb
            title: Fails
            parameters: {threshold: "3"}
        """,
    )
    assert main(["run", "--plan", str(plan), "--exports", str(tmp_path / "exports")]) == 2
    captured = capsys.readouterr()
    assert "unknown parameter 'repeet'; did you mean 'repeat'?" in captured.err
    assert "parameter 'threshold' = '3' has type str, expected int" in captured.err
    assert "start " not in captured.out
    assert not (tmp_path / "exports").exists()


def test_unknown_only_name_exits_2(tmp_path, capsys):
    plan = write_plan(tmp_path, "reports:\n  - name: greet\n    notebook: greet.ipynb\n    title: G\n")
    assert main(["run", "--plan", str(plan), "--only", "gret"]) == 2
    assert "no run named 'gret' in the plan (did you mean 'greet'?)" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["run", "--jobs", "0"], ["run", "--timeout", "soon"], ["frobnicate"]])
def test_usage_errors_exit_2(argv, capsys):
    assert main(argv) == 2


# -- sanitizing ---------------------------------------------------------------------------------


def executed_notebook(folder: Path) -> nbformat.NotebookNode:
    """A notebook as papermill returns it, with machine details in metadata and outputs."""
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Title"),
            new_code_cell("x = 1", metadata={"tags": ["parameters"], "papermill": {"duration": 0.1}}),
            new_code_cell(
                "print(x)",
                outputs=[
                    new_output("stream", name="stdout", text=f"reading {folder}/data.csv on {getpass.getuser()}@{socket.gethostname()}\n"),
                    new_output("stream", name="stderr", text=f"{Path.home()}/lib/warn.py:1: UserWarning: careful\n"),
                    new_output(
                        "display_data", data={SOURCES_MIMETYPE: ["Menlo Ventures (2025)"], "text/plain": "1 sources"}
                    ),
                    new_output(
                        "execute_result",
                        data={"text/plain": f"'{folder}'", "text/html": f"<b>{folder}</b>"},
                        execution_count=1,
                    ),
                    new_output("error", ename="KeyError", evalue="'x'", traceback=[f"File {folder}/x.py"]),
                ],
            ),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "papermill": {"input_path": f"{folder}/n.ipynb", "output_path": None, "cwd": str(folder)},
            "widgets": {"state": {}},
            "llmtrends": {"validator": "vendor_share", "sources": ["Sensor Tower (2024)"]},
        },
    )
    return nb


def test_sanitize_keeps_only_publishable_metadata_and_scrubs_outputs(tmp_path):
    folder = tmp_path / "notebooks"
    run = Run("demo", folder / "n.ipynb", "Demo", {"year": 2025}, notebook_name="n.ipynb")
    start = datetime(2025, 7, 31, 9, 30, tzinfo=timezone.utc)
    clean = sanitize_notebook(executed_notebook(folder), run, started=start, finished=start)
    assert set(clean.metadata) == {"kernelspec", "llmtrends"}
    assert clean.metadata["llmtrends"] == {
        "validator": "vendor_share",
        "sources": ["Sensor Tower (2024)", "Menlo Ventures (2025)"],
        "run": "demo",
        "notebook": "n.ipynb",
        "parameters": {"year": 2025},
        "start_time": "2025-07-31T09:30:00Z",
        "end_time": "2025-07-31T09:30:00Z",
        "version": clean.metadata["llmtrends"]["version"],
    }
    text = json.dumps(clean)
    assert str(tmp_path) not in text and str(Path.home()) + "/" not in text
    assert socket.gethostname() not in text
    assert "reading ./data.csv on <user>@<host>" in text
    assert SOURCES_MIMETYPE not in text and "1 sources" not in text  # the carrier output is gone
    assert "papermill" not in text


def test_stakeholder_notebook_drops_errors_warnings_and_removed_cells(tmp_path):
    nb = executed_notebook(tmp_path)
    nb.cells.append(new_code_cell("secret = 1", metadata={"tags": ["remove-cell"]}))
    reader = stakeholder_notebook(nb)
    kinds = [(o.output_type, o.get("name")) for cell in reader.cells for o in cell.get("outputs", [])]
    assert ("error", None) not in kinds and ("stream", "stderr") not in kinds
    assert ("stream", "stdout") in kinds
    assert all("secret" not in cell.source for cell in reader.cells)


def test_scrubber_treats_folders_as_whole_path_components(tmp_path):
    scrub = make_scrubber(tmp_path / "nb")
    assert scrub(f"{tmp_path}/nb/chart.png") == "./chart.png"
    assert scrub(f"{tmp_path}/nbx/chart.png").endswith("/nbx/chart.png")
    assert scrub("/home/alice/project and /Users/bob/x") == "~/project and ~/x"


def test_error_text_is_one_line_without_colour_codes():
    assert error_text("ValueError", "\x1b[31mbad\x1b[0m\nvalue") == "ValueError: bad value"
    assert error_text("KeyboardInterrupt", "") == "KeyboardInterrupt"
    assert first_line(["\n", "  raise ValueError('x')  \n", "more"]) == "raise ValueError('x')"
    assert Failure(4, "raise X", "X: y").describe() == "cell 4 `raise X`: X: y"
    assert Failure(None, "", "export failed: OSError: disk full").describe() == "export failed: OSError: disk full"


# -- publishing, manifest, index, catalog --------------------------------------------------------


def test_publish_leaves_existing_files_untouched_when_a_write_fails(tmp_path):
    good = tmp_path / "a.html"
    good.write_bytes(b"old")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(OSError):
        publish({good: b"new", blocker / "b.html": b"new"})
    assert good.read_bytes() == b"old"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.html", "blocker"]


def test_publish_replaces_files_with_readable_permissions(tmp_path):
    target = tmp_path / "x.html"
    publish({target: b"content"})
    assert target.read_bytes() == b"content"
    assert target.stat().st_mode & 0o044  # not the 0600 of a bare mkstemp


def test_failed_run_record_keeps_the_previous_last_good():
    run = Run("r", Path("r.ipynb"), "R", {})
    t1 = datetime(2025, 1, 1, tzinfo=timezone.utc)
    ok = run_record(None, run=run, status="ok", finished=t1, duration=1, files=ExportFiles.for_name("r"), sources=["S"])
    failed = run_record(ok, run=run, status="failed", finished=datetime.now(timezone.utc), duration=1,
                        failure=Failure(2, "boom()", "E: x"))
    assert failed["last_good"] == ok["last_good"]
    assert failed["last_good"]["time"] == "2025-01-01T00:00:00Z"
    assert failed["failure"] == {"cell": 2, "cell_source": "boom()", "error": "E: x"}


def test_last_good_from_disk_reads_the_exported_notebook(tmp_path):
    assert last_good_from_disk(tmp_path, "r") is None
    (tmp_path / "r.html").write_text("<html></html>")
    nb = new_notebook(metadata={"llmtrends": {"end_time": "2025-02-03T04:05:06Z", "sources": ["S"], "parameters": {}}})
    nbformat.write(nb, tmp_path / "r.ipynb")
    found = last_good_from_disk(tmp_path, "r")
    assert found["time"] == "2025-02-03T04:05:06Z" and found["sources"] == ["S"]


def test_index_shows_not_run_and_a_changed_plan():
    runs = [Run("a", Path("a.ipynb"), "A <i>", {"k": [1, 2]}), Run("b", Path("b.ipynb"), "B", {"x": 1})]
    record_b = {"notebook": "b.ipynb", "parameters": {"x": 2}, "status": "ok", "time": "2025-01-01T00:00:00Z",
                "last_good": None}
    page = render_index(runs, {"b": record_b}, catalog_href=None)
    assert "<script" not in page and "<link" not in page
    assert "A &lt;i&gt;" in page
    assert "<li>k: 1, 2</li>" in page
    assert 'status-not-run">not run<' in section(page, "a")
    assert "The plan changed since the last run (1 Jan 2025, 00:00 UTC)." in section(page, "b")
    assert "data catalog" not in page
    assert "Open the data catalog" in render_index(runs, {}, catalog_href="catalog.html")


def test_catalog_page_is_written_when_the_catalog_module_exists(tmp_path, monkeypatch):
    def write_catalog(path):
        Path(path).write_text("<html>catalog</html>")

    monkeypatch.setitem(sys.modules, "llmtrends.stories.catalog", types.SimpleNamespace(write_catalog=write_catalog))
    assert write_catalog_page(tmp_path) == (CATALOG_NAME, None)
    assert (tmp_path / CATALOG_NAME).read_text() == "<html>catalog</html>"
    assert [path.name for path in tmp_path.iterdir()] == [CATALOG_NAME]


def test_catalog_is_skipped_when_not_importable(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "llmtrends.stories.catalog", None)
    assert write_catalog_page(tmp_path) == (None, None)


def test_a_failing_catalog_keeps_the_previous_page(tmp_path, monkeypatch):
    (tmp_path / CATALOG_NAME).write_text("old catalog")

    def write_catalog(path):
        raise RuntimeError("no data")

    monkeypatch.setitem(sys.modules, "llmtrends.stories.catalog", types.SimpleNamespace(write_catalog=write_catalog))
    href, error = write_catalog_page(tmp_path)
    assert href == CATALOG_NAME and error == "catalog failed: RuntimeError: no data"
    assert (tmp_path / CATALOG_NAME).read_text() == "old catalog"
    assert [path.name for path in tmp_path.iterdir()] == [CATALOG_NAME]


def test_declare_sources_displays_the_private_mimetype(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.append((objs, kw)))
    declare_sources(["A (2025)", "B (2024)"])
    assert shown == [(({SOURCES_MIMETYPE: ["A (2025)", "B (2024)"]},), {"raw": True})]
