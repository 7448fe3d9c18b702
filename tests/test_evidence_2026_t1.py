"""The 2026 evidence of T1's documents: the Ramp AI Index (five relays and Ramp's own letter), the a16z CIO
survey (three relays), Counterpoint (one relay) and Sensor Tower (two relays).

Expected values were read off the documents in the store by a person, not copied from the program's output.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from llmtrends import datasets

RAMP_DOCS = (
    "ramp_econlab_2026_01", "ramp_ai_index_2026_02_via_daily_digest", "ramp_ai_index_2026_03_via_georgesdem",
    "ramp_ai_index_2026_04_via_groundy", "ramp_ai_index_2026_05_via_x_post_in_eval_script",
    "ramp_ai_index_2026_07_via_sheldonwang",
)
A16Z_DOCS = ("a16z_2026_cio_survey_via_pulsebot", "a16z_2026_cio_survey_via_wallstreetcn",
             "a16z_2026_cio_survey_via_yahoo_tw")
OTHER_DOCS = ("counterpoint_2026_q1_llm_revenue_via_emergingminds", "sensortower_2026_state_of_ai_via_quasa",
              "sensortower_2026_state_of_ai_via_webiano")
DOCS = RAMP_DOCS + A16Z_DOCS + OTHER_DOCS

# sha256 as the store's README lists them
SHA256 = {
    "a16z_2026_cio_survey_via_pulsebot": "fb69c887cd857d82378f8008520e80d818164d971cef9da27283a4c993d9fdeb",
    "a16z_2026_cio_survey_via_wallstreetcn": "2e37966f5adc2e659b7a13f2ae23566c777a5b20174c1c9709c3e5faab175f5e",
    "a16z_2026_cio_survey_via_yahoo_tw": "86a4b29fb375ab8fe9212ca02cc3d8b4b2225f6f2136eb1f224d677c87936712",
    "counterpoint_2026_q1_llm_revenue_via_emergingminds":
        "f93de4abc0f371a893c1fa8b22cb7c7a1e3862897250c5e1a7a2990b4bc8ac51",
    "ramp_ai_index_2026_02_via_daily_digest": "980dec88c9c1fcc051e85377f1a2b5317694b63f37fe24397cb8f39b77beeb26",
    "ramp_ai_index_2026_03_via_georgesdem": "fbc521e2cad3bd2f195d5cf22edbc14902d4adb7a3f0e2fdbc092c53a43af00e",
    "ramp_ai_index_2026_04_via_groundy": "7e7e1e64486af522dc53acfd5ecd86993b4c4e31feb137ce58e997e552be25a8",
    "ramp_ai_index_2026_05_via_x_post_in_eval_script":
        "54dfd5150cbef17c3e65bb9d6f35df149164eeb14b3b3673ae271065587b6d7d",
    "ramp_ai_index_2026_07_via_sheldonwang": "4d687bb0eb1bdbfe0b7b7e0c67c79de932885497cd44e5531f2a3eef2abd8d5b",
    "ramp_econlab_2026_01": "a578a05bae4b2ffaaa2d77b37bc7a77e81170c01d22440ee2e8e994401964ff1",
    "sensortower_2026_state_of_ai_via_quasa": "1f2a8322db2a228c6bc1ba88713d578dcb2042c3aae7b3788235294c17821a42",
    "sensortower_2026_state_of_ai_via_webiano": "9c0c181519461e3a8b1b0760929903a44f37ae255ff28a056615ed3ab1bb5dd4",
}

ADOPT = "business_vendor_paid_adoption_rate"


def _figure(source, metric, entity, period, segment):
    figs = datasets.figures()
    row = figs[(figs["source_id"] == source) & (figs["metric"] == metric) & (figs["entity"] == entity)
               & (figs["period"].astype(str) == period) & (figs["segment"] == segment)]
    assert len(row) == 1, (source, metric, entity, period, len(row))
    return row.iloc[0]


def _docs(row) -> set[str]:
    return set(row["docs"])


def test_every_document_is_registered_in_its_folder_with_the_store_checksum():
    docs = datasets.registry().documents
    for did in DOCS:
        assert docs[did]["file"] == f"2026/{did}.md"
        assert docs[did]["sha256"] == SHA256[did]
    assert docs["ramp_econlab_2026_01"]["kind"] == "primary"
    assert docs["ramp_econlab_2026_01"]["primary_of"] == "ramp_ai_index_2026_02"
    assert all(docs[d]["kind"] == "relay" for d in DOCS if d != "ramp_econlab_2026_01")
    assert docs["a16z_2026_cio_survey_via_yahoo_tw"]["language"] == "zh-Hant"


def test_documents_without_a_known_url_say_so():
    docs = datasets.registry().documents
    for did in ("ramp_ai_index_2026_02_via_daily_digest", "ramp_ai_index_2026_05_via_x_post_in_eval_script"):
        assert docs[did]["url"] is None
        assert "No known URL" in docs[did]["note"]


# ---------------------------------------------------------------- the lens figures, as the documents state them

@pytest.mark.parametrize("source,metric,segment,entity,period,value,qualifier,n_docs", [
    # econlab: "OpenAI adoption slipped from 36.8% to 35.9%", "grew from 16.7% to 19.5%" (January 2026 data)
    ("ramp_ai_index_2026_02", ADOPT, "business", "anthropic", "2026-01", 19.5, "exact", 1),
    ("ramp_ai_index_2026_02", ADOPT, "business", "openai", "2026-01", 35.9, "exact", 1),
    ("ramp_ai_index_2026_02", ADOPT, "business", "anthropic", "2025-12", 16.7, "exact", 1),
    ("ramp_ai_index_2026_02", ADOPT, "business", "all", "2026-01", 46.8, "exact", 1),
    # digest: "up 4.9 percentage points month-over-month to 24.4%"
    ("ramp_ai_index_2026_03", ADOPT, "business", "anthropic", "2026-02", 24.4, "exact", 1),
    # georgesdem: "Nearly a third of American businesses ... in March 2026" / "flat at 35%"
    ("ramp_ai_index_2026_04", ADOPT, "business", "anthropic", "2026-03", 33.333333, "approx", 1),
    ("ramp_ai_index_2026_04", ADOPT, "business", "openai", "2026-03", 35, "exact", 1),
    # groundy: "claiming 34.4%1 of Ramp's 50,000-plus1 customer base against OpenAI's 32.3%1"
    ("ramp_ai_index_2026_05", ADOPT, "business", "anthropic", "2026-04", 34.4, "exact", 1),
    ("ramp_ai_index_2026_05", ADOPT, "business", "openai", "2026-04", 32.3, "exact", 1),
    ("ramp_ai_index_2026_05", "ramp_ai_index_panel_businesses", "business", "all", "2026-04", 50000, "at_least", 1),
    # X post: "Anthropic grew 2.5% points to 41% of firms."
    ("ramp_ai_index_2026_06", ADOPT, "business", "anthropic", "2026-05", 41, "exact", 1),
    # sheldonwang: "43.5% of U.S. businesses tracked by Ramp paid for Anthropic, versus 39.7% for OpenAI"
    ("ramp_ai_index_2026_08", ADOPT, "business", "anthropic", "2026-07", 43.5, "exact", 1),
    ("ramp_ai_index_2026_08", ADOPT, "business", "openai", "2026-07", 39.7, "exact", 1),
    # a16z: "roughly 56 percent of total large-language-model (LLM) spend" / "OpenAI 仍約掌握 56%"
    ("a16z_cio_survey_2026", "enterprise_llm_wallet_share", "large_enterprise", "openai", "2025", 56, "approx", 2),
    # "78% of CIOs using its technology" / "有78%的資訊長在生產環境使用 OpenAI"
    ("a16z_cio_survey_2026", "enterprise_vendor_production_use_rate", "large_enterprise", "openai", "2025", 78,
     "exact", 2),
    ("a16z_cio_survey_2026", "enterprise_vendor_production_use_rate", "large_enterprise", "anthropic", "2025", 44,
     "exact", 2),
    # "若含測試，超過 63%": another measure than the 44% in production
    ("a16z_cio_survey_2026", "enterprise_vendor_use_rate_incl_testing", "large_enterprise", "anthropic", "2025", 63,
     "at_least", 1),
    ("a16z_cio_survey_2026", "survey_respondents", "large_enterprise", "all", "2025", 100, "exact", 3),
    # Counterpoint: "capturing 31.4% of a $20.7 billion market" / "came in second at 29.0%"
    ("counterpoint_llm_revenue_2026_q1", "llm_revenue_share", "market", "anthropic", "2026-Q1", 31.4, "exact", 1),
    ("counterpoint_llm_revenue_2026_q1", "llm_revenue_share", "market", "openai", "2026-Q1", 29.0, "exact", 1),
    ("counterpoint_llm_revenue_2026_q1", "global_llm_revenue", "market", "all", "2026-Q1", 20.7, "exact", 1),
    ("counterpoint_llm_revenue_2026_q1", "llm_revenue_rank", "market", "anthropic", "2026-Q1", 1, "exact", 1),
    ("counterpoint_llm_revenue_2026_q1", "llm_revenue_rank", "market", "openai", "2026-Q1", 2, "exact", 1),
    # Sensor Tower, both relays: 46.4 / 27.7 / 10.3 at the end of May 2026; below 50% first in March 2026
    ("sensor_tower_state_of_ai_2026", "ai_assistant_user_share", "consumer", "chatgpt", "2026-05", 46.4, "exact", 2),
    ("sensor_tower_state_of_ai_2026", "ai_assistant_user_share", "consumer", "google", "2026-05", 27.7, "exact", 2),
    ("sensor_tower_state_of_ai_2026", "ai_assistant_user_share", "consumer", "anthropic", "2026-05", 10.3, "exact", 2),
    ("sensor_tower_state_of_ai_2026", "ai_assistant_user_share", "consumer", "chatgpt", "2026-03", 50, "at_most", 2),
    ("sensor_tower_state_of_ai_2026", "ai_assistant_user_share", "consumer", "perplexity", "2026-05", 5, "at_most",
     1),
    ("sensor_tower_state_of_ai_2026", "ai_assistant_true_audience_yoy_growth", "consumer", "anthropic", "2026-05",
     452, "exact", 1),
])
def test_lens_figures_carry_the_documents_values(source, metric, segment, entity, period, value, qualifier, n_docs):
    row = _figure(source, metric, entity, period, segment)
    assert row["value"] == pytest.approx(value)
    assert row["qualifier"] == qualifier
    assert row["n_docs"] == n_docs


def test_relays_are_relay_only_and_ramps_letter_is_primary():
    figs = datasets.figures()
    ramp = figs[figs["metric"] == ADOPT]
    letter = ramp[ramp["source_id"] == "ramp_ai_index_2026_02"]
    assert len(letter) == 7   # 46.8, 19.5 (also 'One in five'), 16.7, one in 25, 35.9, 36.8, 4.5
    differs = letter[letter["status"] == "differs"]
    assert differs[["entity", "period"]].astype(str).values.tolist() == [["anthropic", "2026-01"]]
    assert differs["value"].item() == 19.5   # the printed 19.5% stands over 'One in five'
    assert (letter.drop(differs.index)["status"] == "primary_only").all()
    relayed = ramp[ramp["source_id"] != "ramp_ai_index_2026_02"]
    assert len(relayed) >= 8 and (relayed["status"] == "relay_only").all()
    for source in ("a16z_cio_survey_2026", "counterpoint_llm_revenue_2026_q1", "sensor_tower_state_of_ai_2026"):
        mine = figs[figs["source_id"] == source]
        assert set(mine["status"]) <= {"relay_only", "differs"}, source


# ---------------------------------------------------------------- the Ramp series: editions, months, method change

def test_ramp_editions_are_one_series_and_their_figures_take_the_data_month():
    sources = datasets.registry().sources
    editions = sorted(s for s, v in sources.items() if v.get("series") == "ramp_ai_index")
    assert editions == ["ramp_ai_index_2026_02", "ramp_ai_index_2026_03", "ramp_ai_index_2026_04",
                        "ramp_ai_index_2026_05", "ramp_ai_index_2026_06", "ramp_ai_index_2026_08"]
    obs = datasets.observations()
    latest = {}
    for source in editions:
        periods = set(obs.loc[(obs["source_id"] == source) & (obs["metric"] == ADOPT), "period"].astype(str))
        latest[source] = max(periods)
    # each edition's newest data month is the month before it (the August edition: July data)
    assert latest == {"ramp_ai_index_2026_02": "2026-01", "ramp_ai_index_2026_03": "2026-02",
                      "ramp_ai_index_2026_04": "2026-03", "ramp_ai_index_2026_05": "2026-04",
                      "ramp_ai_index_2026_06": "2026-05", "ramp_ai_index_2026_08": "2026-07"}
    # "the May 2026 AI Index1 published May 13"; "Ramp AI Index for July 2026 (published August 12)"
    assert str(sources["ramp_ai_index_2026_05"]["published"]) == "2026-05-13"
    assert str(sources["ramp_ai_index_2026_08"]["published"]) == "2026-08-12"


def test_the_june_2026_method_change_is_recorded_where_it_happens_and_after():
    sources = datasets.registry().sources
    june = sources["ramp_ai_index_2026_06"]
    assert june["method_detail_quote"] == "We also made methodological updates to better capture spend on bill pay."
    assert "METHOD CHANGED" in june["method_detail"]
    august = sources["ramp_ai_index_2026_08"]
    assert "June 2026 method change" in august["method_detail_inferred"] and "method_detail_quote" not in august
    for earlier in ("ramp_ai_index_2026_02", "ramp_ai_index_2026_03", "ramp_ai_index_2026_04",
                    "ramp_ai_index_2026_05"):
        assert "bill pay" not in str(sources[earlier].get("method_detail"))
    # 41% after +2.5 points cannot follow April's 34.4%: the May row says the series breaks
    obs = datasets.observations().set_index("obs_id")
    assert obs.loc["rampx-paid-adoption-anthropic-2026-05", "value"] - \
        obs.loc["rampx-paid-adoption-change-anthropic-2026-05", "value"] != \
        obs.loc["rampgr-paid-adoption-anthropic-2026-04", "value"]
    assert "AFTER THE METHOD CHANGE" in obs.loc["rampx-paid-adoption-anthropic-2026-05", "note"]


def test_a_change_whose_unit_the_text_leaves_open_is_not_a_change_in_points():
    obs = datasets.observations().set_index("obs_id")
    fell = obs.loc["rampdd-paid-adoption-change-openai-2026-02"]   # "OpenAI's adoption rate fell 1.5%"
    assert (fell["metric"], fell["unit"], fell["value"]) == \
        ("business_vendor_paid_adoption_mom_change_unit_open", "percent", -1.5)
    assert "UNIT OPEN" in fell["note"]
    points = obs.loc["rampdd-paid-adoption-change-anthropic-2026-02"]  # "up 4.9 percentage points"
    assert (points["metric"], points["unit"], points["value"]) == \
        ("business_vendor_paid_adoption_rate_change_mom", "percentage_points", 4.9)
    grew = obs.loc["rampgr-paid-adoption-yoy-change-openai-2026-04"]  # "OpenAI grew only 0.3%1"
    assert grew["metric"].endswith("_unit_open") and grew["value"] == 0.3


def test_two_vendor_bases_are_not_market_shares():
    obs = datasets.observations().set_index("obs_id")
    api = obs.loc["rampel-api-spend-vs-openai-anthropic"]   # "80% of API spend vs. OpenAI on Ramp"
    h2h = obs.loc["rampdd-h2h-first-time-buyers-anthropic-2026-02"]  # "70% of head-to-head matchups"
    assert (api["metric"], api["value"]) == ("business_api_spend_share_vs_openai", 80)
    assert (h2h["metric"], h2h["value"]) == ("business_first_time_buyer_h2h_win_share", 70)
    metrics = datasets.metrics().set_index("metric")
    for metric in (api["metric"], h2h["metric"]):
        assert "OpenAI" in metrics.loc[metric, "definition"]


def test_georgesdem_attribution_is_inferred_and_its_doubtful_sentence_is_no_source():
    obs = datasets.observations()
    rows = obs[obs["doc"] == "ramp_ai_index_2026_03_via_georgesdem"]
    ramp = rows[rows["source_id"] == "ramp_ai_index_2026_04"]
    assert len(ramp) == 3 and ramp["note"].str.contains("ATTRIBUTION INFERRED").all()
    assert not rows["quote"].str.contains("Claude 3.5 Sonnet").any()
    not_rows = datasets.registry().documents["ramp_ai_index_2026_03_via_georgesdem"]["not_rows"]
    doubtful = [n for n in not_rows if "Claude 3.5 Sonnet" in n["text"]]
    assert len(doubtful) == 1 and doubtful[0]["reason"].startswith("DOUBTFUL")


def test_groundys_glued_footnote_markers_are_not_digits_of_the_values():
    obs = datasets.observations()
    values = set(obs.loc[obs["doc"] == "ramp_ai_index_2026_04_via_groundy", "value"])
    assert {34.4, 32.3, 50.6, 50000, 3.8, -2.9, 0.2, 4, 0.3} == values
    texts = {n["text"] for n in datasets.registry().documents["ramp_ai_index_2026_04_via_groundy"]["not_rows"]}
    assert {"claiming 34.4%1", "against OpenAI’s 32.3%1,", "Ramp’s 50,000-plus1 customer base", "telling Axios2"} <= texts


# ---------------------------------------------------------------- a16z: measures, projection, conflicts

def test_a16z_projection_is_its_own_metric_for_2026():
    projected = _figure("a16z_cio_survey_2026", "enterprise_llm_wallet_share_expected", "openai", "2026",
                        "large_enterprise")
    assert projected["value"] == 53 and projected["qualifier"] == "exact"   # "projected to dip to 53 percent by 2026"
    figs = datasets.figures()
    wallet = figs[(figs["metric"] == "enterprise_llm_wallet_share")]
    assert set(wallet["period"].astype(str)) == {"2025"}


def test_the_relays_conflicting_average_spend_is_declared_not_smoothed():
    dis = datasets.disagreements().set_index("id")
    spend = dis.loc["a16z-avg-llm-spend-2024-pulse-vs-yahoo"]
    assert spend["kind"] == "between_documents" and pd.isna(spend["stands"])   # no primary in the store: neither stands
    assert {spend["value_a"], spend["value_b"]} == {2.5, 4.5}   # "$2.5 million in 2024" vs "450 萬美元"
    growth = dis.loc["a16z-avg-llm-spend-growth-pulse-vs-yahoo"]
    assert {growth["value_a"], growth["value_b"]} == {180, 100}  # "a 180 percent jump" vs "翻倍"
    figs = datasets.figures()
    both = figs[(figs["metric"].isin(["enterprise_llm_avg_spend", "enterprise_llm_avg_spend_growth"]))
                & (figs["period"].astype(str).isin(["2024", "2024..2025"]))]
    assert len(both) == 2 and (both["status"] == "differs").all()
    # they agree on the end point: "$7 million in 2025" / "700 萬美元"
    end = _figure("a16z_cio_survey_2026", "enterprise_llm_avg_spend", "all", "2025", "large_enterprise")
    assert end["value"] == 7 and end["status"] == "relay_only" and end["n_docs"] == 2


# ---------------------------------------------------------------- coverage: every number is a row or declared

_SCALE = {"萬": 1e4, "万": 1e4, "億": 1e8, "亿": 1e8, "billion": 1e9, "B": 1e9, "million": 1e6}
_UNIT_SCALE = {"usd_million": 1e6, "usd_billion": 1e9, "count_million": 1e6, "count_billion": 1e9}
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_AFTER = re.compile(r"\s?(萬|万|億|亿|billion|million|B)\b|\s?(萬|万|億|亿)")


def _collapse(text):
    return " ".join(text.split())   # as the quote checks compare: whitespace runs aside


def _body(store, did):
    text = (store / "2026" / f"{did}.md").read_text(encoding="utf-8")
    return _collapse(text[text.index("\n---\n", 4) + 5:])


@pytest.mark.parametrize("did", DOCS)
def test_every_number_of_the_body_is_a_rows_value_or_a_declared_not_row(document_store, did):
    body = _body(document_store, did)
    obs = datasets.observations()
    rows = obs[obs["doc"] == did]
    row_spans = []
    for _, r in rows.iterrows():
        scale = _UNIT_SCALE.get(r["unit"], 1)
        values = {abs(v) * scale for v in (r["value"], r["value_low"], r["value_high"]) if v == v and v is not None}
        for m in re.finditer(re.escape(_collapse(r["quote"])), body):
            row_spans.append((m.start(), m.end(), values))
    declared = []
    for item in datasets.registry().documents[did].get("not_rows") or []:
        found = [m.span() for m in re.finditer(re.escape(_collapse(item["text"])), body)]
        assert len(found) == 1, f"not_rows text of {did} found {len(found)} times, not once: {item['text']!r}"
        declared += found
    missing = []
    for m in _NUMBER.finditer(body):
        number = float(m.group().replace(",", ""))
        after = _AFTER.match(body, m.end())
        scaled = number * _SCALE[after.group(1) or after.group(2)] if after else None
        in_row = any(a <= m.start() and m.end() <= z and any(
            v == pytest.approx(number) or (scaled is not None and v == pytest.approx(scaled)) for v in values)
            for a, z, values in row_spans)
        if not in_row and not any(a <= m.start() and m.end() <= z for a, z in declared):
            missing.append(body[max(0, m.start() - 25):m.end() + 25])
    assert not missing, f"numbers of {did} that are neither a row's value nor in not_rows: {missing}"


def test_the_vendor_share_report_accepts_the_new_share_measures_by_name():
    import ast

    import papermill

    from llmtrends import params
    from llmtrends.errors import ParameterError
    from tests.reports_fixture import NOTEBOOKS
    declared = papermill.inspect_notebook(str(NOTEBOOKS / "vendor_share.ipynb"))
    values = {k: ast.literal_eval(v["default"]) for k, v in declared.items()}
    values["metric"] = "developer_model_usage_rate"   # a rate, not a share
    with pytest.raises(ParameterError) as err:
        params.validate("vendor_share", values)
    accepted = str(err.value).split("accepted: ", 1)[1].split(", ")
    for metric in ("enterprise_llm_api_usage_share", "enterprise_llm_api_spend_share",   # Menlo, as before
                   "llm_revenue_share", "ai_assistant_user_share", "enterprise_llm_wallet_share"):  # 2026 lenses
        assert metric in accepted
    assert "business_vendor_paid_adoption_rate" not in accepted   # a rate: businesses pay several vendors
