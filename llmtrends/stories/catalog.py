"""The data catalog page: every figure, grouped by theme, with its evidence.

One self-contained HTML file (inline CSS, one small inline script, no
network). Each figure shows its value, period and source as a reader writes
them, its evidence status (confirmed, differs, relay only, primary only) where
the data have it, the documents that state it, and - folded - each verbatim
quote and cleaning note. A filter box narrows the list as you type: it matches
any spelling of an entity (English or Chinese, from vocabulary.yaml), the
measure, the source and the quotes. Every value is escaped.
"""
from __future__ import annotations

from pathlib import Path

from llmtrends.facts import datasets
from llmtrends.stories import words
from llmtrends.stories.html import esc, safe_url

_CSS = """
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;padding:1rem;color:#1f2328;max-width:60rem}
h1{font-size:1.6rem;margin:.5rem 0} h2{font-size:1.2rem;margin:1.8rem 0 .4rem;border-bottom:1px solid #d1d9e0}
.meta,.src,.obs{color:#59636e;font-size:.85rem}
.filter{position:sticky;top:0;background:#fff;padding:.5rem 0;z-index:1}
.filter input{width:100%;font-size:1rem;padding:.5rem .6rem;border:1px solid #8c959f;border-radius:6px}
nav.themes{display:flex;flex-wrap:wrap;gap:.3rem .8rem;font-size:.9rem}
.fig{border-bottom:1px solid #eaeef2;padding:.45rem 0;overflow-wrap:anywhere}
.fig .what{font-weight:600}
.fig .val{font-variant-numeric:tabular-nums}
.status{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:.8rem;font-weight:600;margin-left:.3rem}
.status-confirmed{background:#dafbe1;color:#116329}.status-differs{background:#fff8c5;color:#7d4e00}
.status-relay_only{background:#eff2f5;color:#59636e}.status-primary_only{background:#ddf4ff;color:#0a3069}
details{margin:.2rem 0 0}summary{cursor:pointer;color:#0969da;font-size:.9rem}
.quote{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;background:#f6f8fa;padding:.3rem .5rem;margin:.3rem 0;border-radius:4px}
.note{color:#59636e;font-size:.85rem}
table.sources{border-collapse:collapse;width:100%;font-size:.9rem}
table.sources td,table.sources th{border-bottom:1px solid #eaeef2;padding:.3rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
.hidden{display:none}
@media print{.filter,nav.themes{display:none}details{display:block}}
"""

_SCRIPT = """
(function(){
  var box=document.getElementById('q'), figs=document.querySelectorAll('.fig'), count=document.getElementById('count');
  function norm(s){return (s||'').toLowerCase().normalize('NFKC');}
  function run(){
    var terms=norm(box.value).split(/\\s+/).filter(Boolean), shown=0;
    figs.forEach(function(f){
      var hay=f.getAttribute('data-search'), ok=terms.every(function(t){return hay.indexOf(t)>=0;});
      f.classList.toggle('hidden',!ok); if(ok) shown++;
    });
    document.querySelectorAll('section.theme').forEach(function(s){
      s.classList.toggle('hidden', !s.querySelector('.fig:not(.hidden)'));
    });
    count.textContent = shown + ' of ' + figs.length + ' figures';
  }
  box.addEventListener('input', run); run();
})();
"""

STATUS_WORDS = {"confirmed": "confirmed by the primary report", "differs": "statements differ",
                "relay_only": "relay only", "primary_only": "primary report only"}


def _spellings(entity: str) -> list[str]:
    reg = datasets.registry()
    meta = reg.entities.get(entity, {})
    names = [entity, str(meta.get("name", ""))] + [str(a) for a in meta.get("aliases", []) or []]
    names += [alias for alias, eid in reg.aliases.items() if eid == entity]
    return list(dict.fromkeys(n for n in names if n))


def _search_text(parts) -> str:
    import unicodedata
    return unicodedata.normalize("NFKC", " ".join(str(p) for p in parts if p is not None)).lower()


def render_catalog() -> str:
    """The catalog page as an HTML string (every value escaped)."""
    reg = datasets.registry()
    figs = datasets.figures()
    obs = datasets.observations()
    key = ["source_id", "metric", "segment", "entity", "period"]
    statements = {k: g for k, g in obs.groupby(key, sort=False)}
    has_status = "status" in figs.columns
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>llmtrends data catalog</title>",
        f"<style>{_CSS}</style></head><body>",
        "<p class='meta'><a href='index.html'>All reports</a></p>",
        "<h1>The data catalog</h1>",
        f"<p>{len(figs)} figures from {obs['source_id'].nunique()} reports, stated in {obs['doc'].nunique()} documents. "
        "Each figure shows its value and period, the report that published it and the documents that state it; "
        "open <em>sentences</em> for the verbatim quotes and the documents they stand in (what was cleaned is in "
        "the analyst exports and <code>lt.observations()</code>). Evidence: <em>confirmed</em> "
        "(the publisher's own report states it, with the same value as every relay), <em>statements differ</em> "
        "(documents disagree; the disagreement is declared in the data), <em>relay only</em> (no text of the "
        "publisher's own report is available), <em>primary report only</em>.</p>",
        "<div class='filter'><label for='q' class='meta'>Filter by any name, in English or Chinese "
        "(for example Claude, 谷歌, open-weight, coding):</label>"
        "<input id='q' type='search' autocomplete='off' placeholder='Filter figures…'>"
        "<div id='count' class='meta' aria-live='polite'></div></div>",
    ]
    themes = list(dict.fromkeys(figs["theme"]))
    parts.append("<nav class='themes' aria-label='Themes'>" + "".join(
        f"<a href='#theme-{esc(t)}'>{esc(words.theme(t))}</a>" for t in themes) + "</nav>")
    for theme in themes:
        group = figs[figs["theme"] == theme].sort_values(["metric", "period_end", "entity"])
        parts.append(f"<section class='theme' id='theme-{esc(theme)}'><h2>{esc(words.theme(theme))}</h2>"
                     f"<p class='meta'>{esc(reg.themes.get(theme, ''))}</p>")
        for _, r in group.iterrows():
            k = tuple(r[c] for c in key)
            said = statements.get(k)
            quotes = [] if said is None else list(said.itertuples())
            title = words.metric(r["metric"])
            status = str(r["status"]) if has_status and isinstance(r.get("status"), str) else ""
            docs = r.get("docs")
            docs = docs if isinstance(docs, (list, tuple)) else [d for d in str(docs or "").split(";") if d]
            search = _search_text(_spellings(r["entity"]) + [r["entity_name"], title, r["metric"], r["period"],
                                                           words.period(r["period"]), words.source(r["source_id"]),
                                                           theme, words.theme(theme), status]
                                  + [q.quote for q in quotes] + [words.document(d) for d in docs])
            badge = (f"<span class='status status-{esc(status)}'>{esc(STATUS_WORDS.get(status, status))}</span>"
                     if status else "")
            detail = "".join(
                f"<div class='quote' lang='{'zh' if any(ord(ch) > 0x2e80 for ch in str(q.quote)) else 'en'}'>"
                f"{esc(q.quote)}</div><div class='note'>{esc(words.document(q.doc))}</div>" for q in quotes)
            # obs ids (for lt.evidence) travel in an attribute: a reader sees documents, not ids;
            # the cleaning notes stay in the analyst exports and in lt.observations()
            ident = " ".join(str(q.obs_id) for q in quotes)
            parts.append(
                f"<div class='fig' data-entity='{esc(r['entity'])}' data-obs='{esc(ident)}' data-search='{esc(search)}'>"
                + (f"<div><span class='what'>{esc(title)}</span> ({esc(words.segment(r['segment']).lower())})"
                   if r["entity"] == "all" else  # a market total: "All / total ·" would say nothing
                   f"<div><span class='what'>{esc(r['entity_name'])}</span> · {esc(title)} ({esc(words.segment(r['segment']).lower())})")
                + f"{badge}</div>"
                f"<div class='val'>{esc(words.row_value(r))} · {esc(words.period(r['period']))}</div>"
                f"<div class='src'>{esc(words.source(r['source_id']))}"
                + (f" · stated in {len(docs)} document{'s' if len(docs) != 1 else ''}" if docs else "")
                + f"</div><details><summary>Sentences ({len(quotes)})</summary>{detail}"
                f"</details></div>")
        parts.append("</section>")
    parts.append("<h2 id='sources'>Reports</h2><table class='sources'><thead><tr><th>Report</th><th>Link</th></tr></thead><tbody>")
    for sid in reg.sources:
        url = safe_url(reg.sources[sid].get("url"))
        link = f"<a href='{esc(url)}'>{esc(url)}</a>" if url else ""
        parts.append(f"<tr id='source-{esc(sid)}'><td>{esc(words.source(sid))}</td><td>{link}</td></tr>")
    parts.append("</tbody></table>")
    parts.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts)


def write_catalog(path: str | Path) -> Path:
    """Write the catalog page to ``path`` (atomically: a temporary file renamed into place)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render_catalog(), encoding="utf-8")
    tmp.replace(path)
    return path
