"""Shared fixtures: an editable copy of data/, and the seed documents."""
from __future__ import annotations

import shutil
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from llmtrends import datasets, paths  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A writable copy of data/ that llmtrends loads instead of the real one."""
    target = tmp_path / "data"
    shutil.copytree(REPO / "data", target)
    monkeypatch.setenv("LLMTRENDS_DATA", str(target))
    datasets.clear_cache()
    yield target
    datasets.clear_cache()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed documents; a test needing them fails loudly when they are absent."""
    return paths.seeds_dir()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory):
    """The real batch plan, executed once into a temporary exports folder."""
    from llmtrends.reports import load_plan, run_batch
    exports = tmp_path_factory.mktemp("exports")
    lines: list[str] = []
    result = run_batch(load_plan(REPO / "notebooks" / "reports.yaml"), exports_dir=exports, jobs=2,
                       emit=lines.append)
    result.exports_dir = exports
    result.lines = lines
    return result


@pytest.fixture(scope="session")
def executed(built_reports):
    """The executed (sanitized) notebook of one run, by run name."""
    import nbformat

    def read(name: str):
        return nbformat.read(built_reports.exports_dir / f"{name}.ipynb", as_version=4)
    return read
