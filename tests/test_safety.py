"""Exports that are safe to forward, and parameters from outside rejected before any kernel starts."""
from __future__ import annotations

import re
import textwrap

import papermill
import pytest

from llmtrends.batch import load_plan, run_batch

from .reports_fixture import NOTEBOOKS, REPO
from .test_runner import run_cli

EVIL_NAME = "<script>alert(1)</script>Anthropic"
EVIL_PUBLISHER = "Menlo <img src=x onerror=alert(2)> Ventures"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"
                       r"|\b\d{1,2} [A-Z][a-z]{2} \d{4}(, \d\d:\d\d UTC)?")  # and as people write them ("Built 6 Dec 2026")


def _plan(folder, runs: str):
    path = folder / "reports.yaml"
    path.write_text(textwrap.dedent(runs), encoding="utf-8")
    return path


def _copy_notebook(folder, name):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes((NOTEBOOKS / name).read_bytes())


@pytest.mark.slow
def test_markup_in_the_data_reaches_every_export_as_text(data_copy, tmp_path):
    vocab = data_copy / "vocabulary.yaml"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace("    name: Anthropic\n", f'    name: "{EVIL_NAME}"\n', 1),
                     encoding="utf-8")
    sources = data_copy / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "    publisher: Menlo Ventures\n    title: 2025 Mid-Year", f'    publisher: "{EVIL_PUBLISHER}"\n    title: 2025 Mid-Year', 1),
        encoding="utf-8")
    plan_dir = tmp_path / "plan"
    _copy_notebook(plan_dir, "vendor_share.ipynb")
    plan = _plan(plan_dir, """\
        reports:
          - name: evil
            notebook: vendor_share.ipynb
            title: "<script>alert('title')</script> shares"
            parameters: {}
        """)
    exports = tmp_path / "exports"
    result = run_batch(load_plan(plan), exports_dir=exports, jobs=1, emit=lambda line: None)
    assert result.exit_status == 0, [str(r.failure) for r in result.results]
    pages = {p.name: p.read_text(encoding="utf-8") for p in exports.glob("*.html")}
    assert set(pages) >= {"evil.html", "evil.analyst.html", "index.html", "catalog.html"}
    for name, page in pages.items():
        assert "<script>alert" not in page, name
        assert "<img src=x onerror" not in page and "<img src=\"x\" onerror" not in page, name
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Anthropic" in pages["evil.html"]  # shown, as text
    assert "onerror=alert(2)&gt; Ventures" in pages["index.html"]
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt; shares" in pages["index.html"]


@pytest.mark.slow
def test_exports_of_the_same_inputs_differ_only_in_generation_time(built_reports, tmp_path):
    exports = tmp_path / "again"
    plan = [run for run in load_plan(REPO / "notebooks" / "reports.yaml") if run.name == "vendor-share"]
    assert run_batch(plan, exports_dir=exports, jobs=1, emit=lambda line: None).exit_status == 0
    for suffix in (".html", ".analyst.html", ".ipynb"):
        first = (built_reports.exports_dir / f"vendor-share{suffix}").read_text(encoding="utf-8")
        second = (exports / f"vendor-share{suffix}").read_text(encoding="utf-8")
        assert TIMESTAMP.sub("<time>", first) == TIMESTAMP.sub("<time>", second), suffix


@pytest.mark.slow
def test_a_direct_papermill_run_rejects_a_bad_value_with_the_accepted_ones(tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as err:
        papermill.execute_notebook(str(NOTEBOOKS / "vendor_share.ipynb"), str(tmp_path / "out.ipynb"),
                                   parameters={"highlight_vendor": "Antropic"}, progress_bar=False,
                                   cwd=str(NOTEBOOKS))
    assert err.value.ename == "ParameterError"
    assert "parameter 'highlight_vendor': unknown vendor 'Antropic'; did you mean 'anthropic'" in err.value.evalue
    accepted = err.value.evalue.split("accepted: ", 1)[1].split(", ")
    # every vendor a vendor-share lens names, as a vendor (ChatGPT counts as OpenAI): never a model, app or group
    assert {"anthropic", "openai", "google", "alibaba", "bytedance"} <= set(accepted)
    assert not {"chatgpt", "chinese_models", "us_models", "qwen"} & set(accepted)
    assert accepted == sorted(accepted)


@pytest.mark.parametrize("parameters,fragment", [
    ("{top_n_scenarios: ten}", "top_n_scenarios"),
    ("{top_n: 5}", "unknown parameter 'top_n'"),
    ("{agent_map_view: sector}", "unknown view 'sector'"),
    ("{compute_segments: []}", "parameter 'compute_segments': the selection is empty"),
    ("{compute_segments: [consumers]}", "unknown segment 'consumers'"),
])
def test_the_runner_rejects_bad_parameters_before_any_kernel_starts(tmp_path, parameters, fragment):
    plan_dir = tmp_path / "plan"
    _copy_notebook(plan_dir, "agentic_usage.ipynb")
    plan = _plan(plan_dir, f"""\
        reports:
          - name: agentic
            notebook: agentic_usage.ipynb
            title: Agentic
            parameters: {parameters}
        """)
    exports = tmp_path / "exports"
    status, out, err = run_cli("run", "--plan", str(plan), "--exports", str(exports))
    assert status == 2
    assert "agentic" in err and fragment in err
    assert "start agentic" not in out
    assert not exports.exists() or not [p for p in exports.iterdir() if not p.name.startswith(".")]
