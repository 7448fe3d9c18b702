"""notebooks/explore.ipynb: the analyst's questions, each in at most three lines of public API, executed."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "explore.ipynb"


def _questions(nb):
    """(heading, code) for every '## ' question section."""
    out = []
    for i, cell in enumerate(nb.cells[:-1]):
        if cell.cell_type == "markdown" and cell.source.startswith("## ") and nb.cells[i + 1].cell_type == "code":
            out.append((cell.source.splitlines()[0][3:], nb.cells[i + 1]))
    return [(h, c) for h, c in out if h != "Sources"]


def test_explore_is_committed_clean_parameterized_and_holds_no_logic():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit without outputs"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert "import llmtrends as lt" in nb.cells[1].source
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    assert "parameters" in nb.cells[2].metadata.get("tags", [])
    for cell in code:
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
    assert nb.metadata.kernelspec.name == "llmtrends"


def test_each_question_is_answered_in_at_most_three_lines_of_the_public_api():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    questions = _questions(nb)
    assert len(questions) >= 6
    for heading, cell in questions:
        lines = [ln for ln in cell.source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        assert 1 <= len(lines) <= 3, f"{heading!r} takes {len(lines)} lines"
        assert "lt." in cell.source and "import" not in cell.source, heading
    assert "explore" not in (REPO / "notebooks" / "reports.yaml").read_text(encoding="utf-8"), "not in the batch"


def _text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", "") if isinstance(out.get("text", ""), str) else "".join(out["text"]))
        data = out.get("data", {})
        parts.append(data.get("text/plain", "") if isinstance(data.get("text/plain", ""), str)
                     else "".join(data["text/plain"]))
    return "\n".join(parts)


@pytest.mark.slow
def test_explore_runs_and_answers_its_questions(tmp_path):
    import papermill
    from jupyter_client.kernelspec import KernelSpecManager

    import llmtrends as lt
    kernel = "llmtrends" if "llmtrends" in KernelSpecManager().find_kernel_specs() else "python3"
    export_dir = tmp_path / "package"
    nb = papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "explore.ipynb"), kernel_name=kernel,
                                    parameters={"export_dir": str(export_dir)}, progress_bar=False,
                                    cwd=str(tmp_path))
    answers = {heading: _text(cell) for heading, cell in _questions(nb)}
    declared = [entry["id"] for entry in yaml.safe_load((REPO / "data" / "disagreements.yaml").read_text("utf-8"))]
    assert declared and all(d[:40] in answers["Which figures disagree?"] for d in declared)  # pandas cuts long cells
    about = answers["Everything about one entity"]
    assert "DeepSeek" in about and "reasoning_models" in about
    national = answers["Everything about one country"]
    assert "agent_map" in national and "vendor_share" in national
    series = answers["Share by vendor over time"]
    wide = lt.timeseries("enterprise_llm_api_usage_share")
    assert all(str(column) in series for column in wide.columns) and "mid-2025" in series
    origin = answers["Where does a number come from?"]
    figs = lt.figures()
    largest = figs[figs["metric"] == "enterprise_llm_api_usage_share"].nlargest(1, "value").iloc[0]
    assert lt.citation(largest["source_id"]) in origin
    assert all(doc in origin for doc in largest["docs"])
    descriptor = json.loads((export_dir / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in descriptor["resources"]} >= {"figures.parquet", "observations.parquet"}
    assert "category" in answers["Everything as Parquet"] and "boolean" in answers["Everything as Parquet"]
    version = answers["Which version of the data is this?"]
    assert lt.__version__ in version and str(lt.data_version()) in version
    assert lt.whats_new() in answers["What changed since the last release?"].replace("\n", " ") or \
        lt.whats_new()[:60] in answers["What changed since the last release?"]
    vendor = answers["One vendor's figures"]
    claude = lt.figures(entity="Claude", theme="vendor_share")
    assert "Anthropic" in vendor and f"[{len(claude)} rows x {claude.shape[1]} columns]" in vendor
    assert set(claude["entity_name"]) == {"Anthropic"}
    charted = [cell for heading, cell in _questions(nb) if heading == "Vendor shares in a chart"][0]
    assert any("image/png" in out.get("data", {}) for out in charted.outputs)
    mentions = answers["Who else mentions it?"]
    assert "quote" in mentions and "DeepSeek" not in mentions.split("\n")[1]
