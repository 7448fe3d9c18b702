"""Numbers, dates and names as a reader writes them (llmtrends.stories.words), and the two HTML
helpers every page uses (llmtrends.stories.html)."""
from __future__ import annotations

import pytest

from llmtrends.stories import words
from llmtrends.errors import DataError
from llmtrends.stories.html import esc, safe_url


@pytest.mark.parametrize("value,text", [(2131.0, "2,131"), (13.0, "13"), (33.3333, "33.3"), (-0.0400001, "0"),
                                        (float("nan"), ""),
                                        # a figure as its source wrote it is never rounded away
                                        (4.69, "4.69"), (3.294, "3.294"), (59.98, "59.98"), (-0.04, "-0.04")])
def test_number_drops_trailing_zeros_and_groups_thousands(value, text):
    assert words.number(value) == text


@pytest.mark.parametrize("args,text", [
    ((8.4, "usd_billion"), "$8.4B"), ((42.0, "percent"), "42%"), ((33.3, "percent", "approx"), "about 33.3%"),
    ((10.5, "months", "approx", 9.0, 12.0), "about 9–12 months"), ((2.0, "multiple", "at_least"), "at least 2×"),
    ((300.0, "count", "at_least"), "at least 300"), ((2.5, "count_billion"), "2.5 billion"),
])
def test_value_keeps_unit_and_wording(args, text):
    assert words.value(*args) == text


@pytest.mark.parametrize("label,text", [
    ("end-2023", "end of 2023"), ("mid-2025", "mid-2025"), ("2024-11", "Nov 2024"),
    ("2024-12..2025-10", "Dec 2024 to Oct 2025"), ("2025-07-31", "31 Jul 2025"), ("2024", "2024"),
])
def test_period_as_people_write_it(label, text):
    assert words.period(label) == text


def test_dates_and_times_without_iso():
    assert words.month("2025-12-09T10:00:00Z") == "Dec 2025"
    assert words.when("2026-11-27T15:40:00Z") == "27 Nov 2026, 15:40 UTC"
    assert words.in_period("end-2023") == "at the end of 2023" and words.in_period("mid-2025") == "in mid-2025"


def test_humanize_turns_metric_ids_and_iso_dates_into_words():
    text = words.humanize("unlike enterprise_llm_api_usage_share (survey 2024-09..2024-10)")
    assert text == "unlike 'Enterprise LLM API usage share' (survey Sep 2024 to Oct 2024)"


def test_points_and_percent_signs():
    assert words.points(7) == "+7 points" and words.points(-25) == "−25 points" and words.percent(42.0) == "42%"


def test_source_citation_has_no_relay_remark_and_no_iso_date():
    for sid in ("menlo_2024_enterprise", "menlo_2025_midyear"):
        text = words.source(sid)
        assert "not named by the relay" not in text
        assert not __import__("re").search(r"\d{4}-\d\d", text), text


def test_labels_give_display_names_and_a_broken_file_is_named(data_copy):
    assert words.label("agent_map_category", "manufacturing_energy") == "Manufacturing and energy"
    assert words.label("board", "text_to_video") == "Text to video"
    (data_copy / "labels.yaml").write_text("board:\n  text_to_video: [a, b]\n", encoding="utf-8")
    with pytest.raises(DataError, match="labels.yaml"):
        words.label("board", "text_to_video")


def test_esc_escapes_text_and_attributes():
    assert esc('<a href="x">\'') == "&lt;a href=&quot;x&quot;&gt;&#x27;"
    assert esc(None) == "" and esc(float("nan")) == ""


@pytest.mark.parametrize("url,ok", [
    ("https://menlovc.com/x", True), ("http://a.b/c?d=1", True), ("catalog.html#theme-spend", True),
    ("javascript:alert(1)", False), ("JaVa\tScript:alert(1)", False), ("data:text/html,<b>", False),
    ("vbscript:x", False), ("//evil.example/x", False), ("", False), (None, False),
])
def test_safe_url_lets_through_only_http_https_and_relative(url, ok):
    assert (safe_url(url) is not None) is ok


def test_half_years_and_methods_read_as_people_write_them():
    from llmtrends.stories import words
    assert words.period("2025-H1") == "H1 2025" and words.period("2025-H1..2025-H2") == "H1 2025 to H2 2025"
    assert "app_monitoring" not in words.source("sensor_tower_state_of_ai_2026")
