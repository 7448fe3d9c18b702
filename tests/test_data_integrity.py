"""The fact base: figures transcribed from the documents, cleaning recorded.

(Quotes verbatim in the documents, checksums: tests/test_documents.py.)

Expected values below were read off the seed documents by a person, not
copied from the program's output.
"""
from __future__ import annotations

import pytest

from llmtrends.facts import datasets

DOCS = ["000_dff873e1b34121a2", "001_f6f9bbcc7f4aaa0b", "002_5e558ed93eb34f2f", "003_663836e434da2f9a",
        "004_7a1188515460bd69"]


def test_every_document_contributes_figures():
    counts = datasets.observations().groupby("doc").size()
    assert set(DOCS) <= set(counts.index)
    assert counts.sum() > 100


def _value(metric, entity, period, **filters):
    figs = datasets.figures()
    sel = figs[(figs["metric"] == metric) & (figs["entity"] == entity) & (figs["period"] == period)]
    for col, val in filters.items():
        sel = sel[sel[col] == val]
    assert len(sel) == 1, f"{metric}/{entity}/{period}: {len(sel)} rows"
    return sel.iloc[0]


@pytest.mark.parametrize("entity,period,value", [
    ("anthropic", "mid-2025", 32), ("openai", "mid-2025", 25), ("google", "mid-2025", 20),
    ("meta", "mid-2025", 9), ("deepseek", "mid-2025", 1), ("openai", "end-2023", 50),
])
def test_menlo_2025_enterprise_api_shares(entity, period, value):
    assert _value("enterprise_llm_api_usage_share", entity, period, source_id="menlo_2025_midyear")["value"] == value


@pytest.mark.parametrize("entity,period,value", [
    ("openai", "2023", 50), ("openai", "2024", 34), ("anthropic", "2023", 12), ("anthropic", "2024", 24),
])
def test_menlo_2024_shares_are_among_closed_source_models(entity, period, value):
    # "Among closed-source models, ... from 50% to 34%" / Anthropic "from 12% to 24%" (Menlo, November 2024)
    row = _value("enterprise_closed_llm_market_share", entity, period, source_id="menlo_2024_enterprise")
    assert row["value"] == value


def test_menlo_2024_shares_are_not_mixed_into_the_usage_share_of_all_models():
    figs = datasets.figures()
    usage = figs[figs["metric"] == "enterprise_llm_api_usage_share"]
    assert "menlo_2024_enterprise" not in set(usage["source_id"])


@pytest.mark.parametrize("metric,entity,period,docs", [
    ("enterprise_closed_llm_market_share", "openai", "2024",
     "003_663836e434da2f9a;menlo_2024_enterprise_via_willison"),
    ("us_adults_ai_use_past_6_months_rate", "all", "mid-2025",
     "000_dff873e1b34121a2;menlo_2025_consumer_via_pivot"),
    ("global_ai_tool_users", "all", "mid-2025", "000_dff873e1b34121a2;menlo_2025_consumer_via_pivot"),
])
def test_relays_of_one_menlo_figure_link(metric, entity, period, docs):
    assert _value(metric, entity, period)["docs"] == docs.split(";")  # a list of document ids


def test_rank_rows_only_where_the_text_fixes_the_position():
    figs = datasets.figures()
    # 003: Doubao's MAU is "仅次于 ChatGPT" on AI产品榜, whose ChatGPT position the passage does not give
    assert figs[(figs["metric"] == "ai_app_active_user_rank") & (figs["entity"] == "doubao")].empty
    # 002: user marketing "紧随其后" the scenario that "位居首位" in the same sentence
    assert _value("enterprise_ai_scenario_rank", "user_marketing_operations", "2024-09..2024-10")["value"] == 2
    assert _value("ai_app_download_rank", "doubao", "2024-01..2024-08")["value"] == 5  # 位列下载榜第五


RELAY_DOCS = ["002_5e558ed93eb34f2f", "003_663836e434da2f9a", "menlo_2024_enterprise_via_willison",
              "menlo_2025_consumer_via_pivot"]


def test_every_period_of_these_documents_is_quoted_or_reasoned():
    obs = datasets.observations()
    rows = obs[obs["doc"].isin(RELAY_DOCS)]
    assert set(rows["doc"]) == set(RELAY_DOCS)
    quoted = rows["period_quote"].fillna("").str.strip() != ""
    reasoned = rows["period_inferred"].fillna("").str.strip() != ""
    assert not rows[quoted == reasoned]["obs_id"].tolist()


def test_usd_subscription_prices_mark_the_month_as_inferred():
    obs = datasets.observations()
    usd = obs[obs["metric"] == "subscription_price_usd"]
    assert len(usd) == 5 and usd["note"].str.contains("UNIT PARTLY INFERRED").all()  # Pro twice (20 and Sora's 200)
    cny = obs[obs["metric"] == "subscription_price_cny"]
    assert len(cny) == 1 and "包月" in cny.iloc[0]["quote"]


@pytest.mark.parametrize("metric,entity,period,segment,value", [
    ("enterprise_coding_llm_share", "anthropic", "mid-2025", None, 42),
    ("enterprise_coding_llm_share", "openai", "mid-2025", None, 21),
    ("enterprise_open_source_workload_share", "open_source_models", "mid-2025", None, 13),
    ("enterprise_open_source_workload_share", "open_source_models", "end-2024", None, 19),
    ("respondents_mostly_inference_compute", "all", "mid-2025", "startup", 74),
    ("respondents_mostly_inference_compute", "all", "mid-2024", "startup", 48),
    ("respondents_mostly_inference_compute", "all", "mid-2025", "enterprise", 49),
    ("respondents_mostly_inference_compute", "all", "mid-2024", "enterprise", 29),
    ("anthropic_user_model_share", "claude_sonnet_3_5", "2025-05", None, 83),
    ("anthropic_user_model_share", "claude_sonnet_3_5", "2025-06", None, 16),
    ("anthropic_user_model_share", "claude_sonnet_4", "2025-06", None, 45),
    ("developer_model_usage_rate", "openai", "2024-09..2024-10", None, 42.9),
    ("developer_model_usage_rate", "alibaba", "2024-09..2024-10", None, 37.8),
    ("developer_model_usage_rate", "meta", "2024-09..2024-10", None, 27.1),
    ("enterprise_ai_scenario_selection_rate", "code_development_testing", "2024-09..2024-10", None, 59.2),
    ("enterprise_ai_planning_consideration_rate", "data_security_privacy", "2024-09..2024-10", None, 53.2),
])
def test_headline_figures_are_transcribed(metric, entity, period, segment, value):
    filters = {"segment": segment} if segment else {}
    assert _value(metric, entity, period, **filters)["value"] == pytest.approx(value)


def test_switching_behaviour_parts_sum_to_100():
    figs = datasets.figures()
    parts = figs[figs["metric"] == "model_switching_behaviour_share"].set_index("entity")["value"]
    assert parts.to_dict() == {"upgraded_within_provider": 66, "did_not_switch": 23, "switched_provider": 11}


def test_a_change_is_recorded_as_a_change_not_rewritten_as_the_primarys_level():
    # 000 says the large-enterprise share rose '相較2024年大幅增加29%' (a change); 001 and Menlo's page state
    # 29% as last year's level. 000's row keeps its own reading, and 000 does not confirm the level.
    obs = datasets.observations()
    row = obs[(obs["doc"] == "000_dff873e1b34121a2") & obs["quote"].str.contains("增加29%") & (obs["value"] == 29)]
    assert len(row) == 1
    row = row.iloc[0]
    assert (row["metric"], row["segment"], row["period"]) == (
        "respondents_mostly_inference_compute_change", "enterprise", "mid-2025")
    assert datasets.metrics().set_index("metric").loc[row["metric"], "kind"] == "change"
    assert "percentage points" in row["note"]  # relative or points: the text leaves it open, the note says so
    figs = datasets.figures()
    level = figs[(figs["metric"] == "respondents_mostly_inference_compute") & (figs["segment"] == "enterprise")
                 & (figs["period"] == "mid-2024")].iloc[0]
    assert level["value"] == 29 and "000_dff873e1b34121a2" not in level["docs"]
    assert sorted(level["docs"]) == ["001_f6f9bbcc7f4aaa0b", "menlo_2025_midyear"]


def test_chatgpt_tiers_are_recorded_as_003_reads_them_and_its_contradiction_declared():
    # 003 gives USD 200 to "Plus" and 20 to "Pro" in one sentence, and 200 to the Sora "pro 模式" in another:
    # recorded as it reads (no entity swapped on outside knowledge), the conflict declared within the document
    obs = datasets.observations()
    usd = obs[(obs["doc"] == "003_663836e434da2f9a") & (obs["metric"] == "subscription_price_usd")]
    prices = {(r.entity, r.value) for r in usd.itertuples() if r.entity in ("chatgpt_plus", "chatgpt_pro")}
    assert prices == {("chatgpt_plus", 200), ("chatgpt_pro", 20), ("chatgpt_pro", 200)}
    plus = usd[usd["entity"] == "chatgpt_plus"].iloc[0]
    assert "Plus 会员收费高达 200 美元" in plus["quote"]
    sora = usd[(usd["entity"] == "chatgpt_pro") & (usd["value"] == 200)].iloc[0]
    assert "pro 模式居然高达 200 刀" in sora["quote"]
    declared = datasets.disagreements().query("id == 'relay003-openai-plus-pro-prices'")
    assert declared["kind"].unique().tolist() == ["within_document"]
    assert set(declared["obs_id_a"]) | set(declared["obs_id_b"]) >= {sora["obs_id"], plus["obs_id"]}
    pro = datasets.figures().query("metric == 'subscription_price_usd' and entity == 'chatgpt_pro'").iloc[0]
    assert pro["status"] == "differs"


@pytest.mark.parametrize("metric,entity,qualifier", [
    ("openrouter_weekly_token_share_often_above", "open_source_models", "at_least"),  # 常超 30%: often over 30%
    ("openrouter_peak_weekly_token_share", "chinese_open_models", "approx"),  # nearly 30%
    ("openrouter_task_type_usage_share", "reasoning_intensive", "approx"),    # nearly half
    ("us_adults_daily_ai_use_rate", "all", "approx"),                 # nearly one fifth
])
def test_loose_wording_is_not_stored_as_exact(metric, entity, qualifier):
    figs = datasets.figures()
    row = figs[(figs["metric"] == metric) & (figs["entity"] == entity)]
    assert len(row) == 1 and row.iloc[0]["qualifier"] == qualifier


def test_every_correction_is_explained_in_the_note():
    obs = datasets.observations()
    # a row that is not the plain reading of its sentence's figure says so in capitals: a source corrected
    # (000's 35億 is the November 2024 report's), a metric or segment changed by a rule, or a relay's reading
    # kept against the primary (000's change, 003's tiers) - the old "CORRECTION"s that rewrote a relay are gone
    marked = obs[obs["note"].str.contains("SOURCE CORRECTED|SOURCE CHANGED|METRIC CHANGED|SEGMENT CHANGED|"
                                          "RECORDED AS IT READS")]
    assert {"d000-menlo25-api-spend-2024", "d000-menlo25-inference-enterprise-change-mid2025",
            "d003-price-chatgpt-plus-end2024", "d003-price-chatgpt-pro-end2024",
            "d001-menlo25-model-price-annual-decline"} <= set(marked["obs_id"])
    assert not obs["note"].str.contains("CORRECTION:").any()  # no relay rewritten to agree with its primary
    assert obs["note"].str.strip().ne("").mean() > 0.9, "most figures should carry a note on how they were read"
