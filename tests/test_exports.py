"""What a stakeholder receives: self-contained HTML, code hidden, sources under charts,
nothing of the build machine, an index and a data catalog - checked in a real browser too."""
from __future__ import annotations

import getpass
import re
import socket
from html import unescape
from pathlib import Path

import pytest

from .reports_fixture import REPO



def _visible_text(path: Path) -> str:
    text = re.sub(r"<style.*?</style>", "", path.read_text(encoding="utf-8"), flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", text))


def _htmls(exports: Path):
    return sorted(p for p in exports.glob("*.html"))


def test_every_run_has_both_variants_and_the_notebook(built_reports):
    exports = built_reports.exports_dir
    for result in built_reports.results:
        name = result.run.name
        for suffix in (".html", ".analyst.html", ".ipynb"):
            assert (exports / f"{name}{suffix}").is_file(), name + suffix
        stakeholder = _visible_text(exports / f"{name}.html")
        analyst = _visible_text(exports / f"{name}.analyst.html")
        assert "import llmtrends as lt" in analyst and "lt.display.section(" in analyst
        assert "import llmtrends" not in stakeholder and "lt.display" not in stakeholder
        assert result.run.title in stakeholder  # the report's title is on the page


def test_exports_are_self_contained_and_small(built_reports):
    for page in _htmls(built_reports.exports_dir):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script[^>]+src=", text), f"{page.name} loads a script"
        assert not re.search(r"<link[^>]+href=[\"']https?:", text), f"{page.name} loads a stylesheet"
        assert "cdnjs" not in text and "unpkg.com" not in text
        assert page.stat().st_size <= 2 * 1024 * 1024, f"{page.name} is over 2 MB"


def test_exports_leak_nothing_of_the_build_machine(built_reports):
    exports = built_reports.exports_dir
    needles = [str(REPO), str(exports), str(Path.home()), getpass.getuser() + "/", "Traceback",
               socket.gethostname(), "connection_file", "/tmp/"]
    for page in sorted(exports.glob("*.html")) + sorted(exports.glob("*.ipynb")) + [exports / "manifest.json"]:
        text = page.read_text(encoding="utf-8")
        for needle in needles:
            if needle and len(needle) > 2:
                assert needle not in text, f"{page.name} contains {needle!r}"


def test_index_leads_with_findings_then_reports_then_catalog_then_run_details(built_reports):
    index = (built_reports.exports_dir / "index.html").read_text(encoding="utf-8")
    order = [index.index(h) for h in ("Who leads, by what measure", "What the reports find", "The reports",
                                      "How fresh each lens is", "Open the data catalog", "Run details")]
    assert order == sorted(order)
    headlines = re.findall(r'<li class="headline">(.*?)</li>', index, flags=re.S)
    assert 5 <= len(headlines) <= 8
    for item in headlines:
        assert re.search(r"\d", item) and '<p class="src">' in item, item
        # the source once, under the sentence: not also "(Menlo Ventures, Dec 2025)." closing the sentence
        sentence = re.search(r"<div><p>(.*?)</p>", item, flags=re.S).group(1)
        assert not re.search(r"\([A-Z][^()]*(?:, | and )(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d\)\.$", sentence), sentence
    from llmtrends.facts import datasets
    publishers = {str(s.get("publisher") or "") for s in datasets.registry().sources.values()} - {""}
    for answer in re.findall(r'<p class="a">.*?<span>(.*?)</span></p>', index, flags=re.S):
        # a one-source answer leaves its source to the "Data as of ..." line under it (a lens named with its
        # period, "(Vercel's gateway tokens, Apr 2026).", is no citation)
        cited = re.search(r"\(([A-Z][^(),]*), (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d\)\.$", answer)
        assert not (cited and cited.group(1) in publishers), answer
    for result in built_reports.results:
        assert result.run.title.replace("'", "&#x27;") in index
        assert f'href="{result.run.name}.html">Read the report: ' in index
        assert f'href="{result.run.name}.analyst.html"' in index
    assert ">Report<" not in index, "link text says where it goes"
    assert "vendor followed: OpenAI" in index and "measure: Share of code-generation LLM use" in index
    assert "highlight_vendor" not in index
    assert 'href="catalog.html"' in index
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} 20\d\d, \d\d:\d\d UTC", index), "build time as people write it"


def test_catalog_lists_every_figure_with_its_quote(built_reports):
    from llmtrends.facts import datasets
    catalog = (built_reports.exports_dir / "catalog.html").read_text(encoding="utf-8")
    obs = datasets.observations()
    attributes = " ".join(re.findall(r"data-obs='([^']*)'", catalog)).split()
    assert sorted(attributes) == sorted(obs["obs_id"]), "every statement once, its id kept for lt.evidence()"
    assert "平均週份額約 13.0%" in catalog
    # a market total is headed by its measure, not "All / total · ..."; a count is a plain number
    assert "class='what'>All / total<" not in catalog and " count · " not in catalog
    assert "class='what'>People who have used AI tools</span> (consumers)" in catalog


def test_stakeholder_export_has_one_source_line_under_every_chart(built_reports):
    page = (built_reports.exports_dir / "agentic-usage.html").read_text(encoding="utf-8")
    charts = len(re.findall(r'<svg [^>]*class="lt-svg"', page))
    assert len(re.findall(r'<svg [^>]*aria-label="[A-Z][^"]+"[^>]*class="lt-svg"', page)) == charts, \
        "every chart has its title as its accessible name"
    assert charts >= 4
    assert page.count('class="lt-chart-source"') == charts
    assert page.count('download="') >= charts


# --------------------------------------------------------------------------- real browser

def _errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def _non_blank(driver, tmp_path, name):
    from PIL import Image
    shot = tmp_path / f"{name}.png"
    driver.save_screenshot(str(shot))
    colours = Image.open(shot).convert("L").getcolors(maxcolors=1 << 20)
    return colours is not None and len(colours) > 20


@pytest.mark.browser
def test_index_and_a_report_open_in_a_real_browser(built_reports, browser, tmp_path):
    from selenium.webdriver.common.by import By
    index = built_reports.exports_dir / "index.html"
    browser.get(index.as_uri())
    assert "llmtrends" in browser.title.lower()
    assert len(browser.find_element(By.TAG_NAME, "body").text) > 200
    assert _non_blank(browser, tmp_path, "index")
    assert _errors(browser) == []
    link = browser.find_element(By.CSS_SELECTOR, 'a[href="vendor-share.html"]')
    link.click()
    assert browser.current_url.endswith("/vendor-share.html")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Anthropic leads with 40%" in body
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.lt-svg")
    assert len(charts) >= 3 and all(c.size["width"] > 100 for c in charts)
    assert _non_blank(browser, tmp_path, "report")
    assert _errors(browser) == []
    browser.get((built_reports.exports_dir / "catalog.html").as_uri())
    assert "data catalog" in browser.title.lower()
    assert _errors(browser) == []
