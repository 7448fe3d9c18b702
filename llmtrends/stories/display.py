"""What a report shows: its lead (question, key findings, data as of), its
sections, charts as inline SVG with their source and data, tables, and the
closing definitions and sources.

Everything that comes from the data is HTML-escaped (:func:`llmtrends.stories.html.esc`)
before it reaches the notebook's output, so a label such as ``<script>``
prints as text; links from the data go through :func:`llmtrends.stories.html.safe_url`.
"""
from __future__ import annotations

import base64
import hashlib
import io
import re
from typing import Iterable

import pandas as pd

from llmtrends.facts import datasets
from llmtrends.stories import words
from llmtrends.stories.html import esc, safe_url
from llmtrends.stories.plotting import citations, source_ids
from llmtrends.facts.loading import pinned_data

#: Widest a chart may be, in points: at 12 pt text it stays >= 11 px on a 390 px phone.
MAX_WIDTH_PT = 330
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_recorded_sources: dict[str, None] = {}
_shown_csv: dict[str, str] = {}
_shown_charts: dict[str, str] = {}
_shown_sentences: set[str] = set()


def _show(obj) -> None:
    from IPython.display import display
    display(obj)


def _html(markup: str):
    from IPython.display import HTML
    return HTML(markup)


def escape_markup(text: str) -> str:
    """Escape ``text`` for HTML, then turn ``**bold**`` into ``<strong>``."""
    return _BOLD.sub(r"<strong>\1</strong>", esc(text))


def say(text: str) -> None:
    """Show a sentence of computed prose (``**bold**`` allowed; everything else escaped).

    A sentence already shown in this report is not shown again.
    """
    if text in _shown_sentences:
        return
    _shown_sentences.add(text)
    _show(_html(f'<p class="lt-prose">{escape_markup(text)}</p>'))


def csv_bytes(data: pd.DataFrame) -> bytes:
    """``data`` as CSV, UTF-8 with a byte-order mark (so Excel reads Chinese names right)."""
    return data.to_csv(index=False).encode("utf-8-sig")


def csv_link(data: pd.DataFrame, filename: str, label: str = "Download the numbers in this chart (CSV)") -> str:
    """An ``<a download>`` link carrying ``data`` as an embedded CSV (works offline).

    Returns ``""`` when the same CSV was already offered in this report: two
    identical downloads would only confuse.
    """
    payload = csv_bytes(data)
    digest = hashlib.sha256(payload).hexdigest()
    if digest in _shown_csv:
        return ""
    _shown_csv[digest] = filename
    encoded = base64.b64encode(payload).decode("ascii")
    return (f'<a class="lt-csv" download="{esc(filename)}" '
            f'href="data:text/csv;charset=utf-8;base64,{encoded}">{esc(label)}</a>')


def record_sources(data: pd.DataFrame) -> None:
    for sid in source_ids(data):
        _recorded_sources.setdefault(sid, None)


def _svg(fig, name: str) -> str:
    """The figure as inline SVG markup: text stays text, ids are unique to this chart."""
    import matplotlib
    # labels outside the axes widen the image: shrink the figure until it fits, measured on the layout
    # (a tight bounding box is one draw; each SVG written to measure it was two and the text)
    pad = 0.08 * 72
    for _ in range(4):
        wide = fig.get_tightbbox(fig.canvas.get_renderer()).width * 72 + 2 * pad
        if wide <= MAX_WIDTH_PT:
            break
        w, h = fig.get_size_inches()
        fig.set_size_inches(max(1.5, w - (wide - MAX_WIDTH_PT) / 72), h)
    for _ in range(4):  # the SVG's own width decides (its text may measure a little wider)
        buffer = io.StringIO()
        with matplotlib.rc_context({"svg.hashsalt": name}):
            fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.08, metadata={"Date": None})
        svg = buffer.getvalue()
        width = float(re.search(r'width="([\d.]+)pt"', svg).group(1))
        if width <= MAX_WIDTH_PT + 1:
            break
        w, h = fig.get_size_inches()
        fig.set_size_inches(max(1.5, w - (width - MAX_WIDTH_PT) / 72), h)
    svg = _with_tips(svg[svg.index("<svg"):], fig)
    svg = re.sub(r'<svg ([^>]*?)width="[\d.]+pt" height="[\d.]+pt"',
                 lambda m: f'<svg {m.group(1)}class="lt-svg" preserveAspectRatio="xMinYMin meet" '
                           f'style="width:100%;max-width:{width * 4 / 3:.0f}px;height:auto"', svg, count=1)
    # matplotlib names elements (patch_1, text_2 ...); prefix them so two charts on one page never share an id
    prefix = re.sub(r"[^a-z0-9]+", "-", name.lower())
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r'(url\(#|xlink:href="#|href="#)([^)"]+)', lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)
    return svg


def _with_tips(svg: str, fig) -> str:
    """Each marked bar, point or line (:func:`llmtrends.stories.plotting.mark`) gets its SVG ``<title>``
    (what hovering or a long tap shows) and ``data-entity`` (the entity it stands for)."""
    for ax in fig.axes:
        for gid, text, entity in getattr(ax, "_llmtrends_marks", []):
            attrs = f' data-entity="{esc(entity)}"' if entity else ""
            svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}" class="lt-mark"{attrs}><title>{esc(text)}</title>', 1)
    return svg


@pinned_data
def chart(ax, data: pd.DataFrame | None = None, name: str = "chart", csv: pd.DataFrame | None = None,
          title: str | None = None) -> None:
    """Show a chart as one figure: its title, the chart (inline SVG), its source once, its numbers as CSV.

    The title and the source line move out of the image into the page, so
    they are printed once, wrap on a phone and can be read by a screen reader.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        What a :mod:`llmtrends.stories.plotting` helper returned.
    data : pandas.DataFrame, optional
        The figures behind the chart (for its sources); by default the frame the helper drew.
    name : str
        File name stem of the CSV download; unique within a report.
    csv : pandas.DataFrame, optional
        What the download holds; default :func:`llmtrends.stories.chart_csv` of ``data``.
    title : str, optional
        Default: the chart's title.
    """
    import matplotlib.pyplot as plt
    from llmtrends.stories.story import chart_csv
    data = data if data is not None else getattr(ax, "_llmtrends_data", None)
    if data is None:
        raise ValueError("chart() needs the data behind the chart (pass data=...)")
    record_sources(data)
    title = title or ax.get_title("left") or ax.get_title() or name.replace("-", " ")
    ax.set_title("")
    ax.set_title("", loc="left")
    source = getattr(ax, "_llmtrends_source", None)
    if source is not None:
        source.remove()
    fig = ax.figure
    svg = _svg(fig, name)
    plt.close(fig)
    digest = hashlib.sha256(re.sub(r'id="[^"]+"|#[\w-]+', "", svg).encode()).hexdigest()
    if digest in _shown_charts:
        return  # the same picture twice says nothing new
    _shown_charts[digest] = name
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{esc(title)}" ', 1)
    cited = "; ".join(esc(c) for c in citations(data, fieldwork=False))
    label = "Source" if len(source_ids(data)) == 1 else "Sources"
    link = csv_link(csv if csv is not None else chart_csv(data), name + ".csv")
    _show(_html(
        f'<figure class="lt-chart" data-chart="{esc(name)}">'
        f'<figcaption class="lt-chart-title">{esc(title)}</figcaption>{svg}'
        f'<p class="lt-chart-source">{label}: {cited}</p>'
        f'{"<p class=lt-download>" + link + "</p>" if link else ""}</figure>'))


def table(data, columns: dict[str, str] | None = None, name: str | None = None) -> None:
    """Show a small formatted table with, when ``name`` is given, a CSV download.

    ``data`` is a :class:`llmtrends.stories.Table` (cells already written as
    people write numbers) or a frame whose cells are formatted here: numbers
    as ``42%``/``2,131``, no NaN, True/False as yes/no.
    """
    from llmtrends.stories.story import Table
    highlight, titles, kind = [], [], ""
    if isinstance(data, Table):
        head, rows, raw, name = data.columns, data.rows, data.data, name or data.name
        highlight, titles, kind = data.highlight, data.titles, data.kind
    else:
        d = data if columns is None else data[list(columns)].rename(columns=columns)
        head, raw = list(d.columns), data
        rows = [[_cell(v) for v in r] for r in d.itertuples(index=False)]
    record_sources(raw)
    cells = "".join(_row(r, head, bool(highlight[i]) if i < len(highlight) else False,
                         titles[i] if i < len(titles) else "") for i, r in enumerate(rows))
    css = "lt-table" + (f" lt-{kind}" if kind else "")
    markup = (f'<div class="lt-table-wrap"><table class="{css}"><thead><tr>'
              + "".join(f"<th>{esc(h)}</th>" for h in head) + f"</tr></thead><tbody>{cells}</tbody></table></div>")
    if name:
        out = pd.DataFrame([[" - ".join(c) if isinstance(c, (list, tuple)) else c for c in r] for r in rows], columns=head)
        if "source_id" in raw:
            out["source"] = [words.source(s) if s in datasets.registry().sources else s for s in raw["source_id"]][:len(out)]
        link = csv_link(out, name + ".csv", "Download this table (CSV)")
        if link:
            markup += f'<p class="lt-download">{link}</p>'
    _show(_html(markup))


def _row(cells: list, head: list[str], highlight: bool, title: str) -> str:
    """One table row; each cell carries its column's name (``data-label``) for the phone layout.

    A cell given as ``[text, detail]`` shows its detail on a second, quieter line."""
    attrs = (' class="lt-highlight"' if highlight else "") + (f' title="{esc(title)}"' if title else "")
    return (f"<tr{attrs}>" + "".join(f'<td data-label="{esc(h)}">{_cell_markup(c)}</td>' for h, c in zip(head, cells))
            + "</tr>")


def _cell_markup(cell) -> str:
    if isinstance(cell, (list, tuple)):
        main, *rest = cell
        return esc(main) + "".join(f'<br><span class="lt-detail">{esc(x)}</span>' for x in rest)
    return esc(cell)


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return words.number(value)
    return str(value)


# --------------------------------------------------------------------------- a report's parts

@pinned_data
def lead(story) -> None:
    """The top of a report: its title, the question, three to five key findings, and the date its data ends."""
    items = "".join(f"<li>{escape_markup(f.text)}</li>" for f in story.key_findings)
    for f in story.key_findings:
        _shown_sentences.add(f.text)
        record_sources(f.data) if len(f.data) and "source_id" in f.data else None
    _show(_html(
        f'<header class="lt-lead"><h1 class="lt-title">{esc(story.title)}</h1>'
        f'<p class="lt-question"><span class="lt-label">The question:</span> {esc(story.question)}</p>'
        f'<section class="lt-findings" aria-label="Key findings"><h2>Key findings</h2><ul>{items}</ul></section>'
        f'<p class="lt-asof">{esc(story.as_of)}.</p>'
        f'<p class="lt-intro">{esc(story.intro)}</p></header>'))


@pinned_data
def section(story, title: str | None = None) -> None:
    """One section of a story (or every section when ``title`` is None): heading, text, charts, table.

    A section with nothing to say for the chosen parameters shows one line saying why.
    """
    from llmtrends.stories import plotting
    sections = [s for s in story.sections if not s.analyst_only] if title is None else [story.section(title)]
    for sec in sections:
        if sec.skipped:
            _show(_html(f'<p class="lt-skipped"><strong>{esc(sec.title)}:</strong> {esc(sec.skipped)}</p>'))
            continue
        if not sec.charts and sec.table is None and all(f.text in _shown_sentences for f in sec.findings):
            continue  # everything it would say is already in the key findings
        _show(_html(f'<h2 class="lt-section">{esc(sec.title)}</h2>'
                    + (f'<p class="lt-section-intro">{esc(sec.intro)}</p>' if sec.intro else "")))
        for c in sec.charts:
            ax = getattr(plotting, c.kind)(c.data, title=c.title, **c.options)
            chart(ax, c.data, name=c.name, csv=c.csv)
        for f in sec.findings:
            say(f.text)
            if len(f.data) and "source_id" in f.data:
                record_sources(f.data)
        if sec.table is not None:
            table(sec.table)


def analyst_notes(story) -> None:
    """The sections meant for the analyst version (verbatim quotes, cleaning notes).

    Call it in a cell tagged ``remove-output``: the stakeholder export drops that output.
    """
    for sec in story.sections:
        if sec.analyst_only:
            section(story, sec.title)


@pinned_data
def definitions(metric_names: Iterable[str]) -> None:
    """Show what each measure in the report means, by its title."""
    reg = datasets.registry()
    items = "".join(
        f"<li><strong>{esc(words.metric(m))}</strong>: {esc(words.humanize(reg.metrics[m]['definition']))}</li>"
        for m in dict.fromkeys(metric_names) if m in reg.metrics)
    _show(_html(f'<h2 class="lt-section">What the measures mean</h2><ul class="lt-definitions">{items}</ul>'))


@pinned_data
def sources_section(extra: Iterable[str] = ()) -> None:
    """The closing sources section: every source a chart, table or finding of this run used.

    Also declares them to the batch runner (see
    :func:`llmtrends.stories.citations.declare_sources`), which lists them on the index page.
    """
    ids = list(dict.fromkeys(list(_recorded_sources) + list(extra)))
    reg = datasets.registry()
    rows = []
    for sid in ids:
        if sid not in reg.sources:
            continue
        url = safe_url(reg.sources[sid].get("url"))
        link = f' <a href="{esc(url)}">{esc(url)}</a>' if url else ""
        rows.append(f"<li>{esc(words.source(sid))}.{link}</li>")
    _show(_html(f'<h2 class="lt-section">Sources</h2><ol class="lt-sources">{"".join(rows)}</ol>'
                '<p class="lt-catalog-note">Every figure, with the sentence it was taken from, is in the data catalog '
                '(<a href="catalog.html">open the data catalog</a>).</p>'))
    from llmtrends.stories.citations import declare_sources
    declare_sources(words.source(s) for s in ids if s in reg.sources)
