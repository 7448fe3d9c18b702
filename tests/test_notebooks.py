"""The three themed notebooks: their contract (clean, parameterized, no logic) and what they show.

The real batch plan is executed once per session (see ``built_reports``); the
tests read the executed notebooks and exports it produced.
"""
from __future__ import annotations

import ast
import base64
import io
import re
from html import unescape

import nbformat
import pandas as pd
import papermill
import pytest

from llmtrends.stories import params
from llmtrends.errors import ParameterError

from .reports_fixture import NOTEBOOKS


def _code_cells(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    return nb, [c for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", ["vendor_share", "open_vs_closed", "agentic_usage"])
def test_notebook_is_committed_clean_and_follows_the_cell_order(name):
    nb, code = _code_cells(name)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "commit without outputs"
    kinds = [c.cell_type for c in nb.cells]
    assert kinds[0] == "markdown" and nb.cells[0].source.startswith("# "), "title and summary first"
    assert "import llmtrends as lt" in nb.cells[1].source, "imports second"
    assert "parameters" in nb.cells[2].metadata.get("tags", []), "the tagged parameters cell third"
    assert sum("parameters" in c.metadata.get("tags", []) for c in nb.cells) == 1
    assert "sources_section" in code[-1].source, "a closing sources section"


@pytest.mark.parametrize("name", ["vendor_share", "open_vs_closed", "agentic_usage"])
def test_notebook_holds_no_definitions_and_types_no_figure(name):
    nb, code = _code_cells(name)
    for cell in code:
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))]
        assert "read_csv" not in cell.source and "open(" not in cell.source
    for cell in nb.cells[1:]:
        if cell.cell_type == "markdown":
            assert not re.search(r"\d", cell.source), f"a figure typed in prose: {cell.source[:80]!r}"


@pytest.mark.parametrize("name", ["vendor_share", "open_vs_closed", "agentic_usage"])
def test_every_parameter_is_documented_and_typed(name):
    declared = papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    assert len(declared) >= 2
    for pname, spec in declared.items():
        assert spec["help"].strip(), f"{pname} has no comment"
        assert spec["inferred_type_name"] != "None", f"{pname} has no type annotation"
    defaults = {k: ast.literal_eval(v["default"]) for k, v in declared.items()}
    params.validate(name, defaults)  # the defaults themselves are valid


@pytest.mark.parametrize("name,override,fragment", [
    ("vendor_share", {"highlight_vendor": "Antropic"}, "parameter 'highlight_vendor': unknown vendor 'Antropic'; did you mean 'anthropic'"),
    ("vendor_share", {"metric": "developer_model_usage_rate"},
     "enterprise_closed_llm_market_share, enterprise_coding_llm_share, enterprise_coding_llm_spend_share, "
     "enterprise_llm_api_spend_share, enterprise_llm_api_usage_share"),
    ("vendor_share", {"periods": ["2026"]}, "unknown period '2026'"),
    ("open_vs_closed", {"lenses": []}, "parameter 'lenses': the selection is empty"),
    ("open_vs_closed", {"flageval_boards": ["text_to_audio"]}, "unknown board 'text_to_audio'"),
    ("agentic_usage", {"agent_map_view": "sector"}, "accepted: both, function, industry"),
    ("agentic_usage", {"top_n_scenarios": "10"}, "parameter 'top_n_scenarios': expected a whole number, got str '10'"),
    ("agentic_usage", {"compute_segment": ["startup"]}, "parameter 'compute_segment' is not a parameter of agentic_usage; did you mean 'compute_segments'"),
])
def test_library_rejects_bad_parameter_values_naming_the_accepted_ones(name, override, fragment):
    declared = papermill.inspect_notebook(str(NOTEBOOKS / f"{name}.ipynb"))
    values = {k: ast.literal_eval(v["default"]) for k, v in declared.items()}
    values.update(override)
    with pytest.raises(ParameterError) as err:
        params.validate(name, values)
    assert fragment in str(err.value)


def test_vendor_spellings_are_normalized():
    out = params.validate("vendor_share", metric="enterprise_llm_api_usage_share", segment="enterprise",
                          highlight_vendor="Claude", periods=[])
    assert out["highlight_vendor"] == "anthropic"


# --------------------------------------------------------------------------- executed reports

def _outputs(nb):
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            yield out


def _texts(nb):
    for out in _outputs(nb):
        html = out.get("data", {}).get("text/html")
        if html:
            yield re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html)))


def _count_charts(nb):
    return sum(len(re.findall(r'<svg [^>]*class="lt-svg"', out.get("data", {}).get("text/html", "")))
               for out in _outputs(nb))


def _source_blocks(nb):
    return [out["data"]["text/html"] for out in _outputs(nb)
            if "lt-chart-source" in out.get("data", {}).get("text/html", "")]


def test_every_run_of_the_plan_succeeded(built_reports):
    assert built_reports.exit_status == 0, "\n".join(str(r.failure) for r in built_reports.results if not r.ok)
    assert len(built_reports.results) >= 6


@pytest.mark.parametrize("run", ["vendor-share", "vendor-share-coding-openai", "open-vs-closed",
                                 "open-vs-closed-openrouter", "agentic-usage", "agentic-usage-enterprise"])
def test_each_chart_has_one_source_line_and_its_data(built_reports, executed, run):
    nb = executed(run)
    blocks = _source_blocks(nb)
    assert _count_charts(nb) == len(blocks) >= 1, "one source line under every chart"
    for block in blocks:
        assert block.count("Source") == 1, "the source is printed once per chart"
        assert 'download="' in block and "data:text/csv;charset=utf-8;base64," in block
    assert not [o for o in _outputs(nb) if o.get("output_type") in ("error", "stream")]


def test_vendor_share_leads_with_who_leads_by_what_measure(executed):
    text = " ".join(_texts(executed("vendor-share")))
    lead = text.split("Key findings", 1)[1][:1600]
    assert lead.lstrip().startswith("Who leads depends on what is counted. Anthropic leads on ")
    assert "Ramp's businesses paying (Jul 2026)" in lead and "Vercel's gateway tokens (Apr 2026)" in lead
    assert "Anthropic passed OpenAI in Apr 2026 (34.4% vs 32.3%" in lead
    assert "By share of spend (Menlo Ventures, Dec 2025), the lead changed hands: OpenAI held 50% in 2023; " \
           "Anthropic leads with 40% in 2025" in text
    assert "the three largest vendors hold 88%; the Herfindahl-Hirschman index is between 2,770 and 2,914" in text
    assert "Data as of Jul 2026" in text


def test_non_default_parameters_change_title_and_sections(executed):
    text = " ".join(_texts(executed("vendor-share-coding-openai")))
    assert "Who supplies code generation" in text and "2023" not in text.split("Key findings")[0]
    assert "Anthropic leads with 54% of coding LLM spend, ahead of OpenAI (21%)" in text
    assert "+0 points" not in text and "How shares changed: Not shown" not in text
    # one vendor named in both periods: its move, not "the largest move" over a one-row table
    assert "Anthropic is the one vendor named in both periods: 42% in mid-2025 to 54% in 2025 (+12 points)" in text
    assert "the largest move" not in text.split("How shares changed", 1)[1].split("How concentrated", 1)[0]
    assert "How concentrated the market is: Not shown" in text
    enterprise = " ".join(_texts(executed("agentic-usage-enterprise")))
    assert "enterprises 29% → 49%" in enterprise and "startups 48%" not in enterprise
    assert "by industry" not in enterprise


def test_open_vs_closed_keeps_lenses_apart(executed):
    text = " ".join(_texts(executed("open-vs-closed")))
    # Menlo Ventures' editions are rows of the lens chart, each naming its measure (usage: workloads; spend)
    for fragment in ("Enterprise AI workloads, end of 2024", "Enterprise AI workloads, mid-2025", "Enterprise LLM spend, 2025",
                     "changed measure from usage to spend", "of all tokens", "9–12 months",
                     "only 1 of the 20 models FlagEval lists on 4 boards is open"):
        assert fragment in text
    assert "about 9-12 months" not in text  # Menlo's own page: "by nine to 12 months" (the relays add 约)


def test_chart_csv_holds_what_the_chart_shows(executed):
    block = next(b for b in _source_blocks(executed("vendor-share")) if 'data-chart="vendor-share-by-edition"' in b)
    payload = base64.b64decode(re.search(r"text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)", block).group(1))
    assert payload.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    frame = pd.read_csv(io.BytesIO(payload), encoding="utf-8-sig")
    assert list(frame.columns[:3]) == ["label", "period", "value"] and "source" in frame.columns
    mid = frame[frame["period"] == "mid-2025"].set_index("label")["value"]
    assert mid.to_dict() == {"Anthropic": 32, "OpenAI": 25, "Google": 20, "Meta": 9, "DeepSeek": 1,
                             "Not named by the source (remainder)": 13}


def test_story_defaults_match_the_notebook_parameters():
    """The landing page tells each run's story with the notebook's own defaults; a story function's
    default agrees with them, or is None where it is resolved from data/lenses.yaml (every lens)."""
    import inspect

    from llmtrends.stories import landing
    for name, story in landing.STORIES.items():
        path = NOTEBOOKS / f"{name}.ipynb"
        declared = papermill.inspect_notebook(str(path))
        defaults = landing.notebook_defaults(path)
        assert set(defaults) == set(declared), name
        signature = inspect.signature(story).parameters
        for pname, spec in declared.items():
            assert defaults[pname] == ast.literal_eval(spec["default"]), f"{name}.{pname}"
            default = signature[pname].default
            if default is None:  # every lens of data/lenses.yaml: the notebook says so with ["all"]
                assert pname == "lenses" and defaults[pname] == ["all"]
                continue
            default = list(default) if isinstance(default, tuple) else default
            assert defaults[pname] == default, f"{name}.{pname}"


def test_chinese_names_render_as_glyphs_not_boxes():
    import warnings

    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    from llmtrends.stories import plotting
    assert plotting.register_fonts(), "the CJK font (mplfonts) is not installed"
    path = font_manager.findfont(font_manager.FontProperties(family=plotting.CJK_FAMILY), fallback_to_default=False)
    assert "NotoSansCJK" in path
    with plotting.theme(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("夸克 豆包 支小助 金山Copilot Pro")
        fig.canvas.draw()
    assert not [w for w in caught if "missing from" in str(w.message)], [str(w.message) for w in caught]
