"""Incremental rebuilds: a run is reused only when nothing that can change its exports changed.

The unit tests check the key against each kind of edit; the end-to-end test runs
tiny fixture batches and checks, from the command's report and the index, which
runs were rebuilt and which reused. No timing is asserted anywhere.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from llmtrends import paths
from llmtrends.batch import cache
from llmtrends.batch.cache import SharedInputs, decide, key_of, run_inputs
from llmtrends.batch.render import ExportFiles
from llmtrends.batch.plan import Run

from .reports_fixture import FIXTURES, write_plan
from .test_runner import as_people_write, run_cli, section

OBSERVATIONS = "observations/000_dff873e1b34121a2.csv"


def _key(run: Run, shared: SharedInputs) -> str:
    return key_of(run_inputs(run, shared))


def _edit_one_row(data: Path) -> None:
    """Change the note of the first figure of one observations file (the data stays valid)."""
    path = data / OBSERVATIONS
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    edited = lines[1].replace("USD 3.5 billion", "USD 3.5 billion (rounded)", 1)
    assert edited != lines[1]
    lines[1] = edited
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture
def notebook(tmp_path) -> Path:
    target = tmp_path / "nb" / "greet.ipynb"
    target.parent.mkdir()
    shutil.copy(FIXTURES / "greet.ipynb", target)
    return target


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A copy of the llmtrends package, so that its source can be edited safely."""
    target = tmp_path / "pkg" / "llmtrends"
    shutil.copytree(paths.PACKAGE_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


# -- the key ------------------------------------------------------------------------------------


def test_the_key_is_stable_when_nothing_changes(notebook, data_copy):
    run = Run("greet", notebook, "Greeting", {"repeat": 3})
    assert _key(run, SharedInputs.collect()) == _key(run, SharedInputs.collect())


def test_editing_one_data_row_changes_the_key(notebook, data_copy):
    run = Run("greet", notebook, "Greeting", {})
    before = SharedInputs.collect()
    _edit_one_row(data_copy)
    after = SharedInputs.collect()
    assert after.data != before.data
    assert _key(run, after) != _key(run, before)
    assert cache.changed_parts(run_inputs(run, before), run_inputs(run, after)) == ["data"]


def test_adding_or_renaming_a_data_file_changes_the_key(data_copy):
    before = SharedInputs.collect().data
    (data_copy / "tables" / "agent_map.csv").rename(data_copy / "tables" / "agent_map_old.csv")
    renamed = SharedInputs.collect().data
    (data_copy / "notes.txt").write_text("x", encoding="utf-8")
    assert len({before, renamed, SharedInputs.collect().data}) == 3


def test_editing_one_notebook_cell_changes_the_key(notebook, data_copy):
    run = Run("greet", notebook, "Greeting", {})
    shared = SharedInputs.collect()
    before = _key(run, shared)
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    code = next(cell for cell in nb["cells"] if cell["id"] == "cell-3")
    code["source"] = "".join(code["source"]).replace("print(message)", "print(message + '!')")
    notebook.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    assert _key(run, shared) != before


def test_editing_one_library_function_changes_the_key(package_copy, monkeypatch, data_copy):
    before = SharedInputs.collect(package_dir=package_copy)
    module = package_copy / "stories" / "analysis.py"
    source = module.read_text(encoding="utf-8")
    assert "def share_table(" in source
    module.write_text(source.replace("def share_table(", "def share_table(  # edited\n", 1), encoding="utf-8")
    after = SharedInputs.collect(package_dir=package_copy)
    assert after.source != before.source
    # the default is the imported package's folder
    monkeypatch.setattr(paths, "PACKAGE_DIR", package_copy)
    assert SharedInputs.collect().source == after.source


def test_a_stale_bytecode_cache_does_not_count(package_copy, data_copy):
    before = SharedInputs.collect(package_dir=package_copy).source
    (package_copy / "__pycache__").mkdir()
    (package_copy / "__pycache__" / "analysis.cpython-311.pyc").write_bytes(b"\0")
    assert SharedInputs.collect(package_dir=package_copy).source == before


def test_editing_an_export_template_changes_the_key(package_copy, data_copy):
    before = SharedInputs.collect(package_dir=package_copy)
    template = package_copy / "templates" / "llmtrends_html" / "index.html.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n{#- edited -#}\n", encoding="utf-8")
    after = SharedInputs.collect(package_dir=package_copy)
    assert after.templates != before.templates


def test_another_package_version_changes_the_key(monkeypatch, notebook, data_copy):
    run = Run("greet", notebook, "Greeting", {})
    before = _key(run, SharedInputs.collect())
    real = cache.package_versions

    def newer(names=cache.RENDER_PACKAGES):
        versions = real(names)
        versions["nbconvert"] = "999.0"
        return versions

    monkeypatch.setattr(cache, "package_versions", newer)
    assert _key(run, SharedInputs.collect()) != before


def test_changing_one_parameter_or_the_title_changes_the_key(notebook, data_copy):
    shared = SharedInputs.collect()
    base = Run("greet", notebook, "Greeting", {"repeat": 3, "loud": False})
    assert _key(Run("greet", notebook, "Greeting", {"loud": False, "repeat": 3}), shared) == _key(base, shared)
    assert _key(Run("greet", notebook, "Greeting", {"repeat": 4, "loud": False}), shared) != _key(base, shared)
    assert _key(Run("greet", notebook, "Greeting", {"repeat": 3.0, "loud": False}), shared) != _key(base, shared)
    assert _key(Run("greet", notebook, "Hello", {"repeat": 3, "loud": False}), shared) != _key(base, shared)


# -- the decision -------------------------------------------------------------------------------


def _good_record(exports: Path, inputs) -> dict:
    files = ExportFiles.for_name("r")
    names = {"html": files.html, "analyst": files.analyst, "notebook": files.notebook}
    for name in names.values():
        (exports / name).write_text(f"content of {name}", encoding="utf-8")
    return {"status": "ok", "last_good": {"time": "2025-01-01T00:00:00Z", "files": names, "key": key_of(inputs),
                                          "inputs": dict(inputs),
                                          "digests": cache.export_digests(exports, names.values())}}


def test_reuse_needs_the_same_key_and_intact_exports(tmp_path, notebook, data_copy):
    inputs = run_inputs(Run("r", notebook, "R", {}), SharedInputs.collect())
    record = _good_record(tmp_path, inputs)
    assert decide(record, inputs, tmp_path) == cache.Decision(True, built="2025-01-01T00:00:00Z")
    assert decide(record, inputs, tmp_path, force=True).reason == "--force"
    assert decide(None, inputs, tmp_path).reason == "no earlier export"
    other = dict(inputs, notebook="0" * 64)
    assert decide(record, other, tmp_path).reason == "notebook changed"

    (tmp_path / "r.analyst.html").write_text("edited by hand", encoding="utf-8")
    assert decide(record, inputs, tmp_path).reason == "export changed on disk: r.analyst.html"
    (tmp_path / "r.ipynb").unlink()
    assert decide(record, inputs, tmp_path).reason.startswith("export missing: r.ipynb")


def test_an_export_without_a_key_is_rebuilt(tmp_path, notebook, data_copy):
    inputs = run_inputs(Run("r", notebook, "R", {}), SharedInputs.collect())
    record = _good_record(tmp_path, inputs)
    del record["last_good"]["key"]  # written by a runner without the cache, or after inputs changed mid-batch
    assert not decide(record, inputs, tmp_path).reuse


# -- end to end ---------------------------------------------------------------------------------

PLAN = """
reports:
  - name: greet
    notebook: greet.ipynb
    title: Greeting
    parameters: {{repeat: 3}}
  - name: greet-once
    notebook: greet.ipynb
    title: Greeting once
    parameters: {{repeat: {repeat}}}
"""

LIGHT_PROBE = textwrap.dedent("""
    import json, sys
    from llmtrends.cli import main
    status = main(sys.argv[1:])
    heavy = [m for m in ("nbformat", "papermill", "nbconvert", "jupyter_client", "pandas") if m in sys.modules]
    print("PROBE " + json.dumps({"status": status, "heavy": heavy}))
""")


def _runs_of(out: str) -> dict[str, list[str]]:
    stamp = r"(?:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ )?"  # a log line's timestamp (stdout is not a terminal)
    started = re.findall(rf"^{stamp}start (\S+) ", out, re.M)
    reused = re.findall(rf"^{stamp}reused (\S+): up to date", out, re.M)
    return {"started": sorted(started), "reused": sorted(reused)}


def _builds(exports: Path) -> dict[str, str]:
    runs = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))["runs"]
    return {name: record["build"] for name, record in runs.items()}


@pytest.mark.slow
def test_a_second_batch_reuses_and_edits_rebuild_what_they_affect(tmp_path, data_copy):
    folder, exports = tmp_path / "notebooks", tmp_path / "exports"
    plan = write_plan(folder, PLAN.format(repeat=1), notebooks=("greet.ipynb",))
    args = ("run", "--plan", str(plan), "--exports", str(exports), "--jobs", "2")

    # 1. a cold batch builds both runs
    status, out, _ = run_cli(*args)
    assert status == 0, out
    assert _runs_of(out) == {"started": ["greet", "greet-once"], "reused": []}
    assert _builds(exports) == {"greet": "rebuilt", "greet-once": "rebuilt"}
    first = {path.name: path.read_bytes() for name in ("greet", "greet-once")
             for path in ExportFiles.for_name(name).paths(exports)}
    built_at = json.loads((exports / "manifest.json").read_text())["runs"]["greet"]["time"]
    assert 'class="build build-rebuilt">rebuilt<' in section((exports / "index.html").read_text(), "greet")

    # 2. nothing changed: nothing executes, and the command does not even import the Jupyter stack
    probe = subprocess.run([sys.executable, "-c", LIGHT_PROBE, *args], capture_output=True, text=True, timeout=120)
    report = json.loads(probe.stdout.split("PROBE ", 1)[1])
    assert report == {"status": 0, "heavy": []}, probe.stdout + probe.stderr
    assert _runs_of(probe.stdout) == {"started": [], "reused": ["greet", "greet-once"]}
    assert "done: 2 ok, 0 failed, 2 run(s)" in probe.stdout and "(0 rebuilt, 2 reused)" in probe.stdout
    assert _builds(exports) == {"greet": "reused", "greet-once": "reused"}
    index = (exports / "index.html").read_text(encoding="utf-8")
    assert (f'class="build build-reused">reused (from <time datetime="{built_at}">{as_people_write(built_at)}</time>)<'
            in section(index, "greet"))
    assert {name: (exports / name).read_bytes() for name in first} == first

    # 3. one run's parameter changes: that run only
    write_plan(folder, PLAN.format(repeat=2), notebooks=())
    status, out, _ = run_cli(*args)
    assert status == 0, out
    assert _runs_of(out) == {"started": ["greet-once"], "reused": ["greet"]}
    assert "rebuild greet-once: title or parameters changed" in out
    assert _builds(exports) == {"greet": "reused", "greet-once": "rebuilt"}

    # 4. one data row changes: every run rebuilds (any of them may read it)
    _edit_one_row(data_copy)
    status, out, _ = run_cli(*args)
    assert status == 0, out
    assert _runs_of(out) == {"started": ["greet", "greet-once"], "reused": []}
    assert "rebuild greet: data changed" in out

    # 5. one notebook cell changes
    nb = json.loads((folder / "greet.ipynb").read_text(encoding="utf-8"))
    nb["cells"][2]["source"] = "".join(nb["cells"][2]["source"]).replace("print(message)", "print(message, '!')")
    (folder / "greet.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    status, out, _ = run_cli(*args)
    assert _runs_of(out)["started"] == ["greet", "greet-once"] and "rebuild greet: notebook changed" in out
    assert "hello !" in (exports / "greet.html").read_text(encoding="utf-8")

    # 6. an export edited by hand is not served; --force rebuilds what is up to date
    (exports / "greet.html").write_text("tampered", encoding="utf-8")
    status, out, _ = run_cli(*args)
    assert _runs_of(out) == {"started": ["greet"], "reused": ["greet-once"]}
    assert "rebuild greet: export changed on disk: greet.html" in out
    assert "tampered" not in (exports / "greet.html").read_text(encoding="utf-8")
    status, out, _ = run_cli(*args, "--force")
    assert status == 0 and _runs_of(out) == {"started": ["greet", "greet-once"], "reused": []}


@pytest.mark.slow
def test_a_failed_run_is_never_cached(tmp_path, data_copy):
    plan = write_plan(tmp_path / "notebooks", """
        reports:
          - name: fails
            notebook: fails.ipynb
            title: Fails
        """, notebooks=("fails.ipynb",))
    args = ("run", "--plan", str(plan), "--exports", str(tmp_path / "exports"))
    assert run_cli(*args)[0] == 1
    status, out, _ = run_cli(*args)
    assert status == 1 and _runs_of(out) == {"started": ["fails"], "reused": []}


# -- the landing page's findings ------------------------------------------------------------------

STORY_PLAN = """
reports:
  - name: vendor-share
    notebook: vendor_share.ipynb
    title: Vendor share
  - name: open-vs-closed
    notebook: open_vs_closed.ipynb
    title: Open vs closed
  - name: agentic-usage
    notebook: agentic_usage.ipynb
    title: Agentic usage
"""
# a figure the landing page's findings state (Vercel's agentic share of gateway tokens)
AGENTIC_ROW = "vag-agentic-token-share-2026-04,"


def _headlines(page: str) -> list[str]:
    found = re.search(r'<section class="headlines".*?</section>', page, re.S)
    assert found, "the page has no headline findings"
    return re.findall(r"<p>(.*?)</p>", found.group(0))


def _agentic_headline(exports: Path) -> str:
    found = [line for line in _headlines((exports / "index.html").read_text(encoding="utf-8"))
             if "Agentic workloads carry" in line]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.slow
def test_the_index_of_a_no_op_batch_reuses_its_findings_and_a_data_edit_refreshes_them(tmp_path, data_copy):
    # the story notebooks' names (the page tells their stories), a tiny notebook behind each
    folder, exports = tmp_path / "notebooks", tmp_path / "exports"
    plan = write_plan(folder, STORY_PLAN, notebooks=())
    for name in ("vendor_share.ipynb", "open_vs_closed.ipynb", "agentic_usage.ipynb"):
        shutil.copy(FIXTURES / "greet.ipynb", folder / name)
    args = ("run", "--plan", str(plan), "--exports", str(exports), "--jobs", "2")

    # 1. a cold batch computes the findings from the data
    status, out, _ = run_cli(*args)
    assert status == 0, out
    assert "59%" in _agentic_headline(exports)
    first = (exports / "index.html").read_text(encoding="utf-8")

    # 2. nothing changed: the same findings, and the command imports neither pandas nor matplotlib
    probe = subprocess.run([sys.executable, "-c", LIGHT_PROBE.replace('"pandas")', '"pandas", "matplotlib")'), *args],
                           capture_output=True, text=True, timeout=120)
    report = json.loads(probe.stdout.split("PROBE ", 1)[1])
    assert report == {"status": 0, "heavy": []}, probe.stdout + probe.stderr
    second = (exports / "index.html").read_text(encoding="utf-8")
    assert _headlines(second) == _headlines(first)
    cards = re.compile(r'<section class="reports".*?</section>', re.S)
    assert cards.search(second).group(0) == cards.search(first).group(0)

    # 3. one figure changes: the page says the new figure
    observations = data_copy / "observations" / "vercel_2026_ai_gateway_index.csv"
    lines = observations.read_text(encoding="utf-8").splitlines(keepends=True)
    [at] = [i for i, line in enumerate(lines) if line.startswith(AGENTIC_ROW)]
    lines[at] = lines[at].replace(",59,", ",58,", 1).replace("59%", "58%")
    observations.write_text("".join(lines), encoding="utf-8")
    status, out, _ = run_cli(*args)
    assert status == 0, out
    headline = _agentic_headline(exports)
    assert "58%" in headline and "59%" not in headline, headline


def test_findings_computed_while_the_data_changed_are_not_kept(tmp_path, data_copy, monkeypatch):
    from llmtrends.batch import index

    runs = [Run("r", tmp_path / "vendor_share.ipynb", "R", {})]
    shared = SharedInputs.collect()

    def computed_while_a_file_is_saved(runs):
        _edit_one_row(data_copy)
        return {"headlines": "", "runs": {}}

    monkeypatch.setattr(index, "data_content", computed_while_a_file_is_saved)
    content, entry = index.cached_content(runs, shared, None)
    assert content == {"headlines": "", "runs": {}} and entry is None
    # inputs unchanged while computing: kept under their key, and reused while it matches
    shared = SharedInputs.collect()
    fresh = {"headlines": "fresh", "runs": {"r": {"story": None, "params": []}}}
    monkeypatch.setattr(index, "data_content", lambda runs: fresh)
    content, entry = index.cached_content(runs, shared, {"key": "an older key", "content": {"headlines": "old"}})
    assert content["headlines"] == "fresh" and entry == {"key": index.content_key(runs, shared), "content": content,
                                                         "digest": cache.content_digest(content)}
    monkeypatch.setattr(index, "data_content", lambda runs: pytest.fail("recomputed although the key matched"))
    assert index.cached_content(runs, shared, entry) == (content, entry)


# -- issue 18, item 1: the run cache and the landing page's content prove what they serve --------

def _decide_within(record, inputs, exports, seconds=20):
    """decide() in a thread: a FIFO or /dev/zero read would never return."""
    import threading

    found = []
    worker = threading.Thread(target=lambda: found.append(decide(record, inputs, exports)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert found, f"decide() did not return within {seconds} s"
    return found[0]


@pytest.mark.parametrize("kind", ["FIFO", "link to /dev/zero", "link to a good copy elsewhere"])
def test_a_special_file_where_an_export_was_is_never_read_nor_reused(tmp_path, notebook, data_copy, kind):
    """Defect: a FIFO named like an export hung the batch; a link to /dev/zero exhausted memory."""
    import os

    exports = tmp_path / "exports"
    exports.mkdir()
    inputs = run_inputs(Run("r", notebook, "R", {}), SharedInputs.collect())
    record = _good_record(exports, inputs)
    page = exports / "r.html"
    elsewhere = tmp_path / "copy.html"
    shutil.copy(page, elsewhere)
    page.unlink()
    if kind == "FIFO":
        os.mkfifo(page)
    elif kind == "link to /dev/zero":
        page.symlink_to("/dev/zero")
    else:
        page.symlink_to(elsewhere)  # same bytes, but not a file the batch wrote
    decision = _decide_within(record, inputs, exports)
    assert not decision.reuse and decision.reason == "export not a regular file: r.html"


@pytest.mark.parametrize("name", ["../elsewhere.html", "/etc/hostname", "sub/r.html", ".."])
def test_a_manifest_naming_files_outside_the_exports_folder_is_not_trusted(tmp_path, notebook, data_copy, name):
    exports = tmp_path / "exports"
    exports.mkdir()
    inputs = run_inputs(Run("r", notebook, "R", {}), SharedInputs.collect())
    record = _good_record(exports, inputs)
    (tmp_path / "elsewhere.html").write_text("content of r.html", encoding="utf-8")
    record["last_good"]["files"]["html"] = name
    record["last_good"]["digests"] = {**{v: record["last_good"]["digests"].get(v) for v in
                                         record["last_good"]["files"].values()},
                                      name: cache.file_digest(exports / "r.html")}
    decision = decide(record, inputs, exports)
    assert not decision.reuse and "outside the exports folder" in decision.reason


def _index_entry(runs, shared, content):
    from llmtrends.batch import index

    return {"key": index.content_key(runs, shared), "digest": cache.content_digest(content), "content": content}


CONTENT = {"headlines": "<p>Anthropic leads with 40%</p>", "runs": {"r": {"story": None, "params": []}}}


@pytest.mark.parametrize("tamper", ["a headline edited", "a run's card edited", "no digest (an older entry)",
                                    "digest of other content", "content not a mapping", "a run missing"])
def test_landing_page_content_edited_in_the_manifest_is_recomputed_not_served(tmp_path, data_copy, monkeypatch,
                                                                             tamper):
    """Defect: the findings cached in manifest.json were served whatever they had become (HTML, unescaped)."""
    import copy

    from llmtrends.batch import index

    runs = [Run("r", tmp_path / "vendor_share.ipynb", "R", {})]
    shared = SharedInputs.collect()
    entry = _index_entry(runs, shared, CONTENT)
    monkeypatch.setattr(index, "data_content", lambda runs: pytest.fail("recomputed although the entry is intact"))
    assert index.cached_content(runs, shared, entry) == (CONTENT, entry)

    forged = copy.deepcopy(entry)
    if tamper == "a headline edited":
        forged["content"]["headlines"] = "<p>Anthropic leads with 82%</p><script>alert(1)</script>"
    elif tamper == "a run's card edited":
        forged["content"]["runs"]["r"]["params"] = ["<img src=x onerror=alert(1)>"]
    elif tamper == "no digest (an older entry)":
        del forged["digest"]
    elif tamper == "digest of other content":
        forged["digest"] = cache.content_digest({"headlines": "", "runs": {}})
    elif tamper == "content not a mapping":
        forged["content"] = "<p>hi</p>"
    else:
        forged["content"]["runs"] = {}
        forged["digest"] = cache.content_digest(forged["content"])
    monkeypatch.setattr(index, "data_content", lambda runs: CONTENT)
    content, kept = index.cached_content(runs, shared, forged)
    assert content == CONTENT and kept == entry


def test_findings_computed_from_data_that_changed_and_changed_back_are_not_kept(tmp_path, data_copy, monkeypatch):
    """The content is kept only when every load it was computed from served the batch's data state: a file
    saved and restored while the findings were computed leaves the inputs as they were, not the findings."""
    from llmtrends.batch import index
    from llmtrends.facts import loading

    runs = [Run("r", tmp_path / "vendor_share.ipynb", "R", {})]
    shared = SharedInputs.collect()
    path = data_copy / OBSERVATIONS
    original = path.read_bytes()

    def computed_while_a_file_is_saved_and_restored(runs):
        _edit_one_row(data_copy)
        loading.registry()  # the findings read the edited data
        path.write_bytes(original)
        return {"headlines": "", "runs": {"r": {"story": None, "params": []}}}

    monkeypatch.setattr(index, "data_content", computed_while_a_file_is_saved_and_restored)
    assert SharedInputs.collect() == shared
    content, entry = index.cached_content(runs, shared, None)
    assert SharedInputs.collect() == shared, "the inputs look unchanged afterwards"
    assert entry is None


@pytest.mark.parametrize("kind", ["FIFO", "link to /dev/zero", "link to a manifest elsewhere"])
def test_a_special_file_as_manifest_json_is_an_empty_manifest_without_a_hang(tmp_path, kind):
    """The manifest is the run cache's record: a FIFO in its place hung every batch (a link to /dev/zero read
    forever); it is never opened for reading, and the batch rebuilds as without a manifest."""
    import os
    import threading

    from llmtrends.batch import manifest

    exports = tmp_path / "exports"
    exports.mkdir()
    elsewhere = tmp_path / "manifest.json"
    elsewhere.write_text(json.dumps({"version": 1, "runs": {}, "index": {"key": "k", "content": {}}}), encoding="utf-8")
    target = exports / "manifest.json"
    if kind == "FIFO":
        os.mkfifo(target)
    elif kind == "link to /dev/zero":
        target.symlink_to("/dev/zero")
    else:
        target.symlink_to(elsewhere)
    found = []
    reader = threading.Thread(target=lambda: found.append((manifest.load_manifest(exports),
                                                           manifest.load_index_entry(exports),
                                                           manifest.load_catalog_entry(exports))), daemon=True)
    reader.start()
    reader.join(20)
    assert found == [({}, None, None)]
