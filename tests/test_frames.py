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


#: The columns of lt.figures() in 0.1: analysts' code selects them by name, so every one stays.
FIGURE_COLUMNS_0_1 = [
    "obs_id", "source_id", "theme", "metric", "segment", "entity", "entity_name", "entity_kind", "vendor", "country",
    "open_weights", "period", "period_start", "period_end", "value", "value_low", "value_high", "value_derived",
    "qualifier", "value_kind", "unit", "quote", "note", "period_quote", "period_inferred", "entity_as_written",
    "docs", "primary_docs", "n_docs", "n_relays", "status", "obs_ids"]


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_period_is_ordered_in_time_and_holds_only_the_periods_present(name):
    df = FRAMES[name]()
    if "period" not in df:
        return
    assert isinstance(df["period"].dtype, pd.CategoricalDtype) and df["period"].cat.ordered
    categories = list(df["period"].cat.categories)
    assert set(categories) == set(df["period"].dropna().astype(str)), "no category without a row"
    bounds = [parse_period(p) for p in categories]
    assert bounds == sorted(bounds, key=lambda se: (se[1], se[0])), "last day, then first day"


def test_period_order_puts_year_ends_and_mid_years_in_time():
    order = list(lt.observations()["period"].cat.categories)
    assert order.index("2023") < order.index("end-2023") < order.index("mid-2024") < order.index("2024")
    assert order.index("end-2024") < order.index("mid-2025")


def test_a_filtered_frame_charts_only_its_periods():
    """The issue's case: a seaborn chart of Anthropic's shares drew 30 period slots, 24 of them empty."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns
    anthropic = lt.figures(entity="anthropic")
    ax = sns.stripplot(data=anthropic, x="period", y="value")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    plt.close("all")
    everything = list(lt.figures()["period"].cat.categories)
    assert labels == [p for p in everything if p in set(anthropic["period"].astype(str))]
    assert len(labels) < len(everything)


@pytest.mark.parametrize("name", ["figures", "observations", "load:vendor_share", "search"])
def test_the_answer_comes_first_and_provenance_and_ids_after(name):
    df = lt.search("Anthropic") if name == "search" else FRAMES[name]()
    columns = list(df.columns)
    assert columns[:7] == ["entity_name", "metric_title", "period", "value", "unit", "qualifier", "source"]
    last_reader_column = max(columns.index(c) for c in ("quote", "note", "status") if c in columns)
    for provenance in ("figure_id", "obs_id", "obs_ids", "source_id", "theme", "metric", "entity", "doc", "docs"):
        if provenance in columns:
            assert columns.index(provenance) > last_reader_column, provenance
    row = df.dropna(subset=["metric"]).iloc[0]
    assert row["metric_title"] == lt.metrics().set_index("metric").loc[row["metric"], "title"]
    assert row["source"] == lt.short_citation(row["source_id"])


def test_every_column_of_0_1_is_kept():
    assert set(FIGURE_COLUMNS_0_1) <= set(lt.figures().columns)
    assert set(FIGURE_COLUMNS_0_1) - {"docs", "primary_docs", "n_docs", "n_relays", "status", "obs_ids"} | {"doc"} \
        <= set(lt.observations().columns)


@pytest.mark.parametrize("name", ["sources", "documents", "entities", "metrics"])
def test_registry_frames_put_the_readable_columns_before_their_ids(name):
    df = FRAMES[name]()
    first, key = {"sources": ("publisher", "source_id"), "documents": ("title", "document"),
                  "entities": ("name", "id"), "metrics": ("title", "metric")}[name]
    assert df.columns[0] == first and df.columns[-1] == key


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


def test_value_kind_is_the_metric_kind():
    obs = lt.observations()
    kinds = lt.metrics().set_index("metric")["kind"]
    assert (obs["value_kind"] == obs["metric"].map(kinds)).all()
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


# --------------------------------------------------------------------------- display in a notebook

def test_a_frame_of_llmtrends_displays_compactly_in_ipython_and_others_as_pandas_does():
    from IPython.core.interactiveshell import InteractiveShell

    from llmtrends.facts import frames
    shell = InteractiveShell.instance()
    assert frames.register_display()
    figs = lt.figures(entity="anthropic")
    html = shell.display_formatter.format(figs)[0]["text/html"]
    headers = html[html.index("<thead>"):html.index("</thead>")]
    shown = ("entity_name", "metric_title", "period", "value", "unit", "qualifier", "source", "quote")
    positions = [headers.index(f">{c}<") for c in shown]  # pandas shows 20 of the 35 columns: these among them
    assert positions == sorted(positions)
    longest = max(figs["quote"].dropna(), key=len)
    assert len(longest) > 50 and longest[:47] not in html and longest[:30] in html
    docs = figs.iloc[0]["docs"]
    assert ", ".join(docs)[:30] in html and repr(docs)[:20] not in html
    subset = figs[figs["value"] > 0][["entity_name", "quote"]]  # a subset keeps the mark
    assert subset.attrs["llmtrends"] == "figures"
    assert longest[:47] not in shell.display_formatter.format(subset)[0]["text/html"]
    plain = pd.DataFrame({"quote": [longest]})
    assert longest[:46] in shell.display_formatter.format(plain)[0]["text/html"], "any other frame as pandas shows it"
