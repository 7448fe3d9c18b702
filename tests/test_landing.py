"""The landing page reaches the day it is built: who leads by which measure, newest evidence first, how
fresh each lens is, what is new in this release; sparklines that join nothing across a change of measure,
method or population, one colour per vendor;.

Expected values come from data/lenses.yaml, vocabulary.yaml and the figures (computed here independently of
the page's code), or from the documents (Ramp's July 2026 figures came out in its August 2026 edition).
The page as a browser shows it is checked in test_browser_reports.py.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone

import pandas as pd

from llmtrends.stories import freshness as fresh
from llmtrends.stories import landing, landing_page

BUILT = datetime(2026, 12, 6, 9, 0, tzinfo=timezone.utc)


def _reg():
    from llmtrends.facts import datasets
    return datasets.registry()


def _figures():
    from llmtrends.facts import datasets
    return datasets.figures()


# --------------------------------------------------------------------------- whether a newer edition is due

def test_a_monthly_series_counts_the_editions_due_since_its_latest_from_its_own_publication_delay():
    # Ramp: July data came out on 12 Aug (12 days after the month): Aug, Sep and Oct data are due by 6 Dec
    status = fresh.due({"cadence": "monthly", "period_end": "2026-07-31", "edition": "2026-08-12"}, date(2026, 12, 6))
    assert status["state"] == "due"
    assert status["text"].startswith("3 newer editions due (Aug to Oct 2026 data")
    assert "12 Sep 2026" in status["text"]
    # on 10 Sep nothing is due yet: the August data are expected on 12 Sep
    early = fresh.due({"cadence": "monthly", "period_end": "2026-07-31", "edition": "2026-08-12"}, date(2026, 9, 10))
    assert early["state"] == "soon" and "12 Sep 2026" in early["text"]


def test_a_yearly_report_published_before_its_year_ends_is_expected_in_the_same_month_next_year():
    # Menlo Ventures' December edition (9 Dec 2025, on 2025): the next one is expected in December 2026
    menlo = {"cadence": "yearly", "period_end": "2025-12-31", "edition": "2025-12-09"}
    assert fresh.due(menlo, date(2026, 12, 6))["state"] == "soon"
    assert fresh.due(menlo, date(2026, 12, 10))["state"] == "due"
    assert fresh.due(menlo, date(2026, 6, 1)) == {"state": "later", "text": "Next edition expected Dec 2026"}


def test_an_edition_dated_to_its_month_is_taken_at_the_months_end_and_said_to_the_month():
    # IDC's H1 2025 figures came out in Sep 2025: H2 2025 and H1 2026 figures are due by Dec 2026
    idc = fresh.due({"cadence": "twice_a_year", "period_end": "2025-06-30", "edition": "2025-09"}, date(2026, 12, 6))
    assert idc == {"state": "due", "text": "2 newer editions due (H2 2025 to H1 2026 data; the first expected Apr 2026)"}
    # taken at the month's end, an edition is never expected earlier than it can come
    assert fresh.due({"cadence": "twice_a_year", "period_end": "2025-06-30", "edition": "2025-09"},
                     date(2026, 3, 31))["state"] == "later"


def test_one_off_reports_expect_nothing_and_an_unknown_edition_date_says_so():
    assert fresh.due({"cadence": "once", "period_end": "2026-04-30", "edition": "2026-05-12"},
                     date(2026, 12, 6))["state"] == "none"
    assert fresh.due({"cadence": "irregular", "period_end": "2026-04-30", "edition": ""},
                     date(2026, 12, 6))["state"] == "none"
    quarter = fresh.due({"cadence": "quarterly", "period_end": "2026-03-31", "edition": ""}, date(2026, 12, 6))
    assert quarter["state"] == "unknown" and "Q2 to Q3 2026 have ended" in quarter["text"]
    assert "not known" in quarter["text"]
    weekly = fresh.due({"cadence": "weekly", "period_end": "2026-03-15", "edition": ""}, date(2026, 12, 6))
    assert weekly["text"].startswith("38 weeks to 6 Dec 2026 have ended"), weekly
    long_ago = fresh.due({"cadence": "monthly", "period_end": "2020-01-31", "edition": "2020-02-10"}, date(2026, 12, 6))
    assert long_ago["text"].startswith("12 or more newer editions due")


# --------------------------------------------------------------------------- what the page says

def _current_lenses_with_figures() -> set[str]:
    """Lenses with figures that no other lens with figures follows (computed from the declarations)."""
    from llmtrends.facts import lenses as lens_frames
    reg, figs = _reg(), _figures()
    held = {lid for lid, lens in reg.lenses.items() if len(lens_frames.lens_rows(figs, lens, reg))}
    followed = {reg.lenses[lid].get("follows") for lid in held}
    return held - followed


def _series_key(lens: dict) -> tuple:
    """What a lens counts, from whom: two themes' lenses of one publisher series are one row."""
    return (lens["metric"], lens.get("segment"), tuple(lens.get("entities") or ()), tuple(lens.get("sources") or ()),
            lens.get("series"))


def test_the_freshness_table_lists_every_current_lens_once_with_its_declared_cadence():
    rows = landing.freshness()
    reg = _reg()
    current = _current_lenses_with_figures()
    keys = [_series_key(reg.lenses[r["lens"]]) for r in rows]
    assert len(keys) == len(set(keys)), "one row per publisher series"
    assert set(keys) == {_series_key(reg.lenses[lid]) for lid in current}
    assert {r["lens"] for r in rows} <= current
    # Tech Times' whole-platform count is a lens of two themes: one row naming both
    twice = next(r for r in rows if _series_key(reg.lenses[r["lens"]])
                 == _series_key(reg.lenses["openrouter_chinese_token_share"]))
    assert twice["theme"] == "Vendor share, open vs closed models"
    for r in rows:
        assert r["cadence"] == reg.lenses[r["lens"]]["cadence"], r["lens"]
        assert r["cadence_words"] == fresh.cadence_words(r["cadence"])
    ends = [r["period_end"] for r in rows]
    assert ends == sorted(ends, reverse=True), "newest period first"
    # a measure that gave way to another (Menlo: usage, then spend) is named under the one that took over
    spend = next(r for r in rows if r["lens"] == "menlo_spend_share")
    assert "share of enterprise LLM API usage" in spend["earlier"]
    assert "menlo_usage_share" not in [r["lens"] for r in rows]


def test_ramps_july_2026_figures_are_the_newest_and_came_out_in_august():
    ramp = next(r for r in landing.freshness() if r["lens"] == "ramp_business_paying")
    assert (ramp["period"], ramp["edition_words"], ramp["cadence"]) == ("Jul 2026", "Aug 2026", "monthly")
    board = landing.lens_board()
    assert landing_page.newest(board)["lens"] == "ramp_business_paying"
    assert landing_page.page_title({"board": board}) == \
        "The LLM market to Jul 2026: who leads depends on what is counted"


def test_each_lens_row_names_the_largest_named_entity_of_its_latest_period():
    from llmtrends.facts import lenses as lens_frames
    from llmtrends.stories import words
    reg, figs = _reg(), _figures()
    board = landing.lens_board()
    assert len({e["publisher"] for e in board}) >= 6, "lenses of at least six publishers"
    for e in board:
        rows = lens_frames.lens_rows(figs, reg.lenses[e["lens"]], reg)
        last = rows[rows["period_end"] == rows["period_end"].max()]
        named = last[~last["entity_kind"].isin(["aggregate"]) & (last["entity"] != "other")]
        top = named.sort_values("value", ascending=False).iloc[0]
        assert e["leader"].startswith(str(top["entity_name"])), e["lens"]
        assert e["leader_value"] == words.row_value(top)
        assert e["period"] == words.period(top["period"])
    markets = [e["market"] for e in board]
    assert markets == sorted(markets, key=lambda m: m != "global"), "China's own market after the world's"


def test_a_leaders_colour_is_its_vendors_colour_from_the_vocabulary():
    reg = _reg()
    for e in landing.lens_board():
        entity = reg.entities[e["leader_entity"]]
        vendor = e["leader_entity"] if entity.get("kind") == "vendor" else entity.get("vendor")
        vendor_colours = {ent.get("color") for ent in reg.entities.values() if ent.get("kind") == "vendor"}
        if vendor:
            assert e["leader_colour"] == reg.entities[vendor]["color"], e["lens"]
        else:  # a group of models (Chinese models) is no vendor: a colour no vendor has
            assert e["leader_colour"] and e["leader_colour"] not in vendor_colours, e["lens"]


def test_headlines_lead_with_the_newest_evidence_and_speak_of_at_most_two_measures():
    told = landing.headlines()
    assert landing.HEADLINES[0] <= len(told) <= landing.HEADLINES[1]
    newest = [f.data["period_end"].max() for f in told if len(f.data) and "period_end" in f.data]
    assert newest == sorted(newest, reverse=True)
    assert newest[0] >= pd.Timestamp("2026-01-01"), "the first finding is about 2026"
    assert all(f.data["metric"].nunique() <= 2 for f in told if "metric" in f.data)


def test_the_lead_says_who_leads_on_how_many_lenses():
    lead = landing.lead()
    board = [e for e in landing.lens_board() if e["market"] == "global"]
    assert f"of {len(board)} lenses" in lead.text


# --------------------------------------------------------------------------- sparklines

def _rows(metric, entity, periods, values, segment="business", starts=None):
    from llmtrends.facts.periods import parse_period
    spans = [parse_period(p) for p in periods]
    return pd.DataFrame({
        "metric": metric, "entity": entity, "segment": segment, "period": periods, "value": values,
        "unit": "percent", "qualifier": "exact", "source_id": "ramp_ai_index_2026_05",
        "period_start": pd.to_datetime([s for s, _ in spans]), "period_end": pd.to_datetime([e for _, e in spans])})


def _polylines(svg: str) -> list[dict]:
    return [{"metric": m, "periods": p.split(), "points": len(pts.split())}
            for m, p, pts in re.findall(r'<polyline data-metric="([^"]*)" data-periods="([^"]*)" points="([^"]*)"', svg)]


def test_a_sparkline_stops_at_a_change_of_method():
    # Ramp's businesses-paying lens breaks at 2026-05 (its June 2026 edition): no line crosses it
    rows = _rows("business_vendor_paid_adoption_rate", "anthropic", ["2026-02", "2026-03", "2026-04", "2026-05", "2026-07"],
                 [24.4, 33.3, 34.4, 41.0, 43.5])
    lines = _polylines(landing_page.sparkline(rows))
    assert [line["periods"] for line in lines] == [["2026-02", "2026-03", "2026-04"], ["2026-05", "2026-07"]]
    assert "A change of method" in landing_page.sparkline(rows)


def test_a_sparkline_never_joins_two_measures_nor_two_populations():
    usage = _rows("enterprise_llm_api_usage_share", "anthropic", ["end-2024", "mid-2025"], [24.0, 32.0], "enterprise")
    spend = _rows("enterprise_llm_api_spend_share", "anthropic", ["2025"], [40.0], "enterprise")
    svg = landing_page.sparkline(pd.concat([usage, spend], ignore_index=True))
    assert [line["metric"] for line in _polylines(svg)] == ["enterprise_llm_api_usage_share"]
    assert "A change of measure" in svg
    # one value per measure: bars side by side would compare measures, so nothing is drawn
    assert landing_page.sparkline(pd.concat([usage.tail(1), spend], ignore_index=True)) == ""
    # respondents whose compute is mostly inference: startups and enterprises are two lines, two colours
    both = pd.concat([_rows("compute_inference_majority_share", "all", ["mid-2024", "mid-2025"], [48, 74], "startup"),
                      _rows("compute_inference_majority_share", "all", ["mid-2024", "mid-2025"], [29, 49], "enterprise")],
                     ignore_index=True)
    svg = landing_page.sparkline(both)
    assert len(_polylines(svg)) == 2
    assert len(set(re.findall(r'<polyline[^>]*stroke="([^"]+)"', svg))) == 2, "two series, two colours"


def test_sparkline_bars_take_each_vendors_colour_and_every_mark_tells_its_value():
    reg = _reg()
    rows = _rows("business_vendor_paid_adoption_rate", ["anthropic", "openai"], ["2026-07", "2026-07"], [43.5, 39.7])
    svg = landing_page.sparkline(rows)
    fills = re.findall(r'<rect[^>]*fill="([^"]+)"', svg)
    assert fills == [reg.entities["anthropic"]["color"], reg.entities["openai"]["color"]]
    assert re.findall(r"<title>([^<]*)</title>", svg)[0].startswith("Anthropic: 43.5%")


def test_no_headline_sparkline_joins_values_across_a_change_of_measure_or_method():
    from llmtrends.facts.lenses import segments
    checked = 0
    for finding in landing.headlines():
        svg = landing_page.sparkline(finding.data)
        runs = segments(finding.data[finding.data["value"].notna()]) if "metric" in finding.data else []
        for line in _polylines(svg):
            checked += 1
            assert any(run["metric"].iloc[0] == line["metric"] and set(line["periods"]) <= set(map(str, run["period"]))
                       for run in runs), f"{finding.text}: a line across runs {line}"
    assert checked >= 1, "a headline draws a line"


# --------------------------------------------------------------------------- the page, dated on the day it is built

def _content():
    return {"lead": {"text": landing.lead().text}, "board": landing.lens_board(), "freshness": landing.freshness(),
            "whats_new": "", "headlines": "", "runs": {}}


def test_the_page_dates_its_lenses_on_the_day_it_is_built_from_content_kept_as_json():
    from llmtrends.batch.index import render_index
    content = json.loads(json.dumps(_content()))  # as the manifest keeps it
    december = render_index([], {}, generated=BUILT, content=content)
    august = render_index([], {}, generated=datetime(2026, 8, 20, tzinfo=timezone.utc), content=content)
    ramp = lambda page: re.search(r"Share of US businesses paying.*?</tr>", page.split('id="fresh-h"')[1], re.S).group(0)  # noqa: E731
    assert "3 newer editions due" in ramp(december)
    assert "Next edition expected this month" not in ramp(august) and "expected Sep 2026" in ramp(august)
    # Jul 2026 ends 31 Jul: 4 whole months before 6 Dec, none before 20 Aug
    assert "Jul 2026 <span class=\"meta\">(4 months old)" in december
    assert "Jul 2026 <span class=\"meta\">(under a month old)" in august
    assert "<h1>The LLM market to Jul 2026: who leads depends on what is counted</h1>" in december


def test_the_page_leads_with_who_leads_then_findings_then_reports_then_freshness():
    from llmtrends.batch.index import render_index
    content = _content()
    content["headlines"] = landing_page.render_headlines(landing.headlines())
    content["whats_new"] = "Data 2026.12: 120 figures added."
    page = render_index([], {}, generated=BUILT, content=content)
    order = [page.index(h) for h in ('class="lede"', "Who leads, by what measure", "What the reports find",
                                     "What is new in this release", "The reports", "How fresh each lens is")]
    assert order == sorted(order)
    assert "Data 2026.12: 120 figures added." in page
    assert "What is new in this release" not in render_index([], {}, generated=BUILT, content=_content())
    lede = re.search(r'<p class="lede">(.*?)</p>', page).group(1)
    assert not lede.startswith("Who leads depends"), "the title has just said it"


def test_whats_new_is_the_changelogs_own_summary_when_the_fact_base_has_one():
    try:
        from llmtrends.facts import changes
    except ImportError:
        assert landing.whats_new() == ""
        return
    assert landing.whats_new() == changes.whats_new()


def test_the_freshness_summary_counts_lenses_whose_editions_may_be_out_already():
    from llmtrends.stories import landing_page
    rows = landing.freshness()
    states = [fresh.due(r, BUILT.date())["state"] for r in rows]
    assert "unknown" in states, "Counterpoint's quarters and OpenRouter's weeks have ended since their last figures"
    page = landing_page.render_freshness(rows, BUILT.isoformat())
    summary = re.search(r'id="fresh-h">.*?</h2><p>(.*?)</p>', page, re.S).group(1)
    assert f"for {states.count('unknown')} more, later periods have ended" in summary
    assert summary.startswith("As of 6 Dec 2026, ")
    # and they are marked, not greyed out as if nothing were due
    assert page.count('class="due due-unknown"') == states.count("unknown")
