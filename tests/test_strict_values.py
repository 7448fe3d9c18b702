"""Strict values (issue 18, item 6): one spelling per number and per period, one meaning per YAML key.

Each test names the defect it pins. A number or period that a lenient parser
would have read (``float("1_8")`` is 18, ``int("２０２５")`` is 2025) is refused with
its row, its column and the accepted form, and a "did you mean" when the value
is a plain one written with other digits.
"""
from __future__ import annotations

import pytest

from llmtrends.errors import DataError
from llmtrends.facts import datasets
from llmtrends.facts import strict_yaml
from llmtrends.facts.periods import parse_period
from llmtrends.facts.rows import _number

from .test_validation import FILE, edit, load_error

ROW = "d001-menlo25-api-share-anthropic-mid2025"  # period mid-2025, value 32


@pytest.mark.parametrize("written,meant", [
    ("mid-２０２５", "mid-2025"),            # full-width digits
    ("mid-٢٠٢٥", "mid-2025"),                # Arabic-Indic digits
    ("mid-２０25", "mid-2025"),              # mixed
    ("mid-2025..mid-２０２５", "mid-2025..mid-2025"),
    ("mid-2025 ..mid-2025", "mid-2025..mid-2025"),  # a space inside the label
])
def test_a_period_with_other_digits_or_spaces_is_refused_with_the_ascii_form(data_copy, written, meant):
    """Defect: 'mid-２０２５' parsed as mid-2025 and split one figure in two (the label is the figure's key)."""
    line, oid = edit(data_copy, row_id=ROW, period=written)
    msg = load_error()
    assert f"{FILE}, line {line} (obs_id {oid}), column 'period'" in msg
    assert f"period {written!r} does not parse; did you mean '{meant}'?" in msg
    assert "accepted: YYYY" in msg and "ASCII digits 0-9" in msg


@pytest.mark.parametrize("label", ["２０２５", "٢٠٢٥-07", "2025-Q١", "end-２０２３", "2025-０７-01", " 2025", "2025\n"])
def test_parse_period_accepts_ascii_digits_only(label):
    with pytest.raises(ValueError):
        parse_period(label)


@pytest.mark.parametrize("column", ["fieldwork", "published"])
def test_a_period_field_of_sources_yaml_with_full_width_digits_is_refused(data_copy, column):
    path = data_copy / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    old = {"fieldwork": "fieldwork: 2025-06-30..2025-07-10", "published": "published: 2025-07-31"}[column]
    new = {"fieldwork": "fieldwork: ２０２５-06-30..2025-07-10", "published": "published: '２０２５-07-31'"}[column]
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(DataError) as err:
        datasets.observations()
    msg = str(err.value)
    assert "data/sources.yaml" in msg and f"column '{column}'" in msg and "does not parse" in msg


@pytest.mark.parametrize("column", ["value", "value_low", "value_high"])
@pytest.mark.parametrize("written,meant", [
    ("1_8", None),    # float() reads 18
    ("１８", "18"),    # float() reads 18
    ("٣٢", "32"),     # float() reads 32
    ("3.２", "3.2"),
    ("1e1", None),    # float() reads 10
    ("3E1", None),
    ("inf", None),
    ("nan", None),
    ("0x20", None),
    ("32.", None),
    (".5", None),
    ("3 2", None),
])
def test_a_number_not_written_in_ascii_decimal_form_is_refused(data_copy, column, written, meant):
    """Defect: `value` went through float(): '1_8' became 18, full-width '１８' became 18."""
    changes = {column: written}
    if column != "value":  # a range: the other end stays a valid number
        changes.update(value="", value_low="1", value_high="60")
        changes[column] = written
    line, oid = edit(data_copy, row_id=ROW, **changes)
    msg = load_error()
    assert f"{FILE}, line {line} (obs_id {oid}), column '{column}'" in msg
    hint = f"; did you mean '{meant}'?" if meant else ""
    assert f"{written!r} is not a number{hint}; accepted: a plain decimal of ASCII digits" in msg


@pytest.mark.parametrize("written,value", [("32", 32.0), ("-3", -3.0), ("+5", 5.0), ("19.99", 19.99), (" 7 ", 7.0),
                                           ("", None)])
def test_plain_ascii_decimals_are_read(written, value):
    assert _number(written) == value


@pytest.mark.parametrize("text,line", [
    ("a: 1\n<<: {a: 2}\n", 2),                                # an inline merge hides a duplicate key
    ("base: {x: 1}\nentry:\n  y: 2\n  <<: {x: 3, y: 4}\n", 4),
    ("- {<<: {id: a}, id: b}\n", 1),
])
def test_yaml_merge_keys_are_refused_like_anchors(text, line):
    """Defect: a YAML merge key (`<<:`) hid a duplicate key (the mapping's own value silently won)."""
    with pytest.raises(strict_yaml.Refused) as refused:
        strict_yaml.load(text)
    assert "merge keys (<<) are not accepted" in refused.value.problem and refused.value.line == line


def test_a_quoted_double_angle_key_is_just_text():
    assert strict_yaml.load("'<<': 1\nb: '<<'\n") == {"<<": 1, "b": "<<"}


def test_a_merge_key_in_a_data_file_is_a_data_error_with_its_line(data_copy):
    path = data_copy / "sources.yaml"
    text = path.read_text(encoding="utf-8")
    old = "    publisher: Menlo Ventures\n"
    at = text.index(old)
    path.write_text(text[:at] + "    <<: {publisher: Somebody Else}\n" + text[at:], encoding="utf-8")
    line = text[:at].count("\n") + 1
    with pytest.raises(DataError) as err:
        datasets.observations()
    assert f"data/sources.yaml, line {line}: YAML merge keys (<<) are not accepted" in str(err.value)
