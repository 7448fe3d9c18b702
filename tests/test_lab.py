"""JupyterLab on this environment: the named kernel, and notebooks saved with outputs commit clean.

``make venv`` / ``make lab`` install the ``llmtrends`` kernelspec into .venv
and set nbstripout up as the git filter .gitattributes names.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _makefile_kernel() -> str:
    match = re.search(r"^KERNEL\s*:?=\s*(\S+)", (REPO / "Makefile").read_text(encoding="utf-8"), re.M)
    assert match, "the Makefile names the kernel it installs (KERNEL := ...)"
    return match.group(1)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_runs_on_the_kernel_make_installs(path):
    spec = nbformat.read(path, as_version=4).metadata.get("kernelspec", {})
    assert spec.get("name") == _makefile_kernel() == "llmtrends"
    assert spec.get("language") == "python"


def test_the_llmtrends_kernel_is_installed_into_this_environment():
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    try:
        spec = KernelSpecManager().get_kernel_spec("llmtrends")
    except NoSuchKernel:
        if os.environ.get("CI"):
            raise
        pytest.skip("kernel 'llmtrends' not installed: run `make venv` (or `make lab`)")
    assert Path(spec.resource_dir).resolve().is_relative_to(Path(sys.prefix).resolve()), "inside the venv"
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve(), "runs this environment's python"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _bare_repo(tmp_path: Path) -> Path:
    """A git repository holding only the Makefile and .gitattributes, on this environment's Python.

    The filter runs ``.venv/bin/python`` of the checkout, so ``.venv`` points at this interpreter's prefix.
    """
    repo = tmp_path / "clone"
    (repo / "notebooks").mkdir(parents=True)
    for name in ("Makefile", ".gitattributes"):
        shutil.copy(REPO / name, repo / name)
    (repo / ".venv").symlink_to(Path(sys.prefix))
    _git(repo, "init", "-q")
    return repo


def _install_filter(repo: Path) -> None:
    subprocess.run(["make", "--no-print-directory", "gitfilter"], cwd=repo, check=True, capture_output=True)


def _executed_copy(source: Path, target: Path) -> None:
    """The notebook as Lab saves it after a run: outputs, counts, execution timing metadata."""
    nb = nbformat.read(source, as_version=4)
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = i + 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"output {i}\n"),
                        nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=i + 1)]
        cell.metadata["execution"] = {"iopub.execute_input": "2025-01-01T00:00:00.000Z"}
    nbformat.write(nb, target)


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None, reason="needs make and git")
def test_a_notebook_saved_with_outputs_is_staged_without_them(tmp_path):
    repo = _bare_repo(tmp_path)
    _git(repo, "config", "user.email", "t@example.org")
    _git(repo, "config", "user.name", "test")
    notebook = repo / "notebooks" / "vendor_share.ipynb"
    _executed_copy(REPO / "notebooks" / "vendor_share.ipynb", notebook)

    _git(repo, "add", "notebooks/vendor_share.ipynb")  # without the filter: outputs are staged
    unfiltered = json.loads(_git(repo, "show", ":notebooks/vendor_share.ipynb"))
    assert any(c.get("outputs") for c in unfiltered["cells"]), "the control: outputs reach git unfiltered"
    _git(repo, "rm", "-q", "--cached", "notebooks/vendor_share.ipynb")

    _install_filter(repo)
    _git(repo, "add", "notebooks/vendor_share.ipynb")
    staged = nbformat.reads(_git(repo, "show", ":notebooks/vendor_share.ipynb"), as_version=4)
    code = [c for c in staged.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert all("execution" not in c.metadata for c in code)
    assert staged.metadata.kernelspec.name == "llmtrends"
    assert [c.source for c in staged.cells] == [c.source for c in nbformat.read(notebook, as_version=4).cells]
    assert any(c.get("outputs") for c in nbformat.read(notebook, as_version=4).cells), "the saved file keeps its outputs"
    _git(repo, "commit", "-q", "-m", "save")
    committed = nbformat.reads(_git(repo, "show", "HEAD:notebooks/vendor_share.ipynb"), as_version=4)
    assert all(not c.get("outputs") for c in committed.cells if c.cell_type == "code")


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None, reason="needs make and git")
def test_the_filter_leaves_every_committed_notebook_byte_identical(tmp_path):
    """A fresh clone runs `make venv` (which sets up the filter): no committed notebook may then show as modified.

    nbstripout renumbers cell ids and keeps kernel-written language_info unless told otherwise; either would
    make `git status` list every notebook as changed in a clone nobody has touched.
    """
    repo = _bare_repo(tmp_path)
    notebooks = sorted(p.relative_to(REPO) for p in REPO.rglob("*.ipynb")
                       if ".venv" not in p.parts and ".ipynb_checkpoints" not in p.parts and "exports" not in p.parts)
    assert notebooks, "the repository has notebooks"
    for rel in notebooks:
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, repo / rel)
    _install_filter(repo)
    _git(repo, "add", *[str(p) for p in notebooks])
    changed = [str(rel) for rel in notebooks
               if _git(repo, "show", f":{rel}").encode("utf-8") != (REPO / rel).read_bytes()]
    assert not changed, f"the git filter rewrites committed notebooks: {changed}"


@pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None, reason="needs make and git")
def test_an_executed_notebook_stages_as_its_committed_self(tmp_path):
    """Run a notebook as Lab would (outputs, execution counts, the kernel's language_info), save, stage: no diff."""
    repo = _bare_repo(tmp_path)
    _install_filter(repo)
    notebook = repo / "notebooks" / "explore.ipynb"
    _executed_copy(REPO / "notebooks" / "explore.ipynb", notebook)
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["language_info"] = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                                    "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                                    "pygments_lexer": "ipython3", "version": "3.11.7"}
    nbformat.write(nb, notebook)
    _git(repo, "add", "notebooks/explore.ipynb")
    staged = _git(repo, "show", ":notebooks/explore.ipynb").encode("utf-8")
    assert staged == (REPO / "notebooks" / "explore.ipynb").read_bytes()
