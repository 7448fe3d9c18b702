"""The lenses of data/lenses.yaml: declared once, validated on every load, read by the stories."""
from __future__ import annotations

import pytest
import yaml

from llmtrends.errors import DataError
from llmtrends.facts import datasets
from llmtrends.facts import lenses as lens_declarations


def _edit(data_copy, edit) -> None:
    path = data_copy / "lenses.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc["lenses"])
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _problems(exc) -> str:
    return "\n".join(str(p) for p in exc.value.problems)


def test_menlos_changes_of_measure_are_one_chain_earliest_first():
    declared = datasets.registry().lenses
    assert [lens["metric"] for lens in lens_declarations.chain(declared, "menlo_usage_share")] == [
        "enterprise_closed_llm_market_share", "enterprise_llm_api_usage_share", "enterprise_llm_api_spend_share"]
    assert lens_declarations.chain_metrics(declared, "enterprise_coding_llm_spend_share") == (
        "enterprise_coding_llm_share", "enterprise_coding_llm_spend_share")
    assert lens_declarations.chain_metrics(declared, "not_a_lens_metric") == ("not_a_lens_metric",)


def test_every_lens_reads_figures_that_exist():
    figures, reg = datasets.figures(), datasets.registry()
    for lid, lens in reg.lenses.items():
        rows = lens_declarations.lens_rows(figures, lens, reg)
        assert len(rows), f"lens {lid} reads no figure (metric, segment, entities and its publisher's editions)"
        assert set(rows["source_id"]) <= set(lens_declarations.sources_of(lens, reg))


def test_a_new_lens_is_a_data_edit_the_open_vs_closed_story_reads(data_copy):
    from llmtrends.stories.analysis import open_source_lens_entities
    _edit(data_copy, lambda lenses: lenses.update(extra_lens={
        "theme": "open_vs_closed", "title": "Chinese developers using Alibaba's models",
        "metric": "developer_model_usage_rate", "entities": ["alibaba"],
        "population": "Chinese AI application developers", "publisher": "Analysys",
        "sources": ["analysys_csdn_developer_survey_2024"], "cadence": "once"}))
    assert open_source_lens_entities()["developer_model_usage_rate"] == ["meta", "alibaba"]


@pytest.mark.parametrize("edit,expected", [
    (lambda ls: ls["menlo_spend_share"].update(metric="enterprise_llm_api_spend_shar"),
     "unknown metric 'enterprise_llm_api_spend_shar'; did you mean 'enterprise_llm_api_spend_share'?"),
    (lambda ls: ls["menlo_spend_share"].update(cadence="daily"), "unknown cadence 'daily'"),
    (lambda ls: ls["menlo_closed_model_share"].update(follows="menlo_spend_share"), "comes back to it"),
    (lambda ls: ls["menlo_spend_share"].update(follows="menlo_usage"), "follows unknown lens 'menlo_usage'"),
    (lambda ls: ls["menlo_spend_share"].update(breaks=[{"from": "2026-05", "what": "a new method"}]),
     "break #1 needs quote and doc"),
    (lambda ls: ls["menlo_spend_share"].update(breaks=[{"from": "May 2026", "what": "x", "inferred": "y"}]),
     "break #1: 'from' 'May 2026' does not parse"),
    (lambda ls: ls["menlo_spend_share"].pop("population"), "population"),
    (lambda ls: ls["menlo_spend_share"].update(series="menlo"), "unknown series 'menlo'"),
    (lambda ls: ls["openrouter_open_weight_token_share"].update(entities=["open_sauce"]), "unknown entity 'open_sauce'"),
])
def test_a_broken_lens_names_its_file_lens_and_what_is_accepted(data_copy, edit, expected):
    _edit(data_copy, edit)
    with pytest.raises(DataError) as exc:
        datasets.figures()
    text = _problems(exc)
    assert "data/lenses.yaml" in text and expected in text


# --------------------------------------------------------------------------- lt.lenses, lt.latest, segments

TODAY = __import__("datetime").date(2026, 12, 6)


def test_the_lens_board_names_each_lens_leader_from_the_figures():
    import llmtrends as lt
    board = lt.lenses("vendor_share", today=TODAY).set_index("lens")
    # values read from the documents: Menlo Dec 2025 (40% vs 27%), Vercel Apr 2026 (61% of spend; 38% of tokens)
    spend = board.loc["menlo_spend_share"]
    assert (spend["leader"], spend["value"], spend["runner_up"], spend["runner_up_value"]) == ("Anthropic", 40, "OpenAI", 27)
    # 2025 ends 31 Dec 2025: 11 whole months before 6 Dec 2026
    assert spend["age_months"] == 11 and spend["edition"] == "2025-12-09" and bool(spend["leader_certain"])
    assert (board.loc["vercel_gateway_spend_share", "leader"], board.loc["vercel_gateway_token_share", "leader"]) == \
        ("Anthropic", "Google"), "who leads depends on what is counted: spend vs tokens of one gateway"
    assert board.loc["vercel_gateway_token_share", "provenance"] == "relay only", "the token sentence is only in relays"
    assert board.loc["vercel_gateway_spend_share", "provenance"] is None or \
        board.loc["vercel_gateway_spend_share", "provenance"] != board.loc["vercel_gateway_spend_share", "provenance"]
    # 2024 names OpenAI 34% and Anthropic 24% among closed models only: 42% unnamed, so no proof of a lead
    assert not board.loc["menlo_closed_model_share", "leader_certain"]
    assert board.loc["menlo_usage_share", "followed_by"] == "menlo_spend_share"
    assert set(board["theme"]) == {"vendor_share"}
    assert list(lt.lenses(today=TODAY).columns[:8]) == ["title", "population", "publisher", "cadence", "period",
                                                        "leader", "value", "unit"], "the answer first"


def test_a_rate_lens_leads_only_where_the_publisher_ranks_it(data_copy):
    """A rate (several answers per respondent) cannot prove a lead by its sum; a rank-1 row of the publisher can."""
    import llmtrends as lt
    _edit(data_copy, lambda ls: ls.update(dev_rates={
        "theme": "open_vs_closed", "title": "Chinese developers using each family", "metric": "developer_model_usage_rate",
        "population": "Chinese AI application developers", "publisher": "Analysys",
        "sources": ["analysys_csdn_developer_survey_2024"], "cadence": "once"}))
    row = lt.lenses(today=TODAY).set_index("lens").loc["dev_rates"]
    assert (row["leader"], row["value"], row["runner_up"]) == ("OpenAI", 42.9, "Alibaba")
    assert not row["leader_certain"]


def test_latest_gives_each_entity_its_latest_value_lens_by_lens_never_mixing_measures():
    import llmtrends as lt
    usage = lt.latest("enterprise_llm_api_usage_share")
    assert set(usage["lens"]) == {"menlo_usage_share"} and set(usage["period"].astype(str)) == {"mid-2025"}
    assert usage.iloc[0][["entity_name", "value"]].tolist() == ["Anthropic", 32.0]
    # a metric two lenses read gives each lens its own rows
    both = lt.latest("openrouter_token_share")
    assert both.groupby("lens")["title"].nunique().eq(1).all()
    everything = lt.latest(theme="vendor_share")
    assert not everything.duplicated(["lens", "entity"]).any()
    assert everything.groupby("lens")["metric"].nunique().eq(1).all(), "one measure per lens"
    assert lt.latest("vercel_gateway_token_share", entity="Gemini")["value"].tolist() == [38.0]


def test_latest_and_lenses_refuse_unknown_names_listing_the_accepted_ones():
    import llmtrends as lt
    from llmtrends.errors import UnknownNameError
    with pytest.raises(UnknownNameError, match="did you mean 'menlo_spend_share'.*accepted: a lens id"):
        lt.latest("menlo_spend_shar")
    with pytest.raises(UnknownNameError, match="unknown entity 'Nobody'"):
        lt.latest("menlo_spend_share", entity="Nobody")
    with pytest.raises(UnknownNameError, match="accepted: vendor_share, open_vs_closed, agentic_usage"):
        lt.lenses("vendor")


def test_a_break_splits_a_lens_into_runs_and_latest_says_which_method(data_copy):
    import llmtrends as lt
    _edit(data_copy, lambda ls: ls["menlo_spend_share"].update(breaks=[
        {"from": "2025", "what": "a test method change", "inferred": "for this test"}]))
    figures = datasets.figures()
    reg = datasets.registry()
    rows = lens_declarations.lens_rows(figures, reg.lenses["menlo_spend_share"], reg)
    runs = lens_declarations.segments(rows, "menlo_spend_share")
    assert [sorted(set(r["period"].astype(str))) for r in runs] == [["2023", "2024"], ["2025"]]
    spend = lt.latest("menlo_spend_share").set_index("entity_name")
    assert spend.loc["Anthropic", "method_since"] == "2025"
    assert lt.lenses(today=TODAY).set_index("lens").loc["menlo_spend_share", "breaks"] == ["2025"]


def test_segments_never_put_two_measures_in_one_run():
    figures = datasets.figures()
    chain = figures[figures["metric"].isin(["enterprise_closed_llm_market_share", "enterprise_llm_api_usage_share",
                                            "enterprise_llm_api_spend_share"]) & (figures["entity"] == "anthropic")]
    runs = lens_declarations.segments(chain)
    assert len(runs) == 3 and all(r["metric"].nunique() == 1 for r in runs)
    firsts = [r["period_end"].min() for r in runs]
    assert firsts == sorted(firsts), "earliest run first"
    assert runs[-1]["metric"].iloc[0] == "enterprise_llm_api_usage_share", "mid-2025 usage begins last"


def test_a_break_quote_must_stand_in_its_document(data_copy, document_store):
    from llmtrends.facts import store
    _edit(data_copy, lambda ls: ls["vercel_gateway_spend_share"].update(breaks=[
        {"from": "2026-04", "what": "x", "quote": "Vercel changed nothing at all", "doc": "vercel_2026_ai_gateway_index"}]))
    datasets.clear_cache()
    problems = [str(p) for p in store.check(reg=datasets.registry())]
    assert any("break #1: quote not found verbatim in vercel_2026_ai_gateway_index" in p for p in problems), problems


def test_the_2026_lenses_each_name_their_leader_as_the_documents_state_it():
    """Values read from the documents: Ramp (Aug 2026 edition, July data) 43.5% vs 39.7%; Counterpoint Q1 2026
    31.4% vs 29.0%; Sensor Tower May 2026 ChatGPT 46.4%, Gemini 27.7%; a16z about 56% for OpenAI."""
    import llmtrends as lt
    board = lt.lenses("vendor_share", today=TODAY).set_index("lens")
    expected = {
        "ramp_business_paying": ("Anthropic", 43.5, "OpenAI", 39.7, "2026-07"),
        "counterpoint_llm_revenue_share": ("Anthropic", 31.4, "OpenAI", 29.0, "2026-Q1"),
        "sensor_tower_assistant_user_share": ("ChatGPT", 46.4, "Google", 27.7, "2026-05"),
    }
    for lid, (leader, value, second, second_value, period) in expected.items():
        row = board.loc[lid]
        assert (row["leader"], row["value"], row["runner_up"], row["runner_up_value"], row["period"]) == \
            (leader, value, second, second_value, period), lid
    a16z = board.loc["a16z_large_enterprise_wallet_share"]
    assert (a16z["leader"], a16z["value"], a16z["qualifier"]) == ("OpenAI", 56.0, "approx")
    assert board.loc["sensor_tower_assistant_user_share", "leader_vendor"] == "openai", "ChatGPT counts for OpenAI"
    assert board.loc["ramp_business_paying", "leader_certain"], "a rate: Ramp's rank-1 statement proves the lead"
    current = board[~board["followed_by"].isin(set(board.index)) & (board["market"] == "global")]
    assert current["publisher"].nunique() >= 6, "the board holds at least six publishers' lenses"


def test_the_ramp_series_breaks_at_its_june_2026_method_change():
    import llmtrends as lt
    reg = datasets.registry()
    lens = reg.lenses["ramp_business_paying"]
    assert [str(b["from"]) for b in lens["breaks"]] == ["2026-05"]
    rows = lens_declarations.lens_rows(datasets.figures(), lens, reg)
    runs = lens_declarations.segments(rows, lens)
    assert len(runs) == 2
    assert str(runs[0]["period"].astype(str).max()) == "2026-04" and str(runs[1]["period"].astype(str).min()) == "2026-05"
    latest = lt.latest("ramp_business_paying").set_index("entity_name")
    assert latest.loc["Anthropic", ["value", "method_since"]].tolist() == [43.5, "2026-05"]
    assert latest["method_since"].isna()["Google"], "Google's only figure (Jan 2026) is on the old method"


def test_the_openrouter_and_china_lenses_name_their_leaders_as_the_documents_state_them():
    """Read from the documents: OpenRouter's ranking, week of 9-15 Mar 2026, Chinese models 4.69 trillion tokens vs
    US 3.294 (top-ranked models only); IDC H1 2025 Volcano Engine 49.2% of public-cloud LLM calls, Alibaba Cloud
    27%; Omdia H1 2025 Alibaba Cloud 35.8% of AI cloud revenue; Frost & Sullivan H2 2025 Qwen 32.1% of
    enterprises' daily tokens, ByteDance 21.3%."""
    import llmtrends as lt
    board = lt.lenses("vendor_share", today=TODAY).set_index("lens")
    ranked = board.loc["openrouter_ranked_models_by_country"]
    assert (ranked["leader"], ranked["value"], ranked["runner_up"], ranked["runner_up_value"]) == \
        ("Chinese models", 4.69, "US models", 3.294)
    assert ranked["period"] == "2026-03-09..2026-03-15" and ranked["market"] == "global"
    china = lt.lenses("vendor_share", market="china", today=TODAY).set_index("lens")
    assert set(china.index) == {"idc_china_public_cloud_llm_calls", "omdia_china_ai_cloud_revenue",
                                "frost_sullivan_china_enterprise_daily_tokens"}
    assert china.loc["idc_china_public_cloud_llm_calls", ["leader", "value", "runner_up", "period"]].tolist() == \
        ["Volcano Engine", 49.2, "Alibaba Cloud", "2025-H1"]
    assert china.loc["omdia_china_ai_cloud_revenue", ["leader", "value"]].tolist() == ["Alibaba Cloud", 35.8]
    fs = china.loc["frost_sullivan_china_enterprise_daily_tokens"]
    assert (fs["value"], fs["runner_up"], fs["runner_up_value"], fs["period"]) == (32.1, "ByteDance", 21.3, "2025-H2")
    assert set(china["provenance"]) == {"relay only"}, "every China figure rests on a relay"
