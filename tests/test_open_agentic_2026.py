"""The open-vs-closed and agentic-usage reports reach 2026: every lens of data/lenses.yaml, each with its
population and period, and the defects a stakeholder's reading found (issue 16, item 4) gone at their cause.

The story-level tests compute the stories from the fact base (fast); the export-level ones read the batch
built once per session (``built_reports``).
"""
from __future__ import annotations

import csv
import io
import re
import textwrap

import pytest

from llmtrends.errors import ParameterError
from llmtrends.facts import datasets
from llmtrends.stories import params
from llmtrends.stories.themes.agentic_usage import agentic_usage
from llmtrends.stories.themes.lens_parts import compact_period, declared_lenses, lens_rows
from llmtrends.stories.themes.open_vs_closed import open_vs_closed

from .test_report_content import csv_payloads, visible_text

OVC_DEFAULTS = {"lenses": ["all"], "flageval_boards": ["language_subjective", "language_objective", "text_to_image",
                                                      "text_to_video"], "show_quotes": True}


@pytest.fixture(scope="module")
def ovc():
    return open_vs_closed(**params.validate("open_vs_closed", OVC_DEFAULTS))


@pytest.fixture(scope="module")
def agentic():
    return agentic_usage()


def _chart(story, name):
    for section in story.sections:
        for chart in section.charts:
            if chart.name == name:
                return section, chart
    raise AssertionError(f"no chart {name!r}: {[c.name for s in story.sections for c in s.charts]}")


def _texts(story) -> str:
    return " ".join([f.text for f in story.key_findings] + [f.text for s in story.sections for f in s.findings]
                    + [s.intro for s in story.sections])


# --------------------------------------------------------------------------- open vs closed

def test_the_lens_chart_shows_every_lens_of_use_with_its_latest_figure(ovc):
    """Defect: the notebook listed five metrics by hand, so Menlo's newest figure (11% by spend) was left out.
    The default is now every lens data/lenses.yaml declares, so a new lens is a data edit."""
    _, chart = _chart(ovc, "open-source-lenses")
    figures = datasets.figures()
    reg = datasets.registry()
    expected = {lid for lid, lens in declared_lenses().items() if len(lens_rows(figures, lens))
                and reg.metrics[lens["metric"]]["kind"] in ("share", "rate")}
    assert set(chart.data["lens"]) == expected
    spend = chart.data.set_index("lens").loc["menlo_open_source_spend_share"]
    assert (spend["value"], spend["period"]) == (11.0, "2025")
    # each row names its measure (the lens's few words) and its period
    for label, period in zip(chart.data["short"], chart.data["period"]):
        assert label.endswith(", " + compact_period(period)), label


def test_a_new_open_vs_closed_lens_reaches_the_chart_without_a_code_change(data_copy):
    import yaml
    path = data_copy / "lenses.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["lenses"]["alibaba_use_by_chinese_developers"] = {
        "theme": "open_vs_closed", "title": "Chinese developers using Alibaba's models", "short": "Developers on Qwen",
        "metric": "developer_model_usage_rate", "entities": ["alibaba"], "population": "Chinese AI developers",
        "publisher": "Analysys", "sources": ["analysys_csdn_developer_survey_2024"], "cadence": "once"}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    story = open_vs_closed(**params.validate("open_vs_closed", OVC_DEFAULTS))
    _, chart = _chart(story, "open-source-lenses")
    assert "alibaba_use_by_chinese_developers" in set(chart.data["lens"])


def test_what_the_measures_mean_names_every_measure_shown(ovc):
    shown = {m for s in ovc.sections if not s.analyst_only for c in s.charts for m in c.data["metric"]}
    shown |= {m for f in ovc.key_findings if "metric" in f.data for m in f.data["metric"]}
    assert "enterprise_open_source_llm_spend_share" in shown
    assert shown <= set(ovc.metrics), shown - set(ovc.metrics)


def test_the_enterprise_editions_stand_beside_the_api_router_each_bar_naming_its_measure(ovc):
    """Defect: a section titled '... beside the API router' had no router bar. Menlo Ventures' editions are now
    rows of the lens chart, beside OpenRouter's bar, each named by its measure and period."""
    section, chart = _chart(ovc, "open-source-lenses")
    assert "beside the API router" in section.intro and "changed measure from usage to spend" in section.intro
    labels = list(chart.data["short"])
    for expected in ("Enterprise AI workloads, end of 2024", "Enterprise AI workloads, mid-2025",
                     "Enterprise LLM spend, 2025", "OpenRouter, all tokens, end of 2025"):
        assert expected in labels
    assert not [s.title for s in ovc.sections if "beside the API router" in s.title]
    menlo = chart.data[chart.data["source_id"].str.startswith("menlo")]
    assert menlo["metric"].nunique() == 2  # usage and spend: coloured apart, never one series


def test_capability_is_told_apart_from_use_and_says_its_provenance(ovc):
    _, chart = _chart(ovc, "open-source-lenses")
    assert "arena_closed_open_top_model_gap_pct" not in set(chart.data["metric"])
    gap = next(f.text for f in ovc.key_findings if "Arena" in f.text)
    assert "from 0.5% of score (Aug 2024) to about 3.3–3.4% (Mar 2026)" in gap
    assert "via relays only" in gap
    assert any("9–12 months" in f.text for f in ovc.key_findings + ovc.section("The capability gap").findings)


def test_the_study_below_30_percent_says_it_is_undated_and_relayed(ovc):
    text = next(f.text for s in ovc.sections for f in s.findings if "Emerging Market for Intelligence" in f.text)
    assert "stays below 30%" in text and "undated, read as 2025" in text and "via a blog quoting it only" in text


def test_the_range_finding_names_each_measure_and_the_lowest_and_highest(ovc):
    first = ovc.key_findings[0].text
    assert "11% of enterprise LLM spend in 2025" in first
    assert "about 30% of OpenRouter tokens at the end of 2025" in first  # 'about 30%' ranks above 'below 30%'


@pytest.mark.parametrize("value,fragment", [
    (["openrouter_token_share"], "unknown lens 'openrouter_token_share'"),
    (["all", "openrouter_open_weight_token_share"], "'all' stands alone"),
    ([], "the selection is empty"),
])
def test_lens_parameter_names_what_is_accepted(value, fragment):
    with pytest.raises(ParameterError) as err:
        params.validate("open_vs_closed", dict(OVC_DEFAULTS, lenses=value))
    assert fragment in str(err.value)
    assert "accepted" in str(err.value)


def test_compact_period_writes_a_week_and_a_year_as_people_do():
    assert compact_period("2024-11-03..2025-11-30") == "Nov 2024–Nov 2025"
    assert compact_period("2026-02-09..2026-02-15") == "9–15 Feb 2026"
    assert compact_period("2026-02-23..2026-03-01") == "23 Feb–1 Mar 2026"
    assert compact_period("mid-2025") == "mid-2025"
    assert compact_period("2026-01..2026-05") == "Jan–May 2026"
    assert compact_period("2026-02-23..2026-04") == "Feb–Apr 2026"


# --------------------------------------------------------------------------- agentic usage

def test_agentic_lenses_each_with_population_and_period(agentic):
    _, chart = _chart(agentic, "agentic-lenses")
    lenses = set(chart.data["lens"])
    assert {"vercel_agentic_token_share", "vercel_tool_call_request_share", "anthropic_api_automation_share",
            "anthropic_claude_ai_automation_share", "openrouter_reasoning_task_share"} <= lenses
    row = chart.data.set_index("lens").loc["vercel_agentic_token_share"]
    assert (row["value"], row["short"]) == (59.0, "Vercel AI Gateway, agentic tokens, Apr 2026")
    assert agentic.as_of.startswith("Data as of Apr 2026")


def test_agentic_2026_sentences_say_population_period_and_relay(agentic):
    text = _texts(agentic)
    assert "Agentic workloads carry 59% of all the tokens routed through Vercel's AI Gateway in Apr 2026" in text
    assert "without saying whether the share or the volume grew" in text
    assert "rose from 11.4% in Oct 2025 to 22.2% in Apr 2026 (Vercel, May 2026, known here only through a relay)" in text
    automation = next(f.text for f in agentic.key_findings if "automation" in f.text)
    assert "75% of the first-party API traffic to Claude" in automation and "45% of the Claude.ai conversations" in automation
    assert "Nov 2025" in automation and "known here only through a relay" in automation


def test_a_model_is_never_said_new_in_the_first_period_the_data_name_it(agentic):
    """Defect: 'Claude Sonnet 4, new in Jun 2025' - the data's second period (within a month of the release,
    labelled Jun 2025) was written as the launch month, which the page gives as May 2025."""
    text = _texts(agentic)
    assert not re.search(r"new in [A-Z][a-z]{2} \d{4}", text)
    assert "Claude Sonnet 4, not among the models named in May 2025, holds 45% of Anthropic's users in Jun 2025" in text
    intro = agentic.section("How fast users move to a new frontier model").intro
    assert "(May 2025 and Jun 2025) are inferred" in intro and "within one month of it" in intro


def test_agents_in_production_shows_its_figures_in_a_chart(agentic):
    section, chart = _chart(agentic, "agents-production")
    assert section.title == "Agents in production"
    assert chart.data["metric"].nunique() == 2 and len(chart.data) >= 3


def test_every_agentic_section_with_a_finding_has_a_chart_or_a_table(agentic):
    for section in agentic.sections:
        if section.skipped or section.analyst_only:
            continue
        assert section.charts or section.table is not None, section.title


@pytest.mark.parametrize("view", ["industry", "function"])
def test_the_agent_map_by_view_lists_its_agents(view):
    story = agentic_usage(agent_map_view=view)
    section = story.section(f"The Chinese agent map, by {view}")
    assert section.skipped is None and section.table is not None
    listed = datasets.load("agent_map")
    listed = listed[listed["section"] == view]
    assert len(section.table.rows) == listed["category"].nunique()
    cells = " ".join(row[1] for row in section.table.rows)
    assert all(str(org) in cells for org in listed["organization"])


def test_chart_row_names_fit_two_lines_on_every_bar_chart(ovc, agentic):
    """A row name longer than the chart's two lines is cut ('[...]'), hiding the measure or the period."""
    for story in (ovc, agentic):
        for section in story.sections:
            for chart in section.charts:
                if chart.kind != "value_bars":
                    continue
                lines = chart.options.get("label_lines")
                chars, width = (22, 40) if lines is None else (24, 24 * lines)
                lines = lines or 2
                for name in chart.data[chart.options.get("label", "entity_name")]:
                    assert len(str(name)) <= width and len(textwrap.wrap(str(name), chars)) <= lines, (chart.name, name)


# --------------------------------------------------------------------------- the exports

def test_open_vs_closed_export_shows_the_2026_lenses_and_every_measure(built_reports):
    page = (built_reports.exports_dir / "open-vs-closed.html").read_text(encoding="utf-8")
    text = visible_text(page)
    assert "Enterprise LLM spend, 2025" in text and "LLM API tokens in one study, 2025" in text
    definitions = text.split("What the measures mean", 1)[1]
    for title in ("Open-weight share of enterprise LLM spend", "Share of OpenRouter tokens",
                  "Open-source share of the tokens of LLM APIs"):
        assert title in definitions
    lens_csv = next(p for p in csv_payloads(page) if b"Enterprise LLM spend" in p or "Open-weight share of enterprise LLM spend".encode() in p)
    rows = list(csv.DictReader(io.StringIO(lens_csv.decode("utf-8-sig"))))
    assert {r["period"] for r in rows} >= {"2025", "mid-2025", "end of 2025"}


def test_agentic_exports_show_the_2026_measures_and_the_map_lists(built_reports):
    for run in ("agentic-usage", "agentic-usage-enterprise"):
        text = visible_text((built_reports.exports_dir / f"{run}.html").read_text(encoding="utf-8"))
        assert "Vercel AI Gateway, agentic tokens, Apr 2026" in text
        assert "Agents the map lists" in text
        assert "new in Jun 2025" not in text
    enterprise = visible_text((built_reports.exports_dir / "agentic-usage-enterprise.html").read_text(encoding="utf-8"))
    assert "The Chinese agent map, by function" in enterprise and "Startup AI deployments, true agents" not in enterprise
