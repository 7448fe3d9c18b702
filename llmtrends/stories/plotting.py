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
import matplotlib.ticker
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

from llmtrends.facts import datasets
from llmtrends.stories.analysis import REMAINDER

NEUTRAL = "#9E9E9E"
REMAINDER_COLOR = "#D9D9D9"
CATEGORY_COLORS = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860",
                   "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD"]
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


# --------------------------------------------------------------------------- colours

def palette(entities: Sequence[str]) -> dict[str, str]:
    """A colour per entity id: a vendor's fixed colour, else a category colour.

    Only vendors own a colour, so a vendor looks the same in every chart; models,
    products and categories take category colours in the order given (pass a
    stable order), so two models of one vendor stay distinguishable. The
    remainder is light grey.
    """
    reg = datasets.registry()
    out: dict[str, str] = {}
    spare = iter(CATEGORY_COLORS * 4)
    for e in entities:
        colour = REMAINDER_COLOR if e == REMAINDER else reg.entities.get(e, {}).get("color")
        out[e] = colour or next(spare)
    return out


# --------------------------------------------------------------------------- source line

def source_ids(data: pd.DataFrame) -> list[str]:
    """Source ids a frame rests on, from its ``source_id`` column or ``attrs``, oldest report first."""
    if "source_id" in data.columns:
        ids = []
        for value in data["source_id"].dropna():
            ids += [s for s in str(value).split(";") if s]
        return _by_date(set(ids))
    return list(data.attrs.get("sources", []))


def _by_date(ids) -> list[str]:
    """Source ids in the order their reports were published (undated last, then by id)."""
    from llmtrends.facts import datasets
    known = datasets.registry().sources

    def key(sid: str):
        published = known.get(sid, {}).get("published")
        return (published is None, str(published or ""), sid)
    return sorted(ids, key=key)


def source_line(data: pd.DataFrame) -> str:
    """``'Source: publisher, report (month); method: sample'`` for every source of ``data``."""
    from llmtrends.stories import words
    ids = source_ids(data)
    if not ids:
        raise ValueError("the data carry no source_id: a chart without a source cannot be drawn")
    label = "Source" if len(ids) == 1 else "Sources"
    return f"{label}: " + " | ".join(words.source(s) for s in ids)


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
        ax.barh(y, v, left=left, height=0.98, color=face, edgecolor="white", linewidth=1.0,
                hatch="///" if is_rem else None)
        name = "not named" if is_rem else names.get(e, e)
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
    colours = palette(list(d[color_by])) if color_by in d else {}
    marks = {"approx": "~", "at_least": ">", "at_most": "<", "exact": ""}
    for y, row in enumerate(d.itertuples(index=False)):
        r = row._asdict()
        c = colours.get(r.get(color_by), NEUTRAL)
        face = c if highlight is None or r.get("entity") == highlight else _muted(c)
        ax.barh(y, r["value"], color=face, height=0.7)
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
    metric_colours = dict(zip(d["metric"].unique(), CATEGORY_COLORS))
    for y, r in d.iterrows():
        c = metric_colours[r["metric"]]
        if pd.notna(r.get("value_low")) and pd.notna(r.get("value_high")):
            ax.plot([r["value_low"], r["value_high"]], [y, y], color=c, lw=3, alpha=0.5)
        exact = r["qualifier"] == "exact"
        ax.plot(r["value"], y, marker="o" if exact else "D", color=c, markersize=9,
                markerfacecolor=c if exact else "white", markeredgewidth=2)
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
        ax.plot([0, 1], [r["value_before"], r["value_after"]], marker="o", color=c, lw=2.5)
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
    ax.barh(range(len(d)), d["count"], color=CATEGORY_COLORS[0], height=0.7)
    for y, v in enumerate(d["count"]):
        ax.text(v, y, f" {v}", va="center", fontsize=MIN_FONT)
    ax.set_yticks(range(len(d)), [_wrap(v, 24) for v in d[label]])
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(0, d["count"].max() * 1.2)
    ax.tick_params(axis="y", length=0)
    return _finish(ax, d, title, xlabel)
