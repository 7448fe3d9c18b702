"""Regression suite of issue 11, data files: every wrong shape is a DataError naming file, line, key and
the accepted shape; duplicate keys, YAML aliases and non-decimal numbers are refused (data and plan)."""
from __future__ import annotations

import csv
import io
import re

import pytest

from llmtrends.facts import strict_yaml as _yaml
from llmtrends.facts import datasets
from llmtrends.facts import schemas
from llmtrends.cli import main
from llmtrends.errors import DataError, PlanError
from llmtrends.batch.plan import load_plan

from .reports_fixture import write_plan

BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9))


def _replace(path, old, new):
    """Replace the first ``old`` (a text, or a regular expression given as ``re:...``) with ``new``."""
    text = path.read_text(encoding="utf-8")
    if old.startswith("re:"):
        edited = re.sub(old[3:], new.replace("\\", "\\\\"), text, count=1, flags=re.M)
        assert edited != text, f"{old!r} not in {path.name}"
    else:
        assert old in text, f"{old!r} not in {path.name}"
        edited = text.replace(old, new, 1)
    path.write_text(edited, encoding="utf-8")


def _line_of(path, fragment) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if fragment in line)


def _load_error() -> str:
    datasets.clear_cache()
    with pytest.raises(DataError) as caught:
        datasets.registry()
    return str(caught.value)


# (file, old text, new text, key named, what the message says was found) - each a reproduction of the issue
WRONG_SHAPES = {
    "aliases a number": ("vocabulary.yaml", "    aliases: [Character.AI, CharacterAI]", "    aliases: 5", "aliases",
                         "found a number 5"),
    "aliases a string (split into letters)": ("vocabulary.yaml", "    aliases: [total, overall, market]",
                                              "    aliases: market", "aliases", "found text 'market'"),
    "vendor a list": ("vocabulary.yaml", "    vendor: anthropic", "    vendor: [anthropic]", "vendor", "found a list"),
    "unit label a number": ("vocabulary.yaml", '  percent: "%"', "  percent: 12", "percent", "found a number 12"),
    "metric unit a list": ("metrics.yaml", "  unit: percent", "  unit: [percent]", "unit", "found a list"),
    "metric definition a list": ("metrics.yaml", "  definition: Share of production AI usage going to each model vendor",
                                 "  definition: [a, b]\n  x_definition: Share", "definition", "found a list"),
    "publisher a number": ("sources.yaml", "    publisher: Menlo Ventures\n    title: 2025 Mid-Year",
                           "    publisher: 12345\n    title: 2025 Mid-Year", "publisher", "found a number 12345"),
    "url a number": ("sources.yaml", "    url: https://menlovc.com/perspective/2025-mid-year-llm-market-update/",
                     "    url: 42", "url", "found a number 42"),
    "reports a number (was relayed_by: 5)": ("documents.yaml", r"re:^  reports: \[.*\]$",
                                             "  reports: 5", "reports", "found a number 5"),
}


@pytest.mark.parametrize("case", sorted(WRONG_SHAPES))
def test_a_wrong_shape_is_a_data_error_naming_file_line_key_and_accepted_shape(data_copy, case):
    """Defect: YAML of the wrong shape escaped as TypeError/ValueError/AttributeError (or was accepted)."""
    file_name, old, new, key, found = WRONG_SHAPES[case]
    path = data_copy / file_name
    _replace(path, old, new)
    message = _load_error()
    line = _line_of(path, new.splitlines()[0].strip())
    assert f"data/{file_name}, line {line}" in message, message
    assert key in message and found in message and "accepted:" in message, message


def test_a_document_entry_that_is_text_is_a_data_error(data_copy):
    """Defect: a `documents:` entry that is a string gave ValueError."""
    path = data_copy / "documents.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nbogus_document: just a string\n", encoding="utf-8")
    message = _load_error()
    assert f"data/documents.yaml, line {_line_of(path, 'bogus_document')} (document 'bogus_document')" in message
    assert "found text 'just a string'; accepted: a mapping with file, sha256" in message


def test_tables_yaml_as_a_list_is_a_data_error(data_copy):
    """Defect: tables.yaml as a list gave AttributeError."""
    (data_copy / "tables.yaml").write_text("- flageval_listed\n- agent_map\n", encoding="utf-8")
    message = _load_error()
    assert "data/tables.yaml, line 1" in message and "found a list; accepted: a mapping of table name" in message


@pytest.mark.parametrize("value", ["one", ""], ids=["a word", "nothing"])
def test_a_table_column_typed_int_holding_a_word_or_nothing_is_a_data_error(data_copy, value):
    """Defect: a table column typed int holding `one` or nothing gave ValueError / IntCastingNaNError at load()."""
    _replace(data_copy / "tables.yaml", "    listed_order: Order (1-5)", "    listed_order:\n      type: int\n"
             "      description: Order (1-5)")
    path = data_copy / "tables" / "flageval_listed.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[2][1] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    message = _load_error()
    assert "data/tables/flageval_listed.csv, line 3, column 'listed_order'" in message
    assert "is not a whole number; accepted: ASCII digits like 3" in message


def test_a_typed_int_column_loads_as_integers(data_copy):
    _replace(data_copy / "tables.yaml", "    listed_order: Order (1-5)", "    listed_order:\n      type: int\n"
             "      description: Order (1-5)")
    datasets.clear_cache()
    assert str(datasets.load("flageval_listed")["listed_order"].dtype) == "int64"


@pytest.mark.parametrize("file_name", ["vocabulary.yaml", "metrics.yaml", "sources.yaml", "documents.yaml",
                                       "tables.yaml"])
def test_a_data_file_replaced_by_a_folder_is_a_data_error(data_copy, file_name):
    """Defect: a data file replaced by a directory gave IsADirectoryError."""
    (data_copy / file_name).unlink()
    (data_copy / file_name).mkdir()
    message = _load_error()
    assert f"data/{file_name}: cannot be read: Is a directory; accepted: a readable file" in message


def test_observation_files_holding_only_their_header_are_a_data_error(data_copy):
    """Defect: every observation file reduced to its header gave KeyError."""
    for path in (data_copy / "observations").glob("*.csv"):
        path.write_text(path.read_text(encoding="utf-8").splitlines(True)[0], encoding="utf-8")
    assert "data/observations/: no observation rows" in _load_error()


# -------------------------------------------------------------- the YAML reader itself


def test_a_duplicate_source_is_refused_not_last_wins(data_copy):
    """Defect: a second `menlo_2025_midyear:` silently replaced the real source's citation."""
    path = data_copy / "sources.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  menlo_2025_midyear:\n    publisher: Impostor\n"
                    "    title: Fake\n    method: survey\n", encoding="utf-8")
    message = _load_error()
    line = len(path.read_text(encoding="utf-8").splitlines()) - 3
    assert f"data/sources.yaml, line {line}: duplicate key 'menlo_2025_midyear' (first given on line " in message


def test_billion_laughs_in_a_data_file_is_refused_before_it_expands(data_copy):
    """Defect: a 14 KB sources.yaml of nested aliases took 54 s and 5.5 GB, then MemoryError."""
    (data_copy / "sources.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    message = _load_error()
    assert "data/sources.yaml, line 2: YAML aliases (*name) are not accepted" in message


def test_billion_laughs_in_a_plan_parameter_exits_2(tmp_path, capsys):
    """Defect: the same inside a plan parameter gave a MemoryError traceback with exit 1."""
    plan = write_plan(tmp_path, "reports:\n  - name: greet\n    notebook: greet.ipynb\n    title: Greeting\n"
                      "    parameters:\n      greeting: hello\n")
    plan.write_text(BILLION_LAUGHS.replace("a: &a", "laughs: &a", 1).replace("*a,", "*a,")
                    + plan.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(PlanError, match="YAML aliases"):
        load_plan(plan)
    assert main(["run", "--plan", str(plan), "--exports", str(tmp_path / "exports")]) == 2
    err = capsys.readouterr().err
    assert "YAML aliases (*name) are not accepted" in err and "Traceback" not in err


@pytest.mark.parametrize("number", ["1_000", "0x1F", "017", "1:30", ".inf", "-.inf", ".nan", "+1_0.5"])
def test_numbers_are_ascii_decimals_only(data_copy, number):
    """Defect: `1_000` was read as 1000 despite the "no thousands separators" rule."""
    path = data_copy / "sources.yaml"
    _replace(path, "    published: 2025-12-09\n", f"    published: {number}\n")
    message = _load_error()
    assert f"data/sources.yaml, line {_line_of(path, 'published: ' + number)}: number {number!r} is not a plain " \
           "decimal; accepted: ASCII digits" in message


@pytest.mark.parametrize("text, value", [("a: 1000", 1000), ("a: -3", -3), ("a: 19.99", 19.99), ("a: '1_000'", "1_000"),
                                         ("a: 2025-07", "2025-07")])
def test_plain_decimals_and_quoted_text_still_read(text, value):
    assert _yaml.load(text) == {"a": value}


def test_the_plan_still_names_duplicate_keys_with_their_lines(tmp_path):
    plan = write_plan(tmp_path, "reports:\n  - name: greet\n    notebook: greet.ipynb\n    title: A\n    title: B\n")
    with pytest.raises(PlanError, match=r"line 5, column 5: duplicate key 'title' \(first given on line 4\)"):
        load_plan(plan)


@pytest.mark.parametrize("title", ["", "  title: \n"])
def test_a_metric_without_a_human_title_is_a_data_error(data_copy, title):
    """A metric with no title reached stakeholder pages as its id in words ("Api usage growth multiple")."""
    path = data_copy / "metrics.yaml"
    _replace(path, "  title: Share of code-generation LLM use\n", title)
    message = _load_error()
    assert "metric 'enterprise_coding_llm_share'" in message and "title" in message, message
    assert "accepted:" in message, message


def test_every_metric_has_a_title_of_its_own():
    metrics = datasets.registry().metrics
    titles = {name: str(meta.get("title") or "").strip() for name, meta in metrics.items()}
    assert [name for name, title in titles.items() if not title] == []


def test_every_data_yaml_has_a_schema_and_the_data_fits_it():
    from llmtrends import paths
    files = sorted(path.name for path in paths.data_dir().glob("*.yaml"))
    assert set(files) <= set(schemas.SCHEMAS), f"no schema for {set(files) - set(schemas.SCHEMAS)}"
    for name in files:
        text = (paths.data_dir() / name).read_text(encoding="utf-8")
        assert schemas.problems(name, _yaml.load(text), text) == [], name


def test_an_editor_save_during_a_load_is_not_an_error(data_copy, monkeypatch):
    """Defect: editor-style saves (temp file + rename) in observations/ made concurrent observations()
    calls raise FileNotFoundError from the change fingerprint."""
    import pathlib

    temp = data_copy / "observations" / ".~lock.edit.csv#"
    temp.write_text("being saved", encoding="utf-8")
    real_stat = pathlib.Path.stat
    looks: list[str] = []

    def renamed_meanwhile(self, *args, **kwargs):  # there at the first look, gone at the next one
        if self.name == temp.name:
            looks.append(self.name)
            if len(looks) > 1:
                raise FileNotFoundError(2, "No such file or directory", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "stat", renamed_meanwhile)
    datasets.clear_cache()
    assert len(datasets.observations()) > 0


@pytest.mark.parametrize("edit, found", [("  enterprise: [Enterprises]", "found a list"),
                                         ("  enterprise: &e Enterprises\n  startup2: *e", "YAML aliases")])
def test_labels_yaml_is_read_like_every_data_file(data_copy, edit, found):
    """labels.yaml (display names) goes through the same reader and schema as the other data files."""
    from llmtrends.stories import words

    _replace(data_copy / "labels.yaml", "  enterprise: Enterprises", edit)
    with pytest.raises(DataError, match=re.escape(found)) as caught:
        words.labels()
    assert f"data/labels.yaml, line {_line_of(data_copy / 'labels.yaml', edit.splitlines()[-1].strip())}" \
        in str(caught.value)
