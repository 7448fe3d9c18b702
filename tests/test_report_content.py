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
    observations, segments, lenses, source methods, table categories and boards, and entity ids that are not their display name.

    Only ids with an underscore or a digit are checked: a one-word id such as ``finance``
    or ``openai`` is an ordinary word (and display names say it the same way).
    """
    from llmtrends.facts import datasets
    reg = datasets.registry()
    from llmtrends.facts.registry import SOURCE_METHODS
    ids: dict[str, set[str]] = {"metric": set(reg.metrics), "source": set(reg.sources), "method": set(SOURCE_METHODS)}
    docs = set(getattr(reg, "documents", {}) or {}) | {p.stem for p in (REPO / "data" / "observations").glob("*.csv")}
    ids["document"] = docs
    ids["segment"] = set(reg.segments)
    ids["lens"] = set(reg.lenses)
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
    # Python's words, never a reader's ("True Audience" is Sensor Tower's panel, a name)
    for needle in ("NaN", "True(?! Audience)", "False", "complete enough", "Read in:", "not named by the relay", "None"):
        assert not re.search(rf"\b{needle}\b", text), needle
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


# --------------------------------------------------------------------------- no join across a break

def _stories():
    """Every report's story, as each run of reports.yaml tells it."""
    from llmtrends.batch import load_plan
    from llmtrends.stories import landing
    told = []
    for run in load_plan(NOTEBOOKS / "reports.yaml"):
        stem = run.notebook.stem if hasattr(run.notebook, "stem") else str(run.notebook).rsplit(".", 1)[0]
        told.append((run.name, landing.for_notebook(stem, dict(run.parameters), NOTEBOOKS / f"{stem}.ipynb")))
    return told


def joined_across_a_break(text: str, data) -> list[str]:
    """Each arrow chain of ``text`` ('12% (2023) → 24% (2024)') whose values come from two runs of
    :func:`llmtrends.facts.lenses.segments` (two measures, or two methods of one lens)."""
    from llmtrends.facts.lenses import segments
    from llmtrends.stories import words
    if "→" not in text or not len(data) or "metric" not in data:
        return []
    runs = segments(data)
    run_of = {}
    for i, run in enumerate(runs):
        for r in run.itertuples():
            run_of.setdefault((words.percent(r.value), words.period(r.period)), set()).add(i)
    problems = []
    for chain in re.findall(r"[^;:]*?→[^;]*", text):
        points = [run_of[p] for p in re.findall(r"([\d.,]+%) \(([^(),]+)(?:, [^()]*)?\)", chain) if p in run_of]
        if len(points) > 1 and not set.intersection(*points):  # no one run holds every value of the chain
            problems.append(chain.strip())
    return problems


def test_the_join_check_catches_a_path_across_a_change_of_measure():
    from llmtrends.facts import datasets
    figures = datasets.figures()
    coding = figures[figures["metric"].isin(["enterprise_coding_llm_share", "enterprise_coding_llm_spend_share"])
                     & (figures["entity"] == "anthropic") & figures["period"].isin(["mid-2025", "2025"])]
    coding = coding[~((coding["metric"] == "enterprise_coding_llm_spend_share") & (coding["period"] == "mid-2025"))]
    joined = "Anthropic's coding share: 42% (mid-2025, by usage) → 54% (2025, by spend)."
    assert joined_across_a_break(joined, coding), "the old sentence joined usage and spend"
    from llmtrends.stories.story import edition_path
    assert "→" not in edition_path(coding), edition_path(coding)
    assert joined_across_a_break(f"Anthropic: {edition_path(coding)}.", coding) == []


def test_no_sentence_of_any_report_joins_values_across_a_change_of_measure_or_method():
    """A path sentence ('a → b') rests on one measure and one method: Menlo's usage → spend change and a
    lens's break (Ramp, June 2026) end a run (facts.lenses.segments); the landing page's headlines too."""
    from llmtrends.stories import landing
    checked = 0
    for name, story in _stories():
        findings = list(story.key_findings) + [f for sec in story.sections for f in sec.findings]
        for finding in findings:
            checked += "→" in finding.text
            assert joined_across_a_break(finding.text, finding.data) == [], f"{name}: {finding.text}"
    for finding in landing.headlines():
        assert joined_across_a_break(finding.text, finding.data) == [], finding.text
    assert checked >= 2, "paths exist to check"


def test_no_chart_line_crosses_a_change_of_method():
    """Every line drawn by a report's series chart stays on one side of each break of its lens."""
    import pandas as pd
    from llmtrends.stories import plotting
    drawn = 0
    for name, story in _stories():
        for sec in story.sections:
            for c in sec.charts:
                if c.kind != "series_lines":
                    continue
                ax = getattr(plotting, c.kind)(c.data, title=c.title, **c.options)
                starts = [pd.Timestamp(plotting.parse_period_start(str(b["from"]))) for b in c.options.get("breaks", [])]
                for line in ax.lines:
                    xs = [pd.Timestamp(x) for x in line.get_xdata()] if len(line.get_xdata()) > 1 else []
                    if not xs or line.get_linestyle() == "--" or all(x == xs[0] for x in xs):
                        continue  # a point, or the rule that marks the break
                    drawn += 1
                    for start in starts:
                        assert not (min(xs) < start <= max(xs)), f"{name}: a line joins values across {start:%b %Y}"
    assert drawn or not any(c.kind == "series_lines" for _, st in _stories() for sec in st.sections for c in sec.charts)


def test_a_sentence_names_each_publisher_once_with_its_reports_in_date_order():
    from llmtrends.stories import words

    # published Jul 2025, Nov 2024 and Dec 2025 (sources.yaml), given out of order
    ids = ["menlo_2025_midyear", "menlo_2024_enterprise", "menlo_2025_enterprise", "menlo_2024_enterprise"]
    assert words.sources_short(ids) == "Menlo Ventures, Nov 2024, Jul 2025 and Dec 2025"
    assert words.sources_short(["menlo_2025_midyear", "openrouter_state_of_ai"]) == \
        "Menlo Ventures, Jul 2025; OpenRouter (with a16z), Dec 2025"


# --------------------------------------------------------------------------- vendor share: who leads, by what measure

def _current_lenses():
    """The lenses the board shows, from the data: each publisher's latest measure with figures, outside China."""
    import llmtrends as lt
    board = lt.lenses("vendor_share")
    board = board[~board["followed_by"].isin(set(board["lens"])) & (board["market"] == "global")]
    return board


def test_vendor_share_opens_with_who_leads_on_how_many_lenses(built_reports):
    board = _current_lenses()
    page = _page(built_reports, "vendor-share")
    first = re.findall(r"<li>(.*?)</li>", re.search(r'class="lt-findings".*?</section>', page, flags=re.S).group(0),
                       flags=re.S)[0]
    first = unescape(re.sub(r"<[^>]+>", "", first))
    leaders = board["leader_vendor"].where(board["leader_vendor"].notna(), board["leader_entity"])
    top = leaders.value_counts().index[0]
    from llmtrends.stories import words
    assert first.startswith(f"Who leads depends on what is counted. {words.entity(top)} leads on "
                            f"{int((leaders == top).sum())} of {len(board)} lenses"), first
    assert all(words.period(p) in first for p in board["period"].astype(str))


def test_the_lens_board_has_a_row_per_lens_with_its_period_leader_source_and_age(built_reports):
    board = _current_lenses()
    page = _page(built_reports, "vendor-share")
    table = re.search(r'<table class="lt-table lt-board">.*?</table>', page, flags=re.S).group(0)
    tags = re.findall(r"<tr[^>]*>", table.split("<tbody>")[1])
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], flags=re.S)
    assert len(rows) == len(board) >= 3
    assert board["publisher"].nunique() >= 2
    from llmtrends.stories import words
    for (_, lens), row in zip(board.sort_values(["period_end", "period_start"], ascending=False).iterrows(), rows):
        cells = [unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        text = [" ".join(c) for c in cells]
        assert text[0].startswith(lens["title"]) and lens["population"] in text[0]
        assert text[1] == words.period(lens["period"])
        assert text[2].startswith(f"{lens['leader']}")
        assert lens["publisher"] in text[4]
        assert text[5] == f"{lens['age_months']} months" or text[5] == "1 month"
        if lens["provenance"] == "relay only":
            assert "known only through relays" in text[4]
    assert all('title="' in tag for tag in tags), "pointing at a row tells its lens"


def test_the_followed_vendor_is_followed_across_every_lens(built_reports):
    page = _page(built_reports, "vendor-share-coding-openai")
    board = _current_lenses()
    table = re.search(r'<table class="lt-table lt-board">.*?</table>', page, flags=re.S).group(0)
    marked = len(re.findall(r'<tr class="lt-highlight"', table))
    assert marked == int((board["leader_vendor"] == "openai").sum()), "the rows OpenAI leads stand out"
    text = visible_text(page)
    assert re.search(r"OpenAI (leads on|is second on|third on|is not named on)", text)


def test_how_shares_changed_compares_like_with_like_and_agrees_with_the_chart(built_reports):
    text = visible_text(_page(built_reports, "vendor-share"))
    section = text.split("How shares changed", 1)[1][:700]
    assert "By share of spend (Menlo Ventures, Dec 2025), the largest move is Anthropic's: 12% in 2023 to 40% in " \
           "2025 (+28 points); OpenAI went from 50% to 27% (−23 points)" in section
    assert "25% (mid-2025)" not in section, "usage (mid-2025) is not compared with closed-source shares (2023)"
    coding = visible_text(_page(built_reports, "vendor-share-coding-openai"))
    assert "one period only" not in coding, "the coding run's change is its spend measure's two periods"
    assert "42% in mid-2025 to 54% in 2025 (+12 points)" in coding


def test_concentration_names_the_guideline_and_its_year(built_reports):
    text = visible_text(_page(built_reports, "vendor-share"))
    assert "1,800 that the 2023 US Merger Guidelines count as highly concentrated" in text
    assert "2,500 of the 2010 US Horizontal Merger Guidelines" in text


def test_every_chart_mark_answers_a_pointer_and_wears_its_vendors_colour(built_reports):
    """Each bar, point or line of every chart of every report has a title (value, period, measure, source) and,
    when it stands for an entity, its vendor's colour (lightened when another vendor is followed); nothing that
    is not a vendor's wears a vendor's colour."""
    from matplotlib.colors import to_hex
    from llmtrends.stories import plotting
    from llmtrends.facts import datasets
    vendors = {m["color"].lower() for m in datasets.registry().entities.values() if m.get("color") and m.get("kind") == "vendor"}
    muted = {to_hex(plotting._muted(c)).lower() for c in vendors}
    for run in RUNS:
        page = _page(built_reports, run)
        marks = re.findall(r'<g id="[^"]+" class="lt-mark"( data-entity="([^"]+)")?><title>([^<]+)</title>\s*'
                           r'<path[^>]*?style="(?:fill: (#[0-9a-f]{6})|fill: none;[^"]*?stroke: (#[0-9a-f]{6}))', page)
        for _, entity, title, filled, stroked in marks:
            fill = filled or stroked
            assert re.search(r"\d", title), title
            expected = plotting.vendor_colour(entity) if entity else None
            if expected:
                assert fill in (expected.lower(), to_hex(plotting._muted(expected)).lower()), (run, title, fill)
            else:
                assert fill not in vendors | muted, f"{run}: {title!r} wears a vendor's colour {fill}"
        assert len(re.findall(r'class="lt-mark"', page)) >= 3, run
