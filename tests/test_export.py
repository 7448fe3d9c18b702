"""The whole fact base as a Data Package (llmtrends/facts/export.py, ``llmtrends export``)."""
from __future__ import annotations

import json

import pandas as pd
import pytest

import llmtrends as lt
from llmtrends import cli
from llmtrends.facts import datasets
from llmtrends.facts import export
from llmtrends.errors import LlmtrendsError

frictionless = pytest.importorskip("frictionless", reason="frictionless (a test dependency) validates the package")

RESOURCES = {"figures", "observations", "sources", "documents", "entities", "metrics"}


@pytest.fixture(scope="module")
def csv_package(tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv")
    assert cli.main(["export", str(folder), "--format", "csv"]) == 0
    return folder


@pytest.fixture(scope="module")
def parquet_package(tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet")
    assert cli.main(["export", str(folder), "--format", "parquet"]) == 0
    return folder


def test_csv_export_is_a_valid_data_package(csv_package):
    report = frictionless.validate(str(csv_package / "datapackage.json"))
    assert report.valid, [e.message for task in report.tasks for e in task.errors][:5]


def test_the_package_holds_every_frame_with_typed_described_fields_sources_and_licence(csv_package):
    descriptor = json.loads((csv_package / "datapackage.json").read_text(encoding="utf-8"))
    names = {r["name"].replace("-", "_") for r in descriptor["resources"]}
    assert names == RESOURCES | {f"table_{t}" for t in datasets.registry().tables}
    for resource in descriptor["resources"]:
        for field in resource["schema"]["fields"]:
            assert field.get("description", "").strip(), f"{resource['name']}.{field['name']} has no description"
    figures = next(r for r in descriptor["resources"] if r["name"] == "figures")
    types = {f["name"]: f["type"] for f in figures["schema"]["fields"]}
    assert (types["value"], types["period_end"], types["docs"], types["open_weights"]) == \
        ("number", "date", "array", "boolean")
    period = next(f for f in figures["schema"]["fields"] if f["name"] == "period")
    assert period["constraints"]["enum"] == list(lt.figures()["period"].cat.categories)
    assert descriptor["licenses"] and descriptor["licenses"][0]["name"]
    assert {s["title"] for s in descriptor["sources"]} == {lt.citation(s) for s in lt.sources()["source_id"]}
    rows = pd.read_csv(csv_package / "observations.csv")
    assert len(rows) == len(lt.observations())


def test_a_broken_cell_makes_the_package_invalid(csv_package, tmp_path):
    """The validation can fail: a text in a number column is reported."""
    import shutil
    shutil.copytree(csv_package, tmp_path / "pkg")
    figures = pd.read_csv(tmp_path / "pkg" / "figures.csv", dtype=str, keep_default_na=False)
    figures.loc[0, "value"] = "about 30%"
    figures.to_csv(tmp_path / "pkg" / "figures.csv", index=False)
    report = frictionless.validate(str(tmp_path / "pkg" / "datapackage.json"))
    assert not report.valid
    assert any(e.type == "type-error" and e.field_name == "value" for t in report.tasks for e in t.errors)


def test_parquet_round_trips_with_dtypes_intact(parquet_package):
    frames = export.frames()
    back = export.read(parquet_package)
    for name, frame in frames.items():
        plain = pd.read_parquet(parquet_package / f"{name}.parquet")
        assert plain.dtypes.equals(frame.dtypes), name
        pd.testing.assert_frame_equal(back[name], frame.reset_index(drop=True), obj=name)
    figures = pd.read_parquet(parquet_package / "figures.parquet")
    assert figures["period"].cat.ordered
    assert list(figures["period"].cat.categories) == list(frames["figures"]["period"].cat.categories)


def test_parquet_package_validates_except_lists_which_frictionless_reads_as_arrays(parquet_package):
    report = frictionless.validate(str(parquet_package / "datapackage.json"))
    descriptor = json.loads((parquet_package / "datapackage.json").read_text(encoding="utf-8"))
    arrays = {f["name"] for r in descriptor["resources"] for f in r["schema"]["fields"] if f["type"] == "array"}
    errors = {(e.type, e.field_name) for task in report.tasks for e in task.errors}
    assert all(kind == "type-error" and field in arrays for kind, field in errors), errors


def test_csv_reads_back_to_the_same_frames(csv_package):
    back = export.read(csv_package)
    for name, frame in export.frames().items():
        pd.testing.assert_frame_equal(back[name], frame.reset_index(drop=True), obj=name)


def test_an_unknown_format_is_refused_naming_the_accepted_ones(tmp_path):
    with pytest.raises(LlmtrendsError, match="unknown export format 'xlsx'; accepted: csv, parquet"):
        lt.export(tmp_path, format="xlsx")
    assert cli.main(["export", str(tmp_path), "--format", "xlsx"]) == 2
