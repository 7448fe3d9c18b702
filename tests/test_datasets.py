"""The public data API: names, load, observations, sources, describe, caching."""
from __future__ import annotations

import pandas as pd
import pytest

import llmtrends as lt
from llmtrends.facts import datasets
from llmtrends.errors import UnknownNameError

OBS_COLUMNS = ["obs_id", "source_id", "theme", "metric", "segment", "entity", "period", "value",
               "value_low", "value_high", "qualifier", "unit", "doc", "quote", "note"]


def test_names_cover_the_three_report_themes_and_the_tables():
    names = datasets.names()
    for required in ("vendor_share", "open_vs_closed", "agentic_usage", "flageval_listed", "reasoning_models",
                     "agent_map"):
        assert required in names
    assert len(names) == len(set(names))


def test_every_dataset_loads_with_sources_and_a_description():
    for name in datasets.names():
        df = datasets.load(name)
        assert len(df) > 0, name
        assert df.attrs["dataset"] == name
        assert df.attrs["sources"], f"{name} does not know its sources"
        text = datasets.describe(name)
        for sid in df.attrs["sources"]:
            assert sid in text


def test_unknown_dataset_lists_the_known_ones():
    with pytest.raises(UnknownNameError) as err:
        datasets.load("vendor_shares")
    message = str(err.value)
    assert "did you mean 'vendor_share'" in message
    for name in datasets.names():
        assert name in message


def test_observations_have_the_promised_columns_and_types():
    obs = datasets.observations()
    assert list(obs.columns[: len(OBS_COLUMNS)]) != []  # frame is not empty
    for col in OBS_COLUMNS:
        assert col in obs.columns
    assert obs["obs_id"].is_unique
    assert pd.api.types.is_float_dtype(obs["value"])
    assert pd.api.types.is_datetime64_any_dtype(obs["period_start"])
    assert (obs["period_start"] <= obs["period_end"]).all()
    assert obs["quote"].str.strip().ne("").all()
    assert len(obs) > 100


def test_ranges_keep_both_ends_and_flag_the_midpoint():
    obs = datasets.observations()
    users = obs[obs["metric"] == "global_ai_tool_users"].iloc[0]
    assert (users["value_low"], users["value_high"]) == (1.7, 1.8)
    assert users["value"] == pytest.approx(1.75)
    assert "midpoint" in users["value_derived"]
    single = obs[obs["value_low"].isna()].set_index("obs_id")
    assert not single["value_derived"].eq("").any()  # missing, not ""
    # a value printed as written derives nothing; one written in words says how it was read
    assert pd.isna(single.loc["mm25-api-spend-mid2025", "value_derived"])  # **$8.4 billion**
    assert "Thirteen percent" in single.loc["mm25-oss-workload-share-mid2025", "value_derived"]
    daily = obs[(obs["metric"] == "us_adults_daily_ai_use_rate") & (obs["doc"] == "000_dff873e1b34121a2")].iloc[0]
    assert daily["value"] == 20 and "五分之一" in daily["value_derived"]  # 近五分之一


def test_relays_of_one_figure_consolidate_into_one_row():
    share = datasets.load("vendor_share")
    anthropic = share[(share["metric"] == "enterprise_llm_api_usage_share") & (share["entity"] == "anthropic")]
    assert len(anthropic) == 1
    row = anthropic.iloc[0]
    # Anthropic's 32% is stated by the two relays and by Menlo's own mid-year page.
    assert row["docs"] == ["000_dff873e1b34121a2", "001_f6f9bbcc7f4aaa0b", "menlo_2025_midyear"]
    assert row["primary_docs"] == ["menlo_2025_midyear"]
    assert (row["n_docs"], row["n_relays"], row["status"]) == (3, 2, "confirmed")


def test_spellings_normalize_to_one_entity():
    reg = datasets.registry()
    assert {reg.entity_id(s) for s in ("谷歌", "Google", "Gemini")} == {"google"}
    assert {reg.entity_id(s) for s in ("阿里通义", "Tongyi", "Qwen")} == {"alibaba"}
    assert {reg.entity_id(s) for s in ("LLaMa", "Llama", "Meta")} == {"meta"}
    assert {reg.entity_id(s) for s in ("Claude", "Anthropic")} == {"anthropic"}
    survey = datasets.observations().query("metric == 'developer_model_usage_rate'")
    assert set(survey["entity"]) == {"openai", "alibaba", "meta"}


def test_vendors_carry_open_weights_country_and_a_unique_colour():
    ents = datasets.entities()
    vendors = ents[ents["kind"] == "vendor"]
    assert vendors["color"].notna().all()
    assert vendors["color"].str.upper().is_unique
    assert vendors["country"].notna().all()
    major = vendors.set_index("id").loc[["openai", "anthropic", "google", "meta", "deepseek", "alibaba"]]
    assert major["open_weights"].tolist() == [False, False, False, True, True, True]


def test_every_metric_used_has_a_one_line_definition():
    metrics = datasets.metrics().set_index("metric")
    used = set(datasets.observations()["metric"])
    assert used <= set(metrics.index)
    for m in used:
        definition = metrics.loc[m, "definition"]
        assert definition.strip() and "\n" not in definition.strip(), m


def test_sources_registry_records_primary_and_relay():
    src = datasets.sources().set_index("source_id")
    menlo = src.loc["menlo_2025_midyear"]
    assert menlo["publisher"] == "Menlo Ventures"
    assert menlo["fieldwork"] == "2025-06-30..2025-07-10"
    assert "150" in menlo["sample"]
    assert set(menlo["relayed_by"]) == {"000_dff873e1b34121a2", "001_f6f9bbcc7f4aaa0b"}
    used = set(datasets.observations()["source_id"])
    assert used <= set(src.index)


def test_loaded_frames_are_copies_so_callers_cannot_corrupt_the_cache():
    first = datasets.load("vendor_share")
    kept = first["value"].copy()
    first["value"] = -1.0
    again = datasets.load("vendor_share")
    assert again["value"].equals(kept)  # (changes in points may be negative, so compare with a copy)


def test_cache_refreshes_when_a_data_file_changes(data_copy):
    before = len(datasets.observations())
    path = data_copy / "observations" / "004_7a1188515460bd69.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    # drop a row no declaration of disagreements.yaml names (one that is named would fail to load instead)
    declared = (data_copy / "disagreements.yaml").read_text(encoding="utf-8")
    drop = max(i for i, line in enumerate(lines[1:], start=1) if line.split(",", 1)[0] not in declared)
    path.write_text("".join(lines[:drop] + lines[drop + 1:]), encoding="utf-8")
    assert len(datasets.observations()) == before - 1


def test_citation_names_publisher_report_date_and_sample():
    text = lt.citation("menlo_2025_midyear")
    for part in ("Menlo Ventures", "2025 Mid-Year LLM Market Update", "2025-07-31", "150 technical decision-makers"):
        assert part in text
    with pytest.raises(UnknownNameError, match="known sources"):
        lt.citation("menlo")


def test_import_llmtrends_does_not_import_heavy_modules():
    import subprocess
    import sys
    code = ("import sys, llmtrends; heavy = [m for m in ('pandas', 'matplotlib', 'papermill', 'nbconvert') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- filters, describe, metrics

@pytest.mark.parametrize("filters", [
    {"theme": "vendor_share"}, {"metric": "enterprise_llm_api_usage_share"}, {"entity": "anthropic"},
    {"entity": "Claude"}, {"entity": ["阿里巴巴", "深度求索"]}, {"source": "menlo_2025_midyear"},
    {"source": "menlo_enterprise"}, {"period": "mid-2025"}, {"period": ["2024", "mid-2025"]},
    {"segment": "startup"}, {"theme": "vendor_share", "entity": "openai", "period": "mid-2025"},
])
def test_figures_and_observations_filter_as_a_boolean_mask_would(filters):
    reg = datasets.registry()
    series = {s for s, spec in reg.sources.items() if spec.get("series") == "menlo_enterprise"}
    for frame, everything in ((lt.figures(**filters), lt.figures()), (lt.observations(**filters), lt.observations())):
        mask = pd.Series(True, index=everything.index)
        for key, value in filters.items():
            values = [value] if isinstance(value, str) else value
            if key == "entity":
                values = [reg.entity_id(v) for v in values]
            if key == "source":
                values = sorted(series) if value == "menlo_enterprise" else values
            column = "source_id" if key == "source" else key
            mask &= everything[column].astype(str).isin(values)
        expected = everything[mask]
        assert len(frame) == len(expected) > 0, filters
        assert sorted(frame["obs_id"]) == sorted(expected["obs_id"])
        assert list(frame["period"].cat.categories) == [p for p in everything["period"].cat.categories
                                                        if p in set(expected["period"].astype(str))]


@pytest.mark.parametrize("filters,expected", [
    ({"entity": "Antropic"}, "unknown entity 'Antropic'; did you mean 'Anthropic'?"),
    ({"metric": "enterprise_llm_api_usage_shar"}, "unknown metric 'enterprise_llm_api_usage_shar'; did you mean "
                                                  "'enterprise_llm_api_usage_share'?; accepted: "),
    ({"theme": "vendor"}, "unknown theme 'vendor'"),
    ({"source": "menlo_2025"}, "unknown source 'menlo_2025'"),
    ({"period": "mid 2025"}, "unknown period 'mid 2025'; did you mean 'mid-2025'?"),
    ({"segment": "startups"}, "unknown segment 'startups'; did you mean 'startup'?"),
])
def test_a_filter_naming_nothing_known_says_what_is_accepted(filters, expected):
    with pytest.raises(UnknownNameError) as err:
        lt.figures(**filters)
    assert expected in str(err.value) and "accepted:" in str(err.value)


def test_a_known_entity_without_figures_gives_an_empty_frame_not_an_error():
    reg = datasets.registry()
    used = set(lt.figures()["entity"])
    idle = next(e for e in reg.entities if e not in used)
    assert lt.figures(entity=idle).empty


def test_describe_prints_as_lines_and_renders_as_a_table():
    d = lt.describe("vendor_share")
    assert isinstance(d, str) and repr(d) == str(d) and repr(d).count("\n") > 5
    html = d._repr_html_()
    metrics = set(lt.load("vendor_share")["metric"])
    assert html.count("<tr>") == len(metrics) + 1 and all(m in html for m in metrics)
    assert [r["metric"] for r in d.rows] == sorted(metrics) and set(d.sources) == set(lt.load("vendor_share")["source_id"])
    table = lt.describe("agent_map")
    assert "section" in [r["column"] for r in table.rows] and "<table>" in table._repr_html_()
    assert "<script>" not in lt.describe("vendor_share")._repr_html_()


def test_metrics_keep_their_title():
    metrics = lt.metrics()
    assert list(metrics.columns) == ["title", "definition", "unit", "kind", "metric"]
    assert metrics["title"].notna().all() and metrics["metric"].is_unique
