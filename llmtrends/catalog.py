"""The data catalog page: every figure with its source, period, wording and verbatim quote.

One self-contained HTML file (inline CSS, no script) so a stakeholder can check
any number of a report against the sentence it came from, offline.
"""
from __future__ import annotations

import html
from pathlib import Path

from . import datasets

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#222;max-width:1400px}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{border-bottom:1px solid #e3e3e3;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f6f6;position:sticky;top:0}
td.num{text-align:right;white-space:nowrap}
.quote{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;color:#333}
.note{color:#666;font-size:.8rem}
"""


def _e(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value))


def render_catalog() -> str:
    """The catalog page as an HTML string (every value escaped)."""
    obs = datasets.observations()
    evidence = {oid: (f.status, f.docs) for f in datasets.figures().itertuples() for oid in f.obs_ids}
    src = datasets.sources().set_index("source_id")
    reg = datasets.registry()
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>llmtrends data catalog</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>llmtrends data catalog</h1>",
        f"<p>{len(obs)} figures from {obs['doc'].nunique()} documents relaying {obs['source_id'].nunique()} "
        "sources. Each row is one figure as one document states it; the quote is verbatim. Status: confirmed "
        "(the source's own report states it, and so do others, with the same value), differs (documents "
        "disagree: declared, see the note), relay_only (no text of the source's own report is available), "
        "primary_only (only the source's own report states it).</p>",
        "<h2>Sources</h2><table><thead><tr><th>source</th><th>publisher</th><th>report</th><th>published</th>"
        "<th>method</th><th>sample</th><th>fieldwork</th><th>read in</th></tr></thead><tbody>",
    ]
    for sid, s in src.iterrows():
        parts.append(
            f"<tr id='source-{_e(sid)}'><td>{_e(sid)}</td><td>{_e(s['publisher'])}</td><td>{_e(s['title'])}</td>"
            f"<td>{_e(s['published'])}</td><td>{_e(s['method'])}</td><td>{_e(s['sample'])}</td>"
            f"<td>{_e(s['fieldwork'])}</td><td>{_e(', '.join(s['relayed_by']))}</td></tr>")
    parts.append("</tbody></table>")
    for theme, group in obs.groupby("theme", sort=False):
        parts.append(f"<h2 id='theme-{_e(theme)}'>{_e(theme)}: {_e(reg.themes.get(theme, ''))}</h2>")
        parts.append("<table><thead><tr><th>figure</th><th>metric</th><th>segment</th><th>entity</th>"
                     "<th>period</th><th>value</th><th>wording</th><th>unit</th><th>source</th>"
                     "<th>status: documents stating it</th>"
                     "<th>quote (verbatim) and note</th></tr></thead><tbody>")
        for r in group.itertuples():
            rng = (f" ({r.value_low:g}-{r.value_high:g})" if r.value_low == r.value_low and r.value_high == r.value_high
                   else "")
            parts.append(
                f"<tr><td>{_e(r.obs_id)}</td><td>{_e(r.metric)}</td><td>{_e(r.segment)}</td>"
                f"<td>{_e(r.entity_name)}</td><td>{_e(r.period)}</td><td class='num'>{r.value:g}{_e(rng)}</td>"
                f"<td>{_e(r.qualifier)}</td><td>{_e(r.unit)}</td>"
                f"<td><a href='#source-{_e(r.source_id)}'>{_e(r.source_id)}</a><br>{_e(r.doc)}</td>"
                f"<td>{_e(evidence.get(r.obs_id, ('', []))[0])}: {_e(', '.join(evidence.get(r.obs_id, ('', []))[1]))}</td>"
                f"<td><span class='quote'>{_e(r.quote)}</span><div class='note'>{_e(r.note)}</div></td></tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_catalog(path: str | Path) -> Path:
    """Write the catalog page to ``path`` (atomically: a temporary file renamed into place)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render_catalog(), encoding="utf-8")
    tmp.replace(path)
    return path
