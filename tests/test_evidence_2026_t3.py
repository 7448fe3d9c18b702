"""The 2026 evidence of T3: OpenRouter's relays, IDC and Omdia (via 财中社), Frost & Sullivan (via eastmoney).

Expected values were read off the documents in ../shared/documents/2026/ by a person (the sentence is in
the comment beside each), not copied from the program's output.
"""
from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest

from llmtrends import datasets

NBD = "openrouter_2026_02_cn_us_via_nbd"
BI = "openrouter_2026_02_tokens_via_briefly_bi"
MR = "openrouter_2026_03_cn_us_via_1m_reviews"
TT = "openrouter_2026_cn_share_via_techtimes"
TS = "openrouter_2026_series_b_via_techstartups"
IDC = "idc_2025h1_china_public_cloud_llm_via_caizhongshe"
FS = "frost_sullivan_2025h2_china_enterprise_llm_via_eastmoney"
DOCS = [NBD, BI, MR, TT, TS, IDC, FS]
SHA256 = {  # the store's README
    NBD: "4a6b8ee06cf8278fdd245b27181b71650ee943bbe5c090a597ee7206519df2cd",
    BI: "3352fadf23414cebf3d05e66a9bad7075864772aaaf17de7ee242562e2ac6f17",
    MR: "bfd04cc0f0e09eabc7adae6e2cdec4c51a772efb306a8c9751f5f1904ec58d32",
    TT: "79bb06827c0fa2ac5c22fac3f19ee42ccc6bd231e2944c36c5f980bf6b012e87",
    TS: "13d88b5fea5d14994ba9109ea379b93c2231646b1bb3a5a6c0efb03e8344a71e",
    IDC: "114d7b8904c077e781a6c51d9786261c0d7e7991ee8c3a67371f1c8e84b5e4c4",
    FS: "bc4754b5765067af2e30718d88a6c86a736dad66814991c57e0a0c2ba53eae4f",
}


def _obs(doc=None):
    obs = datasets.observations()
    return obs[obs["doc"] == doc] if doc else obs[obs["doc"].isin(DOCS)]


def _one(doc, metric, entity, period):
    rows = _obs(doc)
    rows = rows[(rows["metric"] == metric) & (rows["entity"] == entity) & (rows["period"] == period)]
    assert len(rows) == 1, f"{doc} {metric} {entity} {period}: {len(rows)} rows"
    return rows.iloc[0]


def test_the_seven_documents_are_registered_in_the_2026_folder_with_the_store_checksums(document_store):
    docs = datasets.registry().documents
    for doc in DOCS:
        assert docs[doc]["file"] == f"2026/{doc}.md"
        assert docs[doc]["sha256"] == SHA256[doc]
        assert hashlib.sha256((document_store / "2026" / f"{doc}.md").read_bytes()).hexdigest() == SHA256[doc]
        assert docs[doc]["kind"] == "relay"


def test_published_dates_come_from_the_text_or_say_where_they_come_from():
    docs = datasets.registry().documents
    assert str(docs[IDC]["published"]) == "2025-10-12" and "2025-10-12" in docs[IDC]["published_quote"]
    # NBD and Tech Times state no date: the URL paths give it
    for doc, date in ((NBD, "2026-02-27"), (TT, "2026-05-29")):
        assert str(docs[doc]["published"]) == date
        assert "URL path" in docs[doc]["published_inferred"] and not docs[doc].get("published_quote")
    for doc in (BI, MR, TS, FS):
        assert docs[doc]["published"] is None


@pytest.mark.parametrize("doc,metric,entity,period,value,qualifier", [
    # NBD: "in the week of February 9–15, Chinese models recorded 4.12 trillion tokens ... the U.S.’s 2.94 trillion"
    (NBD, "openrouter_ranked_models_weekly_tokens", "chinese_models", "2026-02-09..2026-02-15", 4.12, "exact"),
    (NBD, "openrouter_ranked_models_weekly_tokens", "us_models", "2026-02-09..2026-02-15", 2.94, "exact"),
    # "In the week of February 16–22 ... 5.16 trillion tokens, up 127% in three weeks, while U.S. models dropped to 2.7"
    (NBD, "openrouter_ranked_models_weekly_tokens", "chinese_models", "2026-02-16..2026-02-22", 5.16, "exact"),
    (NBD, "openrouter_ranked_models_weekly_tokens", "us_models", "2026-02-16..2026-02-22", 2.7, "exact"),
    (NBD, "openrouter_ranked_models_weekly_tokens_growth", "chinese_models", "2026-01-26..2026-02-22", 127, "exact"),
    # "weekly usage of the platform’s top 10 models stood at just 1.24 trillion" ... "soared to 13.95 trillion—a 10x"
    (NBD, "openrouter_top10_weekly_tokens", "all", "2025-03-03..2025-03-09", 1.24, "exact"),
    (NBD, "openrouter_top10_weekly_tokens", "all", "2026-02", 13.95, "exact"),
    (NBD, "openrouter_top10_weekly_tokens_growth_multiple", "all", "2025-03-03..2026-02", 10, "exact"),
    (NBD, "openrouter_user_share_by_country", "located_in_us", "2026-02", 47.17, "exact"),
    (NBD, "openrouter_user_share_by_country", "located_in_china", "2026-02", 6.01, "exact"),
    (NBD, "openrouter_developers_served", "all", "2026-02", 5, "at_least"),       # "over 5 million developers"
    (NBD, "openrouter_top5_models_in_group", "chinese_models", "2026-02-16..2026-02-22", 4, "exact"),  # four of ... five
    # "overtaking the U.S.’s 2.94 trillion"; "OpenRouter, the world’s largest AI model API aggregation platform"
    (NBD, "openrouter_ranked_models_weekly_tokens_rank", "chinese_models", "2026-02-09..2026-02-15", 1, "exact"),
    (NBD, "llm_aggregator_rank", "openrouter", "2026-02", 1, "exact"),
    # BI: "OpenRouter handled 13 trillion AI tokens in the week that ended February 9. That's up from 6.4 trillion"
    (BI, "openrouter_weekly_tokens", "all", "2026-02-03..2026-02-09", 13, "exact"),
    (BI, "openrouter_weekly_tokens", "all", "2026-01-01..2026-01-07", 6.4, "exact"),
    (BI, "openrouter_weekly_tokens_growth_multiple", "all", "2026-01-01..2026-02-09", 2, "approx"),  # roughly double
    (BI, "google_monthly_tokens_processed", "google", "2025-06..2025-08", 1300, "exact"),  # 1.3 quadrillion
    # 1m-reviews: "(4.69T vs. 3.294T)"; "MiniMax M2.5 at roughly 1.75 trillion tokens, Step 3.5 Flash at about 1.34"
    (MR, "openrouter_ranked_models_weekly_tokens", "chinese_models", "2026-03-09..2026-03-15", 4.69, "exact"),
    (MR, "openrouter_ranked_models_weekly_tokens", "us_models", "2026-03-09..2026-03-15", 3.294, "exact"),
    (MR, "openrouter_ranked_models_weekly_tokens_rank", "chinese_models", "2026-03-09..2026-03-15", 1, "exact"),  # ahead
    (MR, "openrouter_model_weekly_tokens", "minimax_m2_5", "2026-03-09..2026-03-15", 1.75, "approx"),
    (MR, "openrouter_model_weekly_tokens", "step_3_5_flash", "2026-03-09..2026-03-15", 1.34, "approx"),
    (MR, "openrouter_model_weekly_tokens", "deepseek_v3_2", "2026-03-09..2026-03-15", 1.04, "approx"),
    # Tech Times: "roughly 61 percent of token volume among OpenRouter's top 10 models in the week of February 24, 2026"
    (TT, "openrouter_top10_token_share", "chinese_open_models", "2026-02-23..2026-03-01", 61, "approx"),
    # "... approximately 51 percent of all platform tokens"; "from under 2 percent of OpenRouter traffic in late 2024"
    (TT, "openrouter_token_share", "chinese_models", "2026-04", 51, "approx"),
    (TT, "openrouter_token_share", "chinese_models", "end-2024", 2, "at_most"),
    # "... and maintained a majority share through April"; "to consistent majority leadership in 2026": share bounds
    (TT, "openrouter_top10_token_share", "chinese_open_models", "2026-02-23..2026-04", 50, "at_least"),
    (TT, "openrouter_token_share", "chinese_models", "2026-01..2026-05", 50, "at_least"),
    (TT, "openrouter_weekly_tokens", "all", "2026-05", 25, "exact"),
    (TT, "openrouter_weekly_tokens_growth_multiple", "all", "2025-11..2026-05", 5, "exact"),
    (TT, "openrouter_users_served", "all", "2026-05", 8, "at_least"),            # "over 8 million global users"
    (TT, "openrouter_listed_model_count", "all", "2026-05", 400, "at_least"),     # "400-plus listed models"
    # Tech Startups: "25 trillion tokens per week, or roughly 100 trillion tokens per month, marking a 5x increase"
    (TS, "openrouter_weekly_tokens", "all", "2026-05", 25, "exact"),
    (TS, "openrouter_monthly_tokens", "all", "2026-05", 100, "approx"),
    (TS, "openrouter_weekly_tokens_growth_multiple", "all", "2025-11..2026-05", 5, "exact"),
    # the title: "OpenRouter raises $113M as AI token usage surges to 100 trillion monthly" (no "roughly")
    (TS, "openrouter_monthly_tokens", "all", "2026-05", 100, "exact"),
    (TS, "openrouter_listed_model_count", "all", "2026-05", 400, "at_least"),     # "more than 400 AI models"
    # IDC: 2025年上半年 ... 536.7万亿Tokens ... 火山引擎以49.2% 位居第一, 阿里云以27% 位列第二, 百度智能云占17%排第三
    (IDC, "china_public_cloud_llm_calls", "all", "2025-H1", 536.7, "exact"),
    (IDC, "china_public_cloud_llm_calls", "all", "2024", 114, "exact"),
    (IDC, "china_public_cloud_llm_calls_growth", "all", "2024..2025-H1", 400, "approx"),   # 增长近400%
    (IDC, "china_public_cloud_llm_call_share", "volcano_engine", "2025-H1", 49.2, "exact"),
    (IDC, "china_public_cloud_llm_call_share", "alibaba_cloud", "2025-H1", 27, "exact"),
    (IDC, "china_public_cloud_llm_call_share", "baidu_ai_cloud", "2025-H1", 17, "exact"),
    (IDC, "china_public_cloud_llm_call_rank", "volcano_engine", "2025-H1", 1, "exact"),
    (IDC, "china_public_cloud_llm_call_rank", "alibaba_cloud", "2025-H1", 2, "exact"),
    (IDC, "china_public_cloud_llm_call_rank", "baidu_ai_cloud", "2025-H1", 3, "exact"),
    # Omdia: 中国AI云市场规模达223亿元, 2025年预计增长148%, 到2030年将达1930亿元; 阿里云占比35.8%位列第一 ...
    (IDC, "china_ai_cloud_market_size", "all", "2025-H1", 22.3, "exact"),
    (IDC, "china_ai_cloud_market_growth_forecast", "all", "2025", 148, "exact"),
    (IDC, "china_ai_cloud_market_size_forecast", "all", "2030", 193, "exact"),
    (IDC, "china_ai_cloud_revenue_share", "alibaba_cloud", "2025-H1", 35.8, "exact"),
    (IDC, "china_ai_cloud_revenue_share", "volcano_engine", "2025-H1", 14.8, "exact"),
    (IDC, "china_ai_cloud_revenue_share", "huawei_cloud", "2025-H1", 13.1, "exact"),
    (IDC, "china_ai_cloud_revenue_share", "tencent_cloud", "2025-H1", 7, "exact"),
    (IDC, "china_ai_cloud_revenue_share", "baidu_ai_cloud", "2025-H1", 6.1, "exact"),
    (IDC, "china_ai_cloud_revenue_rank", "alibaba_cloud", "2025-H1", 1, "exact"),
    # Frost & Sullivan: 日均调用量飙升至37.0万亿tokens,较上半年的10.2万亿增长263%; 千问(32.1%)、豆包(21.3%)和DeepSeek(18.4%)
    (FS, "china_enterprise_llm_daily_tokens", "all", "2025-H2", 37.0, "exact"),
    (FS, "china_enterprise_llm_daily_tokens", "all", "2025-H1", 10.2, "exact"),
    (FS, "china_enterprise_llm_daily_tokens_growth", "all", "2025-H1..2025-H2", 263, "exact"),
    (FS, "china_enterprise_llm_daily_token_share", "alibaba", "2025-H2", 32.1, "exact"),
    (FS, "china_enterprise_llm_daily_token_share", "alibaba", "2025-H1", 17.7, "exact"),
    (FS, "china_enterprise_llm_daily_token_share", "bytedance", "2025-H2", 21.3, "exact"),
    (FS, "china_enterprise_llm_daily_token_share", "deepseek", "2025-H2", 18.4, "exact"),
    (FS, "china_enterprise_llm_daily_token_share_growth_multiple", "alibaba", "2025-H1..2025-H2", 2, "approx"),  # 几乎翻倍
    (FS, "china_enterprise_llm_top3_combined_daily_token_share", "qwen_doubao_deepseek", "2025-H1", 50, "at_most"),
    (FS, "china_enterprise_llm_daily_token_rank", "alibaba", "2025-H2", 1, "exact"),  # 阿里云千问占比第一
])
def test_each_figure_is_a_row_with_its_metric_entity_period_and_wording(doc, metric, entity, period, value, qualifier):
    rows = _obs(doc)
    rows = rows[(rows["metric"] == metric) & (rows["entity"] == entity) & (rows["period"] == period)
                & (rows["qualifier"] == qualifier)]
    assert len(rows) == 1, f"{doc} {metric} {entity} {period} {qualifier}: {len(rows)} rows"
    assert rows.iloc[0]["value"] == pytest.approx(value)


def test_every_row_names_its_population():
    rows = _obs()
    assert len(rows) == 68
    china = rows["doc"].isin([IDC, FS])
    assert (rows[china]["segment"] == "china_enterprise").all()
    google = rows["entity"] == "google"
    platform = rows["entity"] == "openrouter"   # its place among AI model API platforms: the market
    assert (rows[platform]["segment"] == "market").all()
    assert (rows[~china & ~google & ~platform]["segment"] == "platform_users").all()
    assert (rows[google]["segment"] == "company").all()


def test_the_three_openrouter_bases_stay_apart():
    rows = _obs()
    whole = rows[rows["metric"].isin(["openrouter_token_share", "openrouter_weekly_tokens"])]
    top10 = rows[rows["metric"].isin(["openrouter_top10_token_share", "openrouter_top10_weekly_tokens"])]
    # whole platform: Tech Times' 51% and under 2%, BI's 13T / 6.4T, the Series B's 25T
    # and its majority 'in 2026' (at least 50)
    assert sorted(whole["value"].tolist()) == [2, 6.4, 13, 25, 25, 50, 51]
    # top 10: Tech Times' 61% and its majority 'through April', NBD's 1.24T and 13.95T
    assert sorted(top10["value"].tolist()) == [1.24, 13.95, 50, 61]
    # the China vs U.S. totals are neither: they are sums over the ranking by developer country
    ranked = rows[rows["metric"] == "openrouter_ranked_models_weekly_tokens"]
    assert set(ranked["doc"]) == {NBD, MR} and set(ranked["entity"]) == {"chinese_models", "us_models"}
    assert not rows[rows["doc"].isin([NBD, MR]) & rows["metric"].isin(["openrouter_token_share",
                                                                        "openrouter_top10_token_share"])].shape[0]


def test_the_series_b_figures_are_one_figure_stated_by_two_relays():
    figs = datasets.figures()
    for metric, period, value in (("openrouter_weekly_tokens", "2026-05", 25),
                                  ("openrouter_weekly_tokens_growth_multiple", "2025-11..2026-05", 5)):
        fig = figs[(figs["metric"] == metric) & (figs["period"] == period)
                   & (figs["source_id"] == "openrouter_series_b_2026_05")]
        assert len(fig) == 1
        fig = fig.iloc[0]
        assert set(fig["docs"]) == {TT, TS} and fig["value"] == value
        assert fig["status"] == "relay_only"   # OpenRouter's own release is not in the store


def test_every_figure_of_these_documents_rests_on_relays_only():
    figs = datasets.figures()
    mine = figs[figs["docs"].apply(lambda d: bool(set(d) & set(DOCS)))]
    # 68 rows: two figures stated by both Series B relays, one stated twice by Tech Startups (title and body)
    assert len(mine) == 65
    differs = mine[mine["status"] == "differs"]
    assert differs["metric"].tolist() == ["openrouter_monthly_tokens"]
    assert (mine.drop(differs.index)["status"] == "relay_only").all()


def test_the_title_without_roughly_is_a_declared_statement_and_the_body_stands():
    figs = datasets.figures()
    fig = figs[figs["metric"] == "openrouter_monthly_tokens"].iloc[0]
    assert (fig["value"], fig["qualifier"]) == (100, "approx")   # "or roughly 100 trillion tokens per month"
    rows = datasets.disagreements()
    rows = rows[rows["id"] == "techstartups-monthly-tokens-title-vs-body"]
    assert len(rows) == 1


def test_the_14_4_of_frost_sullivan_is_a_rise_of_the_share_in_points_not_a_growth_rate():
    # 其中阿里云千问的增速高达14.4%: 32.1 - 17.7 = 14.4
    rows = _obs(FS)
    at_14_4 = rows[rows["value"] == 14.4]
    assert len(at_14_4) == 1
    row = at_14_4.iloc[0]
    assert (row["metric"], row["unit"], row["entity"]) == (
        "china_enterprise_llm_daily_token_share_change", "percentage_points", "alibaba")
    assert row["period"] == "2025-H1..2025-H2" and "percentage points" in row["note"]
    assert "增速高达14.4%" in row["quote"]


def test_idc_growth_is_recorded_as_written_and_the_note_says_the_levels_disagree():
    row = _one(IDC, "china_public_cloud_llm_calls_growth", "all", "2024..2025-H1")
    assert "增长近400%" in row["quote"]
    assert "370.8" in row["note"] and "half-year" in row["note"]


def test_idc_and_omdia_are_two_measures_of_two_markets():
    rows = _obs(IDC)
    idc = rows[rows["source_id"] == "idc_china_public_cloud_llm_2025h1"]
    omdia = rows[rows["source_id"] == "omdia_china_ai_cloud_2025h1"]
    assert not set(idc["metric"]) & set(omdia["metric"])
    # a different leader on each measure: Volcano Engine by calls (IDC), Alibaba Cloud by revenue (Omdia)
    first = rows[(rows["unit"] == "rank") & (rows["value"] == 1)].set_index("metric")["entity"].to_dict()
    assert first == {"china_public_cloud_llm_call_rank": "volcano_engine",
                     "china_ai_cloud_revenue_rank": "alibaba_cloud"}
    # Omdia's forecasts are not mixed into its market size
    size = rows[rows["metric"] == "china_ai_cloud_market_size"]
    assert size["period"].tolist() == ["2025-H1"]


def test_rank_rows_only_where_an_ordinal_states_the_place():
    rows = _obs()
    ranks = rows[rows["unit"] == "rank"]
    # 位居第一 / 位列第二 / 排第三 (IDC), 位列第一 (Omdia), 占比第一 (Frost & Sullivan); 前三名 gives no place to 豆包 or DeepSeek,
    # 1m-reviews' "top three spots" none to its models
    assert sorted(zip(ranks["metric"], ranks["entity"], ranks["value"])) == sorted([
        ("china_public_cloud_llm_call_rank", "volcano_engine", 1),
        ("china_public_cloud_llm_call_rank", "alibaba_cloud", 2),
        ("china_public_cloud_llm_call_rank", "baidu_ai_cloud", 3),
        ("china_ai_cloud_revenue_rank", "alibaba_cloud", 1),
        ("china_enterprise_llm_daily_token_rank", "alibaba", 1),
        # rank words (ahead / overtaking between two sides, the world's largest) -> 1
        ("openrouter_ranked_models_weekly_tokens_rank", "chinese_models", 1),
        ("openrouter_ranked_models_weekly_tokens_rank", "chinese_models", 1),
        ("llm_aggregator_rank", "openrouter", 1),
    ])
    assert ranks["value_derived"].notna().all()   # ordinals and rank words are not digits: each says how


def test_the_doubtful_consecutive_weeks_are_no_source_of_a_row():
    rows = _obs(MR)
    for phrase in ("consecutive", "second week", "Two Straight"):
        assert not rows["quote"].str.contains(phrase).any()
    declared = datasets.registry().documents[MR]["not_rows"]
    doubtful = [d for d in declared if "DOUBTFUL" in d["reason"]]
    assert len(doubtful) >= 3
    assert any("for a second consecutive week" in d["text"] for d in doubtful)
    assert any("NBD" in d["reason"] for d in doubtful)


def test_the_tuesday_week_of_tech_times_is_read_as_openrouters_week_and_says_so():
    row = _one(TT, "openrouter_top10_token_share", "chinese_open_models", "2026-02-23..2026-03-01")
    assert "Tuesday" in row["period_inferred"]
    assert not isinstance(row["period_quote"], str) or not row["period_quote"].strip()


_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_WORDS = re.compile(
    r"¾|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eighteen|hundreds?|first|second|third|double|"
    r"single|majority)\b|第[一二三四五六七八九十]+|[一二三四五六七八九十]+(?:成|倍|名|者|家)|一半|翻",
    re.IGNORECASE)


def _places(text, part, start):
    out, i = [], text.find(part, start)
    while i >= 0:
        out.append((i, i + len(part)))
        i = text.find(part, i + 1)
    return out


@pytest.mark.parametrize("doc", DOCS)
def test_every_number_of_the_body_is_a_rows_value_or_a_declared_non_row(doc, document_store):
    """A digit run is the value of a row whose quote holds it, or lies in a not_rows text (each text unique in
    its document, so it finds its place); a number word lies in a row's quote or a not_rows text."""
    text = (document_store / "2026" / f"{doc}.md").read_text(encoding="utf-8")
    body = text.index("\n---\n", 4) + 5
    declared = []
    for item in datasets.registry().documents[doc]["not_rows"]:
        places = _places(text, item["text"], body)
        assert len(places) == 1, f"not_rows text found {len(places)} times in the body of {doc}: {item['text']!r}"
        declared += places
    rows = _obs(doc)
    quoted = [(a, b, r) for _, r in rows.iterrows() for a, b in _places(text, r["quote"], body)]
    assert {r["obs_id"] for _, _, r in quoted} == set(rows["obs_id"])   # every quote stands in the body

    def is_value(run, r):
        derived = r["value_derived"] if isinstance(r["value_derived"], str) else ""
        return run in derived or any(pd.notna(r[c]) and float(run.replace(",", "")) == pytest.approx(r[c])
                                     for c in ("value", "value_low", "value_high"))

    uncovered = []
    for m in _DIGITS.finditer(text, body):
        a, b, run = m.start(), m.end(), m.group().rstrip(".,")
        if any(x <= a and b <= y for x, y in declared):
            continue
        if not any(x <= a and b <= y and is_value(run, r) for x, y, r in quoted):
            uncovered.append(m.group() + " @ " + text[max(body, a - 25):b + 10])
    for m in _WORDS.finditer(text, body):
        spans = declared + [(x, y) for x, y, _ in quoted]
        if not any(x <= m.start() and m.end() <= y for x, y in spans):
            uncovered.append(m.group() + " @ " + text[max(body, m.start() - 25):m.end() + 10])
    assert not uncovered, uncovered
