"""A broken data file fails with one DataError naming the file, line, column, what was found
and what is accepted - every problem at once, and never a pandas or YAML traceback."""
from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmtrends.facts import datasets
from llmtrends.errors import DataError

DOC = "001_f6f9bbcc7f4aaa0b"
FILE = f"data/observations/{DOC}.csv"


def _rows(path):
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


def _write(path, fields, rows):
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def edit(data_dir, row_id=None, doc=DOC, **changes):
    """Change cells of one row (the first row when row_id is None); return its line number."""
    path = data_dir / "observations" / f"{doc}.csv"
    fields, rows = _rows(path)
    index = 0 if row_id is None else next(i for i, r in enumerate(rows) if r["obs_id"] == row_id)
    rows[index].update(changes)
    _write(path, fields, rows)
    return index + 2, rows[index]["obs_id"]


def load_error() -> str:
    with pytest.raises(DataError) as err:
        datasets.observations()
    return str(err.value)


def test_non_numeric_value_names_file_line_column_and_accepted(data_copy):
    line, oid = edit(data_copy, value="32%")
    msg = load_error()
    assert f"{FILE}, line {line} (obs_id {oid}), column 'value'" in msg
    assert "'32%' is not a number" in msg and "accepted: a plain decimal" in msg


def test_percentage_over_100_is_rejected(data_copy):
    line, _ = edit(data_copy, row_id="d001-menlo25-api-share-anthropic-mid2025", value="132")
    msg = load_error()
    assert f"line {line}" in msg and "percentage 132 is outside 0-100" in msg


@pytest.mark.parametrize("value", ["452", "-1.5", "-100"])
def test_a_change_in_percent_may_pass_100_or_fall(data_copy, value):
    # 'True Audience surging 452% year-over-year', "OpenAI's adoption rate fell 1.5%": kind change, unit percent
    # the edited value is not its quote's: value_derived says so, or the value check would refuse it first
    edit(data_copy, row_id="d003-st24-ai-app-downloads-yoy-2024jan-aug", doc="003_663836e434da2f9a", value=value,
         value_derived="a test's edit")
    obs = datasets.observations()
    assert obs.loc[obs["obs_id"] == "d003-st24-ai-app-downloads-yoy-2024jan-aug", "value"].item() == float(value)


def test_a_change_in_percent_cannot_fall_by_more_than_everything(data_copy):
    line, _ = edit(data_copy, row_id="d003-st24-ai-app-downloads-yoy-2024jan-aug", doc="003_663836e434da2f9a",
                   value="-120")
    msg = load_error()
    assert f"line {line}" in msg and "change of -120 percent is below -100" in msg


def test_value_low_above_value_is_rejected(data_copy):
    path = data_copy / "observations" / "000_dff873e1b34121a2.csv"
    fields, rows = _rows(path)
    i = next(i for i, r in enumerate(rows) if r["value_low"])
    rows[i]["value"] = "1.6"   # below the published low end 1.7
    _write(path, fields, rows)
    msg = load_error()
    assert f"line {i + 2}" in msg and "column 'value_low'" in msg
    assert "value_low <= value <= value_high fails: 1.7 <= 1.6 <= 1.8" in msg


@pytest.mark.parametrize("column,bad,suggestion", [
    ("entity", "Anthropics", None),
    ("unit", "percnt", "percent"),
    ("theme", "vendor_shares", "vendor_share"),
    ("qualifier", "aprox", "approx"),
    ("source_id", "menlo_2025_midyr", "menlo_2025_midyear"),
    ("metric", "enterprise_llm_api_usage_shares", "enterprise_llm_api_usage_share"),
    ("segment", "enterprises", "enterprise"),
])
def test_unknown_names_suggest_the_closest_known_one(data_copy, column, bad, suggestion):
    line, _ = edit(data_copy, **{column: bad})
    msg = load_error()
    assert f"line {line}" in msg and f"column '{column}'" in msg and repr(bad) in msg
    if suggestion:
        assert f"did you mean '{suggestion}'" in msg
    assert "accepted" in msg


def test_unknown_entity_spelling_suggests_a_known_spelling(data_copy):
    edit(data_copy, entity="Anthropik")
    msg = load_error()
    assert "unknown entity spelling 'Anthropik'; did you mean 'anthropic'" in msg


def test_duplicate_obs_id_names_both_places(data_copy):
    fields, rows = _rows(data_copy / "observations" / f"{DOC}.csv")
    line, _ = edit(data_copy, row_id=rows[1]["obs_id"], obs_id=rows[0]["obs_id"])
    msg = load_error()
    assert f"line {line}" in msg and "duplicate obs_id; first used in " + FILE + ", line 2" in msg


def test_missing_quote_is_rejected(data_copy):
    line, _ = edit(data_copy, quote="   ")
    msg = load_error()
    assert f"line {line}" in msg and "column 'quote'" in msg and "quote is empty" in msg


def test_period_that_does_not_parse(data_copy):
    line, _ = edit(data_copy, period="mid 2025")
    msg = load_error()
    assert f"line {line}" in msg and "period 'mid 2025' does not parse; accepted: YYYY" in msg


def test_shares_summing_over_100_are_rejected(data_copy):
    fields, rows = _rows(data_copy / "observations" / f"{DOC}.csv")
    target = next(r for r in rows if r["metric"] == "enterprise_llm_api_usage_share" and r["entity"] in ("google", "谷歌")
                  and r["period"] == "mid-2025")
    edit(data_copy, row_id=target["obs_id"], value="40", value_derived="a test's edit")
    msg = load_error()
    assert "shares of metric 'enterprise_llm_api_usage_share'" in msg and "sum to 107 > 100" in msg


def test_a_share_stated_twice_in_one_document_counts_once_in_the_sum(data_copy):
    # 001 states Meta's mid-2025 share as "9%" and as "不足9%" (under 9%): one part of the whole, not two.
    fields, rows = _rows(data_copy / "observations" / f"{DOC}.csv")
    meta = [r for r in rows if r["metric"] == "enterprise_llm_api_usage_share" and r["entity"] == "meta"
            and r["period"] == "mid-2025"]
    assert sorted(r["qualifier"] for r in meta) == ["at_most", "exact"]
    other = dict(meta[0], obs_id="d001-test-other-share", entity="other", value="13", qualifier="exact",
                 value_derived="a test's row")
    _write(data_copy / "observations" / f"{DOC}.csv", fields, rows + [other])
    # 32 + 25 + 20 + 9 + 1 + 13 = 100 with Meta once; counting both Meta statements would give 109.
    datasets.clear_cache()
    assert datasets.observations().query("obs_id == 'd001-test-other-share'")["value"].item() == 13


def test_several_broken_rows_are_reported_at_once(data_copy):
    fields, rows = _rows(data_copy / "observations" / f"{DOC}.csv")
    rows[0]["value"] = "abc"
    rows[3]["unit"] = "pct"
    rows[5]["period"] = "someday"
    _write(data_copy / "observations" / f"{DOC}.csv", fields, rows)
    with pytest.raises(DataError) as err:
        datasets.observations()
    assert len(err.value.problems) == 3
    msg = str(err.value)
    assert msg.startswith("3 problem(s)")
    for line in (2, 5, 7):
        assert f"line {line} " in msg


def test_missing_or_renamed_column(data_copy):
    path = data_copy / "observations" / f"{DOC}.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("qualifier,unit", "qualifer,unit", 1), encoding="utf-8")
    msg = load_error()
    assert FILE in msg and "line 1" in msg
    assert "missing column(s) 'qualifier'" in msg and "unexpected column(s) 'qualifer'; did you mean 'qualifier'" in msg


def test_empty_file(data_copy):
    (data_copy / "observations" / f"{DOC}.csv").write_text("", encoding="utf-8")
    msg = load_error()
    assert f"{FILE}: file is empty" in msg


def test_file_in_another_encoding(data_copy):
    path = data_copy / "observations" / f"{DOC}.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    msg = load_error()
    assert f"{FILE}: file is not UTF-8" in msg and "re-save the file as UTF-8" in msg


def test_yaml_syntax_error_in_the_source_registry(data_copy):
    path = data_copy / "sources.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    i = next(i for i, l in enumerate(lines) if l.strip().startswith("publisher: Menlo Ventures"))
    lines[i] = "    publisher: [Menlo Ventures"
    path.write_text("\n".join(lines), encoding="utf-8")
    msg = load_error()
    assert "data/sources.yaml" in msg and "YAML syntax error" in msg
    assert re.search(r"line \d+", msg)


def test_observation_file_for_an_unknown_document(data_copy):
    src = data_copy / "observations" / f"{DOC}.csv"
    src.rename(data_copy / "observations" / "001_typo.csv")
    msg = load_error()
    assert "data/observations/001_typo.csv" in msg
    assert "file name must be a document id of documents.yaml; '001_typo' is not" in msg


def test_relays_that_disagree_are_caught(data_copy):
    path = data_copy / "observations" / "000_dff873e1b34121a2.csv"
    fields, rows = _rows(path)
    target = next(r for r in rows if r["metric"] == "enterprise_llm_api_usage_share" and r["period"] == "mid-2025"
                  and r["entity"].lower() in ("anthropic", "claude"))
    edit(data_copy, row_id=target["obs_id"], doc="000_dff873e1b34121a2", value="31", value_derived="a test's edit")
    msg = load_error()
    assert "different values" in msg and target["obs_id"] in msg


def test_vendor_without_colour_is_rejected(data_copy):
    path = data_copy / "vocabulary.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('    color: "#10A37F"\n', "", 1), encoding="utf-8")
    msg = load_error()
    assert "data/vocabulary.yaml" in msg and "entity 'openai'" in msg and "colour" in msg


def test_broken_edit_loses_nothing_that_existed(data_copy):
    """A failed load leaves the file exactly as the analyst wrote it (nothing rewritten)."""
    edit(data_copy, value="abc")
    path = data_copy / "observations" / f"{DOC}.csv"
    before = path.read_bytes()
    load_error()
    assert path.read_bytes() == before


# --------------------------------------------------------------------------- property-based

COLUMNS = ["obs_id", "source_id", "theme", "metric", "segment", "entity", "period", "value", "value_low",
           "value_high", "qualifier", "unit", "quote", "note"]
cells = st.one_of(st.text(max_size=12), st.sampled_from(["", "-1", "1e309", "nan", "101", "2024-13", "end-20x",
                                                          "..", "0", "12.5", "anthropic", "percent", "approx"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.integers(min_value=0, max_value=20), column=st.sampled_from(COLUMNS), value=cells)
def test_random_cell_edits_load_or_raise_data_error(data_copy, row, column, value):
    path = data_copy / "observations" / f"{DOC}.csv"
    original = path.read_bytes()
    try:
        fields, rows = _rows(path)
        rows[row % len(rows)][column] = value
        _write(path, fields, rows)
        datasets.clear_cache()
        try:
            datasets.observations()
            datasets.figures()
        except DataError as err:
            assert err.problems and all(p.file for p in err.problems)
    finally:
        path.write_bytes(original)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=4000), junk=st.binary(max_size=8))
def test_truncated_or_garbled_files_raise_data_error(data_copy, cut, junk):
    path = data_copy / "observations" / f"{DOC}.csv"
    original = path.read_bytes()
    try:
        path.write_bytes(original[:cut] + junk)
        datasets.clear_cache()
        try:
            datasets.observations()
        except DataError:
            pass
    finally:
        path.write_bytes(original)


def test_a_broken_registry_is_reported_alone_not_as_hundreds_of_row_errors(data_copy):
    path = data_copy / "sources.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    publisher: Menlo Ventures\n",
                                                             "    publisher: [Menlo Ventures\n", 1), encoding="utf-8")
    with pytest.raises(DataError) as err:
        datasets.observations()
    assert len(err.value.problems) == 1
    assert "data/sources.yaml, line" in str(err.value) and "YAML syntax error at column" in str(err.value)
