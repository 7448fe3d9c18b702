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
