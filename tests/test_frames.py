"""Frames behave in pandas (llmtrends/facts/frames.py): ordered periods, joined attributes, lists, NA."""
from __future__ import annotations

import pandas as pd
import pytest

import llmtrends as lt
from llmtrends.facts import datasets
from llmtrends.facts.periods import parse_period

FRAMES = {
    "observations": lt.observations, "figures": lt.figures, "sources": lt.sources, "documents": datasets.documents,
    "entities": lt.entities, "metrics": lt.metrics,
    **{f"load:{name}": (lambda name=name: lt.load(name)) for name in datasets.names()},
}


def test_period_is_an_ordered_categorical_in_time_order_with_the_same_categories_everywhere():
    obs, figs, share = lt.observations(), lt.figures(), lt.load("vendor_share")
    for df in (obs, figs, share):
        assert isinstance(df["period"].dtype, pd.CategoricalDtype) and df["period"].cat.ordered
        assert list(df["period"].cat.categories) == list(obs["period"].cat.categories)
    ends = [parse_period(p) for p in obs["period"].cat.categories]
    assert ends == sorted(ends, key=lambda se: (se[1], se[0])), "last day, then first day"
    order = list(obs["period"].cat.categories)
    assert order.index("2023") < order.index("end-2023") < order.index("mid-2024") < order.index("2024")
    assert order.index("end-2024") < order.index("mid-2025")


def test_pivot_table_on_period_comes_out_in_time_order():
    share = lt.load("vendor_share")
    usage = share[share["metric"] == "enterprise_llm_api_usage_share"]
    wide = usage.pivot_table(index="period", columns="entity", values="value", observed=True)
    ends = [parse_period(p)[1] for p in wide.index]
    assert ends == sorted(ends) and len(wide) >= 2


def test_a_filter_on_a_period_label_still_works():
    figs = lt.figures()
    assert len(figs[figs["period"] == "mid-2025"]) == int((figs["period"].astype(str) == "mid-2025").sum()) > 0


def test_entity_attributes_are_joined_from_the_vocabulary():
    figs = lt.figures()
    ents = lt.entities().set_index("id")
    for _, row in figs.iterrows():
        ent = ents.loc[row["entity"]]
        assert row["entity_name"] == ent["name"]
        assert row["entity_kind"] == ent["kind"]
        vendor = row["entity"] if ent["kind"] == "vendor" else ent["vendor"]
        assert (pd.isna(row["vendor"]) and pd.isna(vendor)) or row["vendor"] == vendor
        country = ent["country"] if pd.notna(ent["country"]) else (
            ents.loc[vendor, "country"] if isinstance(vendor, str) else None)
        assert (pd.isna(row["country"]) and pd.isna(country)) or row["country"] == country
    assert str(figs["open_weights"].dtype) == "boolean"
    meta = figs[figs["entity"] == "meta"].iloc[0]
    assert bool(meta["open_weights"]) and meta["country"] == "US"
    assert set(figs.loc[figs["entity"] == "deepseek", "country"]) == {"CN"}


def test_value_kind_is_the_metric_kind_beside_the_unit():
    obs = lt.observations()
    kinds = lt.metrics().set_index("metric")["kind"]
    assert (obs["value_kind"] == obs["metric"].map(kinds)).all()
    cols = list(obs.columns)
    assert cols.index("value_kind") + 1 == cols.index("unit")
    assert set(obs.loc[obs["unit"] == "percent", "value_kind"]) <= {"share", "rate", "change"}


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_lists_are_lists_and_missing_texts_are_missing(name):
    df = FRAMES[name]()
    for column in df.columns:
        values = df[column].dropna() if df[column].dtype != object else df[column]
        if column in ("docs", "obs_ids", "relayed_by", "primary_docs", "documents", "aliases"):
            assert all(isinstance(v, list) for v in df[column]), f"{name}.{column}: a list in every row"
            assert not any(";" in x for v in df[column] for x in v), f"{name}.{column}: no ';'-joined ids"
        elif pd.api.types.is_string_dtype(df[column].dtype):
            assert not any(isinstance(v, str) and not v.strip() for v in values), f"{name}.{column} holds ''"


def test_empty_note_is_na_and_an_existing_one_is_text():
    obs = lt.observations()
    assert obs["note"].notna().any()
    derived = obs.loc[obs["value_low"].isna(), "value_derived"]
    assert derived.isna().any() and not derived.eq("").any()  # nothing derived: missing, not ""
