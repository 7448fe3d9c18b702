"""One theme, one vendor palette, a source line under every chart.

Every chart helper takes ``data`` (a tidy frame from :mod:`llmtrends.analysis`
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
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

from . import datasets
from .analysis import REMAINDER

NEUTRAL = "#9E9E9E"
REMAINDER_COLOR = "#D9D9D9"
CATEGORY_COLORS = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860",
                   "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD"]
CJK_FAMILY = "Noto Sans CJK SC"

#: The project's matplotlib theme, as data. Use with :func:`theme`.
THEME: dict = {
    "figure.figsize": (8.0, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": "#444444",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.grid": True,
    "axes.grid.axis": "x",
    "grid.color": "#E5E5E5",
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "font.family": ["DejaVu Sans", CJK_FAMILY],
    "svg.fonttype": "none",
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
    """Source ids a frame rests on, from its ``source_id`` column or ``attrs``."""
    if "source_id" in data.columns:
        ids = []
        for value in data["source_id"].dropna():
            ids += [s for s in str(value).split(";") if s]
        return sorted(set(ids))
    return list(data.attrs.get("sources", []))


def source_line(data: pd.DataFrame) -> str:
    """``'Source: publisher, report (date); method: sample'`` for every source of ``data``."""
    ids = source_ids(data)
    if not ids:
        raise ValueError("the data carry no source_id: a chart without a source cannot be drawn")
    label = "Source" if len(ids) == 1 else "Sources"
    return f"{label}: " + " | ".join(datasets.citation(s) for s in ids)


def add_source_line(ax: plt.Axes, data: pd.DataFrame, width: int = 120) -> None:
    """Write the source line under the chart (inside the figure, so it travels with the image)."""
    text = "\n".join(textwrap.wrap(source_line(data), width))
    below = 34 if ax.get_xlabel() else 22
    if ax.get_legend() is not None and getattr(ax.get_legend(), "_llmtrends_below", False):
        below += 22
    ax.annotate(text, xy=(0, 0), xycoords="axes fraction", xytext=(0, -below), textcoords="offset points",
                ha="left", va="top", fontsize=7, color="#555555", annotation_clip=False)
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


# --------------------------------------------------------------------------- charts

def share_bars(data: pd.DataFrame, ax: plt.Axes | None = None, highlight: str | None = None,
               title: str | None = None) -> plt.Axes:
    """One 100% bar per period, split by entity, the unallocated remainder in grey.

    Parameters
    ----------
    data : pandas.DataFrame
        Output of :func:`llmtrends.analysis.share_table` (one share metric).
    ax : matplotlib.axes.Axes, optional
    highlight : str, optional
        Entity id drawn with a black outline and its value in bold.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from .analysis import snapshots
    periods = snapshots(data)
    ax = _new_ax(ax, height=1.6 + 0.7 * len(periods))
    named = [e for e in data.sort_values("value", ascending=False)["entity"].unique() if e != REMAINDER]
    colours = palette(named + [REMAINDER])
    names = data.drop_duplicates("entity").set_index("entity")["entity_name"].to_dict()
    for y, period in enumerate(periods):
        p = data[data["snapshot"] == period].set_index("entity")
        left = 0.0
        for e in [e for e in named if e in p.index] + ([REMAINDER] if REMAINDER in p.index else []):
            v = float(p.loc[e, "value"])
            is_rem = e == REMAINDER
            ax.barh(y, v, left=left, color=colours[e], edgecolor="black" if e == highlight else "white",
                    linewidth=1.6 if e == highlight else 0.8, hatch="///" if is_rem else None,
                    label=names.get(e, e) if y == 0 or e not in ax.get_legend_handles_labels()[1] else None)
            if v >= 5:
                label = f"{'?' if is_rem else names.get(e, e)}\n{v:g}%" if v >= 12 else f"{v:g}%"
                ax.text(left + v / 2, y, label, ha="center", va="center", fontsize=8,
                        color="#333333" if is_rem else "white",
                        fontweight="bold" if e == highlight else "normal")
            left += v
    handles, labels = ax.get_legend_handles_labels()
    seen = {}
    for h, lab in zip(handles, labels):
        seen.setdefault(lab, h)
    seen = {("Unallocated (not reported by the source)" if k == "Unallocated" else k): v for k, v in seen.items()}
    ax.legend(seen.values(), seen.keys(), loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_yticks(range(len(periods)), [p.replace(" (", "\n(") for p in periods])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.grid(False)
    return _finish(ax, data, title, "share (%)")


def value_bars(data: pd.DataFrame, ax: plt.Axes | None = None, label: str = "entity_name",
               highlight: str | None = None, title: str | None = None, xlabel: str | None = None,
               color_by: str = "entity") -> plt.Axes:
    """Horizontal bars of one metric, largest first; approximate values marked '~', bounds '>'/'<'.

    Use for multi-answer rates (which never sum to 100) and for single shares
    of different entities. Ranges are drawn as a bar to the midpoint with an
    error line to both ends.
    """
    d = data.sort_values("value", ascending=True)
    ax = _new_ax(ax, height=1.2 + 0.38 * len(d))
    colours = palette(list(d[color_by])) if color_by in d else {}
    marks = {"approx": "~", "at_least": ">", "at_most": "<", "exact": ""}
    for y, row in enumerate(d.itertuples(index=False)):
        r = row._asdict()
        c = colours.get(r.get(color_by), NEUTRAL)
        ax.barh(y, r["value"], color=c, edgecolor="black" if r.get("entity") == highlight else "none",
                linewidth=1.5)
        if pd.notna(r.get("value_low")) and pd.notna(r.get("value_high")):
            ax.plot([r["value_low"], r["value_high"]], [y, y], color="#222222", lw=1.2)
        unit = "%" if r.get("unit") == "percent" else ""
        ax.text(r["value"], y, f" {marks.get(r.get('qualifier', 'exact'), '')}{r['value']:g}{unit}",
                va="center", fontsize=8)
    ax.set_yticks(range(len(d)), [textwrap.shorten(str(v), 48) for v in d[label]])
    ax.set_xlim(0, max(d["value_high"].max() if "value_high" in d and d["value_high"].notna().any() else 0,
                       d["value"].max()) * 1.18)
    return _finish(ax, d, title, xlabel)


def lens_dotplot(data: pd.DataFrame, ax: plt.Axes | None = None, title: str | None = None) -> plt.Axes:
    """Different measures of one topic on separate rows - compared, never added.

    Each row is one figure with its own label (metric, segment, period); a range
    or approximate value is drawn as an interval. Rows of different metrics are
    separated by a rule and named on the right.
    """
    d = data.reset_index(drop=True)
    ax = _new_ax(ax, height=1.4 + 0.42 * len(d))
    metric_colours = dict(zip(d["metric"].unique(), CATEGORY_COLORS))
    for y, r in d.iterrows():
        c = metric_colours[r["metric"]]
        if pd.notna(r.get("value_low")) and pd.notna(r.get("value_high")):
            ax.plot([r["value_low"], r["value_high"]], [y, y], color=c, lw=3, alpha=0.5)
        marker = "o" if r["qualifier"] == "exact" else "D"
        ax.plot(r["value"], y, marker=marker, color=c, markersize=8,
                markerfacecolor=c if r["qualifier"] == "exact" else "white", markeredgewidth=2)
        prefix = {"approx": "~", "at_least": ">", "at_most": "<"}.get(r["qualifier"], "")
        ax.text(r["value"] + 1.5, y, f"{prefix}{r['value']:.3g}%", va="center", fontsize=8)
    bounds = d.groupby("metric", sort=False).apply(lambda g: (g.index.min(), g.index.max()), include_groups=False)
    for metric, (lo, hi) in bounds.items():
        if lo > 0:
            ax.axhline(lo - 0.5, color="#BBBBBB", lw=0.8)
        ax.text(1.01, (lo + hi) / 2, textwrap.fill(metric.replace("_", " "), 26), transform=ax.get_yaxis_transform(),
                va="center", fontsize=7, color=metric_colours[metric])
    ax.set_yticks(range(len(d)), [textwrap.fill(v, 34) for v in d["label"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    return _finish(ax, d, title, "percent (each row answers its own question; rows are not additive)")


def slope(data: pd.DataFrame, ax: plt.Axes | None = None, label: str = "segment", title: str | None = None,
          ylabel: str = "percent") -> plt.Axes:
    """Before/after lines per group, from :func:`llmtrends.analysis.before_after`."""
    ax = _new_ax(ax)
    for i, r in data.reset_index(drop=True).iterrows():
        c = CATEGORY_COLORS[i % len(CATEGORY_COLORS)]
        ax.plot([0, 1], [r["value_before"], r["value_after"]], marker="o", color=c, lw=2)
        ax.text(-0.04, r["value_before"], f"{r['value_before']:g}%", ha="right", va="center", fontsize=9)
        ax.text(1.04, r["value_after"], f"{r['value_after']:g}%  {r[label]}", ha="left", va="center",
                fontsize=9, color=c)
    before = " / ".join(dict.fromkeys(data["period_before"]))
    after = " / ".join(dict.fromkeys(data["period_after"]))
    ax.set_xticks([0, 1], [before, after])
    ax.set_xlim(-0.35, 1.6)
    ax.set_ylim(0, 100)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y")
    return _finish(ax, data, title, None)


def count_bars(data: pd.DataFrame, ax: plt.Axes | None = None, label: str = "category",
               title: str | None = None, xlabel: str = "count") -> plt.Axes:
    """Horizontal bars of counts (from :func:`llmtrends.analysis.counts`)."""
    d = data.sort_values("count")
    ax = _new_ax(ax, height=1.2 + 0.36 * len(d))
    ax.barh(range(len(d)), d["count"], color=CATEGORY_COLORS[0])
    for y, v in enumerate(d["count"]):
        ax.text(v, y, f" {v}", va="center", fontsize=8)
    ax.set_yticks(range(len(d)), [str(v) for v in d[label]])
    ax.xaxis.get_major_locator().set_params(integer=True)
    return _finish(ax, d, title, xlabel)
