"""One figure, all its evidence: status, declared disagreements, editions, the standing value.

Most tests build a small synthetic data folder (two editions of one series,
a relay, a translation and two primary documents) so each rule is checked on
figures whose expected status a person can read off the rows below.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

import llmtrends as lt
from llmtrends.facts import datasets
from llmtrends.facts import store as documents
from llmtrends.errors import DataError

REPO = Path(__file__).resolve().parents[1]
HEADER = ("obs_id,source_id,theme,metric,segment,entity,period,value,value_low,value_high,qualifier,unit,quote,note,"
          "period_quote,period_inferred,value_derived")
TEXTS = {
    "relay_a": "Relay: Anthropic holds 32% in 2025. OpenAI 25%. Alpha said 13.8 billion for 2024.",
    "prim25": "Primary 2025: Anthropic 32%. OpenAI 25%. Spend in 2024 was 11.5 billion, inference excluded.",
    "tr": "Translation: Anthropic 32%. OpenAI 27%. Google 20%.",
    "prim24": "Primary 2024: spend 13.8 billion. Published November 2024.",
}
# every number of TEXTS is a row's value or declared in not_rows (the coverage check): the years are
# periods, the spend sentences rows of some tests only
DOCS = {
    "relay_a": {"kind": "relay", "reports": ["s25", "s24"],
                "not_rows": [{"text": "in 2025", "reason": "the period"},
                             {"text": "Alpha said 13.8 billion for 2024", "reason": "a row of some tests only"}]},
    "prim25": {"kind": "primary", "reports": ["s25", "s24"], "primary_of": "s25",
               "not_rows": [{"text": "Primary 2025", "reason": "the period"},
                            {"text": "Spend in 2024 was 11.5 billion", "reason": "a row of some tests only"}]},
    "tr": {"kind": "translation", "reports": ["s25"],
           "not_rows": [{"text": "OpenAI 27%", "reason": "a row of some tests only"}]},
    "prim24": {"kind": "primary", "reports": ["s24"], "primary_of": "s24",
               "not_rows": [{"text": "Primary 2024: spend 13.8 billion", "reason": "a row of some tests only"},
                            {"text": "Published November 2024", "reason": "the date"}]},
}


def _row(oid, source, entity, period, value, quote, metric="enterprise_llm_api_usage_share", unit="percent",
         theme="vendor_share", qualifier="exact"):
    return f"{oid},{source},{theme},{metric},enterprise,{entity},{period},{value},,,{qualifier},{unit},{quote},,,stated,"


def _spend(oid, source, value, quote):
    return _row(oid, source, "all", "2024", value, quote, metric="enterprise_genai_spend", unit="usd_billion",
                theme="spend")


BASE_ROWS = {
    "relay_a": [_row("ra-anthropic", "s25", "anthropic", "2025", 32, "Anthropic holds 32% in 2025"),
                _row("ra-openai", "s25", "openai", "2025", 25, "OpenAI 25%")],
    "prim25": [_row("p25-anthropic", "s25", "anthropic", "2025", 32, "Anthropic 32%"),
               _row("p25-openai", "s25", "openai", "2025", 25, "OpenAI 25%")],
    "tr": [_row("tr-anthropic", "s25", "anthropic", "2025", 32, "Anthropic 32%"),
           _row("tr-google", "s25", "google", "2025", 20, "Google 20%")],
    "prim24": [],
}


def _dump(path: Path, data) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def make_data(root: Path, rows=None, disagreements=None, texts=None) -> tuple[Path, Path]:
    """A complete small data folder and its document store; returns (data, store)."""
    data, store = root / "data", root / "documents"
    (data / "observations").mkdir(parents=True)
    store.mkdir()
    for name in ("vocabulary.yaml", "metrics.yaml"):
        shutil.copy(REPO / "data" / name, data / name)
    if "enterprise_genai_spend" not in yaml.safe_load((data / "metrics.yaml").read_text(encoding="utf-8")):
        with (data / "metrics.yaml").open("a", encoding="utf-8") as fh:
            fh.write("\nenterprise_genai_spend:\n  title: Enterprise generative-AI spend\n  definition: total enterprise spend on generative AI in a year\n"
                     "  unit: usd_billion\n  kind: level\n")
    _dump(data / "sources.yaml", {"sources": {
        sid: {"publisher": "Alpha", "title": f"Report {sid}", "method": "survey",
              "method_inferred": "a test fixture: no text states it", "series": "alpha"}
        for sid in ("s24", "s25")}})
    registry = {}
    for did, spec in DOCS.items():
        body = (texts or TEXTS)[did].encode("utf-8")
        (store / f"{did}.txt").write_bytes(body)
        registry[did] = dict({"file": f"{did}.txt", "sha256": hashlib.sha256(body).hexdigest(), "language": "en",
                              "title": did, "publisher": "P", "url": None, "published": None, "note": None}, **spec)
    registry["prim24"].update(published="2024-11", published_quote="Published November 2024")
    _dump(data / "documents.yaml", registry)
    for did, lines in (rows or BASE_ROWS).items():
        (data / "observations" / f"{did}.csv").write_text("\n".join([HEADER] + list(lines)) + "\n", encoding="utf-8")
    if disagreements is not None:
        _dump(data / "disagreements.yaml", disagreements)
    return data, store


def _figure(entity, source="s25", metric="enterprise_llm_api_usage_share"):
    figs = datasets.figures()
    sel = figs[(figs["entity"] == entity) & (figs["source_id"] == source) & (figs["metric"] == metric)]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def _with(rows, doc, *lines):
    out = {d: list(v) for d, v in rows.items()}
    out[doc] = out[doc] + list(lines)
    return out


# --------------------------------------------------------------------------- status

def test_statuses_on_synthetic_data(synthetic):
    rows = _with(BASE_ROWS, "prim25", _row("p25-meta", "s25", "meta", "2025", 9, "Meta 9%"))
    rows = _with(rows, "relay_a", _spend("ra-spend", "s24", 13.8, "Alpha said 13.8 billion for 2024"))
    rows = _with(rows, "prim25", _spend("p25-spend-s24", "s24", 13.8, "13.8 billion in 2024"))
    synthetic(rows)
    anthropic = _figure("anthropic")
    assert anthropic["status"] == "confirmed"
    assert anthropic["docs"] == ["prim25", "relay_a", "tr"] and anthropic["primary_docs"] == ["prim25"]
    assert (anthropic["n_docs"], anthropic["n_relays"]) == (3, 2)
    assert sorted(anthropic["obs_ids"]) == ["p25-anthropic", "ra-anthropic", "tr-anthropic"]
    assert _figure("openai")["status"] == "confirmed"
    assert _figure("meta")["status"] == "primary_only"
    assert _figure("google")["status"] == "relay_only"  # a translation is a relay
    # prim25 restating s24's figure is a relay of s24, not its primary
    spend = _figure("all", source="s24", metric="enterprise_genai_spend")
    assert spend["status"] == "relay_only" and spend["primary_docs"] == []


# --------------------------------------------------------------------------- differing statements

def test_an_undeclared_difference_names_both_statements_and_how_to_declare(synthetic):
    rows = _with(BASE_ROWS, "tr", _row("tr-openai", "s25", "openai", "2025", 27, "OpenAI 27%"))
    synthetic(rows)
    with pytest.raises(DataError) as exc:
        datasets.figures()
    text = str(exc.value)
    assert "ra-openai" in text and "tr-openai" in text and "= 27" in text and "= 25" in text
    assert "data/disagreements.yaml" in text and "obs_ids" in text
    assert "data/observations/prim25.csv, line 3 (obs_id p25-openai), column 'value'" in text


def _differing(stands):
    rows = _with(BASE_ROWS, "tr", _row("tr-openai", "s25", "openai", "2025", 27, "OpenAI 27%"))
    return rows, [{"id": "openai-2025", "kind": "relay_vs_primary", "obs_ids": ["tr-openai", "p25-openai"],
                   "stands": stands, "reason": "The translation misreads the chart.",
                   "reason_quote": "OpenAI 25%", "reason_doc": "prim25"}]


def test_a_declared_difference_loads_and_the_stands_statement_gives_the_value(synthetic):
    rows, declared = _differing("tr-openai")
    # relay_a's 25 and tr's 27 differ as well: that pair must be declared too
    declared[0]["obs_ids"].append("ra-openai")
    synthetic(rows, declared)
    openai = _figure("openai")
    assert openai["status"] == "differs"
    assert openai["value"] == 27 and openai["quote"] == "OpenAI 27%"
    table = lt.disagreements()
    assert len(table) == 2  # 27 vs each 25; the two 25s agree
    row = table[table["obs_id_b"] == "p25-openai"].iloc[0]
    assert (row["value_a"], row["value_b"], row["doc_a"], row["doc_b"]) == (27, 25, "tr", "prim25")
    assert (row["metric"], row["entity"], row["period"], row["stands"]) == (
        "enterprise_llm_api_usage_share", "openai", "2025", "tr-openai")
    assert row["reason_quote"] == "OpenAI 25%"


def test_with_stands_null_the_primary_statement_gives_the_value(synthetic):
    rows, declared = _differing(None)
    declared[0]["obs_ids"].append("ra-openai")
    synthetic(rows, declared)
    openai = _figure("openai")
    assert openai["status"] == "differs"
    assert openai["value"] == 25 and openai["quote"] == "OpenAI 25%"  # prim25's statement, not tr's 27


def test_a_partly_declared_difference_is_still_an_error(synthetic):
    rows, declared = _differing("tr-openai")  # tr-openai vs ra-openai is not declared
    synthetic(rows, declared)
    with pytest.raises(DataError) as exc:
        datasets.figures()
    assert "tr-openai" in str(exc.value) and "ra-openai" in str(exc.value)


def test_editions_of_a_series_must_declare_a_restatement(synthetic):
    rows = _with(BASE_ROWS, "prim24", _spend("p24-spend", "s24", 13.8, "spend 13.8 billion"))
    rows = _with(rows, "prim25", _spend("p25-spend", "s25", 11.5, "Spend in 2024 was 11.5 billion"))
    synthetic(rows)
    with pytest.raises(DataError) as exc:
        datasets.figures()
    text = str(exc.value)
    assert "editions of series 'alpha'" in text and "p24-spend" in text and "p25-spend" in text
    assert "kind: restatement" in text and "data/observations/prim25.csv, line 4" in text


def test_a_declared_restatement_keeps_both_editions(synthetic):
    rows = _with(BASE_ROWS, "prim24", _spend("p24-spend", "s24", 13.8, "spend 13.8 billion"))
    rows = _with(rows, "prim25", _spend("p25-spend", "s25", 11.5, "Spend in 2024 was 11.5 billion"))
    synthetic(rows, [{"id": "spend-restated", "kind": "restatement", "obs_ids": ["p24-spend", "p25-spend"],
                      "stands": "p25-spend", "reason": "Inference excluded from 2025 on.",
                      "reason_quote": "inference excluded", "reason_doc": "prim25"}])
    assert _figure("all", "s24", "enterprise_genai_spend")["value"] == 13.8
    assert _figure("all", "s25", "enterprise_genai_spend")["value"] == 11.5
    row = lt.disagreements().iloc[0]
    assert (row["kind"], row["source_id"], row["source_id_b"]) == ("restatement", "s24", "s25")


def test_share_sums_count_the_standing_value_once_per_entity(synthetic):
    # prim25 states Anthropic twice (32 and 50) beside OpenAI 25: 50 + 25 + 32 would exceed 100
    rows = _with(BASE_ROWS, "prim25", _row("p25-anthropic-b", "s25", "anthropic", "2025", 50, "Anthropic 50%"))
    # within the page and across documents: two declarations (a within_document one names one document)
    declared = [{"id": "twice", "kind": "within_document", "obs_ids": ["p25-anthropic", "p25-anthropic-b"],
                 "stands": "p25-anthropic", "reason": "Two sentences."},
                {"id": "page-50-vs-relays", "kind": "between_documents",
                 "obs_ids": ["p25-anthropic-b", "ra-anthropic", "tr-anthropic"], "stands": None,
                 "reason": "The relays give 32."}]
    synthetic(rows, declared)
    assert _figure("anthropic")["value"] == 32
    for declaration in declared:  # 50 + 25 = 75: still fine
        declaration["stands"] = "p25-anthropic-b"
    synthetic(rows, declared)
    assert _figure("anthropic")["value"] == 50
    rows = _with(rows, "prim25", _row("p25-google", "s25", "google", "2025", 30, "Google 30%"))
    synthetic(rows, declared)  # 50 + 25 + 30 = 105 > 101
    with pytest.raises(DataError) as exc:
        datasets.figures()
    assert "sum to 105 > 100" in str(exc.value) and "p25-anthropic-b (50)" in str(exc.value)


# --------------------------------------------------------------------------- the declarations file

@pytest.mark.parametrize("change,expected", [
    ({"obs_ids": ["tr-openai", "p25-opnai"]}, "unknown obs_id 'p25-opnai'; did you mean 'p25-openai'?"),
    ({"stands": "ra-openai"}, "stands 'ra-openai' is not among its obs_ids"),
    ({"reason": ""}, "'reason' is required"),
    ({"kind": "typo"}, "unknown kind 'typo'; accepted: restatement, relay_vs_primary"),
    ({"reason_doc": None}, "reason_quote needs reason_doc"),
    ({"id": "Bad Id"}, "is not a slug"),
    ({"obs_ids": ["ra-openai", "p25-openai"], "stands": None}, "its statements agree (ra-openai, p25-openai all say 25"),
])
def test_declaration_rules(synthetic, change, expected):
    rows, declared = _differing("tr-openai")
    declared[0].update(change)
    synthetic(rows, declared)
    with pytest.raises(DataError) as exc:
        datasets.figures()
    assert "data/disagreements.yaml" in str(exc.value) and expected in str(exc.value)


def test_the_same_number_of_two_figures_may_be_declared_and_leaves_both_statuses(synthetic):
    # the relay reads the primary's 2025 share of 25 as a 2024 level: one number, two figures (the relay's
    # own reading is kept as its row, the two are declared). Same value and qualifier, yet they say
    # different things, so the declaration is not refused as "statements agree".
    rows = _with(BASE_ROWS, "relay_a", _row("ra-openai-2024", "s25", "openai", "2024", 25, "OpenAI 25%"))
    synthetic(rows, [{"id": "openai-period", "kind": "relay_vs_primary", "obs_ids": ["ra-openai-2024", "p25-openai"],
                      "stands": "p25-openai", "reason": "The relay puts the 2025 share in 2024."}])
    row = lt.disagreements().iloc[0]
    assert (row["obs_id_a"], row["obs_id_b"], row["value_a"], row["value_b"]) == ("ra-openai-2024", "p25-openai", 25, 25)
    # a declaration across figures does not make either figure 'differs'
    figs = datasets.figures().query("entity == 'openai'").set_index("period")["status"]
    assert figs.to_dict() == {"2024": "relay_only", "2025": "confirmed"}


def _same_number(*ids):
    return [{"id": "openai-25-two-measures", "kind": "same_number_other_measure", "obs_ids": list(ids),
             "stands": None, "reason": "One published 25 under two measures."}]


def test_one_number_under_two_measures_is_declared_as_such_and_changes_no_status(synthetic):
    # the 2024 edition's 25 filed as a spend share, the 2025 primary's 25 as a usage share: the kind
    # links them without choosing one, and neither figure turns 'differs'
    rows = _with(BASE_ROWS, "prim25", _row("p25-openai-spend", "s24", "openai", "2025", 25, "OpenAI 25%",
                                           metric="enterprise_llm_api_spend_share"))
    synthetic(rows, _same_number("p25-openai", "p25-openai-spend"))
    row = lt.disagreements().iloc[0]
    assert (row["kind"], row["value_a"], row["value_b"]) == ("same_number_other_measure", 25, 25)
    assert pd.isna(row["stands"])  # nothing stands over the other
    assert _figure("openai")["status"] == "confirmed"
    # prim25 states s24's figure as a relay of s24 (it is primary of s25 only)
    assert _figure("openai", source="s24", metric="enterprise_llm_api_spend_share")["status"] == "relay_only"


@pytest.mark.parametrize("rows,ids,expected", [
    # two different numbers are not 'the same number'
    (_with(BASE_ROWS, "prim25", _row("p25-openai-spend", "s24", "openai", "2025", 27, "OpenAI 27%",
                                     metric="enterprise_llm_api_spend_share")),
     ("p25-openai", "p25-openai-spend"), "its statements state different numbers"),
    # a relay and the primary of one figure are statements of one figure, not two measures
    (BASE_ROWS, ("p25-openai", "ra-openai"), "p25-openai and ra-openai are statements of one figure"),
])
def test_same_number_other_measure_refuses_other_numbers_and_one_figure(synthetic, rows, ids, expected):
    synthetic(rows, _same_number(*ids))
    with pytest.raises(DataError) as exc:
        datasets.figures()
    assert "disagreement 'openai-25-two-measures'" in str(exc.value) and expected in str(exc.value)


def _source_fact(**change):
    entry = {"id": "s24-date", "kind": "source_fact", "source": "s24", "field": "published",
             "statements": [{"doc": "prim24", "value": "2024-11", "quote": "Published November 2024"},
                            {"doc": "relay_a", "value": "2024", "quote": "Alpha said 13.8 billion for 2024"}],
             "stands": None, "reason": "The relay gives only the year."}
    entry.update(change)
    return [entry]


def test_source_fact_declarations_are_rows_of_disagreements(synthetic):
    synthetic(None, _source_fact())
    row = lt.disagreements().iloc[0]
    assert (row["kind"], row["source_id"], row["field"], row["value_a"], row["value_b"]) == (
        "source_fact", "s24", "published", "2024-11", "2024")
    assert row["doc_b"] == "relay_a" and pd_isna(row["metric"])


def pd_isna(value) -> bool:
    return value is None or value != value


@pytest.mark.parametrize("change,expected", [
    ({"field": "colour"}, "unknown field 'colour'"),
    ({"source": "s23"}, "unknown source 's23'"),
    ({"stands": "tr"}, "stands 'tr' is not the doc of one of its statements"),
    ({"statements": [{"doc": "prim24", "value": "2024-11", "quote": "x"}]}, "at least two"),
])
def test_source_fact_rules(synthetic, change, expected):
    synthetic(None, _source_fact(**change))
    with pytest.raises(DataError) as exc:
        datasets.figures()
    assert expected in str(exc.value)


def test_declaration_quotes_are_checked_against_their_documents(synthetic):
    rows, declared = _differing("tr-openai")
    declared[0]["obs_ids"].append("ra-openai")
    declared[0]["reason_quote"] = "OpenAI 52%"
    data, store = synthetic(rows, declared + _source_fact(
        statements=[{"doc": "prim24", "value": "2024-11", "quote": "Published December 2024"},
                    {"doc": "relay_a", "value": "2024", "quote": "Alpha said 13.8 billion for 2024"}]))
    problems = [str(p) for p in documents.check(store)]
    assert len(problems) == 2, problems
    assert "reason_quote not found verbatim in prim25" in problems[0] and "disagreement 'openai-2025'" in problems[0]
    assert "statement #1: quote not found verbatim in prim24" in problems[1]


def test_synthetic_store_passes_the_document_checks(synthetic):
    rows, declared = _differing("tr-openai")
    declared[0]["obs_ids"].append("ra-openai")
    data, store = synthetic(rows, declared + _source_fact())
    assert [str(p) for p in documents.check(store)] == []


# --------------------------------------------------------------------------- the real data

def test_real_figures_carry_status_and_documents():
    figs = datasets.figures()
    assert set(figs["status"]) <= {"confirmed", "differs", "relay_only", "primary_only"}
    assert figs["docs"].map(lambda d: isinstance(d, list) and len(d) >= 1).all()
    assert (figs["n_docs"] == figs["docs"].map(len)).all()
    # Sensor Tower's report is not in the store: its figures can only be relayed
    assert (figs.loc[figs["source_id"] == "sensor_tower_2024_ai_apps", "status"] == "relay_only").all()


def test_real_series_groups_the_menlo_editions():
    src = datasets.sources().set_index("source_id")
    assert set(src.index[src["series"] == "menlo_enterprise"]) == {
        "menlo_2024_enterprise", "menlo_2025_midyear", "menlo_2025_enterprise"}


def test_real_meta_share_worded_twice_in_001_differs_and_the_exact_9_stands():
    figs = datasets.figures()
    meta = figs[(figs["metric"] == "enterprise_llm_api_usage_share") & (figs["entity"] == "meta")
                & (figs["period"] == "mid-2025") & (figs["source_id"] == "menlo_2025_midyear")]
    assert len(meta) == 1
    meta = meta.iloc[0]
    assert meta["status"] == "differs"  # 001 says both 9% and 不足9%
    assert (meta["value"], meta["qualifier"]) == (9, "exact")
    assert "menlo_2025_midyear" in meta["primary_docs"]


def test_real_2024_spend_restatement_keeps_both_editions():
    figs = datasets.figures()
    spend = figs[(figs["metric"] == "enterprise_genai_spend") & (figs["period"] == "2024")].set_index("source_id")
    assert spend.loc["menlo_2024_enterprise", "value"] == 13.8   # first estimate, relayed by the mid-year page
    assert spend.loc["menlo_2025_enterprise", "value"] == 11.5   # restated without inference
    table = lt.disagreements().set_index("id")
    row = table.loc["menlo-genai-spend-2024-restated"]
    assert row["kind"] == "restatement" and {row["value_a"], row["value_b"]} == {13.8, 11.5}
    assert "excludes inference" in row["reason_quote"]


def test_every_translation_row_says_it_is_a_relay():
    docs = datasets.documents().set_index("document")
    obs = datasets.observations()
    for doc in docs.index[docs["kind"] == "translation"]:
        notes = obs.loc[obs["doc"] == doc, "note"]
        assert len(notes) > 0
        assert notes.str.startswith("Translation (").all(), doc
        assert notes.str.contains("a relay", regex=False).all(), doc
