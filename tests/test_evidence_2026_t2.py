"""The 2026 evidence of Vercel's AI Gateway index, the Anthropic Economic Index, the NBER
paper relayed by whoisnnamdi.com and the Stanford AI Index 2026 (eight documents of the
store's 2026/ folder).

Every expected value below was read off the documents by a person (the sentence is in
the comment beside it), not copied from the program's output.
"""
from __future__ import annotations

import re

import pytest

from llmtrends import datasets
from llmtrends.facts.reading import _collapse

VERCEL = "vercel_2026_ai_gateway_index"
MIRROR = "vercel_2026_ai_gateway_index_prismix_mirror"
FINEPOCKET = "vercel_2026_ai_gateway_index_via_finepocket"
GLESS = "vercel_2026_ai_gateway_index_via_gless"
WEBPRONEWS = "anthropic_econ_index_2026_01_via_webpronews"
NNAMDI = "nber_w34608_emerging_market_intelligence_via_whoisnnamdi"
TINGWEI = "stanford_ai_index_2026_performance_via_tingwei_digest"
XUANJIN = "stanford_ai_index_2026_via_xuanjin"
DOCS = (VERCEL, MIRROR, FINEPOCKET, GLESS, WEBPRONEWS, NNAMDI, TINGWEI, XUANJIN)

# sha256 as the store's README lists them
README_SHA256 = {
    VERCEL: "47cb08f4c387f934ecd06215bd9987e286189317bc8ce8e7b32b1aa60e21f03b",
    MIRROR: "60e948ff5049ce446285d7aecaa7f77dab98541f21a7b67ae4f8cba3448f2441",
    FINEPOCKET: "f735fa83ad4edd2432109ae32e97288f73bd17de3b2caaff6ef191ee272706c7",
    GLESS: "da6af14ff41f3748d010c969d733ce295aff33474d693ee445843f4ae6ae8083",
    WEBPRONEWS: "b3bd28c6aa6f2871cf1e0cdff8796f7f1edf3bbce8f989bfee1e51cbbb26d74b",
    NNAMDI: "b5a80a1ecfa83cd8d42a60ef3f9c70b8739745ac623fe1fe2081e4c44ae0b913",
    TINGWEI: "26c8a8f0213d800ad7b83a2b52c7c40d85bcb68f51aae56ceaaf51af875f499c",
    XUANJIN: "c4e4e5258012103f4404eb9e9ceb5ae301a5f9eee3538691f457da8c31a61809",
}


def _docs(row) -> set[str]:
    docs = row["docs"]
    return set(docs.split(";")) if isinstance(docs, str) else set(docs)


def _figure(source, metric, segment, entity, period):
    figs = datasets.figures()
    row = figs[(figs["source_id"] == source) & (figs["metric"] == metric) & (figs["segment"] == segment)
               & (figs["entity"] == entity) & (figs["period"] == period)]
    assert len(row) == 1, f"expected one figure {source} {metric} {segment} {entity} {period}, found {len(row)}"
    return row.iloc[0]


def test_documents_are_registered_as_the_store_lists_them():
    reg = datasets.registry()
    for did, digest in README_SHA256.items():
        d = reg.documents[did]
        assert d["file"] == f"2026/{did}.md"
        assert d["sha256"] == digest
        assert d["language"] == "en"
    assert reg.documents[VERCEL]["kind"] == "primary"
    assert reg.documents[VERCEL]["primary_of"] == "vercel_ai_gateway_index_2026"
    assert all(reg.documents[d]["kind"] == "relay" for d in DOCS if d != VERCEL)


# "By spend in April 2026, Anthropic took 61%, Google 21%, and OpenAI 12%." (primary, mirror;
# finepocket and gless restate it)
@pytest.mark.parametrize("entity,value", [("anthropic", 61), ("google", 21), ("openai", 12)])
def test_vercel_spend_shares_are_confirmed_by_the_primary_and_three_relays(entity, value):
    row = _figure("vercel_ai_gateway_index_2026", "ai_gateway_spend_share", "platform_users", entity, "2026-04")
    assert (row["value"], row["qualifier"], row["status"]) == (value, "exact", "confirmed")
    assert _docs(row) == {VERCEL, MIRROR, FINEPOCKET, GLESS}


# "38% of April traffic through AI Gateway routed to Google, 26% to Anthropic, 13% to OpenAI,
# and 10% to xAI." - past the stored primary excerpt: only the relays state it
@pytest.mark.parametrize("entity,value", [("google", 38), ("anthropic", 26), ("openai", 13), ("xai", 10)])
def test_vercel_token_shares_rest_on_relays_only(entity, value):
    row = _figure("vercel_ai_gateway_index_2026", "ai_gateway_token_share", "platform_users", entity, "2026-04")
    assert (row["value"], row["status"]) == (value, "relay_only")
    assert VERCEL not in _docs(row)
    assert MIRROR in _docs(row)


def test_spend_and_tokens_name_different_leaders():
    figs = datasets.figures()
    april = figs[(figs["source_id"] == "vercel_ai_gateway_index_2026") & (figs["period"] == "2026-04")]
    lead = {m: april[april["metric"] == m].sort_values("value").iloc[-1]["entity"]
            for m in ("ai_gateway_spend_share", "ai_gateway_token_share")}
    assert lead == {"ai_gateway_spend_share": "anthropic", "ai_gateway_token_share": "google"}


@pytest.mark.parametrize("metric,entity,docs", [
    # "Anthropic leads in spend despite a higher unit price, Google leads in volume" (bullet; mirror heading)
    ("ai_gateway_spend_rank", "anthropic", {VERCEL, MIRROR}),
    ("ai_gateway_token_rank", "google", {VERCEL, MIRROR}),
])
def test_who_leads_by_each_measure_is_a_rank_row_of_the_primary(metric, entity, docs):
    row = _figure("vercel_ai_gateway_index_2026", metric, "platform_users", entity, "2026-04")
    assert (row["value"], row["status"], _docs(row)) == (1, "confirmed", docs)
    # Vercel's CEO as gless quotes him: "Google is king of production scale, Anthropic dominates in coding & spend"
    ceo = _figure("vercel_ceo_rauch_post_2026", metric, "platform_users", entity, "2026-04")
    assert (ceo["value"], _docs(ceo)) == (1, {GLESS})


def test_agentic_share_and_its_doubling_are_two_rows_of_two_metrics():
    # "Agentic workloads carry 59% of all token volume (up 2x over 6 months)"
    level = _figure("vercel_ai_gateway_index_2026", "ai_gateway_agentic_token_share", "platform_users",
                    "agentic_workloads", "2026-04")
    assert (level["value"], level["qualifier"], level["status"]) == (59, "exact", "primary_only")
    change = _figure("vercel_ai_gateway_index_2026", "ai_gateway_agentic_token_share_change_multiple",
                     "platform_users", "agentic_workloads", "2025-10..2026-04")
    assert change["value"] == 2
    metrics = datasets.registry().metrics
    assert metrics["ai_gateway_agentic_token_share_change_multiple"]["kind"] == "multiple"
    obs = datasets.observations()
    assert set(obs[obs["metric"] == "ai_gateway_agentic_token_share"]["theme"]) == {"agentic_usage"}


def test_gless_garbled_table_row_is_never_a_source():
    # "| 21% | 38% | |": the provider name is lost
    obs = datasets.observations()
    gless = obs[obs["doc"] == GLESS]
    assert not gless["quote"].str.contains("| 21% | 38% |", regex=False).any()
    not_rows = datasets.registry().documents[GLESS]["not_rows"]
    assert any(n["text"] == "| 21% | 38% | |" and "GARBLED" in n["reason"] for n in not_rows)
    # Google's 38% / 21% come from the prose sentence that names Google
    google = gless[gless["entity"] == "google"]
    assert set(google["quote"]) >= {"Google was the mirror image: 38% of the volume, 21% of the revenue."}


def test_tool_call_requests_are_relay_only_and_their_dates_are_readings():
    # "tool-call requests grew from 11.4% to 22.2%" - no dates in the sentence
    obs = datasets.observations()
    rows = obs[obs["metric"] == "ai_gateway_tool_call_request_share"].set_index("period")
    assert rows.loc["2025-10", "value"] == 11.4 and rows.loc["2026-04", "value"] == 22.2
    assert rows["period_quote"].fillna("").eq("").all() and rows["period_inferred"].str.len().gt(40).all()
    figs = datasets.figures()
    assert set(figs[figs["metric"] == "ai_gateway_tool_call_request_share"]["status"]) == {"relay_only"}


def test_finepocket_dates_the_vercel_post_not_itself():
    reg = datasets.registry()
    assert reg.documents[FINEPOCKET]["published"] is None
    src = reg.sources["vercel_ai_gateway_index_2026"]
    assert str(src["published"]) == "2026-05-12"
    assert src["published_doc"] == FINEPOCKET and src["published_quote"] == "2026-05-12 04:00:00"


# "Augmentation edges automation on Claude.ai at 52% versus 45%, while API flips to 75% automated"
@pytest.mark.parametrize("segment,entity,value", [
    ("consumer", "augmentation", 52), ("consumer", "automation", 45), ("platform_users", "automation", 75)])
def test_anthropic_economic_index_modes_of_use(segment, entity, value):
    row = _figure("anthropic_economic_index_2026_01", "claude_collaboration_mode_share", segment, entity, "2025-11")
    assert (row["value"], row["status"], _docs(row)) == (value, "relay_only", {WEBPRONEWS})


def test_the_75_percent_says_it_is_unconfirmed():
    obs = datasets.observations()
    row = obs[obs["obs_id"] == "aei-automation-share-api-2025-11"].iloc[0]
    assert "UNCONFIRMED" in row["note"] and "77%" in row["note"]
    assert row["theme"] == "agentic_usage"


def test_paper_below_30_and_blog_stable_at_30_are_two_statements_declared_side_by_side():
    # paper: "remains consistently below 30%"; blog: "has been stable at 30% for some time"
    paper = _figure("nber_emerging_market_for_intelligence", "llm_api_open_source_token_share", "market",
                    "open_source_models", "2025")
    assert (paper["value"], paper["qualifier"]) == (30, "at_most")
    blog = _figure("whoisnnamdi_tokens_arent_fungible", "openrouter_token_share", "platform_users",
                   "open_source_models", "2025")
    assert (blog["value"], blog["qualifier"]) == (30, "exact")
    decl = {d["id"]: d for d in datasets.registry().disagreements}
    d = decl["open-source-token-share-below-30-vs-stable-at-30"]
    assert d["stands"] is None
    assert set(d["obs_ids"]) == {"wnn-nber-open-source-token-share", "wnn-blog-openrouter-open-source-token-share"}


def test_the_papers_approximately_90_stands_over_the_blogs_flat_90():
    row = _figure("nber_emerging_market_for_intelligence", "open_source_llm_price_discount", "market",
                  "open_source_models", "2025")
    assert (row["value"], row["qualifier"], row["status"]) == (90, "approx", "differs")
    assert "approximately 90% cheaper" in row["quote"]


@pytest.mark.parametrize("metric,period,value", [
    ("arena_us_china_top_model_gap_pct", "2026-03", 2.7),    # "by 39 points (2.7%)"
    ("arena_us_china_top_model_gap_pct", "2025-02", 0.4),    # "by just 5 Arena points (0.4%)"
    ("arena_us_china_top_model_gap_points", "2026-03", 39),
    ("arena_us_china_top_model_gap_points", "2025-02", 5),
])
def test_us_china_gap_in_points_and_percent(metric, period, value):
    row = _figure("stanford_ai_index_2026", metric, "market", "us_models", period)
    assert (row["value"], row["qualifier"], row["theme"]) == (value, "exact", "open_vs_closed")


def test_closed_open_gap_keeps_both_ends_of_its_range():
    # "The top closed model now leads the top open model by about 3.3%–3.4%, up from 0.5% in August 2024"
    obs = datasets.observations()
    rows = obs[obs["metric"] == "arena_closed_open_top_model_gap_pct"].set_index("period")
    now = rows.loc["2026-03"]
    assert (now["value_low"], now["value_high"], now["qualifier"]) == (3.3, 3.4, "approx")
    assert rows.loc["2024-08", "value"] == 0.5 and rows.loc["2024-08", "period_quote"] == "in August 2024"


def test_stanford_figures_are_capability_or_counts_never_usage():
    obs = datasets.observations()
    rows = obs[obs["doc"].isin([TINGWEI, XUANJIN])]
    assert len(rows) >= 30
    assert not rows["metric"].str.contains("token|spend|usage|user").any()
    assert set(rows["theme"]) <= {"capability", "open_vs_closed", "adoption"}
    counts = rows[rows["metric"] == "notable_ai_models_by_country"].set_index("entity")["value"].to_dict()
    assert counts == {"us_models": 50, "chinese_models": 30, "south_korean_models": 5}  # "50 models ... 30 ... 5"


def test_xuanjin_rows_say_the_summary_is_ai_written():
    obs = datasets.observations()
    rows = obs[obs["doc"] == XUANJIN]
    assert len(rows) == 12 and rows["note"].str.contains("AI-written summary").all()
    assert "AI-WRITTEN" in datasets.registry().documents[XUANJIN]["note"]


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@pytest.mark.parametrize("did", DOCS)
def test_every_number_of_the_body_is_a_row_value_or_declared(did, document_store):
    """Each digit run after the header is the value of a row whose quote holds it, or lies in a not_rows
    text; each not_rows text occurs once in the body, so it names one place."""
    reg = datasets.registry()
    text = (document_store / reg.documents[did]["file"]).read_text(encoding="utf-8")
    body = _collapse(text.split("\n---\n", 1)[1])
    spans = []
    for r in reg.observations:
        if r["doc"] != did:
            continue
        values = {v for v in (r["value"], r["value_low"], r["value_high"]) if v is not None}
        quote = _collapse(r["quote"])
        spans += [(m.start(), m.start() + len(quote), values) for m in re.finditer(re.escape(quote), body)]
    for item in reg.documents[did].get("not_rows") or []:
        t = _collapse(item["text"])
        found = [(m.start(), m.start() + len(t), None) for m in re.finditer(re.escape(t), body)]
        assert len(found) == 1, f"not_rows text of {did} must find one place, found {len(found)}: {t!r}"
        spans += found
    uncovered = []
    for m in _NUMBER.finditer(body):
        number = float(m.group().replace(",", ""))
        if not any(a <= m.start() and m.end() <= b and (vals is None or number in vals) for a, b, vals in spans):
            uncovered.append(body[max(0, m.start() - 30): m.end() + 10])
    assert not uncovered, f"numbers of {did} neither a row's value nor declared: {uncovered}"
