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
    figures = datasets.figures()
    for lid, lens in datasets.registry().lenses.items():
        rows = figures[figures["metric"] == lens["metric"]]
        if lens.get("segment"):
            rows = rows[rows["segment"] == lens["segment"]]
        if lens.get("entities"):
            rows = rows[rows["entity"].isin(lens["entities"])]
        assert len(rows), f"lens {lid} reads no figure"


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
    (lambda ls: ls["menlo_spend_share"].update(cadence="weekly"), "unknown cadence 'weekly'"),
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
