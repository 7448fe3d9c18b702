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

RESOURCES = {"figures", "observations", "disagreements", "sources", "documents", "entities", "metrics", "lenses"}


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


def test_parquet_package_validates_except_lists_which_frictionless_reads_as_arrays(parquet_package, tmp_path):
    """frictionless's Parquet reader has two limits: lists come back as arrays it calls type errors, and a
    missing date (NaT: the period dates of a source_fact disagreement) makes it crash. The CSV package,
    validated whole above, covers those resources; here every other one must pass."""
    descriptor = json.loads((parquet_package / "datapackage.json").read_text(encoding="utf-8"))
    nulls = pd.read_parquet(parquet_package / "disagreements.parquet")["period_start"].isna().any()
    if nulls:
        descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "disagreements"]
        for resource in descriptor["resources"]:
            resource["schema"]["foreignKeys"] = [fk for fk in resource["schema"].get("foreignKeys", [])
                                                 if fk["reference"]["resource"] != "disagreements"]
    (parquet_package / "without-null-dates.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = frictionless.validate(str(parquet_package / "without-null-dates.json"))
    arrays = {f["name"] for r in descriptor["resources"] for f in r["schema"]["fields"] if f["type"] == "array"}
    errors = {(e.type, e.field_name) for task in report.tasks for e in task.errors}
    assert all(kind == "type-error" and field in arrays for kind, field in errors), errors
    assert len(report.tasks) == len(descriptor["resources"])


def test_csv_reads_back_to_the_same_frames(csv_package):
    back = export.read(csv_package)
    for name, frame in export.frames().items():
        pd.testing.assert_frame_equal(back[name], frame.reset_index(drop=True), obj=name)


def test_an_unknown_format_is_refused_naming_the_accepted_ones(tmp_path):
    with pytest.raises(LlmtrendsError, match="unknown export format 'xlsx'; accepted: csv, parquet"):
        lt.export(tmp_path, format="xlsx")
    assert cli.main(["export", str(tmp_path), "--format", "xlsx"]) == 2


# --------------------------------------------------------------------------- keys, descriptions, time order

def _resources(folder) -> dict:
    return {r["name"].replace("-", "_"): r for r in export.descriptor(folder)["resources"]}


def test_every_resource_declares_its_primary_key_and_its_foreign_keys(csv_package):
    resources = _resources(csv_package)
    for name, resource in resources.items():
        key = resource["schema"]["primaryKey"]
        frame = pd.read_csv(csv_package / resource["path"], dtype=str)
        assert not frame.duplicated(key).any() and frame[key].notna().all(axis=None), name
    links = {(name, fk["fields"], fk["reference"]["resource"] or name.replace("_", "-"))
             for name, r in resources.items() for fk in r["schema"].get("foreignKeys", [])}
    assert {("figures", "source_id", "sources"), ("figures", "metric", "metrics"), ("figures", "entity", "entities"),
            ("observations", "figure_id", "figures"), ("observations", "doc", "documents"),
            ("disagreements", "obs_id_a", "observations"), ("entities", "vendor", "entities"),
            ("lenses", "follows", "lenses")} <= links


@pytest.mark.parametrize("resource,column,value", [
    ("figures", "metric", "no_such_metric"), ("observations", "figure_id", "nobody/nothing"),
    ("disagreements", "obs_id_a", "no-such-statement"), ("entities", "vendor", "no_such_vendor"),
])
def test_a_broken_reference_makes_the_package_invalid(csv_package, tmp_path, resource, column, value):
    import shutil
    shutil.copytree(csv_package, tmp_path / "pkg")
    frame = pd.read_csv(tmp_path / "pkg" / f"{resource}.csv", dtype=str, keep_default_na=False)
    frame.loc[frame[column] != "", column] = value
    frame.to_csv(tmp_path / "pkg" / f"{resource}.csv", index=False)
    report = frictionless.validate(str(tmp_path / "pkg" / "datapackage.json"))
    assert any(e.type == "foreign-key" and column in e.message for t in report.tasks for e in t.errors)


def test_the_descriptions_say_what_the_columns_hold(csv_package):
    fields = {f["name"]: f["description"] for f in _resources(csv_package)["figures"]["schema"]["fields"]}
    assert "not its source's own publication" in fields["n_relays"]
    figures = export.read(csv_package)["figures"]
    assert (figures["n_relays"] == figures["n_docs"] - figures["primary_docs"].map(len)).all()
    assert (figures["n_docs"] == figures["docs"].map(len)).all()
    assert (figures["figure_id"] == figures[["source_id", "metric", "segment", "entity", "period"]]
            .astype(str).agg("/".join, axis=1)).all()


def test_disagreements_and_lenses_are_resources_with_their_rows(csv_package):
    back = export.read(csv_package)
    assert len(back["disagreements"]) == len(lt.disagreements())
    assert set(back["disagreements"]["id"]) == set(lt.disagreements()["id"])
    assert sorted(back["lenses"]["lens"]) == sorted(lt.datasets.registry().lenses)


@pytest.mark.parametrize("name", ["figures", "observations", "disagreements"])
def test_the_csv_sorts_in_time_order_without_llmtrends(csv_package, name):
    plain = pd.read_csv(csv_package / f"{name}.csv", dtype=str).dropna(subset=["period"])
    by_dates = plain.sort_values(["period_end", "period_start"], kind="stable")["period"].drop_duplicates()
    order = [p for p in lt.figures()["period"].cat.categories] + \
        [p for p in lt.observations()["period"].cat.categories]
    from llmtrends.facts.frames import period_order
    assert by_dates.tolist() == period_order(by_dates)
    assert set(by_dates) <= set(order) | set(lt.disagreements()["period"].dropna().astype(str))


def test_the_package_says_which_data_and_package_version_it_holds(csv_package):
    meta = export.descriptor(csv_package)
    assert meta["version"] == str(lt.data_version()) and meta["llmtrends"]["data_digest"] == lt.data_version().digest
    assert meta["llmtrends"]["package_version"] == lt.__version__


# --------------------------------------------------------------------------- written whole or not at all

def test_a_full_disk_keeps_the_last_good_package_whole(tmp_path, monkeypatch):
    import errno
    import os
    folder = tmp_path / "pkg"
    lt.export(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    real = pd.DataFrame.to_csv
    calls = []

    def full_disk(self, path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 3:  # a few files in: half of one written, then no space left
            with open(path, "w", encoding="utf-8") as handle:
                handle.write("figure_id,val")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    with pytest.raises(LlmtrendsError, match="No space left on device.*the package that was there is unchanged"):
        lt.export(folder)
    monkeypatch.setattr(pd.DataFrame, "to_csv", real)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before, "every file as it was, no temp folder"
    pd.testing.assert_frame_equal(export.read(folder)["figures"], export.frames()["figures"].reset_index(drop=True))
    assert cli.main(["export", str(folder)]) == 0 and (folder / "datapackage.json").is_file()


def test_a_symlink_in_the_folder_is_replaced_not_written_through(tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("keep me\n", encoding="utf-8")
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "figures.csv").symlink_to(outside)
    lt.export(folder)
    assert outside.read_text(encoding="utf-8") == "keep me\n"
    assert not (folder / "figures.csv").is_symlink()


def test_a_package_in_another_format_replaces_the_old_files_and_leaves_others(tmp_path):
    folder = tmp_path / "pkg"
    lt.export(folder, format="csv")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    lt.export(folder, format="parquet")
    assert not list(folder.glob("*.csv")) and (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert set(export.read(folder)) == RESOURCES | {f"table_{t}" for t in datasets.registry().tables}


# --------------------------------------------------------------------------- reading only inside the folder

@pytest.mark.parametrize("path", ["../outside.csv", "/etc/hostname", "sub/../../outside.csv",
                                  "https://example.com/figures.csv", "..\\outside.csv", "C:\\data\\x.csv", ""])
def test_read_refuses_a_resource_path_outside_its_folder(csv_package, tmp_path, path):
    import shutil
    folder = tmp_path / "pkg"
    shutil.copytree(csv_package, folder)
    (tmp_path / "outside.csv").write_text("secret\n1\n", encoding="utf-8")
    meta = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    meta["resources"][0]["path"] = path
    (folder / "datapackage.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(LlmtrendsError, match="resource 'figures': .*(not a file inside|must be one file name)"):
        export.read(folder)


def test_read_refuses_a_symlink_leading_out_and_names_a_missing_or_broken_file(csv_package, tmp_path):
    import shutil
    folder = tmp_path / "pkg"
    shutil.copytree(csv_package, folder)
    (tmp_path / "elsewhere.csv").write_bytes((folder / "figures.csv").read_bytes())
    (folder / "figures.csv").unlink()
    (folder / "figures.csv").symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(LlmtrendsError, match="resource 'figures': path 'figures.csv' leads out of the package"):
        export.read(folder)
    (folder / "figures.csv").unlink()
    with pytest.raises(LlmtrendsError, match=r"resource 'figures': file .*figures.csv is missing"):
        export.read(folder)
    (folder / "figures.csv").write_text("figure_id,value\nx,1\n", encoding="utf-8")  # truncated by a crash
    with pytest.raises(LlmtrendsError, match=r"resource 'figures': .*figures.csv cannot be read: .*missing column"):
        export.read(folder)
    with pytest.raises(LlmtrendsError, match="no datapackage.json in"):
        export.read(tmp_path)


# --------------------------------------------------------------------------- spreadsheets run nothing

def test_text_a_spreadsheet_would_run_is_neutralised_in_the_csv_and_read_back_as_written(data_copy, tmp_path):
    vocabulary = data_copy / "vocabulary.yaml"
    text = vocabulary.read_text(encoding="utf-8")
    text = text.replace("    name: Anthropic\n", "    name: '=HYPERLINK(\"http://x\",\"Anthropic\")'\n", 1)
    text = text.replace("    name: OpenAI\n", "    name: \"'quoted OpenAI\"\n", 1)
    vocabulary.write_text(text, encoding="utf-8")
    datasets.clear_cache()
    folder = tmp_path / "pkg"
    lt.export(folder)
    raw = pd.read_csv(folder / "figures.csv", dtype=str, keep_default_na=False)
    names = set(raw["entity_name"])
    assert "'=HYPERLINK(\"http://x\",\"Anthropic\")" in names and "''quoted OpenAI" in names
    assert not any(v.startswith(("=", "+", "@")) for column in raw for v in raw[column])
    assert not raw["value"].str.startswith("'").any(), "numbers stay numbers"
    back = export.read(folder)["figures"]
    assert {"=HYPERLINK(\"http://x\",\"Anthropic\")", "'quoted OpenAI"} <= set(back["entity_name"])
    pd.testing.assert_frame_equal(back, export.frames()["figures"].reset_index(drop=True))
