"""The charts' shared rules: one colour per vendor on every chart, what a pointer shows on each mark,
and a source line that says when its figures rest only on relays or on documents with no known URL."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgb

from llmtrends.facts import datasets
from llmtrends.stories import display, plotting

#: CIE76 distance below which two colours read as the same on a chart.
SAME_COLOUR = 20.0


def _lab(colour) -> np.ndarray:
    rgb = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
    x = (0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2]) / 0.95047
    y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    z = (0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2]) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
    return np.array([116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))])


def vendor_colours() -> dict[str, str]:
    return {e: m["color"] for e, m in datasets.registry().entities.items() if m.get("color")}


def test_no_category_colour_looks_like_a_vendor():
    """'Startups', '2024' or a measure never wear a colour close to a vendor's (the old orange was Anthropic's)."""
    for colour in plotting.CATEGORY_COLORS + [plotting.NEUTRAL]:
        for vendor, theirs in vendor_colours().items():
            distance = float(np.linalg.norm(_lab(colour) - _lab(theirs)))
            assert distance >= SAME_COLOUR, f"{colour} is {distance:.0f} from {vendor}'s {theirs}"


def test_models_products_and_apps_wear_their_vendors_colour():
    colours = plotting.palette(["chatgpt", "anthropic", "volcano_engine", "open_source_models", "other"])
    reg = datasets.registry()
    assert colours["chatgpt"] == reg.entities["openai"]["color"]
    assert colours["volcano_engine"] == reg.entities["bytedance"]["color"]
    assert colours["anthropic"] == reg.entities["anthropic"]["color"]
    assert colours["open_source_models"] in plotting.CATEGORY_COLORS
    assert colours["other"] == plotting.REMAINDER_COLOR
    assert plotting.palette(["openai", "deepseek"])["openai"] == plotting.palette(["deepseek", "openai"])["openai"]


def _svg_of(ax, name="test-chart") -> str:
    return display._svg(ax.figure, name)


def test_each_bar_says_its_value_period_measure_and_source_when_pointed_at():
    figures = datasets.figures()
    spend = figures[(figures["metric"] == "enterprise_llm_api_spend_share") & (figures["period"] == "2025")]
    from llmtrends.stories import analysis
    ax = plotting.share_bars(analysis.share_table(spend), highlight="anthropic")
    svg = _svg_of(ax)
    titles = re.findall(r'<g id="[^"]+" class="lt-mark" data-entity="(\w+)"><title>([^<]+)</title>', svg)
    by_entity = dict(titles)
    assert by_entity["anthropic"] == "Anthropic: 40% · Enterprise LLM API spend share · 2025 · Menlo Ventures, Dec 2025"
    assert {"anthropic", "openai", "google"} <= set(by_entity)
    assert "Not named by the source: 12%" in svg


def test_every_chart_helper_marks_what_it_draws():
    figures = datasets.figures()
    rates = figures[figures["metric"] == "developer_model_usage_rate"]
    from llmtrends.stories import analysis
    drawn = {
        "value_bars": plotting.value_bars(rates),
        "lens_dotplot": plotting.lens_dotplot(analysis.open_source_lenses(figures)),
        "count_bars": plotting.count_bars(analysis.counts(datasets.load("agent_map"), "category").head(4)),
    }
    for name, ax in drawn.items():
        svg = _svg_of(ax, name)
        assert svg.count("<title>") >= 3, f"{name}: every bar or point carries its title"


def test_a_source_line_says_when_figures_rest_only_on_relays_or_on_no_known_url():
    figures = datasets.figures()
    tokens = figures[figures["metric"] == "ai_gateway_token_share"]
    spend = figures[(figures["metric"] == "ai_gateway_spend_share") & (figures["period"] == "2026-04")]
    assert "known only through relays" in plotting.source_line(tokens)
    assert "relays" not in plotting.source_line(spend), "the primary page states the spend shares"
    both = pd.concat([tokens, spend])
    assert "4 of 7 figures known only through relays" in plotting.source_line(both)
    developers = figures[figures["metric"] == "developer_model_usage_rate"]
    assert "no known URL" in plotting.source_line(developers), "the developer survey's only relay has no URL"


def test_a_series_line_stops_at_a_change_of_method_and_the_rule_marks_it():
    figures = datasets.figures()
    spend = figures[(figures["metric"] == "enterprise_llm_api_spend_share") & (figures["entity"] == "anthropic")]
    assert len(spend) == 3  # 2023, 2024, 2025 (Menlo Ventures, Dec 2025)
    brk = {"from": "2025", "what": "a test change of method"}
    ax = plotting.series_lines(spend, highlight="anthropic", breaks=[brk])
    start = pd.Timestamp("2025-01-01")
    joined = [line for line in ax.lines if len(line.get_xdata()) > 1 and line.get_linestyle() != "--"
              and min(map(pd.Timestamp, line.get_xdata())) < start <= max(map(pd.Timestamp, line.get_xdata()))]
    assert joined == []
    assert any(line.get_linestyle() == "--" for line in ax.lines), "a dashed rule marks the break"
    without = plotting.series_lines(spend, highlight="anthropic")
    assert any(len(line.get_xdata()) > 1 and min(map(pd.Timestamp, line.get_xdata())) < start
               <= max(map(pd.Timestamp, line.get_xdata())) for line in without.lines), "without a break, one line"
