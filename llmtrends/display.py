"""What a report shows besides charts: computed prose, a chart with its source
and data, tables, and the closing sources section.

Everything that comes from the data is HTML-escaped before it reaches the
notebook's output, so a label such as ``<script>`` prints as text.
"""
from __future__ import annotations

import base64
import html
import io
import re
from typing import Iterable

import pandas as pd

from . import datasets
from .plotting import source_ids

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_recorded_sources: dict[str, None] = {}


def _show(obj) -> None:
    from IPython.display import display
    display(obj)


def _html(markup: str):
    from IPython.display import HTML
    return HTML(markup)


def escape_markup(text: str) -> str:
    """Escape ``text`` for HTML, then turn ``**bold**`` into ``<strong>``."""
    return _BOLD.sub(r"<strong>\1</strong>", html.escape(str(text)))


def say(text: str) -> None:
    """Show a sentence of computed prose (``**bold**`` allowed; everything else escaped)."""
    _show(_html(f'<p class="lt-prose">{escape_markup(text)}</p>'))


def csv_link(data: pd.DataFrame, filename: str, label: str = "Download the data behind this chart (CSV)") -> str:
    """An ``<a download>`` link carrying ``data`` as an embedded CSV (works offline)."""
    payload = base64.b64encode(data.to_csv(index=False).encode("utf-8")).decode("ascii")
    return (f'<a class="lt-csv" download="{html.escape(filename)}" '
            f'href="data:text/csv;charset=utf-8;base64,{payload}">{html.escape(label)}</a>')


def _export_columns(data: pd.DataFrame) -> pd.DataFrame:
    drop = [c for c in data.columns if c.startswith("_")]
    out = data.drop(columns=drop)
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out


def record_sources(data: pd.DataFrame) -> None:
    for sid in source_ids(data):
        _recorded_sources.setdefault(sid, None)


def chart(ax, data: pd.DataFrame | None = None, name: str = "chart") -> None:
    """Show a chart with its source line and a CSV of the numbers behind it, as one figure.

    The image is embedded as a PNG with the chart title as its alternative text.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        What a :mod:`llmtrends.plotting` helper returned.
    data : pandas.DataFrame, optional
        The numbers behind the chart; by default the frame the helper drew.
    name : str
        File name stem of the CSV download.
    """
    import matplotlib.pyplot as plt
    data = data if data is not None else getattr(ax, "_llmtrends_data", None)
    if data is None:
        raise ValueError("chart() needs the data behind the chart (pass data=...)")
    record_sources(data)
    fig = ax.figure
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    image = base64.b64encode(buffer.getvalue()).decode("ascii")
    alt = ax.get_title("left") or ax.get_title() or name.replace("-", " ")
    citations = "<br>".join(html.escape(datasets.citation(s)) for s in source_ids(data))
    _show(_html(
        f'<figure class="lt-chart" data-chart="{html.escape(name)}">'
        f'<img src="data:image/png;base64,{image}" alt="{html.escape(alt)}">'
        f'<figcaption class="lt-chart-source"><span class="lt-source-label">Source:</span> {citations}<br>'
        f'{csv_link(_export_columns(data), name + ".csv")}</figcaption></figure>'))


def table(data: pd.DataFrame, columns: dict[str, str] | None = None, name: str | None = None) -> None:
    """Show a small table (values escaped), optionally with a CSV download."""
    d = data if columns is None else data[list(columns)].rename(columns=columns)
    record_sources(data)
    markup = d.to_html(index=False, escape=True, na_rep="", classes="lt-table", border=0)
    if name:
        markup += csv_link(_export_columns(data), name + ".csv", "Download this table (CSV)")
    _show(_html(markup))


def definitions(metric_names: Iterable[str]) -> None:
    """Show the one-line definitions of the metrics a report uses."""
    reg = datasets.registry()
    items = "".join(
        f"<li><code>{html.escape(m)}</code> ({html.escape(reg.units[reg.metrics[m]['unit']])}, "
        f"{html.escape(reg.metrics[m]['kind'])}): {html.escape(reg.metrics[m]['definition'])}</li>"
        for m in dict.fromkeys(metric_names))
    _show(_html(f'<ul class="lt-definitions">{items}</ul>'))


def sources_section(extra: Iterable[str] = ()) -> None:
    """The closing sources section: every source a chart or table of this run used.

    Also declares them to the batch runner (see
    :func:`llmtrends.reports.sources.declare_sources`), which lists them on the index page.
    """
    ids = list(dict.fromkeys(list(_recorded_sources) + list(extra)))
    reg = datasets.registry()
    rows = []
    for sid in ids:
        s = reg.sources[sid]
        relays = ", ".join(s.get("relayed_by") or [])
        url = s.get("url")
        link = f' <a href="{html.escape(url)}">{html.escape(url)}</a>' if url else ""
        rows.append(f"<li><strong>{html.escape(s['publisher'])}</strong>: {html.escape(datasets.citation(sid))}."
                    f"{link} Read in: {html.escape(relays)}.</li>")
    _show(_html(f'<ol class="lt-sources">{"".join(rows)}</ol>'))
    from .reports.sources import declare_sources
    declare_sources(datasets.citation(s) for s in ids)
