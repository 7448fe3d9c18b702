"""The OpenRouter State of AI figures: 004 (a Chinese blog relay), the Chinese
summary-translation of the English report, and the study's own abstract.

Expected values were read off the documents by a person, not copied from the
program's output.
"""
from __future__ import annotations

import pytest

from llmtrends.facts import datasets

D004 = "004_7a1188515460bd69"
TRANSLATION = "openrouter_state_of_ai_zh"
ABSTRACT = "arxiv_2601_10088_abstract"
PREFIX = "Translation (Chinese summary) of OpenRouter's English report, a relay: "


def _docs(row) -> set[str]:
    docs = row["docs"]
    return set(docs.split(";")) if isinstance(docs, str) else set(docs)


def test_every_translation_row_says_it_is_a_relay_of_the_english_report():
    obs = datasets.observations()
    rows = obs[obs["doc"] == TRANSLATION]
    assert len(rows) >= 70, "the translation states several dozen figures"
    assert rows["note"].str.startswith(PREFIX).all()
    assert (rows["source_id"] == "openrouter_state_of_ai").all()


def test_openrouter_periods_come_from_the_documents_not_the_old_invented_window():
    obs = datasets.observations()
    rows = obs[obs["source_id"] == "openrouter_state_of_ai"]
    assert len(rows) >= 80
    assert not (rows["period"] == "2024-12..2025-10").any()
    # the translation: 大多分析覆盖 2024-11-03 至 2025-11-30
    assert str(datasets.registry().sources["openrouter_state_of_ai"]["data_window"]) == "2024-11-03..2025-11-30"


@pytest.mark.parametrize("metric,entity,value,qualifier", [
    ("openrouter_avg_weekly_token_share", "chinese_open_models", 13.0, "approx"),  # 平均週份額約 13.0% / 全年周均约 13.0%
    ("openrouter_peak_weekly_token_share", "chinese_open_models", 30, "approx"),   # 一度接近 30% / 部分周接近 30%
    ("openrouter_tokens_analyzed", "all", 100, "at_least"),                         # 超過 100 萬億 / over 100 trillion
])
def test_004_and_the_translation_state_one_figure_and_link(metric, entity, value, qualifier):
    figs = datasets.figures()
    row = figs[(figs["metric"] == metric) & (figs["entity"] == entity)]
    assert len(row) == 1
    row = row.iloc[0]
    assert (row["value"], row["qualifier"]) == (value, qualifier)
    assert {D004, TRANSLATION} <= _docs(row)


def test_the_abstract_states_the_token_count_too():
    figs = datasets.figures()
    row = figs[figs["metric"] == "openrouter_tokens_analyzed"].iloc[0]
    assert ABSTRACT in _docs(row)


def test_004_open_share_is_two_statements_kept_apart_with_their_own_wording():
    obs = datasets.observations()
    rows = obs[(obs["doc"] == D004) & (obs["metric"] == "openrouter_token_share")
               & (obs["entity"] == "open_source_models")]
    # 已佔據總使用量的 1/3 (no 約) and 約 30% vs 70%
    assert sorted(zip(rows["value"].round(4), rows["qualifier"])) == [(30.0, "approx"), (33.3333, "exact")]
    closed = obs[(obs["doc"] == D004) & (obs["entity"] == "closed_source_models")]
    assert closed["value"].tolist() == [70.0] and (closed["period"] == rows["period"].iloc[0]).all()


@pytest.mark.parametrize("obs_id,value,qualifier", [
    ("orzh-min-weekly-share-chinese-oss", 1.2, "exact"),        # 周度低至 1.2%
    ("orzh-avg-weekly-share-row-oss", 13.7, "exact"),           # 对比 RoW OSS 为 13.7%
    ("orzh-avg-weekly-share-row-closed", 70, "exact"),          # RoW 专有模型均值仍最高（70%）
    ("orzh-region-spend-share-asia-end", 31, "approx"),         # 亚洲从≈13% 升至≈31%
    ("orzh-avg-completion-tokens-end", 400, "exact"),           # completion 从约 150 增至 400
    ("orzh-open-share-often-above-30", 30, "at_least"),         # 开源合计份额常超 30%
    ("orzh-programming-vendor-share-anthropic-2025-11", 60, "at_most"),  # 2025-11 周首次跌破 60%
])
def test_translation_figures_keep_the_wording_of_their_qualifier(obs_id, value, qualifier):
    obs = datasets.observations().set_index("obs_id")
    assert (obs.loc[obs_id, "value"], obs.loc[obs_id, "qualifier"]) == (value, qualifier)


def test_rest_of_world_and_chinese_weekly_averages_leave_room_for_the_unstated_rest():
    figs = datasets.figures()
    avg = figs[(figs["metric"] == "openrouter_avg_weekly_token_share")].set_index("entity")["value"]
    # 13.0 (Chinese) + 13.7 (RoW open) + 70 (RoW proprietary): Chinese proprietary models are not stated
    assert avg[["chinese_open_models", "rest_of_world_open_models", "rest_of_world_closed_models"]].sum() == pytest.approx(96.7)


def test_the_open_share_disagreement_is_declared_and_about_30_stands():
    figs = datasets.figures()
    row = figs[(figs["metric"] == "openrouter_token_share") & (figs["entity"] == "open_source_models")].iloc[0]
    # 004: 1/3 and 約 30%; the translation: 约占三分之一, 约达三成, 在约 30% 平衡共存
    assert (row["value"], row["qualifier"], row["status"]) == (30.0, "approx", "differs")
    dis = datasets.disagreements()
    within_004 = dis[dis["id"] == "openrouter-open-share-end2025-in-004"]
    assert len(within_004) == 1 and within_004.iloc[0]["kind"] == "within_document"
    assert {within_004.iloc[0]["doc_a"], within_004.iloc[0]["doc_b"]} == {D004}
    assert sorted([round(within_004.iloc[0]["value_a"], 4), round(within_004.iloc[0]["value_b"], 4)]) == [30.0, 33.3333]


def test_the_study_date_conflict_is_recorded_with_every_document():
    dis = datasets.disagreements()
    date = dis[dis["id"] == "openrouter-study-date"]
    assert set(date["kind"]) == {"source_fact"} and set(date["field"]) == {"published"}
    assert set(date["doc_a"]) | set(date["doc_b"]) == {D004, TRANSLATION, ABSTRACT}
    assert str(datasets.registry().sources["openrouter_state_of_ai"]["published"]) == "2025-12"
