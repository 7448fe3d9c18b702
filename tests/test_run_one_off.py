"""``llmtrends run NAME -p KEY VALUE``: one run of the plan with other parameters, checked like the plan."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from llmtrends import cli
from llmtrends.batch.parameters import DeclaredParameter, command_line_value
from llmtrends.batch.plan import Run, one_off

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def no_kernel(monkeypatch):
    """Fail the test if any kernel is started."""
    import llmtrends.batch.execute as execute
    import llmtrends.batch.runner as runner

    def refuse(*args, **kwargs):
        raise AssertionError("a kernel was started")
    monkeypatch.setattr(runner, "prepare_kernel", refuse)
    monkeypatch.setattr(execute, "prepare_kernel", refuse)


@pytest.mark.parametrize("argv,expected", [
    (["vendor-shar", "-p", "highlight_vendor", "openai"], "no run named 'vendor-shar' in the plan (did you mean "
                                                          "'vendor-share'?)"),
    (["vendor-share", "-p", "highlight_vendr", "openai"], "unknown parameter 'highlight_vendr'; did you mean "
                                                          "'highlight_vendor'?"),
    (["vendor-share", "-p", "highlight_vendor", "opnai"], "unknown vendor 'opnai'; did you mean 'openai'?"),
    (["vendor-share", "-p", "periods", "mid-2025"], "parameter 'periods' = 'mid-2025' has type str, expected list"),
    (["-p", "highlight_vendor", "openai"], "-p KEY VALUE needs the run to change"),
    (["vendor-share", "--only", "open-vs-closed"], "either as NAME ('vendor-share') or with --only"),
    (["vendor-share", "-p", "highlight-vendor", "openai"], "a parameter name is a Python name"),
])
def test_a_wrong_name_or_value_is_refused_before_a_kernel_starts(argv, expected, no_kernel, tmp_path, capsys):
    assert cli.main(["run", *argv, "--exports", str(tmp_path)]) == 2
    assert expected in capsys.readouterr().err
    assert not list(tmp_path.glob("*.html"))


def test_a_one_off_run_keeps_the_planned_parameters_and_takes_its_own_name():
    base = Run("vendor-share-coding-openai", REPO / "notebooks" / "vendor_share.ipynb", "Coding",
               {"metric": "enterprise_coding_llm_share", "highlight_vendor": "openai"}, "vendor_share.ipynb")
    run = one_off(base, {"highlight_vendor": "anthropic", "periods": ["2024", "mid-2025"]})
    assert run.parameters == {"metric": "enterprise_coding_llm_share", "highlight_vendor": "anthropic",
                              "periods": ["2024", "mid-2025"]}
    assert run.name == "vendor-share-coding-openai--highlight-vendor-anthropic-periods-2024-mid-2025"
    assert run.notebook == base.notebook and run.notebook_name == base.notebook_name
    long = one_off(base, {"highlight_vendor": "x" * 200})
    assert len(long.name) < 100 and long.name != one_off(base, {"highlight_vendor": "x" * 199}).name
    assert one_off(base, {}) is base


def test_values_typed_on_the_command_line_read_as_the_plan_reads_them():
    text = DeclaredParameter("label", "str", False, "", "''", "")
    assert command_line_value("[enterprise, startup]", None) == ["enterprise", "startup"]
    assert (command_line_value("5", None), command_line_value("0.5", None), command_line_value("false", None)) == \
        (5, 0.5, False)
    assert command_line_value("2024", text) == "2024" and command_line_value("1_000", None) == "1_000"
    assert command_line_value("", None) == ""


@pytest.mark.slow
def test_a_one_off_run_builds_its_exports_beside_the_plans(tmp_path, capsys):
    assert cli.main(["run", "vendor-share", "-p", "highlight_vendor", "openai", "--exports", str(tmp_path),
                     "--jobs", "1"]) == 0
    name = "vendor-share--highlight-vendor-openai"
    assert {p.name for p in tmp_path.glob(f"{name}*")} == {f"{name}.html", f"{name}.analyst.html", f"{name}.ipynb"}
    notebook = json.loads((tmp_path / f"{name}.ipynb").read_text(encoding="utf-8"))
    assert notebook["metadata"]["llmtrends"]["parameters"] == {"highlight_vendor": "openai"}
    assert notebook["metadata"]["llmtrends"]["run"] == name
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert name in json.dumps(manifest) and "vendor-share-coding-openai" in json.dumps(manifest)
    assert "(highlight_vendor = openai)" in (tmp_path / "index.html").read_text(encoding="utf-8")
