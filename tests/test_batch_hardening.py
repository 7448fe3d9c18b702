"""Regression suite of issue 18 (a third hostile test), the batch runner's part.

Each test names the defect it pins (item numbers are the issue's). The fact
base's part (the caches, strict values, data files) has its own modules.
"""
from __future__ import annotations

import contextlib
import getpass
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import types
from html import unescape
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from llmtrends import paths
from llmtrends.batch import load_plan, run_batch, sanitize
from llmtrends.batch.console import _Printer
from llmtrends.batch.lock import regular_inside
from llmtrends.batch.sanitize import make_scrubber
from llmtrends.cli import main

from .reports_fixture import FIXTURES, NOTEBOOKS, REPO, write_plan
from .test_runner import run_cli


def _quiet(*_):
    return None


@pytest.fixture
def host(monkeypatch):
    """Set the machine's host name as the batch sees it (``socket.gethostname``)."""
    def set_host(name: str) -> str:
        monkeypatch.setattr(sanitize.socket, "gethostname", lambda: name)
        return name
    return set_host


@pytest.fixture
def user(monkeypatch):
    def set_user(name: str) -> str:
        monkeypatch.setattr(sanitize.getpass, "getuser", lambda: name)
        return name
    return set_user


# -------------------------------------------------------------- item 3: the scrubber removes only what it must

PROSE = [
    "Anthropic leads enterprise LLM share with 32%.",
    "OpenAI/Anthropic/Google hold most of the market",
    "The vm, llama and gemini families",
    "<b>Anthropic</b> 40%",
    "@Anthropic on social media; press@anthropic.com",
    "Anthropic: 32%",
    "and/or",
]


@pytest.mark.parametrize("name", ["Anthropic", "anthropic", "vm", "llama", "gemini", "or"])
@pytest.mark.parametrize("text", PROSE)
def test_a_host_or_user_name_that_is_a_report_word_stays_in_the_report(tmp_path, host, user, name, text):
    """Defect: the host name was replaced as a word anywhere: with the host `Anthropic` the vendor vanished."""
    host(name)
    user(name)
    scrub = make_scrubber(tmp_path / "nb")
    assert scrub(text) == text
    assert scrub.markup(text) == text


IDENTIFIERS = [  # (text with the host Anthropic and the user alice, what it becomes)
    ("alice@Anthropic:~$ ls", "<user>@<host>:~$ ls"),
    ("Author: alice <alice@Anthropic>", "Author: alice <<user>@<host>>"),
    ("open http://Anthropic:8888/lab?token=x", "open http://<host>:8888/lab?token=x"),
    ("tcp://anthropic:8786", "tcp://<host>:8786"),
    (r"\\Anthropic\share\report.csv", r"\\<host>\share\report.csv"),
    ("/srv/Anthropic/cache/alice/x.csv", "/srv/<host>/cache/<user>/x.csv"),
    ("uname_result(system='Linux', node='Anthropic', release='6.1')",
     "uname_result(system='Linux', node='<host>', release='6.1')"),
    ("HOSTNAME=Anthropic USER=alice", "HOSTNAME=<host> USER=<user>"),
    ("pwd.struct_passwd(pw_name='alice', pw_uid=1000)", "pwd.struct_passwd(pw_name='<user>', pw_uid=1000)"),
    ("logged in as alice@Anthropic.", "logged in as <user>@<host>."),
]


@pytest.mark.parametrize("text,expected", IDENTIFIERS)
def test_a_host_or_user_name_in_a_path_or_identifier_is_removed(tmp_path, host, user, text, expected):
    host("Anthropic")
    user("alice")
    assert make_scrubber(tmp_path / "nb")(text) == expected


def test_a_removed_name_in_markup_is_escaped_text_never_an_element(tmp_path, host, user):
    """Defect: `<host>` went unescaped into HTML outputs, where the browser reads it as an element."""
    host("Anthropic")
    user("alice")
    scrub = make_scrubber(tmp_path / "nb", extra_dirs=[(tmp_path / "data", "<data>")])
    html = f'<pre>{tmp_path}/data/x.csv read by alice@Anthropic</pre><p>Anthropic leads</p>'
    assert scrub.markup(html) == "<pre>&lt;data&gt;/x.csv read by &lt;user&gt;@&lt;host&gt;</pre><p>Anthropic leads</p>"
    assert scrub(html) == "<pre><data>/x.csv read by <user>@<host></pre><p>Anthropic leads</p>"


def test_folders_are_replaced_only_as_whole_paths(tmp_path):
    """A folder matches as a path of its own, not inside a longer one (on either side)."""
    scrub = make_scrubber(tmp_path / "nb")
    assert scrub(f"{tmp_path}/nb/chart.png") == "./chart.png"
    assert scrub(f"file://{tmp_path}/nb/chart.png") == "file://./chart.png"
    assert scrub(f"/mirror{tmp_path}/nb/chart.png") == f"/mirror{tmp_path}/nb/chart.png"
    assert scrub(f"{tmp_path}/nbx/chart.png").endswith("/nbx/chart.png")


def test_a_machine_without_home_or_user_name_still_scrubs(tmp_path, monkeypatch):
    """A uid without a passwd entry (containers): no HOME, no user name; the scrubber must still work."""
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(sanitize.Path, "home", classmethod(lambda cls: (_ for _ in ()).throw(RuntimeError("no home"))))
    monkeypatch.setattr(sanitize.getpass, "getuser", lambda: (_ for _ in ()).throw(KeyError("uid not found")))
    assert make_scrubber(tmp_path / "nb")(f"{tmp_path}/nb/x") == "./x"


@pytest.fixture
def no_catalog(monkeypatch):
    """Batches here do not build the real data catalog (it reads the real data; tested elsewhere)."""
    monkeypatch.setitem(sys.modules, "llmtrends.stories.catalog", None)


def _visible(html: str) -> str:
    """The text a reader sees: no style, script or tags, entities decoded."""
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.slow
def test_a_host_named_after_a_vendor_leaves_the_vendor_on_the_stakeholder_page(tmp_path, host, no_catalog):
    """Defect (item 3): with the host name `Anthropic` the vendor disappeared from the stakeholder page
    (replaced by a literal `<host>` the browser took for an element)."""
    host("Anthropic")
    plan = tmp_path / "nb" / "reports.yaml"
    plan.parent.mkdir()
    (plan.parent / "vendor_share.ipynb").write_bytes((NOTEBOOKS / "vendor_share.ipynb").read_bytes())
    plan.write_text("reports:\n  - {name: share, notebook: vendor_share.ipynb, title: Vendor share}\n", encoding="utf-8")
    result = run_batch(load_plan(plan), exports_dir=tmp_path / "exports", jobs=1, emit=_quiet)
    assert result.exit_status == 0, [str(r.failure) for r in result.results]
    page = (tmp_path / "exports" / "share.html").read_text(encoding="utf-8")
    assert "<host>" not in page and "&lt;host&gt;" not in page
    assert _visible(page).count("Anthropic") >= 3, "the vendor is missing from the page"


@pytest.mark.slow
def test_the_machine_names_go_where_they_are_identifiers_and_stay_where_they_are_report_words(tmp_path, no_catalog):
    """Item 3, with the real host and user: a report word equal to the host name stays; `user@host`,
    `node: host` and the working folder go; the placeholders in an HTML output are text, not elements."""
    me, machine = getpass.getuser(), socket.gethostname()
    if len(machine) < 2 or machine.lower() == "localhost":
        pytest.skip(f"host name {machine!r} is not scrubbed (too short or localhost)")
    plan = write_plan(tmp_path / "nb", f"""
        reports:
          - {{name: machine, notebook: machine.ipynb, title: Machine, parameters: {{vendor: {machine}}}}}
        """, notebooks=("machine.ipynb",))
    exports = tmp_path / "exports"
    result = run_batch(load_plan(plan), exports_dir=exports, jobs=1, emit=_quiet)
    assert result.exit_status == 0, [str(r.failure) for r in result.results]
    for name in ("machine.html", "machine.analyst.html"):
        page = (exports / name).read_text(encoding="utf-8")
        seen = _visible(page)
        assert f"{machine} leads enterprise LLM share" in seen, name  # the stream output
        assert f"{machine} leads; ran in . as <user>@<host>" in seen, name  # the HTML output, placeholders as text
        assert "prompt: <user>@<host>" in seen and "node: <host>" in seen, name
        assert f"{me}@{machine}" not in seen and str(tmp_path) not in page, name
        assert "<host>" not in page and "<user>" not in page, f"a placeholder became an element in {name}"


# -------------------------------------------------------------- item 9: the landing page does not wait for the kernels


def test_the_landing_findings_and_the_catalog_are_computed_while_the_kernels_run(tmp_path, monkeypatch):
    """Defect (item 9): the landing page's findings and the catalog page were computed after the last run,
    serially (half of a cold batch under load); they depend on the data only and now overlap the kernels."""
    exports = tmp_path / "exports"
    seen: dict[str, bool] = {}

    def render_catalog():
        seen["catalog while running"] = not (exports / "slow.html").exists()
        return "<!DOCTYPE html><title>catalog</title>"

    from llmtrends.batch import runner
    real = runner.cached_content

    def cached_content(*args, **kwargs):
        seen["findings while running"] = not (exports / "slow.html").exists()
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "cached_content", cached_content)
    monkeypatch.setitem(sys.modules, "llmtrends.stories.catalog", types.SimpleNamespace(render_catalog=render_catalog))
    plan = write_plan(tmp_path / "nb", """
        reports:
          - {name: slow, notebook: sleeps.ipynb, title: Slow, parameters: {seconds: 3}}
        """, notebooks=("sleeps.ipynb",))
    result = run_batch(load_plan(plan), exports_dir=exports, jobs=1, emit=_quiet)
    assert result.exit_status == 0
    assert seen == {"findings while running": True, "catalog while running": True}
    assert (exports / "catalog.html").read_text(encoding="utf-8") == "<!DOCTYPE html><title>catalog</title>"
    assert 'href="catalog.html"' in (exports / "index.html").read_text(encoding="utf-8")


# -------------------------------------------------------------- item 5: one data folder for everyone


def _data_reader(folder: Path) -> Path:
    """A notebook that fails unless the data folder its kernel reads is the edited copy."""
    nb = new_notebook(cells=[new_code_cell(
        "from llmtrends import paths\n"
        "text = (paths.data_dir() / 'sources.yaml').read_text(encoding='utf-8')\n"
        "assert '# the copy the runner checked' in text, f'the kernel read another data folder: {paths.data_dir()}'\n"
        "print('same data folder')")], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}})
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "reader.ipynb")
    plan = folder / "reports.yaml"
    plan.write_text("reports:\n  - {name: reader, notebook: reader.ipynb, title: Reader}\n", encoding="utf-8")
    return plan


@pytest.fixture
def work_with_data(tmp_path):
    """A working folder with its own copy of data/ (edited, so that the copy can be told apart)."""
    work = tmp_path / "work"
    shutil.copytree(REPO / "data", work / "data")
    sources = work / "data" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + "\n# the copy the runner checked\n", encoding="utf-8")
    return work


@pytest.mark.slow
def test_a_relative_data_folder_is_the_same_folder_for_the_command_and_its_kernels(work_with_data):
    """Defect (item 5): LLMTRENDS_DATA=data meant ./data to the runner (validated, hashed) and
    notebooks/data to the kernels, which ran in their notebook's folder and failed with `<data>` for a folder."""
    plan = _data_reader(work_with_data / "nb")
    env = dict(os.environ, LLMTRENDS_DATA="data")
    done = subprocess.run([sys.executable, "-m", "llmtrends.cli", "run", "--plan", "nb/reports.yaml",
                           "--exports", "exports"], cwd=work_with_data, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "same data folder" in (work_with_data / "exports" / "reader.analyst.html").read_text(encoding="utf-8")
    assert plan.is_file()


@pytest.mark.slow
def test_a_batch_hands_its_data_folder_to_the_kernels(work_with_data, monkeypatch):
    """Item 5 through the API (no command to resolve the variable): run_batch gives the kernels the absolute folder."""
    plan = _data_reader(work_with_data / "nb")
    monkeypatch.chdir(work_with_data)
    monkeypatch.setenv("LLMTRENDS_DATA", "data")
    result = run_batch(load_plan(plan), exports_dir=Path("exports"), jobs=1, emit=_quiet)
    assert result.exit_status == 0, [str(r.failure) for r in result.results]
    assert os.environ["LLMTRENDS_DATA"] == "data", "the API does not change the caller's environment"


def test_path_variables_are_resolved_once_and_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    environ = {"LLMTRENDS_DATA": "data", "LLMTRENDS_DOCUMENTS": "../store", "LLMTRENDS_CACHE": "off", "HOME": "x"}
    assert paths.resolve_environment(environ) == {"LLMTRENDS_DATA": str(tmp_path / "data"),
                                                  "LLMTRENDS_DOCUMENTS": str(tmp_path / "../store"),
                                                  "LLMTRENDS_CACHE": "off"}
    assert environ["HOME"] == "x"
    monkeypatch.setenv("LLMTRENDS_DATA", "data")
    monkeypatch.setenv("LLMTRENDS_CACHE", "cache")
    kernel = paths.kernel_environment()
    assert kernel["LLMTRENDS_DATA"] == str(tmp_path / "data") == str(paths.data_dir())
    assert kernel["LLMTRENDS_CACHE"] == str(tmp_path / "cache")
    monkeypatch.delenv("LLMTRENDS_DATA")
    assert paths.kernel_environment()["LLMTRENDS_DATA"] == str(paths.data_dir())  # always handed over


def test_a_relative_folder_is_not_scrubbed_as_a_word(tmp_path):
    """Defect (item 5): with LLMTRENDS_DATA=data every word 'data' of a message became `<data>`."""
    scrub = make_scrubber(tmp_path / "nb", extra_dirs=[(Path("data"), "<data>")])
    assert scrub("no data directory here (sources.yaml missing)") == "no data directory here (sources.yaml missing)"


@pytest.mark.slow
def test_a_plans_notebook_paths_appear_in_exports_only_relative_to_the_project(tmp_path, no_catalog):
    """Defect (item 5): an absolute `notebook:` path was published into manifest.json, the notebook,
    the analyst HTML and the index."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(FIXTURES / "greet.ipynb", elsewhere / "greet.ipynb")
    plan = tmp_path / "plan" / "reports.yaml"
    plan.parent.mkdir()
    plan.write_text(f"""reports:
  - {{name: inside, notebook: "{FIXTURES / 'greet.ipynb'}", title: Inside the project}}
  - {{name: outside, notebook: "../elsewhere/greet.ipynb", title: Outside the project}}
""", encoding="utf-8")
    exports = tmp_path / "exports"
    result = run_batch(load_plan(plan), exports_dir=exports, jobs=2, emit=_quiet)
    assert result.exit_status == 0, [str(r.failure) for r in result.results]
    runs = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))["runs"]
    assert runs["inside"]["notebook"] == "tests/fixtures/notebooks/greet.ipynb"
    assert runs["outside"]["notebook"] == "greet.ipynb"
    for name in ("manifest.json", "index.html", "inside.ipynb", "inside.analyst.html", "outside.ipynb",
                 "outside.analyst.html"):
        text = (exports / name).read_text(encoding="utf-8")
        assert str(tmp_path) not in text and str(REPO) not in text, name
    assert "tests/fixtures/notebooks/greet.ipynb" in (exports / "inside.analyst.html").read_text(encoding="utf-8")


# -------------------------------------------------------------- item 4: writes stay inside their folder

GREET = "reports:\n  - {name: greet, notebook: greet.ipynb, title: Greeting}\n"


@pytest.mark.parametrize("shape,said", [("link to a file", "is a symbolic link (to "),
                                        ("dangling link", "is a symbolic link (to "),
                                        ("FIFO", "is a FIFO, not the batch's lock file"),
                                        ("folder", "is a folder, not the batch's lock file")])
def test_a_lock_file_that_is_not_the_batchs_own_is_refused_and_what_it_names_is_untouched(
        tmp_path, monkeypatch, capsys, shape, said):
    """Defect (item 4): `exports/.llmtrends.lock` as a symbolic link made a batch truncate the file it points to."""
    exports = tmp_path / "exports"
    exports.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    lock = exports / ".llmtrends.lock"
    if shape == "link to a file":
        lock.symlink_to(victim)
    elif shape == "dangling link":
        lock.symlink_to(tmp_path / "nowhere")
    elif shape == "FIFO":
        os.mkfifo(lock)
    else:
        lock.mkdir()
    monkeypatch.setattr("llmtrends.batch.pipeline.execute_run", lambda *a, **k: pytest.fail("a kernel was started"))
    plan = write_plan(tmp_path / "nb", GREET)
    status = main(["run", "--plan", str(plan), "--exports", str(exports)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert len(err.strip().splitlines()) == 1 and "exports/.llmtrends.lock " + said in err, err
    assert "remove it" in err and "Traceback" not in err
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (tmp_path / "nowhere").exists(), "the dangling link was followed to create its target"


#: The command with a bound on its memory (a read of /dev/zero fails in seconds instead of taking the
#: machine's memory) and a stand-in data catalog (its page is an export the batch reads back).
BOUNDED_CLI = """
import resource, sys, types
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
fake = types.ModuleType("llmtrends.stories.catalog")
fake.render_catalog = lambda: "<!DOCTYPE html><title>catalog</title>"
sys.modules["llmtrends.stories.catalog"] = fake
from llmtrends.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _bounded_run(plan: Path, exports: Path, seconds: int = 180) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([sys.executable, "-c", BOUNDED_CLI, "run", "--plan", str(plan), "--exports", str(exports)],
                              capture_output=True, text=True, timeout=seconds)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the batch hung: {exc.stdout}")


@pytest.fixture(scope="module")
def greet_built(tmp_path_factory):
    """A plan of one run and an exports folder with its up-to-date exports, catalog and manifest."""
    root = tmp_path_factory.mktemp("built")
    plan = write_plan(root / "nb", GREET, notebooks=("greet.ipynb",))
    done = _bounded_run(plan, root / "exports")
    assert done.returncode == 0, done.stdout + done.stderr
    return plan, root / "exports"


SPECIAL = [("greet.ipynb", "FIFO"), ("greet.html", "link to /dev/zero"), ("greet.analyst.html", "link outside"),
           ("manifest.json", "FIFO"), ("manifest.json", "link to /dev/zero"), ("manifest.json", "link outside"),
           ("catalog.html", "FIFO"), ("catalog.html", "link to /dev/zero")]


@pytest.mark.slow
@pytest.mark.parametrize("name,shape", SPECIAL)
def test_a_special_file_in_the_exports_is_never_read_and_is_replaced(greet_built, tmp_path, name, shape):
    """Defect (item 4): special files in exports (a FIFO named like a notebook, a link to /dev/zero) hung the
    batch or exhausted its memory; an export that is a link was read (and served) through it."""
    plan, built = greet_built
    exports = tmp_path / "exports"
    shutil.copytree(built, exports, symlinks=True)
    target = exports / name
    outside = tmp_path / "outside"
    outside.write_bytes(target.read_bytes())  # the same bytes: only the link gives it away
    target.unlink()
    if shape == "FIFO":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero" if shape == "link to /dev/zero" else outside)
    done = _bounded_run(plan, exports)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stdout + done.stderr
    assert regular_inside(target), f"{name} was not replaced by a file of the batch"
    assert outside.read_bytes() != b"" and not os.path.islink(target)
    if name == "manifest.json":
        assert f"warning: manifest.json not read (a {'FIFO' if shape == 'FIFO' else 'symbolic link'}" in done.stdout
    elif name.startswith("greet"):
        assert "rebuild greet:" in done.stdout and "reused greet" not in done.stdout, done.stdout
    index = (exports / "index.html").read_text(encoding="utf-8")
    assert 'href="greet.html"' in index and 'href="catalog.html"' in index


# -------------------------------------------------------------- item 7: rough edges of the batch


def _notebook(folder: Path, name: str, *sources: str) -> None:
    nb = new_notebook(cells=[new_code_cell(source) for source in sources],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)


@pytest.mark.slow
def test_a_kernel_that_prints_200_mb_is_reported_as_past_the_output_bound_not_as_a_timeout(tmp_path):
    """Defect (item 7): a kernel that printed 200 MB was reported as a 600 s timeout (after minutes of scrubbing)."""
    _notebook(tmp_path / "nb", "loud.ipynb", "print('x' * 200_000_000)")
    (tmp_path / "nb" / "reports.yaml").write_text("reports:\n  - {name: loud, notebook: loud.ipynb, title: Loud}\n")
    done = subprocess.run([sys.executable, "-m", "llmtrends.cli", "run", "--plan", str(tmp_path / "nb" / "reports.yaml"),
                           "--exports", str(tmp_path / "exports")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"^\S+ FAILED loud \(loud.ipynb\): cell 1 `print\('x' \* 200_000_000\)`: OutputLimitError: "
                     r"the outputs passed 20 MB", done.stdout, re.M), done.stdout
    assert "Timeout" not in done.stdout
    assert (tmp_path / "exports" / "loud.failed.ipynb").stat().st_size < 100_000  # the note, not the 200 MB


@pytest.mark.slow
@pytest.mark.parametrize("source", ["print('x' * 3_000_000)",
                                    "for _ in range(100_000):\n    print('y' * 40)",
                                    "from IPython.display import HTML, display\nfor _ in range(40):\n"
                                    "    display(HTML('<p>' + 'z' * 100_000 + '</p>'))",
                                    "import time\nwhile True:\n    print('w' * 1000)\n    time.sleep(0.001)"])
def test_a_run_past_its_output_bound_is_stopped_and_the_others_still_build(tmp_path, source):
    """Item 7: the bound covers one big print, many small ones, displayed data and a cell that never ends."""
    _notebook(tmp_path / "nb", "loud.ipynb", source)
    plan = write_plan(tmp_path / "nb", """
        reports:
          - {name: loud, notebook: loud.ipynb, title: Loud}
          - {name: greet, notebook: greet.ipynb, title: Greeting}
        """, notebooks=("greet.ipynb",))
    status, out, err = run_cli("run", "--plan", str(plan), "--exports", str(tmp_path / "exports"), "--max-output", "1",
                               "--timeout", "120")
    assert status == 1, out + err
    assert "FAILED loud (loud.ipynb): cell 1 " in out and "OutputLimitError: the outputs passed 1 MB" in out, out
    assert "--max-output MB" in out and "greet ok" in out
    assert (tmp_path / "exports" / "greet.html").is_file() and not (tmp_path / "exports" / "loud.html").exists()


@pytest.mark.slow
def test_with_warnings_as_errors_the_batch_leaks_no_event_loop_or_socket(tmp_path):
    """Defect (item 7): `PYTHONWARNINGS=error` showed leaked event loops and sockets at exit
    ("Exception ignored ... ResourceWarning: unclosed event loop"): one per thread that ran a kernel."""
    plan = write_plan(tmp_path / "nb", """
        reports:
          - {name: one, notebook: sleeps.ipynb, title: One}
          - {name: two, notebook: sleeps.ipynb, title: Two}
          - {name: three, notebook: fails.ipynb, title: Three fails}
        """, notebooks=("sleeps.ipynb", "fails.ipynb"))
    env = dict(os.environ, PYTHONWARNINGS="error")
    done = subprocess.run([sys.executable, "-m", "llmtrends.cli", "run", "--plan", str(plan), "--exports",
                           str(tmp_path / "exports"), "--jobs", "2"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 1 and "FAILED three" in done.stdout, done.stdout + done.stderr
    assert "ResourceWarning" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert done.stderr == ""


@pytest.mark.slow
def test_control_characters_in_file_names_reach_the_log_as_escapes(tmp_path, no_catalog):
    """Defect (item 7): control characters in file names reached the terminal raw (an escape sequence redraws
    it, a newline forges a line of a cron log)."""
    folder = tmp_path / "nb"
    write_plan(folder, "reports: []\n", notebooks=("greet.ipynb",))
    (folder / "greet.ipynb").rename(folder / "gr\x1b[2Jeet\n2026-01-01T00:00:00Z done.ipynb")
    plan = folder / "reports.yaml"
    plan.write_text('reports:\n  - {name: greet, notebook: "gr\\e[2Jeet\\n2026-01-01T00:00:00Z done.ipynb", '
                    'title: "Greeting\\u202e"}\n', encoding="utf-8")
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / ".left\x1b]0;pwned\x07.tmp").write_text("x")
    status, out, err = run_cli("run", "--plan", str(plan), "--exports", str(exports))
    assert status == 0, out + err
    assert "removed .left\\x1b]0;pwned\\x07.tmp: left by an interrupted batch" in out, out
    assert "start greet (gr\\x1b[2Jeet\\n2026-01-01T00:00:00Z done.ipynb)" in out, out
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f\u202e]", out + err), repr(out + err)
    assert len(out.splitlines()) == len([line for line in out.splitlines() if line.strip()])
    listed = io.StringIO()
    with contextlib.redirect_stdout(listed):
        assert main(["list", "--plan", str(plan)]) == 0
    assert "  notebook:   gr\\x1b[2Jeet\\n2026-01-01T00:00:00Z done.ipynb" in listed.getvalue()
    assert "  title:      Greeting\\u202e" in listed.getvalue()


def test_a_console_that_cannot_encode_a_character_gets_its_escape_and_the_log_goes_on():
    """Item 7: with LC_ALL=C a non-ASCII title closed the log silently (UnicodeEncodeError taken for a closed pipe)."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    emit = _Printer(stream, timestamps=False)
    emit("start vendor-share (市场份额 \u2026)")
    emit("done: 1 ok")
    stream.flush()
    assert raw.getvalue() == b"start vendor-share (\\u5e02\\u573a\\u4efd\\u989d \\u2026)\ndone: 1 ok\n"
