"""The landing page's parts that speak from the data, as HTML: lead, lens board, findings, freshness.

:mod:`llmtrends.stories.landing` computes what the page says (plain words and
ISO dates); this module turns it into HTML. The batch keeps that content with
the page (``exports/manifest.json``) and renders it again on every build, so
everything here that depends on the day the page is built (how old each lens
is, whether a newer edition is due) is computed at render time and without
pandas: only :func:`sparkline` and :func:`render_headlines`, which draw the
figures behind a finding, need them, and they run when the content is
computed.

Each vendor has one colour on every chart of every report
(:func:`llmtrends.stories.chart_notes.palette`), here too; every mark of a
sparkline and every row of a table carries the text a pointer shows.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Sequence

from llmtrends.stories import freshness as fresh
from llmtrends.stories import words
from llmtrends.stories.html import esc

#: Gap between two runs of a sparkline (a change of measure or method), in SVG units.
RUN_GAP = 12


def _bold(text: str) -> str:
    """Escaped text with ``**name**`` as ``<strong>name</strong>``."""
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", esc(text))


def _plain(text: str) -> str:
    return str(text).replace("**", "")


def _today(generated) -> date:
    if isinstance(generated, datetime):
        return generated.date()
    if isinstance(generated, date):
        return generated
    try:
        return datetime.fromisoformat(str(generated).replace("Z", "+00:00")).date()
    except ValueError:
        return date.today()


def months_before(period_end: str, today: date) -> int | None:
    """Whole months from the end of a period to ``today`` (``None`` when the date is unknown).

    >>> months_before("2026-07-31", date(2026, 12, 6))
    4
    """
    from llmtrends.facts.lenses import months_old
    try:
        end = date.fromisoformat(str(period_end)[:10])
    except ValueError:
        return None
    return months_old(end, today)


def _age(period_end: str, today: date) -> str:
    n = months_before(period_end, today)
    if n is None:
        return ""
    if n <= 0:
        return "under a month old"
    return f"{n} month{'s' if n != 1 else ''} old"


# --------------------------------------------------------------------------- title and lead

def newest(board: Sequence[dict]) -> dict | None:
    """The lens whose latest period ends last (the newest evidence on who leads)."""
    dated = [e for e in board if e.get("period_end")]
    return max(dated, key=lambda e: e["period_end"]) if dated else None


def page_title(content: dict) -> str:
    """'The LLM market to Jul 2026: who leads depends on what is counted' (from the newest lens)."""
    top = newest(content.get("board") or [])
    if top is None:
        return "The LLM market: what the published reports say"
    return f"The LLM market to {top['period']}: who leads depends on what is counted"


def render_lead(content: dict, generated) -> str:
    """The paragraph under the title: the lens board's answer and how new the newest evidence is."""
    lead = content.get("lead") or {}
    top = newest(content.get("board") or [])
    parts = []
    text = str(lead.get("text") or "")
    said = page_title(content).split(": ", 1)[-1]
    if text.lower()[: len(said) + 2] in (said.lower() + ": ", said.lower() + ". "):  # the title just said it
        text = text[len(said) + 2:]
        text = text[:1].upper() + text[1:] if not text.startswith("**") else text
    if text:
        parts.append(f'<p class="lede">{_bold(text)}</p>')
    if top is not None:
        edition = f", {words.month(top['edition'])} edition" if top.get("edition") else ""
        parts.append(f'<p class="asof">Newest evidence: {esc(top["short"])}, data for {esc(top["period"])} '
                     f'({esc(top["publisher"])}{esc(edition)}). This page was built '
                     f'{esc(words.day(_today(generated).isoformat()))}.</p>')
    return "\n".join(parts)


# --------------------------------------------------------------------------- who leads, by what measure

def _chip(colour: str) -> str:
    return f'<span class="chip" style="background:{esc(colour)}" aria-hidden="true"></span>' if colour else ""


def _board_row(e: dict, today: date) -> str:
    leader = f'<span class="who">{_chip(e.get("leader_colour", ""))}{esc(e["leader"])} {esc(e["leader_value"])}</span>'
    if not e.get("leader_certain", True):
        leader += ' <span class="meta">(largest named)</span>'
    runner = f'<span class="who">{_chip(e.get("runner_up_colour", ""))}{esc(e["runner_up"])}</span>' if e.get("runner_up") else \
        '<span class="meta">none named</span>'
    edition = f", {words.month(e['edition'])} edition" if e.get("edition") else ""
    weak = f'<span class="weak">{esc(e["weak"])}</span>' if e.get("weak") else ""
    tip = (f"{e['measure']}: {e['leader']} {e['leader_value']}, {e['period']}; runner-up "
           f"{e.get('runner_up') or 'none named'}; {e['publisher']}{edition}" + (f" ({e['weak']})" if e.get("weak") else ""))
    return (f'<tr title="{esc(tip)}"><td data-label="What is counted"><span class="measure">{esc(e["measure"])}</span>'
            f'<span class="pop">{esc(e["population"])}</span></td>'
            f'<td data-label="Leader" class="leader">{leader}</td>'
            f'<td data-label="Runner-up">{runner}</td>'
            f'<td data-label="Data as of">{esc(e["period"])} <span class="meta">({esc(_age(e["period_end"], today))})</span></td>'
            f'<td data-label="Source">{esc(e["publisher"])}{esc(edition)}{weak}</td></tr>')


def render_board(board: Sequence[dict], generated) -> str:
    """'Who leads, by what measure': one row per lens, newest data first, China's own market apart."""
    if not board:
        return ""
    today = _today(generated)
    head = ("<thead><tr><th>What is counted, among whom</th><th>Leader</th><th>Runner-up</th><th>Data as of</th>"
            "<th>Source</th></tr></thead>")
    groups = [("global", ""), ("china", "China's own market: counted among China's clouds and enterprises")]
    body = []
    for market, heading in groups:
        rows = [e for e in board if e.get("market", "global") == market]
        if rows and heading:
            body.append(f'<tr class="group"><th colspan="5" scope="rowgroup">{esc(heading)}</th></tr>')
        body += [_board_row(e, today) for e in rows]
    return ('<section class="board" aria-labelledby="board-h"><h2 id="board-h">Who leads, by what measure</h2>'
            '<p class="meta">Each row is one publisher\'s measure among its own population, at the latest period it '
            "published; the rows are never added up or read as one market share. Age is counted from the end of that "
            f"period to the day this page was built ({esc(words.day(today.isoformat()))}).</p>"
            f'<table class="board">{head}<tbody>{"".join(body)}</tbody></table></section>')


# --------------------------------------------------------------------------- how fresh each lens is

def _freshness_row(e: dict, today: date) -> str:
    status = fresh.due(e, today)
    edition = e.get("edition_words") or ""
    earlier = f'<span class="pop">Before: {esc(e["earlier"])} (another measure)</span>' if e.get("earlier") else ""
    weak = f'<span class="weak">{esc(e["weak"])}</span>' if e.get("weak") else ""
    return (f'<tr><td data-label="Lens"><span class="measure">{esc(e["measure"])}</span>'
            f'<span class="pop">{esc(e["theme"])} · {esc(e["publisher"])}</span>{earlier}</td>'
            f'<td data-label="How often">{esc(e["cadence_words"])}</td>'
            f'<td data-label="Latest data">{esc(e["period"])}{weak}</td>'
            f'<td data-label="Edition">{esc(edition) or "<span class=meta>date not known</span>"}</td>'
            f'<td data-label="Newer edition"><span class="due due-{esc(status["state"])}">{esc(status["text"])}</span></td></tr>')


def render_freshness(rows: Sequence[dict], generated) -> str:
    """'How fresh each lens is': every current lens, its cadence, latest data, edition and whether a newer one is due."""
    if not rows:
        return ""
    today = _today(generated)
    states = [fresh.due(e, today)["state"] for e in rows]
    due, unknown = sum(s in ("due", "soon") for s in states), states.count("unknown")
    summary = (f"{due} of {len(rows)} lenses have a newer edition due or expected this month"
               if due else f"No newer edition of the {len(rows)} lenses is due yet")
    if unknown:
        summary += (f"; for {unknown} more, later periods have ended but when their editions come out is not known "
                    "(they may be out already)")
    return ('<section class="freshness" aria-labelledby="fresh-h"><h2 id="fresh-h">How fresh each lens is</h2>'
            f'<p>As of {esc(words.day(today.isoformat()))}, {esc(words.lower_first(summary))}. A newer edition is expected one step of the '
            "lens's cadence after the latest period held, as long after the end of that period as the latest "
            "edition came after the end of its own; when that edition's date is not known, only the end of the "
            "next period is.</p>"
            '<table class="fresh"><thead><tr><th>Lens</th><th>How often</th><th>Latest data</th><th>Edition</th>'
            '<th>Newer edition?</th></tr></thead><tbody>'
            + "".join(_freshness_row(e, today) for e in rows) + "</tbody></table></section>")


def render_whats_new(text: str) -> str:
    """'What is new in this release': the changelog's summary (computed by the fact base)."""
    if not text:
        return ""
    return ('<section class="new" aria-labelledby="new-h"><h2 id="new-h">What is new in this release</h2>'
            f"<p>{esc(text)}</p></section>")


# --------------------------------------------------------------------------- findings and their sparklines

def finding_source(finding) -> str:
    """'Menlo Ventures (Nov 2024, Jul 2025, Dec 2025); OpenRouter (Dec 2025)': publishers with their report dates."""
    try:
        from llmtrends.facts import datasets

        reg = datasets.registry()
        ordered = sorted(finding.sources, key=lambda s: str(reg.sources[s].get("published") or ""))
        by_publisher: dict[str, list[str]] = {}
        for sid in ordered:
            month = words.month(reg.sources[sid].get("published"))
            dates = by_publisher.setdefault(words.publisher(sid), [])
            if month and month not in dates:
                dates.append(month)
        return "; ".join(f"{pub} ({', '.join(d)})" if d else pub for pub, d in by_publisher.items())
    except Exception:
        return ""


def uncited(text: str, finding) -> str:
    """The sentence without its closing "(Menlo Ventures, Dec 2025)": the card prints its sources under it."""
    try:
        cited = {words.sources_short(finding.sources)} | {words.source_short(s) for s in finding.sources}
    except Exception:
        return text
    for citation in sorted(cited, key=len, reverse=True):
        if citation and text.endswith(f" ({citation})."):
            return text[: -len(f" ({citation}).")] + "."
    return text


def render_headlines(findings: Sequence[Any]) -> str:
    """The findings across the reports, newest first: each sentence with its sparkline and its sources."""
    if not findings:
        return ""
    items = []
    for f in findings:
        src = finding_source(f)
        text = uncited(_plain(f.text), f) if src else _plain(f.text)
        items.append(f'<li class="headline">{sparkline(f.data)}<div><p>{esc(text)}</p>'
                     + (f'<p class="src">{esc(src)}</p>' if src else "") + "</div></li>")
    return ('<section class="headlines" aria-labelledby="headlines-h"><h2 id="headlines-h">What the reports find</h2>'
            '<p class="meta">Newest evidence first.</p>'
            f'<ul class="headlines">{"".join(items)}</ul></section>')


def _runs(data):
    """The figures a sparkline draws, split where nothing may join them (one measure, one method each)."""
    from llmtrends.facts.lenses import segments

    d = data[data["value"].notna()]
    d = d[d["entity"] != "other"] if "entity" in d else d
    if not {"metric", "period_start", "period_end", "entity"} <= set(d.columns) or len(d) < 2:
        return []
    return [run for run in segments(d) if len(run)]


def _series_key(d) -> str:
    """What a sparkline's colours tell apart: the entities, or the groups of respondents of one entity."""
    return "entity" if d["entity"].nunique() > 1 or "segment" not in d else "segment"


def _colours(d, key: str) -> dict:
    from llmtrends.stories.chart_notes import CATEGORY_COLORS, palette

    values = list(dict.fromkeys(d[key]))
    if key == "entity":
        return palette(values)
    return {v: CATEGORY_COLORS[i % len(CATEGORY_COLORS)] for i, v in enumerate(values)}


def _tip(row, key: str = "entity") -> str:
    """What pointing at a mark shows; a group of respondents is named by its group ("Startups: 74% ...")."""
    from llmtrends.stories.chart_notes import tip

    try:
        name = row.get("entity_name") if isinstance(row.get("entity_name"), str) else words.entity(row["entity"])
        return tip(row, label=words.segment(row["segment"]) if key == "segment" else name)
    except Exception:
        return words.row_value(row)


def _bars(run, width: int, height: int) -> list[str]:
    key = _series_key(run)
    colours = _colours(run, key)
    values = [float(v) for v in run["value"]][:8]
    top = max(values) or 1.0
    bar = (width - 4) / len(values)
    out = []
    for i, (_, r) in enumerate(run.head(8).iterrows()):
        h = max(2.0, (float(r["value"]) / top) * (height - 4))
        out.append(f'<rect x="{2 + i * bar:.1f}" y="{height - h:.1f}" width="{bar * 0.75:.1f}" height="{h:.1f}" '
                   f'fill="{esc(colours[r[key]])}"><title>{esc(_tip(r, key))}</title></rect>')
    return out


def _lines(runs, width: int, height: int) -> list[str]:
    """A line per series within each run; runs side by side, a dashed rule between two, never joined."""
    import pandas as pd

    slots = [run["period_end"].nunique() for run in runs]
    room = [max(k - 1, 0.5) for k in slots]  # a run of one period keeps half a step around its point
    unit = (width - 12 - RUN_GAP * (len(runs) - 1)) / sum(room)
    whole = pd.concat(runs, ignore_index=True)
    if "unit" not in whole:
        whole["unit"] = ""
    tops = {u: float(v) or 1.0 for u, v in whole.groupby("unit")["value"].max().items()}
    key = _series_key(whole)
    colours = _colours(whole, key)
    out, x0 = [], 6.0
    for n, (run, slot, width_of) in enumerate(zip(runs, slots, room)):
        if n:
            rule = x0 - RUN_GAP / 2
            what = "measure" if run["metric"].iloc[0] != runs[n - 1]["metric"].iloc[0] else "method"
            out.append(f'<line class="break" x1="{rule:.1f}" y1="2" x2="{rule:.1f}" y2="{height - 2}" stroke="#59636e" '
                       f'stroke-dasharray="2 2"><title>A change of {what}: the values either side are not joined'
                       "</title></line>")
        start = x0 + (unit * 0.25 if slot == 1 else 0.0)
        xs = {p: start + i * unit for i, p in enumerate(sorted(run["period_end"].unique()))}
        by = ["entity", "segment"] if "segment" in run else ["entity"]  # never one line across two populations
        for _, series in run.groupby(by, sort=False, dropna=False):
            name = series[key].iloc[0]
            pts = [(xs[r["period_end"]], height - 4 - float(r["value"]) / tops.get(r.get("unit", ""), 1.0) * (height - 10),
                    r) for _, r in series.sort_values("period_end").iterrows()]
            colour = esc(colours[name])
            if len(pts) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in pts)
                periods = " ".join(str(r["period"]) for _, _, r in pts)
                out.append(f'<polyline data-metric="{esc(run["metric"].iloc[0])}" data-periods="{esc(periods)}" '
                           f'points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
            out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"><title>{esc(_tip(r, key))}</title></circle>'
                    for x, y, r in pts]
        x0 += width_of * unit + RUN_GAP
    return out


def sparkline(data, width: int = 132, height: int = 40) -> str:
    """A small inline SVG of the numbers behind a finding, that joins nothing the data do not.

    The figures are split into runs of one measure and one method
    (:func:`llmtrends.facts.lenses.segments`). One run of one period: a bar per
    entity (or group of respondents). Otherwise a line per series within each
    run, the runs side by side with a dashed rule between them: no line
    crosses a change of measure or of method. Several runs of one period each
    (one figure per measure) draw nothing: bars side by side would compare
    measures. Each vendor in its colour; each bar and point carries its value,
    period, measure and source for a pointer.

    Returns ``""`` when there is nothing to draw (fewer than two numbers, or all equal).
    """
    try:
        runs = _runs(data)
        values = [v for run in runs for v in run["value"]]
        if len(values) < 2 or len(set(values)) < 2:
            return ""
        single = all(run["period_end"].nunique() == 1 for run in runs)
        if single and len(runs) > 1:
            return ""
        marks = _bars(runs[0], width, height) if single else _lines(runs, width, height)
        return (f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
                f'aria-label="small chart of the numbers in this sentence">{"".join(marks)}</svg>')
    except Exception:
        return ""
