"""The batch plan and the parameter check that runs before any kernel starts."""
from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from llmtrends.errors import LlmtrendsError, ParameterError, PlanError
from llmtrends.batch.parameters import check_parameters, declared_parameters, value_matches
from llmtrends.batch.plan import Run, load_plan, select_runs

from .reports_fixture import FIXTURES, write_plan as _write_plan


def write_plan(folder: Path, text: str, notebooks=("greet.ipynb", "typed.ipynb", "fails.ipynb")) -> Path:
    return _write_plan(folder, text, notebooks)


def plan_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(PlanError) as caught:
        load_plan(write_plan(tmp_path, text))
    return str(caught.value)


# -- reading the plan ---------------------------------------------------------------------------


def test_load_plan_reads_runs_in_order_with_notebooks_relative_to_the_plan(tmp_path):
    path = write_plan(
        tmp_path / "nb",
        """
        reports:
          - name: greet-loud
            notebook: greet.ipynb
            title: Loud greeting
            parameters: {loud: true, repeat: 3}
          - name: typed
            notebook: typed.ipynb
            title: Typed
        """,
    )
    runs = load_plan(path)
    assert [run.name for run in runs] == ["greet-loud", "typed"]
    assert runs[0] == Run(
        name="greet-loud",
        notebook=(tmp_path / "nb" / "greet.ipynb").absolute(),
        title="Loud greeting",
        parameters={"loud": True, "repeat": 3},
        notebook_name="greet.ipynb",
    )
    assert runs[1].parameters == {}
    assert runs[1].notebook.is_file()


def test_run_is_frozen_and_hashable():
    run = Run("a", Path("a.ipynb"), "A", {"x": 1})
    with pytest.raises(AttributeError):
        run.name = "b"
    assert hash(run) == hash(Run("a", Path("a.ipynb"), "A", {"x": 2}))


def test_yaml_syntax_error_reports_line_and_column(tmp_path):
    message = plan_error(
        tmp_path,
        """\
        reports:
          - name: greet
            notebook: greet.ipynb
            title: [unclosed
        """,
    )
    assert "YAML syntax error" in message
    assert "line 5" in message and "column" in message
    assert "reports.yaml" in message


def test_plan_file_not_found_names_the_path(tmp_path):
    with pytest.raises(PlanError, match="plan file not found: .*nowhere.yaml"):
        load_plan(tmp_path / "nowhere.yaml")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("- name: a\n", "got list"),
        ("runs: []\n", "got a mapping without 'reports'"),
        ("", "got null"),
        ("reports: {name: a}\n", "'reports' must be a list of runs, got dict"),
        ("reports: []\n", "'reports' is empty"),
    ],
)
def test_top_level_must_be_a_mapping_with_a_reports_list(tmp_path, text, expected):
    message = plan_error(tmp_path, text)
    assert expected in message


def test_missing_fields_name_the_run_by_position_and_name(tmp_path):
    message = plan_error(
        tmp_path,
        """
        reports:
          - name: greet
            notebook: greet.ipynb
            title: Greeting
          - name: typed
            notebook: typed.ipynb
          - title: Nameless
        """,
    )
    assert "run #2 'typed': missing 'title'" in message
    assert "run #3 (no name): missing 'name', 'notebook'" in message
    assert "2 problem(s)" in message


def test_name_must_be_a_slug(tmp_path):
    message = plan_error(
        tmp_path,
        """
        reports:
          - name: Vendor Share
            notebook: greet.ipynb
            title: Greeting
        """,
    )
    assert "run #1 'Vendor Share': name 'Vendor Share' is not a slug" in message


@pytest.mark.parametrize("name", ["-lead", "UPPER", "with_underscore", "dot.ted", "sp ace"])
def test_non_slug_names_are_rejected(tmp_path, name):
    message = plan_error(tmp_path, f"reports:\n  - name: '{name}'\n    notebook: greet.ipynb\n    title: T\n")
    assert "is not a slug" in message


def test_duplicate_names_name_both_run_positions(tmp_path):
    message = plan_error(
        tmp_path,
        """
        reports:
          - name: greet
            notebook: greet.ipynb
            title: One
          - name: typed
            notebook: typed.ipynb
            title: Two
          - name: greet
            notebook: greet.ipynb
            title: Three
        """,
    )
    assert "runs #1 and #3 are both named 'greet'" in message


def test_missing_notebook_names_the_run_and_the_path_as_written(tmp_path):
    message = plan_error(
        tmp_path,
        """
        reports:
          - name: vendor-share
            notebook: sub/vendr_share.ipynb
            title: Vendors
        """,
    )
    assert "run #1 'vendor-share': notebook 'sub/vendr_share.ipynb' not found" in message


def test_parameters_must_be_a_mapping(tmp_path):
    message = plan_error(
        tmp_path,
        """
        reports:
          - name: greet
            notebook: greet.ipynb
            title: Greeting
            parameters: [loud, true]
        """,
    )
    assert "run #1 'greet': parameters must be a mapping of name: value, got list" in message


def test_unknown_run_key_suggests_the_closest(tmp_path):
    message = plan_error(
        tmp_path,
        """
        reports:
          - name: greet
            notebook: greet.ipynb
            title: Greeting
            paramaters: {loud: true}
        """,
    )
    assert "unknown key 'paramaters'; did you mean 'parameters'?" in message


def test_a_key_given_twice_in_one_run_is_an_error_with_its_line(tmp_path):
    message = plan_error(
        tmp_path,
        """\
        reports:
          - name: greet
            notebook: greet.ipynb
            title: Greeting
            title: Again
        """,
    )
    assert "duplicate key 'title'" in message
    assert "line 5" in message


def test_select_runs_keeps_plan_order_and_rejects_unknown_names():
    runs = [Run(name, Path(f"{name}.ipynb"), name.title()) for name in ("alpha", "beta", "gamma")]
    assert [run.name for run in select_runs(runs, ["gamma", "alpha"])] == ["alpha", "gamma"]
    assert select_runs(runs, None) == runs
    with pytest.raises(PlanError) as caught:
        select_runs(runs, ["betta"])
    assert "no run named 'betta'" in str(caught.value)
    assert "did you mean 'beta'?" in str(caught.value)
    assert "alpha, beta, gamma" in str(caught.value)


# -- parameters --------------------------------------------------------------------------------


def run_of(notebook: str, **parameters) -> Run:
    return Run(name=notebook.split(".")[0], notebook=FIXTURES / notebook, title="T", parameters=parameters)


def parameter_error(*runs: Run) -> str:
    with pytest.raises(ParameterError) as caught:
        check_parameters(runs)
    return str(caught.value)


def test_declared_parameters_infer_types_from_defaults():
    declared = declared_parameters(FIXTURES / "typed.ipynb")
    assert {name: p.type_name for name, p in declared.items()} == {
        "vendor": "str",
        "top_n": "int",
        "share": "float",
        "show_other": "bool",
        "vendors": "list",
        "colors": "dict",
        "limit": None,
    }
    assert declared["vendor"].help == "vendor to highlight"


def test_a_hash_inside_a_string_default_does_not_hide_the_value():
    # papermill's line parser cuts `{"openai": "#000000"}` at the '#'
    declared = declared_parameters(FIXTURES / "typed.ipynb")
    assert declared["colors"].default == {"openai": "#000000"}


def test_unknown_parameter_lists_the_declared_ones_and_suggests_the_closest():
    message = parameter_error(run_of("greet.ipynb", greting="hi"))
    assert "run 'greet' (greet.ipynb)" in message
    assert "unknown parameter 'greting'" in message
    assert "did you mean 'greeting'?" in message
    assert "declared parameters: greeting, repeat, scale, loud" in message
    assert "no run was started" in message


def test_wrong_type_names_run_parameter_value_and_expected_type():
    message = parameter_error(run_of("greet.ipynb", repeat="three"))
    assert "run 'greet' (greet.ipynb): parameter 'repeat' = 'three' has type str, expected int" in message


def test_int_is_accepted_for_float_but_bool_is_not_accepted_for_int():
    check_parameters([run_of("greet.ipynb", scale=2)])
    message = parameter_error(run_of("greet.ipynb", repeat=True))
    assert "parameter 'repeat' = True has type bool, expected int" in message


def test_an_unquoted_yaml_date_for_a_text_parameter_gets_a_hint():
    import datetime

    message = parameter_error(run_of("greet.ipynb", greeting=datetime.date(2025, 7, 31)))
    assert "has type date, expected str" in message
    assert "quote the value" in message


@pytest.mark.parametrize(
    "value, type_name, expected",
    [
        (3, "float", True),
        (3.5, "int", False),
        (True, "int", False),
        (True, "float", False),
        (1, "bool", False),
        ("x", "str", True),
        (["a"], "list", True),
        (("a",), "list", True),
        ({"a": 1}, "dict", True),
        (None, "str", False),
        (None, None, True),
        ({"a": 1}, None, True),
    ],
)
def test_value_matches(value, type_name, expected):
    assert value_matches(value, type_name) is expected


def test_a_none_default_accepts_any_value(monkeypatch):
    monkeypatch.setitem(sys.modules, "llmtrends.stories.params", types.SimpleNamespace(validate=lambda name, params: params))
    check_parameters([run_of("typed.ipynb", limit=10), run_of("typed.ipynb", limit="ten")])


def test_problems_of_all_runs_are_collected_in_one_error():
    with pytest.raises(ParameterError) as caught:
        check_parameters(
            [run_of("greet.ipynb", loudd=True), run_of("fails.ipynb", threshold="x"), run_of("greet.ipynb")]
        )
    assert len(caught.value.problems) == 2
    message = str(caught.value)
    assert "2 parameter problems" in message
    assert "'loudd'" in message and "'threshold'" in message


def test_a_notebook_without_parameters_cell_says_so(tmp_path):
    import nbformat

    path = tmp_path / "plain.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), path)
    message = parameter_error(Run("plain", path, "Plain", {"x": 2}))
    assert "the notebook declares no parameters" in message


def test_validator_gets_the_defaults_overridden_by_the_run(monkeypatch):
    calls = []

    def validate(name, params):
        calls.append((name, dict(params)))
        return params

    monkeypatch.setitem(sys.modules, "llmtrends.stories.params", types.SimpleNamespace(validate=validate))
    check_parameters([run_of("typed.ipynb", vendor="openai", top_n=3)])
    assert calls == [
        (
            "fixture-validator",
            {
                "vendor": "openai",
                "top_n": 3,
                "share": 0.5,
                "show_other": True,
                "vendors": ["openai", "google"],
                "colors": {"openai": "#000000"},
                "limit": None,
            },
        )
    ]


def test_validator_errors_are_reported_with_the_run(monkeypatch):
    def validate(name, params):
        raise ParameterError(f"parameter 'vendor': unknown value {params['vendor']!r}; accepted: anthropic, openai")

    monkeypatch.setitem(sys.modules, "llmtrends.stories.params", types.SimpleNamespace(validate=validate))
    message = parameter_error(run_of("typed.ipynb", vendor="antropic"), run_of("greet.ipynb", loud=True))
    assert "run 'typed' (typed.ipynb): parameter 'vendor': unknown value 'antropic'" in message


def test_validator_not_called_when_names_or_types_are_wrong(monkeypatch):
    def validate(name, params):  # pragma: no cover - must not run
        raise AssertionError("validator called")

    monkeypatch.setitem(sys.modules, "llmtrends.stories.params", types.SimpleNamespace(validate=validate))
    message = parameter_error(run_of("typed.ipynb", top_n="5"))
    assert "expected int" in message


def test_missing_validator_module_is_a_problem_not_a_crash(monkeypatch):
    monkeypatch.setitem(sys.modules, "llmtrends.stories.params", None)
    message = parameter_error(run_of("typed.ipynb"))
    assert "asks for validator 'fixture-validator'" in message


def test_parameter_error_is_an_llmtrends_error():
    assert issubclass(ParameterError, LlmtrendsError) and issubclass(PlanError, LlmtrendsError)
