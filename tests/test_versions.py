"""Versions and changes (llmtrends/facts/versions.py, changes.py; ``llmtrends changes``, ``llmtrends release``)."""
from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

import llmtrends as lt
from llmtrends import cli
from llmtrends.errors import LlmtrendsError, UnknownNameError
from llmtrends.facts import datasets, versions


# --------------------------------------------------------------------------- the versions

def test_package_version_is_0_2_and_the_installed_metadata_agrees():
    from importlib.metadata import version
    assert lt.__version__ == "0.2.0" == version("llmtrends")


def test_the_data_digest_covers_the_data_files_and_nothing_else(data_copy):
    before = versions.data_digest(data_copy)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", before)
    (data_copy / "README.md").write_text("edited", encoding="utf-8")
    (data_copy / ".#sources.yaml").write_text("an editor's lock file", encoding="utf-8")
    (data_copy / "releases").mkdir(exist_ok=True)
    (data_copy / "releases" / "x.csv").write_text("a,b\n", encoding="utf-8")
    assert versions.data_digest(data_copy) == before
    observations = sorted((data_copy / "observations").glob("*.csv"))[0]
    observations.write_bytes(observations.read_bytes().replace(b"\n", b"\r\n", 1))
    assert versions.data_digest(data_copy) != before, "one byte of one data file"


def _edited(data_copy):
    """data_copy as edited data: a comment changes the digest, not a figure (the data may be a release)."""
    metrics = data_copy / "metrics.yaml"
    metrics.write_text(metrics.read_text(encoding="utf-8") + "# edited by a test\n", encoding="utf-8")
    datasets.clear_cache()
    return data_copy


def _a_row(frame_filter) -> dict:
    """An observation row whose figure has this one statement and no declaration names it."""
    declared = {i for d in datasets.registry().disagreements for i in d.get("obs_ids") or []}
    figs = lt.figures()
    figs = figs[(figs["n_docs"] == 1) & figs["obs_id"].map(lambda o: o not in declared) & frame_filter(figs)]
    return figs.iloc[0].to_dict()


def _edit_row(data_copy, obs_id: str, change) -> None:
    for path in (data_copy / "observations").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        if any(r["obs_id"] == obs_id for r in rows):
            fields = list(rows[0])
            rows = [r for r in (change(dict(r)) if r["obs_id"] == obs_id else r for r in rows) if r is not None]
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
            datasets.clear_cache()
            return
    raise AssertionError(f"{obs_id} not found")


def test_a_release_names_the_data_until_it_is_edited(data_copy):
    _edited(data_copy)
    release = versions.record_release("2099-01-01", "a test release", root=data_copy)
    version = lt.data_version()
    assert (str(version), version.released, version.release) == ("2099-01-01", True, release)
    assert (data_copy / "releases" / "2099-01-01.csv").is_file()
    text = (data_copy / "releases.yaml").read_text(encoding="utf-8")
    assert "label: '2099-01-01'" in text and release.digest in text
    level = _a_row(lambda f: f["value_kind"] == "level")
    _edit_row(data_copy, level["obs_id"], lambda r: {**r, "value_derived": "edited by a test"})
    edited = lt.data_version()
    assert str(edited) == f"2099-01-01+{edited.digest[7:19]}" and not edited.released


def test_a_release_is_refused_when_its_label_exists_or_is_not_a_label_or_nothing_changed(data_copy):
    _edited(data_copy)
    versions.record_release("2099-01-01", root=data_copy)
    with pytest.raises(LlmtrendsError, match="'2099-01-01' is already recorded"):
        versions.record_release("2099-01-01", root=data_copy)
    with pytest.raises(LlmtrendsError, match="not accepted; accepted: letters, digits"):
        versions.record_release("../evil", root=data_copy)
    with pytest.raises(LlmtrendsError, match="has not changed since release '2099-01-01'"):
        versions.record_release("2099-01-02", root=data_copy)


def test_a_release_records_every_figure_and_reads_back_the_same(data_copy):
    _edited(data_copy)
    versions.record_release("2099-01-01", root=data_copy)
    recorded = versions.release_figures("2099-01-01", data_copy)
    pd.testing.assert_frame_equal(recorded, versions.snapshot())
    assert len(recorded) == len(lt.figures()) and recorded["figure_id"].is_unique
    with pytest.raises(UnknownNameError, match="unknown release '2099-01-0'; did you mean '2099-01-01'"):
        versions.release_figures("2099-01-0", data_copy)


def test_every_recorded_release_is_whole():
    for release in versions.releases():
        frame = versions.release_figures(release.label)
        assert len(frame) and frame["figure_id"].is_unique, release.label
        assert frame["figure_id"].tolist() == frame[["source_id", "metric", "segment", "entity", "period"]] \
            .astype(str).agg("/".join, axis=1).tolist()


@pytest.mark.parametrize("entry,expected", [
    ("  - {label: x, date: '2026-01-01', figures: releases/x.csv}", "'digest' is a required property"),
    ("  - {label: x, date: '2026-01-01', digest: 'md5:1', figures: releases/x.csv}", "digest: found text 'md5:1'; accepted: sha256:<64 hex digits>"),
    ("  - {label: x, date: '2026-01-01', digest: 'sha256:" + "0" * 64 + "', figures: releases/x.csv, by: me}",
     "unknown key 'by'; accepted keys: commit, date, digest, figures, label, note"),
])
def test_a_broken_release_entry_is_named(data_copy, entry, expected):
    (data_copy / "releases.yaml").write_text("releases:\n" + entry + "\n", encoding="utf-8")
    with pytest.raises(LlmtrendsError, match=f"data/releases.yaml: line 2, release #1, .*{re.escape(expected)}"):
        versions.releases(data_copy)


def test_a_release_snapshot_outside_data_releases_is_refused(data_copy):
    digest = "sha256:" + "0" * 64
    (data_copy / "releases.yaml").write_text(
        f"releases:\n  - {{label: x, date: '2026-01-01', digest: '{digest}', figures: ../../etc/passwd}}\n",
        encoding="utf-8")
    with pytest.raises(LlmtrendsError, match="is not a file of data/releases/"):
        versions.release_figures("x", data_copy)


# --------------------------------------------------------------------------- the changelog

def test_changes_finds_figures_added_restated_removed_and_re_evidenced(data_copy):
    _edited(data_copy)
    versions.record_release("2099-01-01", root=data_copy)
    level = _a_row(lambda f: f["value_kind"] == "level")
    gone = _a_row(lambda f: (f["value_kind"] == "level") & (f["figure_id"] != level["figure_id"]))
    _edit_row(data_copy, level["obs_id"], lambda r: {**r, "value": str(float(r["value"]) + 1),
                                                      "value_derived": "edited by a test"})
    _edit_row(data_copy, gone["obs_id"], lambda r: None)
    table = lt.changes()
    assert table.attrs["since"] == "2099-01-01" and "current data" in table.attrs["until"]
    by_kind = {kind: set(part["figure_id"]) for kind, part in table.groupby("change")}
    assert by_kind == {"restated": {level["figure_id"]}, "removed": {gone["figure_id"]}}
    row = table[table["change"] == "restated"].iloc[0]
    assert (row["value_old"], row["value_new"], row["changed"]) == (level["value"], level["value"] + 1, "value")
    assert list(table.columns[:7]) == ["change", "entity_name", "metric_title", "period", "value_old", "value_new",
                                       "unit"]


def test_changes_between_frames_and_the_evidence_kind():
    before = lt.figures()
    after = before.copy()
    after.loc[after.index[0], "status"] = "differs" if after.iloc[0]["status"] != "differs" else "confirmed"
    after = after.drop(index=after.index[1])
    table = lt.changes(since=before, until=after)
    assert table.set_index("figure_id")["change"].to_dict() == {before.iloc[0]["figure_id"]: "evidence",
                                                                before.iloc[1]["figure_id"]: "removed"}
    back = lt.changes(since=after, until=before)
    assert set(back["change"]) == {"added", "evidence"}


def test_changes_since_an_exported_package(tmp_path):
    lt.export(tmp_path / "pkg")
    table = lt.changes(since=tmp_path / "pkg")
    assert table.empty and "Data Package" in table.attrs["since"]


def test_an_unknown_version_names_what_is_accepted():
    with pytest.raises(UnknownNameError, match="unknown version 'no-such-release'.*accepted: a release label"):
        lt.changes(since="no-such-release")


def test_llmtrends_changes_prints_a_readable_changelog(data_copy, capsys):
    _edited(data_copy)
    versions.record_release("2099-01-01", root=data_copy)
    level = _a_row(lambda f: (f["value_kind"] == "level") & (f["unit"] == "usd_billion"))
    _edit_row(data_copy, level["obs_id"], lambda r: {**r, "value": str(float(r["value"]) * 2),
                                                      "value_derived": "edited by a test"})
    assert cli.main(["changes"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Changes from 2099-01-01 to 2099-01-01+") and "0 added, 1 restated, 0 removed" in out[0]
    line = next(x for x in out if x.startswith("  ~ "))
    assert f"{level['entity_name']} · {level['metric_title']}" in line and "USD billion ->" in line
    assert f"{level['value'] * 2:,.10g} USD billion (value)" in line
    assert cli.main(["changes", "--list"]) == 0 and "2099-01-01" in capsys.readouterr().out
    assert cli.main(["changes", "--since", "nope"]) == 2
    assert "unknown version 'nope'" in capsys.readouterr().err


def test_llmtrends_release_records_a_release(data_copy, capsys):
    _edited(data_copy)
    assert cli.main(["release", "2099-02-01", "--note", "the test's release"]) == 0
    assert "release 2099-02-01 recorded" in capsys.readouterr().out
    assert [r.label for r in versions.releases(data_copy)][-1] == "2099-02-01"
    assert cli.main(["release", "2099-02-02"]) == 2
    assert "has not changed since release '2099-02-01'" in capsys.readouterr().err


def test_whats_new_counts_what_changes_lists(data_copy):
    _edited(data_copy)
    versions.record_release("2099-01-01", root=data_copy)
    released = lt.whats_new()  # a released version: what it brought since the release before it
    previous = versions.releases(data_copy)[-2].label
    assert released.startswith(f"Data 2099-01-01 (released {lt.data_version().release.date})")
    assert f"since {previous}" in released
    assert lt.whats_new(since="2099-01-01") == "Data 2099-01-01 (released " \
        f"{lt.data_version().release.date}): no figure changed since 2099-01-01."
    gone = _a_row(lambda f: f["value_kind"] == "level")
    _edit_row(data_copy, gone["obs_id"], lambda r: None)
    text = lt.whats_new()
    assert text.startswith(f"Data {lt.data_version()}, since 2099-01-01: 0 figures added") and "1 removed" in text


def test_figure_ids_are_the_same_on_every_load():
    first = lt.figures()["figure_id"].tolist()
    datasets.clear_cache()
    assert lt.figures()["figure_id"].tolist() == first and len(set(first)) == len(first)
    assert set(lt.observations()["figure_id"]) == set(first)


def test_whats_new_without_an_earlier_release_says_so_instead_of_failing(data_copy):
    (data_copy / "releases.yaml").unlink()
    import shutil
    shutil.rmtree(data_copy / "releases")
    assert lt.whats_new() == f"Data {lt.data_version()}: {len(lt.figures())} figures; no earlier release to compare with."
    assert str(lt.data_version()).startswith("unreleased+")
    versions.record_release("2099-01-01", root=data_copy)
    assert lt.whats_new().endswith("no earlier release to compare with.")
    with pytest.raises(LlmtrendsError, match="the first recorded: no earlier release"):
        lt.changes()
