"""One theme, one vendor palette, a source line under every chart.

Every chart helper takes ``data`` (a tidy frame from :mod:`llmtrends.stories.analysis`
or :func:`llmtrends.load`) and ``ax=None``, draws on ``ax`` (a new figure when
``None``), writes the source line under the chart from the data's own
``source_id`` column, and returns the Axes.

Charts speak English; where a Chinese name reaches a chart (an app or agent
name) it renders with Noto Sans CJK, shipped by the ``mplfonts`` wheel.
"""
from __future__ import annotations

import contextlib
import logging
import textwrap
from pathlib import Path
from typing import Iterator, Sequence

import matplotlib
import matplotlib.colors
import matplotlib.dates
import matplotlib.ticker
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

from llmtrends.facts import datasets
from llmtrends.stories.analysis import REMAINDER
from llmtrends.stories.chart_notes import (  # noqa: F401  (re-exported: lt.plotting.palette ...)
    CATEGORY_COLORS,
    NEUTRAL,
    REMAINDER_COLOR,
    SERIES_EDITIONS_CITED,
    cite,
    citations,
    mark,
    palette,
    source_ids,
    source_line,
    tip,
    vendor_colour,
    weak_provenance,
)

CJK_FAMILY = "Noto Sans CJK SC"

#: Smallest font size in a chart, in points. Charts are drawn about 350 pt
#: wide and shown as SVG at their natural size (1 pt = 1.33 px) on a desktop
#: and scaled to the screen on a phone: 12 pt stays at least 11 px on a
#: 390 px wide phone.
MIN_FONT = 12
#: Width of every chart, in inches (about 350 pt, 470 px at natural size).
CHART_WIDTH = 4.8

#: The project's matplotlib theme, as data. Use with :func:`theme`.
THEME: dict = {
    "figure.figsize": (CHART_WIDTH, 3.2),
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#444444",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": MIN_FONT + 1,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": MIN_FONT,
    "axes.labelcolor": "#333333",
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#E5E5E5",
    "xtick.labelsize": MIN_FONT,
    "ytick.labelsize": MIN_FONT,
    "legend.fontsize": MIN_FONT,
    "legend.frameon": False,
    "font.size": MIN_FONT,
    "font.family": ["DejaVu Sans", CJK_FAMILY],
    "svg.fonttype": "none",
    # names and titles come from the data: "$5 vs $7" or "$\\frac{" are text, never mathematics
    "text.parse_math": False,
    "text.usetex": False,
}

_fonts_ready = False


def register_fonts() -> bool:
    """Make Noto Sans CJK available to matplotlib as a fallback font.

    Returns
    -------
    bool
        True when the CJK font was found (from the ``mplfonts`` package).
    """
    global _fonts_ready
    if _fonts_ready:
        return True
    # the CJK font has no bold face; matplotlib's fallback to regular is fine, its log line is noise
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    try:
        import importlib.util
        spec = importlib.util.find_spec("mplfonts")
        if spec is None or spec.origin is None:
            return False
        font = Path(spec.origin).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
        if not font.exists():
            return False
        font_manager.fontManager.addfont(str(font))
        _fonts_ready = True
    except Exception:  # a missing font must not break a report; glyph tests catch it
        return False
    return True


@contextlib.contextmanager
def theme() -> Iterator[dict]:
    """Context manager applying :data:`THEME` (and the CJK fallback font)."""
    register_fonts()
    with matplotlib.rc_context(THEME):
        yield THEME


def apply_theme() -> None:
    """Apply :data:`THEME` globally (what a notebook calls once after its imports)."""
    register_fonts()
    matplotlib.rcParams.update(THEME)


def add_source_line(ax: plt.Axes, data: pd.DataFrame, width: int = 60) -> None:
    """Write the source line under the chart (inside the figure, so it travels with the image).

    :func:`llmtrends.stories.display.chart` removes it again and prints the source once,
    under the chart, as text.
    """
    text = "\n".join(textwrap.wrap(source_line(data), width))
    below = 40 if ax.get_xlabel() else 24
    artist = ax.annotate(text, xy=(0, 0), xycoords="axes fraction", xytext=(0, -below),
                         textcoords="offset points", ha="left", va="top", fontsize=MIN_FONT,
                         color="#555555", annotation_clip=False)
    ax._llmtrends_source = artist
    ax._llmtrends_data = data  # lets display.chart() find the data behind the chart


def _new_ax(ax: plt.Axes | None, height: float | None = None) -> plt.Axes:
    if ax is not None:
        return ax
    register_fonts()
    with matplotlib.rc_context(THEME):
        fig, ax = plt.subplots(figsize=(THEME["figure.figsize"][0], height or THEME["figure.figsize"][1]))
    return ax


def _finish(ax: plt.Axes, data: pd.DataFrame, title: str | None, xlabel: str | None) -> plt.Axes:
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    add_source_line(ax, data)
    return ax


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _muted(colour: str, amount: float = 0.55) -> tuple:
    """``colour`` mixed with white: how non-highlighted entities are drawn."""
    r, g, b = matplotlib.colors.to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _text_colour(colour) -> str:
    r, g, b = matplotlib.colors.to_rgb(colour)
    return "#1a1a1a" if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else "white"


def _measure(metric: str) -> str:
    """How a share was measured, in two words (for rows of editions that changed their measure)."""
    from llmtrends.stories import words
    return words.measure(metric)


def _pct(v: float) -> str:
    from llmtrends.stories import words
    return words.percent(v)


# --------------------------------------------------------------------------- charts

def share_bars(data: pd.DataFrame, ax: plt.Axes | None = None, highlight: str | None = None,
               title: str | None = None, row_label: str | None = None) -> plt.Axes:
    """One 100% bar per snapshot, split by entity, every segment labelled directly.

    Segments of 14% or more carry their name and value inside; smaller ones
    are named in a line under their bar, so a 1% segment is never anonymous.
    The unallocated remainder is hatched grey ("not named"). The highlighted
    entity keeps its full colour and a bold label while the others are
    lightened. When the frame holds several metrics (a change of definition
    between editions) a rule and a note mark where the measure changes.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`llmtrends.stories.analysis.share_table` (or several concatenated,
        one per metric, in time order).
    ax : matplotlib.axes.Axes, optional
    highlight : str, optional
        Entity id to make stand out.
    title : str, optional
    row_label : str, optional
        Column holding each row's label; default: period and source in words.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from llmtrends.stories.analysis import snapshots
    periods = snapshots(data) if hasattr(data["snapshot"], "cat") else list(dict.fromkeys(data["snapshot"]))
    line = 0.45  # one line of text, in y units (0.4 inch each)
    ax = _new_ax(ax, height=0.7 + 1.05 * len(periods))
    named = [e for e in data.sort_values("value", ascending=False)["entity"].unique() if e != REMAINDER]
    colours = palette(named + [REMAINDER])
    names = data.drop_duplicates("entity").set_index("entity")["entity_name"].to_dict()
    previous_metric = None
    mixed = "metric" in data and data["metric"].nunique() > 1
    cursor = 0.0
    for snap in periods:
        p = data[data["snapshot"] == snap].set_index("entity")
        metric = p["metric"].iloc[0] if "metric" in p else None
        if previous_metric is not None and metric != previous_metric:
            ax.axhline(cursor - 0.12, color="#333333", lw=1.4, ls=(0, (4, 3)))
            cursor += 0.12
        previous_metric = metric
        y = cursor + line + 0.58
        order = [e for e in named if e in p.index] + ([REMAINDER] if REMAINDER in p.index else [])
        small = _draw_share_bar(ax, p, order, y, colours, names, highlight)
        bottom = y + 0.49
        if small:
            text = _wrap(" · ".join(small), 46)
            ax.text(0, bottom + 0.05, text, ha="left", va="top", linespacing=1.15, fontsize=MIN_FONT, color="#333333")
            bottom += 0.08 + line * (text.count("\n") + 1)
        label = _share_row_label(p, row_label, mixed, metric)
        ax.text(0, y - 0.56, label, ha="left", va="bottom", fontsize=MIN_FONT, fontweight="bold", color="#1f2328")
        cursor = bottom + 0.35
    ax.set_yticks([])
    ax.set_ylim(cursor, 0)
    fig = ax.figure
    fig.set_size_inches(fig.get_size_inches()[0], 0.45 + cursor * 0.4 / 0.77)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.grid(False)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return _finish(ax, data, title, None)


def _draw_share_bar(ax: plt.Axes, p: pd.DataFrame, order: list[str], y: float, colours: dict, names: dict,
                    highlight: str | None) -> list[str]:
    """One snapshot's 100% bar at ``y``; returns the labels too small to sit inside their segment."""
    left = 0.0
    small = []
    for e in order:
        v = float(p.loc[e, "value"])
        is_rem = e == REMAINDER
        base = colours[e]
        face = base if (highlight is None or e == highlight or is_rem) else _muted(base)
        bar = ax.barh(y, v, left=left, height=0.98, color=face, edgecolor="white", linewidth=1.0,
                      hatch="///" if is_rem else None)
        name = "not named" if is_rem else names.get(e, e)
        row = p.loc[e].to_dict()
        mark(ax, bar.patches[0], tip(row, "Not named by the source" if is_rem else name), None if is_rem else e)
        weight = "bold" if e == highlight else "normal"
        inside_name = v >= 6 + 3.2 * len(name)  # the name fits in the segment
        if v >= 11:
            ax.text(left + v / 2, y, f"{name}\n{_pct(v)}" if inside_name else _pct(v), ha="center",
                    va="center", fontsize=MIN_FONT, color="#333333" if is_rem else _text_colour(face),
                    fontweight=weight, linespacing=1.0)
            if not inside_name:
                small.append(f"{name} {_pct(v)}")
        elif v > 0:
            small.append(f"{name} {_pct(v)}")
        left += v
    return small


def _share_row_label(p: pd.DataFrame, row_label: str | None, mixed: bool, metric: str | None) -> str:
    """A bar's label: the ``row_label`` column, else its period (and measure, when editions changed it) and report month."""
    from llmtrends.stories import words
    if row_label and row_label in p:
        return str(p[row_label].iloc[0])
    source = p["source_id"].iloc[0]
    published = words.month(datasets.registry().sources.get(source, {}).get("published"))
    label = words.period(p["period"].iloc[0])
    if mixed:
        label += f", {_measure(metric)}"
    return label + (f" · {published} report" if published else "")


def value_bars(data: pd.DataFrame, ax: plt.Axes | None = None, label: str = "entity_name",
               highlight: str | None = None, title: str | None = None, xlabel: str | None = None,
               color_by: str = "entity", order: str = "value", label_lines: int | None = None) -> plt.Axes:
    """Horizontal bars of one metric, largest on top, each value written at its bar end.

    Approximate values are marked '~', bounds '>' / '<'; ranges are drawn as a
    line between both ends. The highlighted entity keeps its colour, the others
    are lightened. Use for multi-answer rates (which never sum to 100) and for
    single shares of different entities. ``order="given"`` keeps the rows in
    the order of ``data`` (top to bottom), e.g. editions in time order. ``label_lines`` gives each
    row name that many lines of 24 characters (and each row the height they need): a lens named by its
    measure, population and period.
    """
    d = data.sort_values("value", ascending=True) if order == "value" else data.iloc[::-1]
    ax = _new_ax(ax, height=0.8 + max(0.42, 0.22 * (label_lines or 2)) * len(d))
    colours = palette(list(d[color_by])[::-1]) if color_by in d else {}
    marks = {"approx": "~", "at_least": ">", "at_most": "<", "exact": ""}
    for y, row in enumerate(d.itertuples(index=False)):
        r = row._asdict()
        c = colours.get(r.get(color_by), NEUTRAL)
        face = c if highlight is None or r.get("entity") == highlight else _muted(c)
        bar = ax.barh(y, r["value"], color=face, height=0.7)
        mark(ax, bar.patches[0], tip(r, str(r.get(label, ""))), r.get("entity"))
        if pd.notna(r.get("value_low")) and pd.notna(r.get("value_high")):
            ax.plot([r["value_low"], r["value_high"]], [y, y], color="#222222", lw=1.2)
        unit = "%" if r.get("unit") == "percent" else ""
        from llmtrends.stories import words
        ax.text(r["value"], y, f" {marks.get(r.get('qualifier', 'exact'), '')}{words.number(r['value'])}{unit}",
                va="center", fontsize=MIN_FONT, fontweight="bold" if r.get("entity") == highlight else "normal")
    chars, width = (22, 40) if label_lines is None else (24, 24 * label_lines)
    ax.set_yticks(range(len(d)), [_wrap(textwrap.shorten(str(v), width), chars) for v in d[label]])
    ax.set_xlim(0, max(d["value_high"].max() if "value_high" in d and d["value_high"].notna().any() else 0,
                       d["value"].max()) * 1.3)
    ax.tick_params(axis="y", length=0)
    if d["unit"].eq("percent").all() if "unit" in d else False:
        ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
    return _finish(ax, d, title, xlabel)


def lens_dotplot(data: pd.DataFrame, ax: plt.Axes | None = None, title: str | None = None,
                 label: str = "label") -> plt.Axes:
    """Different measures of one topic on separate rows - compared, never added.

    Each row is one figure, named in full above its dot (so long names fit a
    phone); a range or approximate value is drawn as an interval and an open
    marker. Rows of different metrics are separated by a rule.
    """
    from llmtrends.stories import words
    d = data.reset_index(drop=True)
    # a row holds a two-line name above its dot: 1.1 in a row keeps the name clear of the row above
    ax = _new_ax(ax, height=0.8 + 1.1 * len(d))
    # rows of one metric share a colour; metrics are told apart by the rule between them, so colours may repeat
    metric_colours = {m: CATEGORY_COLORS[i % len(CATEGORY_COLORS)] for i, m in enumerate(d["metric"].unique())}
    for y, r in d.iterrows():
        c = metric_colours[r["metric"]]
        if pd.notna(r.get("value_low")) and pd.notna(r.get("value_high")):
            ax.plot([r["value_low"], r["value_high"]], [y, y], color=c, lw=3, alpha=0.5)
        exact = r["qualifier"] == "exact"
        dot, = ax.plot(r["value"], y, marker="o" if exact else "D", color=c, markersize=9,
                       markerfacecolor=c if exact else "white", markeredgewidth=2)
        mark(ax, dot, tip(r, str(r[label])), r.get("entity"))
        prefix = {"approx": "~", "at_least": ">", "at_most": "<"}.get(r["qualifier"], "")
        ax.text(r["value"] + 2.5, y, f"{prefix}{words.number(r['value'])}%", va="center", fontsize=MIN_FONT,
                fontweight="bold")
        ax.text(0, y - 0.22, _wrap(textwrap.shorten(str(r[label]), 90), 44), va="bottom", ha="left", fontsize=MIN_FONT,
                color="#333333", zorder=3,
                bbox=dict(facecolor="white", edgecolor="none", pad=1.5))  # grid lines never run through a name
        if y > 0 and d.loc[y - 1, "metric"] != r["metric"]:
            ax.axhline(y - 0.8, color="#BBBBBB", lw=0.8)
    ax.set_yticks([])
    ax.set_ylim(len(d) - 0.4, -0.85)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.spines["left"].set_visible(False)
    return _finish(ax, d, title, None)


def slope(data: pd.DataFrame, ax: plt.Axes | None = None, label: str = "segment", title: str | None = None,
          ylabel: str | None = None) -> plt.Axes:
    """Before/after lines per group, from :func:`llmtrends.stories.analysis.before_after`, labelled at both ends."""
    from llmtrends.stories import words
    ax = _new_ax(ax, height=3.4)
    for i, r in data.reset_index(drop=True).iterrows():
        c = CATEGORY_COLORS[i % len(CATEGORY_COLORS)]
        line, = ax.plot([0, 1], [r["value_before"], r["value_after"]], marker="o", color=c, lw=2.5)
        mark(ax, line, f"{r[label]}: {words.percent(r['value_before'])} ({words.period(r['period_before'])}), "
                       f"{words.percent(r['value_after'])} ({words.period(r['period_after'])}) · "
                       f"{words.sources_short(str(r['source_id']).split(';'))}")
        ax.text(-0.06, r["value_before"], words.percent(r["value_before"]), ha="right", va="center",
                fontsize=MIN_FONT)
        ax.text(1.06, r["value_after"], f"{words.percent(r['value_after'])} {r[label]}", ha="left",
                va="center", fontsize=MIN_FONT, color=c, fontweight="bold")
    before = " / ".join(words.period(p) for p in dict.fromkeys(data["period_before"]))
    after = " / ".join(words.period(p) for p in dict.fromkeys(data["period_after"]))
    ax.set_xticks([0, 1], [before, after])
    ax.set_xlim(-0.4, 1.9)
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
    ax.set_yticks([0, 50, 100])
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(axis="y")
    ax.grid(axis="x", visible=False)
    return _finish(ax, data, title, None)


def count_bars(data: pd.DataFrame, ax: plt.Axes | None = None, label: str = "category",
               title: str | None = None, xlabel: str = "count") -> plt.Axes:
    """Horizontal bars of counts (from :func:`llmtrends.stories.analysis.counts`), each count written at its bar end."""
    d = data.sort_values("count")
    ax = _new_ax(ax, height=0.8 + 0.42 * len(d))
    bars = ax.barh(range(len(d)), d["count"], color=NEUTRAL, height=0.7)
    from llmtrends.stories import words
    for y, (v, name, sid) in enumerate(zip(d["count"], d[label], d["source_id"])):
        ax.text(v, y, f" {v}", va="center", fontsize=MIN_FONT)
        mark(ax, bars.patches[y], f"{name}: {v} · {xlabel} · {words.sources_short(str(sid).split(';'))}")
    ax.set_yticks(range(len(d)), [_wrap(v, 24) for v in d[label]])
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(0, d["count"].max() * 1.2)
    ax.tick_params(axis="y", length=0)
    return _finish(ax, d, title, xlabel)


def series_lines(data: pd.DataFrame, ax: plt.Axes | None = None, highlight: str | None = None,
                 title: str | None = None, breaks: Sequence[dict] = (), ylabel: str | None = None) -> plt.Axes:
    """One lens over time: a line per entity within each run of one method, never across a break.

    The runs come from :func:`llmtrends.facts.lenses.segments` (one per measure, one per method);
    a dashed rule marks where each ``break`` starts, with what changed. Every point is marked
    (an approximate value or a bound as an open marker) and names its value, period, edition and source.

    Parameters
    ----------
    data : pandas.DataFrame
        Figures of one lens (:func:`llmtrends.facts.lenses.lens_rows`), one row per entity and period.
    highlight : str, optional
        Entity id drawn in full colour and bold; the others are lightened.
    breaks : sequence of dict
        The lens's ``breaks`` (``from``, ``what``).
    """
    from llmtrends.facts.lenses import segments
    from llmtrends.stories import words
    ax = _new_ax(ax, height=3.6)
    d = data.assign(_x=pd.to_datetime(data["period_start"]) + (pd.to_datetime(data["period_end"])
                                                                 - pd.to_datetime(data["period_start"])) / 2)
    order = list(d.sort_values(["period_end", "value"], ascending=[False, False])["entity"].unique())
    colours = palette(order)
    for run in segments(d, {"lens": "chart", "breaks": list(breaks)}):
        for entity, points in run.groupby("entity", sort=False):
            c = colours[entity]  # few lines, each a vendor's: every one keeps its colour, the followed one is thicker
            width = 3.2 if entity == highlight else 1.8
            for (_, a), (_, b) in zip(points.iloc[:-1].iterrows(), points.iloc[1:].iterrows()):
                gap = (b["period_start"] - a["period_end"]).days > 7  # a period without a figure: dotted, thinner
                ax.plot([a["_x"], b["_x"]], [a["value"], b["value"]], color=c, zorder=2,
                        lw=1.2 if gap else width, ls=(0, (1, 2.5)) if gap else "-")
            for _, r in points.iterrows():
                exact = r["qualifier"] == "exact"
                dot, = ax.plot([r["_x"]], [r["value"]], marker="o", markersize=7, color=c, zorder=3,
                               markerfacecolor=c if exact else "white", markeredgewidth=2)
                mark(ax, dot, tip(r) + _edition_words(r), entity)
    top = float(d["value"].max()) * 1.25
    top = max(top, 10.0) if (d["unit"] == "percent").all() else (top or 1.0)
    ax.set_ylim(0, top)
    _label_line_ends(ax, d, colours, highlight)
    for brk in breaks:
        start = pd.Timestamp(parse_period_start(str(brk["from"])))
        ax.axvline(start - pd.Timedelta(days=15), color="#333333", lw=1.3, ls=(0, (4, 3)), zorder=1)
        ax.text(start - pd.Timedelta(days=12), top * 0.98, _wrap(f"New method from {words.period(brk['from'])}", 14),
                ha="left", va="top", fontsize=MIN_FONT, color="#333333")
    ax.set_ylim(0, top)
    if (d["unit"] == "percent").all():
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
    span = (d["_x"].max() - d["_x"].min()) or pd.Timedelta(days=60)
    ax.set_xlim(d["_x"].min() - span * 0.04, d["_x"].max() + span * 0.32)
    locator = matplotlib.dates.AutoDateLocator(minticks=3, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator, show_offset=False))
    ax.grid(axis="y")
    ax.grid(axis="x", visible=False)
    if ylabel:
        ax.set_ylabel(ylabel)
    return _finish(ax, data, title, None)


def parse_period_start(label: str):
    from llmtrends.facts.periods import parse_period
    return parse_period(label)[0]


def _edition_words(row) -> str:
    from llmtrends.stories import words
    published = datasets.registry().sources.get(row.get("source_id"), {}).get("published")
    return f" · {words.month(published)} edition" if published else ""


def _label_line_ends(ax: plt.Axes, d: pd.DataFrame, colours: dict, highlight: str | None) -> None:
    """Each entity's name and last value at its last point, nudged apart so that no two labels overlap."""
    from llmtrends.stories import words
    last = d.sort_values("period_end").groupby("entity", sort=False).tail(1).sort_values("value")
    ends, floor = [], None
    gap = ax.get_ylim()[1] * 0.075  # one line of text on a 3.6 inch chart
    for _, r in last.iterrows():
        y = float(r["value"]) if floor is None else max(float(r["value"]), floor + gap)
        ends.append((r, y))
        floor = y
    for r, y in ends:
        bold = "bold" if r["entity"] == highlight else "normal"
        ax.text(r["_x"] + pd.Timedelta(days=12), y, f"{r['entity_name']} {words.row_value(r)}", va="center",
                ha="left", fontsize=MIN_FONT, color="#1f2328", fontweight=bold)


def lens_bars(data: pd.DataFrame, ax: plt.Axes | None = None, highlight: str | None = None,
              title: str | None = None) -> plt.Axes:
    """The lenses side by side: for each, its leaders as bars in their vendors' colours, never added up.

    Each lens is a block: its measure, population and latest period above, then up to three
    bars (leader first), each labelled with its name and value. Percent lenses share a 0-100%
    scale; a lens counted in another unit (tokens a week) is scaled to its own largest value and
    says its unit in the label. A rule separates lenses: they count different things.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per lens and entity: ``lens``, ``lens_label`` (the block's heading), ``entity``,
        ``entity_name``, ``value``, ``unit``, ``qualifier``, ``period``, ``metric``, ``source_id``,
        in block order, leader first within each lens.
    highlight : str, optional
        Vendor id whose bars (and its models' and apps') keep their full colour.
    """
    from llmtrends.stories import words
    lenses = list(dict.fromkeys(data["lens"]))
    ax = _new_ax(ax)
    colours = palette(list(dict.fromkeys(data["entity"])))
    y = 0.0
    for i, lens in enumerate(lenses):
        block = data[data["lens"] == lens].head(3)
        heading = _wrap(block["lens_label"].iloc[0], 44)
        if i:
            ax.axhline(y - 0.25, color="#BBBBBB", lw=0.8)
        ax.text(0, y, heading, ha="left", va="top", fontsize=MIN_FONT, fontweight="bold", color="#1f2328")
        y += 0.95 * (heading.count("\n") + 1) + 0.15
        scale = 100.0 if (block["unit"] == "percent").all() else float(block["value"].max()) / 0.7 or 1.0
        for _, r in block.iterrows():
            vendor = r.get("vendor") if isinstance(r.get("vendor"), str) else r["entity"]
            mine = highlight is None or highlight in (r["entity"], vendor)
            c = colours[r["entity"]] if mine else _muted(colours[r["entity"]])
            width = 100.0 * float(r["value"]) / scale
            bar = ax.barh(y + 0.35, width, height=0.8, color=c, edgecolor="white")
            mark(ax, bar.patches[0], tip(r), r["entity"])
            inside = width > 55
            ax.text(width - 1.2 if inside else width + 1.2, y + 0.35, f"{r['entity_name']} {words.row_value(r)}",
                    va="center", ha="right" if inside else "left", fontsize=MIN_FONT,
                    fontweight="bold" if highlight is not None and mine else "normal",
                    color=_text_colour(c) if inside else "#1f2328")
            y += 1.0
        y += 0.45
    ax.set_ylim(y, -0.2)
    fig = ax.figure
    fig.set_size_inches(fig.get_size_inches()[0], 0.3 + y * 0.27)
    ax.set_xlim(0, 100)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.grid(False)
    return _finish(ax, data, title, None)
