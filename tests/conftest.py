"""Shared fixtures: an editable copy of data/, the document store, headless Chromium."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

# The validated load cache (llmtrends/facts/cache.py) of this session lives in a
# temporary folder: tests never read a cache written before they started, and
# notebook kernels (child processes) inherit the setting.
os.environ["LLMTRENDS_CACHE"] = tempfile.mkdtemp(prefix="llmtrends-test-cache-")
atexit.register(shutil.rmtree, os.environ["LLMTRENDS_CACHE"], True)

from llmtrends.facts import datasets  # noqa: E402
from llmtrends.facts import store as documents
from llmtrends import paths

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


@pytest.fixture
def synthetic(tmp_path, monkeypatch):
    """``build(rows, disagreements, texts)``: a small data folder and document store of its own
    (:func:`tests.test_evidence.make_data`), made the current one."""
    from tests.test_evidence import make_data

    def build(rows=None, disagreements=None, texts=None):
        data, store = make_data(tmp_path / f"case{len(list(tmp_path.iterdir()))}", rows, disagreements, texts)
        monkeypatch.setenv("LLMTRENDS_DATA", str(data))
        monkeypatch.setenv("LLMTRENDS_DOCUMENTS", str(store))
        datasets.clear_cache()
        return data, store
    yield build
    datasets.clear_cache()


@pytest.fixture(scope="session")
def document_store() -> Path:
    """The document store (``$LLMTRENDS_DOCUMENTS`` or ``../shared/documents``).

    Absent (a clone with nothing beside it): every test needing it is skipped
    by ``pytest_runtest_setup`` below with one reason, which ``-ra`` prints as a
    single summary line. Under CI (``CI`` set) an absent store fails them instead.
    """
    store = paths.documents_dir()
    return store


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


@pytest.fixture(scope="session")
def built_reports(tmp_path_factory):
    """The real batch plan, executed once into a temporary exports folder."""
    from llmtrends.batch import load_plan, run_batch
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


# --------------------------------------------------------------------------- headless Chromium

#: The one line a run without Chromium prints (pytest -ra groups the skips of every browser test).
BROWSER_MISSING = ("headless Chromium not found (chromium and chromedriver on PATH): browser tests skipped; "
                   "enable them with `apt-get install chromium chromium-driver` (Debian; `make test` does it "
                   "when run as root)")


def chromium() -> tuple[str | None, str | None]:
    """Paths of the Chromium binary and its driver, or ``None`` for what is missing."""
    return shutil.which("chromium"), shutil.which("chromedriver")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Browser tests without Chromium, document checks without the store: one skip reason each;
    under CI (env ``CI`` set) a failure.

    Runs before any fixture is set up, so a skipped browser test costs nothing.
    """
    if "document_store" in getattr(item, "fixturenames", ()) and not paths.documents_dir().is_dir():
        store = paths.documents_dir()
        if documents.required():
            pytest.fail(f"document store not found at {store}; CI is set, so the document checks are required: "
                        "set LLMTRENDS_DOCUMENTS or put the store at ../shared/documents", pytrace=False)
        pytest.skip(documents.absent_message(store))  # raised here, so -ra groups them in ONE line
    if item.get_closest_marker("browser") is None or all(chromium()):
        return
    if os.environ.get("CI"):
        pytest.fail("headless Chromium is required under CI (env CI is set) and was not found: "
                    "install Debian's chromium and chromium-driver (`make test` does it as root)", pytrace=False)
    pytest.skip(BROWSER_MISSING)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Selenium (offline: no network features)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    binary, driver_path = chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,1600", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    yield driver
    driver.quit()
