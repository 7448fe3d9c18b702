"""What a stakeholder reads, for every run of notebooks/reports.yaml: the finding first,
human words only, and nothing degenerate (a change from a period to itself, an empty
table, bars that are all equal, a sentence or chart or download shown twice).

The batch is built once per session (``built_reports``); these tests read its
stakeholder exports as text. The real-browser checks of the same pages (width,
font size, printing) are in test_browser_reports.py.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from html import unescape

import pytest
import yaml

from .reports_fixture import NOTEBOOKS, REPO

RUNS = [r["name"] for r in yaml.safe_load((NOTEBOOKS / "reports.yaml").read_text(encoding="utf-8"))["reports"]]


def _page(built_reports, name: str) -> str:
    return (built_reports.exports_dir / f"{name}.html").read_text(encoding="utf-8")


def visible_text(page: str) -> str:
    """What a reader sees: no style, no attributes, SVG text included, entities decoded."""
    page = re.sub(r"<style.*?</style>|<script.*?</script>|<title>.*?</title>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def data_ids() -> dict[str, set[str]]:
    """Every id defined in data/ that a reader must never see: metrics, sources, documents,
    observations, table categories and boards, and entity ids that are not their display name.

    Only ids with an underscore or a digit are checked: a one-word id such as ``finance``
    or ``openai`` is an ordinary word (and display names say it the same way).
    """
    from llmtrends.facts import datasets
    reg = datasets.registry()
    ids: dict[str, set[str]] = {"metric": set(reg.metrics), "source": set(reg.sources)}
    docs = set(getattr(reg, "documents", {}) or {}) | {p.stem for p in (REPO / "data" / "observations").glob("*.csv")}
    ids["document"] = docs
    ids["observation"] = set(datasets.observations()["obs_id"])
    # an entity id that is the word readers use inside its own name ("o3" in "OpenAI o3") is no jargon
    ids["entity"] = {e for e, meta in reg.entities.items()
                     if not re.search(rf"(?<![\w-]){re.escape(e)}(?![\w-])", str(meta.get("name", "")), re.I)}
    agent_map = datasets.load("agent_map")
    ids["category"] = set(agent_map["category"])
    tables = yaml.safe_load((REPO / "data" / "tables.yaml").read_text(encoding="utf-8"))
    for name in tables:
        frame = datasets.load(name)
        if "board" in frame:
            ids["board"] = set(frame["board"])
    return {kind: {i for i in values if re.search(r"[_\d]", str(i))} for kind, values in ids.items()}


def leaked_ids(text: str) -> list[str]:
    found = []
    for kind, values in data_ids().items():
        for value in values:
            if re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", text):
                found.append(f"{kind} {value}")
    return sorted(found)


def csv_payloads(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)"', page)]


def degenerate(page: str) -> list[str]:
    """Every sign of a section with nothing to say that was shown anyway."""
    problems = []
    text = visible_text(page)
    if re.search(r"[+−-]0(\.0)? points", text):
        problems.append("a change of zero points")
    for m in re.finditer(r"(\d[\d.,]*%) (?:in|at the end of|\()\s*([\w -]+?)\)? (?:to|→) \1 (?:in |at the end of |\()\s*\2\b", text):
        problems.append(f"a change from a period to itself: {m.group(0)!r}")
    for m in re.finditer(r"in ([\w-]+(?: \d{4})?) to [^.;]*? in \1\b", text):
        problems.append(f"a change from a period to itself: {m.group(0)!r}")
    findings = "".join(re.findall(r'class="lt-findings".*?</section>', page, flags=re.S))
    sentences = [unescape(re.sub(r"<[^>]+>", "", s)).strip()
                 for s in re.findall(r'<p class="lt-prose">(.*?)</p>', page, flags=re.S)
                 + re.findall(r"<li>(.*?)</li>", findings, flags=re.S)]
    repeated = {s for s in sentences if sentences.count(s) > 1 and len(s) > 20}
    problems += [f"a sentence repeated: {s!r}" for s in repeated]
    for table in re.findall(r"<table.*?</table>", page, flags=re.S):
        rows = len(re.findall(r"<tbody>.*?<tr", table, flags=re.S)) and len(re.findall(r"<tr", table)) - 1
        if rows == 0:
            problems.append("an empty table")
    svgs = [hashlib.sha256(re.sub(r'id="[^"]+"|#[\w-]+', "", s).encode()).hexdigest()
            for s in re.findall(r'<svg [^>]*class="lt-svg".*?</svg>', page, flags=re.S)]
    if len(svgs) != len(set(svgs)):
        problems.append("the same chart twice")
    payloads = csv_payloads(page)
    if len(payloads) != len(set(payloads)):
        problems.append("two identical CSV downloads")
    for payload in payloads:
        rows = list(csv.DictReader(io.StringIO(payload.decode("utf-8-sig"))))
        values = {r.get("value") for r in rows}
        if len(rows) >= 2 and len(values) == 1 and "label" in rows[0] and len({r["label"] for r in rows}) > 1:
            problems.append(f"a chart whose bars are all equal ({len(rows)} x {values.pop()})")
    return problems


# --------------------------------------------------------------------------- the checks themselves

def test_degenerate_detects_what_it_should():
    # a change from a period to itself, a repeated sentence, an empty table, equal bars, twin downloads
    same = '<p class="lt-prose">Anthropic: 42% in mid-2025 to 42% in mid-2025, +0 points.</p>'
    twice = '<p class="lt-prose">OpenAI is the largest named vendor here.</p>' * 2
    empty = "<table><thead><tr><th>a</th></tr></thead><tbody></tbody></table>"
    flat = "label,period,value\nFinance,,4\nHealthcare,,4\n".encode("utf-8-sig")
    link = f'<a href="data:text/csv;charset=utf-8;base64,{base64.b64encode(flat).decode()}">x</a>'
    found = " | ".join(degenerate(same + twice + empty + link + link))
    for expected in ("zero points", "a period to itself", "sentence repeated", "empty table", "all equal",
                     "identical CSV"):
        assert expected in found, expected
    assert degenerate('<p class="lt-prose">OpenAI: 50% in 2023 to 25% in mid-2025 (−25 points).</p>') == []


def test_leaked_ids_finds_an_id_and_spares_plain_words():
    assert leaked_ids("the enterprise_llm_api_usage_share fell") == ["metric enterprise_llm_api_usage_share"]
    assert leaked_ids("Finance and OpenAI, manufacturing and energy") == []


# --------------------------------------------------------------------------- every run

@pytest.mark.parametrize("run", RUNS)
def test_report_leads_with_question_findings_and_date(built_reports, run):
    page = _page(built_reports, run)
    lead = re.search(r'<header class="lt-lead">(.*?)</header>', page, flags=re.S)
    assert lead, "the report opens with its lead"
    lead = lead.group(1)
    assert "The question:" in lead
    findings = re.findall(r"<li>(.*?)</li>", lead, flags=re.S)
    assert 3 <= len(findings) <= 5, findings
    assert all(re.search(r"\d", f) for f in findings), "every key finding carries its number"
    assert re.search(r"Data as of [^<]*\d{4}", lead)
    assert page.index('class="lt-lead"') < page.index('class="lt-section"'), "the finding comes before the sections"


@pytest.mark.parametrize("run", RUNS)
def test_report_has_nothing_degenerate(built_reports, run):
    assert degenerate(_page(built_reports, run)) == []


@pytest.mark.parametrize("run", RUNS)
def test_stakeholder_text_has_human_words_only(built_reports, run):
    text = visible_text(_page(built_reports, run))
    assert leaked_ids(text) == []
    for needle in ("NaN", "True", "False", "complete enough", "Read in:", "not named by the relay", "None"):
        assert not re.search(rf"\b{re.escape(needle)}\b", text), needle
    assert not re.search(r"\b\d{4}-\d\d(-\d\d)?\b", text), "dates as people write them"
    assert "**" not in text, "markdown shown raw"


@pytest.mark.parametrize("page", ["index.html", "catalog.html"])
def test_landing_page_and_catalog_have_human_words_only(built_reports, page):
    """The landing page and the catalog are read by stakeholders too: documents by publisher and date, no ids."""
    html_page = (built_reports.exports_dir / page).read_text(encoding="utf-8")
    # a verbatim quote is the document's own words ("o3" is a model's name there), not an id of ours
    text = visible_text(re.sub(r"<div class='quote'[^>]*>.*?</div>", " ", html_page, flags=re.S))
    assert leaked_ids(text) == []


@pytest.mark.parametrize("run", RUNS)
def test_downloads_hold_what_the_chart_shows(built_reports, run):
    payloads = csv_payloads(_page(built_reports, run))
    assert payloads
    for payload in payloads:
        assert payload.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
        header = payload.decode("utf-8-sig").splitlines()[0].split(",")
        assert "source" in header and len(header) <= 10, header
        assert not {"obs_id", "quote", "note", "source_id"} & set(header)


def test_quotes_and_notes_stay_in_the_analyst_export(built_reports):
    stakeholder = _page(built_reports, "open-vs-closed")
    analyst = (built_reports.exports_dir / "open-vs-closed.analyst.html").read_text(encoding="utf-8")
    quote = "平均週份額約 13.0%"
    assert quote in analyst and quote not in stakeholder


def test_variants_follow_their_parameters(built_reports):
    default = visible_text(_page(built_reports, "vendor-share"))
    coding = visible_text(_page(built_reports, "vendor-share-coding-openai"))
    title = lambda page: re.search(r'<h1 class="lt-title">(.*?)</h1>', page).group(1)  # noqa: E731
    assert title(_page(built_reports, "vendor-share")) != title(_page(built_reports, "vendor-share-coding-openai"))
    assert "code generation" in title(_page(built_reports, "vendor-share-coding-openai"))
    assert "OpenAI" in coding.split("Key findings", 1)[1][:600], "the followed vendor is in the findings"
    assert "How concentrated the market is: Not shown" in coding and "How concentrated the market is: Not" not in default
    router = visible_text(_page(built_reports, "open-vs-closed-openrouter"))
    assert "enterprise" not in router.split("Key findings", 1)[1][:500].lower()


def test_a_path_across_editions_names_each_measure_when_the_measure_changed():
    """Defect: "coding 42% -> 54%" chained mid-2025 usage and Dec 2025 spend as one like-for-like change."""
    from llmtrends.stories import landing

    told = landing.headlines()
    assert told
    for finding in told:
        data = finding.data
        if "→" not in finding.text or "metric" not in data or data["metric"].nunique() < 2:
            continue
        points = finding.text.split("→")
        unmarked = [p for p in points if not re.search(r"\((?:[^()]*, )?(?:by usage|by spend|closed models only)\)", p)]
        assert unmarked == [], finding.text
    coding = next(f.text for f in told if "code generation" in f.text)
    assert "42% (mid-2025, by usage) → 54% (2025, by spend)" in coding


def test_a_sentence_names_each_publisher_once_with_its_reports_in_date_order():
    from llmtrends.stories import words

    # published Jul 2025, Nov 2024 and Dec 2025 (sources.yaml), given out of order
    ids = ["menlo_2025_midyear", "menlo_2024_enterprise", "menlo_2025_enterprise", "menlo_2024_enterprise"]
    assert words.sources_short(ids) == "Menlo Ventures, Nov 2024, Jul 2025 and Dec 2025"
    assert words.sources_short(["menlo_2025_midyear", "openrouter_state_of_ai"]) == \
        "Menlo Ventures, Jul 2025; OpenRouter (with a16z), Dec 2025"
