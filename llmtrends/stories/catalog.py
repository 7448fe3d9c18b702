"""The data catalog page: every figure, grouped by theme, with its evidence.

One self-contained HTML file (inline CSS, one small inline script, no
network). Each figure shows its value, period and source as a reader writes
them, how good its evidence is (confirmed, statements differ, known only
through relays, only in the publisher's report, and whether any document
that states it has a known URL: each label defined on the page and where it
is shown), the documents that state it and - folded - each verbatim quote with
its document and link. Within a theme the measures with the newest figures
come first, and each measure's figures newest first.

A filter box narrows the list as you type, and finds what
:func:`llmtrends.search` finds: a name in any spelling of the vocabulary
(English or Chinese: ``China``, ``中国``, ``中國`` and ``CN`` find the same
figures, as do ``Google``, ``谷歌`` and ``Gemini``) brings the figures of
that entity (a vendor's models, a country's entities) and those whose
sentences mention any of its spellings; other words are looked for in the
measure, period, source and quotes, with or without spaces and hyphens
(``open weight`` = ``open-weight``). Every value is escaped.
"""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from pathlib import Path

from llmtrends.facts import datasets
from llmtrends.stories import words
from llmtrends.stories.html import esc, safe_url
from llmtrends.facts.loading import pinned_data

_CSS = """
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;padding:1rem;color:#1f2328;max-width:60rem}
h1{font-size:1.6rem;margin:.5rem 0} h2{font-size:1.2rem;margin:1.8rem 0 .4rem;border-bottom:1px solid #d1d9e0}
h3{font-size:1rem;margin:1.2rem 0 .2rem;color:#59636e}
section.theme,h2,h3,#evidence,dt{scroll-margin-top:var(--filter-h,9rem)}
.meta,.src,.obs{color:#59636e;font-size:.85rem}
.filter{position:sticky;top:0;background:#fff;padding:.5rem 0;z-index:1;border-bottom:1px solid #eaeef2}
.filter input{width:100%;font-size:1rem;padding:.5rem .6rem;border:1px solid #8c959f;border-radius:6px}
nav.themes{display:flex;flex-wrap:wrap;gap:.3rem .8rem;font-size:.9rem;margin:.5rem 0}
dl.legend{display:grid;grid-template-columns:max-content 1fr;gap:.3rem .8rem;font-size:.9rem;margin:.4rem 0}
dl.legend dt{margin:0} dl.legend dd{margin:0}
.fig{border-bottom:1px solid #eaeef2;padding:.45rem 0;overflow-wrap:anywhere}
.fig .what{font-weight:600}
.fig .val{font-variant-numeric:tabular-nums}
.status{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:.8rem;font-weight:600;margin-left:.3rem;text-decoration:none}
.status-confirmed{background:#dafbe1;color:#116329}.status-differs{background:#fff8c5;color:#7d4e00}
.status-relay_only{background:#eff2f5;color:#59636e}.status-primary_only{background:#ddf4ff;color:#0a3069}
.status-no_url{background:#fff1e5;color:#953800}
dl.legend .status{margin-left:0}
details{margin:.2rem 0 0}summary{cursor:pointer;color:#0969da;font-size:.9rem}
.quote{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;background:#f6f8fa;padding:.3rem .5rem;margin:.3rem 0;border-radius:4px}
.note{color:#59636e;font-size:.85rem}
table.sources{border-collapse:collapse;width:100%;font-size:.9rem}
table.sources td,table.sources th{border-bottom:1px solid #eaeef2;padding:.3rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
.hidden{display:none}
@media (max-width:600px){dl.legend{grid-template-columns:1fr}dl.legend dd{margin:0 0 .4rem}}
@media print{.filter,nav.themes{display:none}details{display:block}.fig{break-inside:avoid}}
"""

_SCRIPT = """
(function(){
  var box=document.getElementById('q'), figs=document.querySelectorAll('.fig'), count=document.getElementById('count');
  var S=JSON.parse(document.getElementById('spellings').textContent), res={};
  var bar=document.querySelector('.filter');
  function fold(s){return (s||'').normalize('NFKC').toLowerCase().replace(/[\\s\\-\\u2010-\\u2015\\u2212_\\u00b7\\u30fb]+/g,' ').trim();}
  function squash(s){return fold(s).replace(/ /g,'');}
  function quote(c){return c.replace(/[.*+?^${}()|[\\]\\\\]/g,'\\\\$&');}
  function said(f,sq,n){
    if(n.length>=4) return sq.indexOf(n)>=0;
    var r=res[n]||(res[n]=new RegExp('(?<![a-z0-9])'+n.split('').map(quote).join('[\\\\s\\\\-_]*')+'(?![a-z0-9])'));
    return r.test(f);
  }
  figs.forEach(function(f){var h=f.getAttribute('data-search'); f._f=h; f._s=h.replace(/ /g,''); f._g=(f.getAttribute('data-groups')||'').split(' ');});
  function clause(t){var g=S.index[squash(t)]; return g?{g:g}:{t:squash(t)};}
  function holds(f,c){
    if(c.t!==undefined) return f._s.indexOf(c.t)>=0;
    return f._g.indexOf(c.g)>=0 || S.needles[c.g].some(function(n){return said(f._f,f._s,n);});
  }
  function run(){
    var whole=squash(box.value), shown=0;
    var cs=!whole?[]:(S.index[whole]?[{g:S.index[whole]}]:fold(box.value).split(' ').filter(Boolean).map(clause));
    figs.forEach(function(f){
      var ok=cs.every(function(c){return holds(f,c);});
      f.classList.toggle('hidden',!ok); if(ok) shown++;
    });
    document.querySelectorAll('section.theme').forEach(function(s){
      s.classList.toggle('hidden', !s.querySelector('.fig:not(.hidden)'));
    });
    count.textContent = shown + ' of ' + figs.length + ' figures';
  }
  function fit(){document.documentElement.style.setProperty('--filter-h',(bar.offsetHeight+8)+'px');}
  box.addEventListener('input', function(){run(); fit();}); window.addEventListener('resize', fit); run(); fit();
  if(window.ResizeObserver) new ResizeObserver(fit).observe(bar);
  if(location.hash){var t=document.getElementById(location.hash.slice(1)); if(t) t.scrollIntoView();}
})();
"""

#: The evidence labels, as shown on a figure, and what each means (shown on the page and on the label).
STATUS_WORDS = {"confirmed": "confirmed", "differs": "statements differ", "relay_only": "known only through relays",
                "primary_only": "publisher's report only", "no_url": "no known URL"}
STATUS_MEANINGS = {
    "confirmed": "the publisher's own report states it, and every other document that states it gives the same value",
    "differs": "the documents that state it give different values or wordings; the disagreement is declared in the "
               "data, and the value shown is the one that stands",
    "relay_only": "no text of the publisher's own report is available: the figure rests on articles, posts or "
                  "translations that relay it",
    "primary_only": "only the publisher's own report states it; no relay restates it",
    "no_url": "none of the documents that state it has a known web address: it cannot be checked at its origin",
}
#: Entities that are no name to search by (the market as a whole, the remainder).
_NOT_NAMES = ("aggregate",)
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_\u00b7\u30fb]+")


def fold(text) -> str:
    """Text as the filter compares it: NFKC, case-folded, runs of spaces, hyphens and dots as one space.

    >>> fold("  Open-Weight ·  ＱＷＥＮ ")
    'open weight qwen'
    """
    return _SEPARATORS.sub(" ", unicodedata.normalize("NFKC", str(text)).casefold()).strip()


def squash(text) -> str:
    """:func:`fold` without any separator: ``'open weight'`` and ``'open-weight'`` are one spelling."""
    return fold(text).replace(" ", "")


def spelling_groups() -> tuple[dict[str, str], dict[str, list[str]]]:
    """What the filter knows of names: ``index`` (every squashed spelling -> its group) and ``needles``
    (group -> the spellings a sentence may mention it by).

    A group is an entity (``e:google``: its id, name and aliases, and its models' and apps' spellings, as
    :func:`llmtrends.search` looks for them) or a country (``c:CN``: its names, ``China``, ``中国`` ...;
    its code ``CN`` finds it but is not looked for in sentences, where it would find ``CNY``).

    Examples
    --------
    >>> index, needles = spelling_groups()
    >>> index[squash("中国")] == index[squash("China")] == index["cn"] == "c:CN"
    True
    >>> index[squash("谷歌")] == index["google"] == "e:google"
    True
    """
    from llmtrends.facts.explore import COUNTRY_NAMES

    reg = datasets.registry()
    index: dict[str, str] = {}
    needles: dict[str, list[str]] = {}
    for eid, ent in reg.entities.items():
        if ent.get("kind") in _NOT_NAMES:
            continue
        names = [eid, ent.get("name")] + list(ent.get("aliases") or [])
        names += [alias for alias, owner in reg.aliases.items() if owner == eid]
        for name in filter(None, names):
            index.setdefault(squash(name), f"e:{eid}")
        own = [squash(n) for n in names if n and len(squash(n)) > 1]
        members = [m for m, other in reg.entities.items() if other.get("vendor") == eid]
        for m in members:
            own += [squash(n) for n in [m, reg.entities[m].get("name")] + list(reg.entities[m].get("aliases") or [])
                    if n and len(squash(n)) > 1]
        needles[f"e:{eid}"] = sorted(set(own))
    for code, names in COUNTRY_NAMES.items():
        for name in (code,) + tuple(names):
            index[squash(name)] = f"c:{code}"
        needles[f"c:{code}"] = sorted({squash(n) for n in names})
    return index, needles


class _Words:
    """``words`` and the registry looked up once per page: 480 figures name few sources, documents and names."""

    def __init__(self):
        self.reg = datasets.registry()
        for name in ("source", "document", "metric", "period", "theme", "segment"):
            setattr(self, name, functools.lru_cache(maxsize=None)(getattr(words, name)))
        self.spellings = functools.lru_cache(maxsize=None)(self._spellings)
        self.groups = functools.lru_cache(maxsize=None)(self._groups)
        self.document_line = functools.lru_cache(maxsize=None)(self._document)
        self.urls = {d: safe_url(meta.get("url")) for d, meta in self.reg.documents.items()}

    def _spellings(self, entity: str) -> tuple[str, ...]:
        meta = self.reg.entities.get(entity, {})
        names = [entity, str(meta.get("name", ""))] + [str(a) for a in meta.get("aliases", []) or []]
        names += [alias for alias, eid in self.reg.aliases.items() if eid == entity]
        return tuple(dict.fromkeys(n for n in names if n))

    def _groups(self, entity: str, vendor) -> str:
        """The groups a figure belongs to: its entity, its vendor and their country."""
        out = []
        for eid in (entity, vendor):
            if isinstance(eid, str) and eid in self.reg.entities:
                out.append(f"e:{eid}")
                country = self.reg.entities[eid].get("country")
                if country:
                    out.append(f"c:{country}")
        return " ".join(dict.fromkeys(out))

    def _document(self, doc_id: str) -> str:
        """A document as a reader names it, with its link, or 'no known URL'."""
        url = self.urls.get(doc_id)
        link = f" · <a href='{esc(url)}'>{esc(url)}</a>" if url else " · no known URL"
        return f"{esc(self.document(doc_id))}{link}"

    def badges(self, status: str, docs: list[str]) -> str:
        """The figure's evidence labels, each with its meaning for a pointer."""
        labels = [status] if status in STATUS_WORDS else []
        if docs and not any(self.urls.get(d) for d in docs):
            labels.append("no_url")
        return "".join(f"<a class='status status-{esc(k)}' href='#evidence-{esc(k)}' title='{esc(STATUS_MEANINGS[k])}'>"
                       f"{esc(STATUS_WORDS[k])}</a>" for k in labels)


def _docs(r) -> list[str]:
    docs = r.get("docs")
    return list(docs) if isinstance(docs, (list, tuple)) else [d for d in str(docs or "").split(";") if d]


def _figure(r, quotes: list, theme: str, w: _Words) -> str:
    """One figure: what and whose, its labels, value and period, source, and its sentences folded."""
    title = w.metric(r["metric"])
    status = str(r["status"]) if isinstance(r.get("status"), str) else ""
    docs = _docs(r)
    search = fold(" ".join(str(p) for p in list(w.spellings(r["entity"])) + [
        r["entity_name"], title, r["period"], w.period(r["period"]), w.source(r["source_id"]),
        w.theme(theme), STATUS_WORDS.get(status, "")] + [q[0] for q in quotes]
        + [w.document(d) for d in docs] if p is not None))
    detail = "".join(
        f"<div class='quote' lang='{'zh' if any(ord(ch) > 0x2e80 for ch in str(quote)) else 'en'}'>"
        f"{esc(quote)}</div><div class='note'>{w.document_line(doc)}</div>" for quote, doc, _ in quotes)
    # obs ids (for lt.evidence) travel in an attribute: a reader sees documents, not ids
    ident = " ".join(str(obs_id) for _, _, obs_id in quotes)
    who = (f"<span class='what'>{esc(title)}</span>" if r["entity"] == "all" else  # a market total
           f"<span class='what'>{esc(r['entity_name'])}</span> · {esc(title)}")
    vendor = r.get("vendor") if isinstance(r.get("vendor"), str) else None
    return (f"<div class='fig' data-entity='{esc(r['entity'])}' data-obs='{esc(ident)}' "
            f"data-groups='{esc(w.groups(r['entity'], vendor))}' data-search='{esc(search)}'>"
            f"<div>{who} ({esc(w.segment(r['segment']).lower())}){w.badges(status, docs)}</div>"
            f"<div class='val'>{esc(words.row_value(r))} · {esc(w.period(r['period']))}</div>"
            f"<div class='src'>{esc(w.source(r['source_id']))}"
            + (f" · stated in {len(docs)} document{'s' if len(docs) != 1 else ''}" if docs else "")
            + f"</div><details><summary>Sentences ({len(quotes)})</summary>{detail}</details></div>")


def _ordered(group):
    """A theme's figures: the measures with the newest figures first, each measure's figures newest first."""
    newest = group.groupby("metric", observed=True)["period_end"].transform("max")
    return group.assign(_newest=newest).sort_values(
        ["_newest", "metric", "period_end", "value", "entity"], ascending=[False, True, False, False, True],
        kind="stable")


def _themes(figs, w) -> list[str]:
    """The reports' themes first (who leads, open vs closed, agents), then the others by name."""
    from llmtrends.facts.lens_declarations import LENS_THEMES

    held = set(figs["theme"])
    return [t for t in LENS_THEMES if t in held] + sorted(held - set(LENS_THEMES), key=w.theme)


def _legend() -> str:
    items = "".join(f"<dt id='evidence-{esc(k)}'><span class='status status-{esc(k)}'>{esc(STATUS_WORDS[k])}</span></dt>"
                    f"<dd>{esc(STATUS_MEANINGS[k])}</dd>" for k in STATUS_WORDS)
    return (f"<section id='evidence'><h2>What the evidence labels say</h2><dl class='legend'>{items}</dl>"
            "<p class='meta'>Pointing at a label on a figure shows its meaning; tapping it leads here.</p></section>")


def _head(figs, obs) -> list[str]:
    index, needles = spelling_groups()
    # JSON inside <script>: <, > and & as \u escapes (as Django's json_script), so no spelling can close
    # the element or read as markup
    spellings = (json.dumps({"index": index, "needles": needles}, ensure_ascii=False)
                 .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
    return [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        "<title>llmtrends data catalog</title>",
        f"<style>{_CSS}</style></head><body>",
        "<p class='meta'><a href='index.html'>All reports</a></p>",
        "<h1>The data catalog</h1>",
        f"<p>{len(figs)} figures from {obs['source_id'].nunique()} reports, stated in {obs['doc'].nunique()} documents. "
        "Each figure shows its value and period, the report that published it and how good its evidence is; open "
        "<em>Sentences</em> for the verbatim quotes, each with the document it stands in and its link. Within a "
        "theme, the measures with the newest figures come first.</p>",
        "<div class='filter'><label for='q' class='meta'>Filter by any name, in English or Chinese "
        "(for example Claude, 谷歌, China, open-weight, coding):</label>"
        "<input id='q' type='search' autocomplete='off' placeholder='Filter figures…'>"
        "<div id='count' class='meta' aria-live='polite'></div></div>",
        f"<script type='application/json' id='spellings'>{spellings}</script>",
    ]


def _sources_table(reg) -> list[str]:
    """Every report with its link, or 'no known URL'."""
    parts = ["<h2 id='sources'>Reports</h2><table class='sources'><thead><tr><th>Report</th><th>Link</th></tr>"
             "</thead><tbody>"]
    for sid in reg.sources:
        url = safe_url(reg.sources[sid].get("url"))
        link = f"<a href='{esc(url)}'>{esc(url)}</a>" if url else "<span class='meta'>no known URL</span>"
        parts.append(f"<tr id='source-{esc(sid)}'><td>{esc(words.source(sid))}</td><td>{link}</td></tr>")
    parts.append("</tbody></table>")
    return parts


def _statements(obs) -> dict[tuple, list[tuple]]:
    """Each figure's statements (quote, document, obs id), by figure key, in the order of the observations."""
    key = ["source_id", "metric", "segment", "entity", "period"]
    out: dict[tuple, list[tuple]] = {}
    columns = [obs[c].astype("object") for c in key + ["quote", "doc", "obs_id"]]
    for row in zip(*columns):
        out.setdefault(tuple(map(str, row[:5])), []).append(tuple(row[5:]))
    return out


@pinned_data
def render_catalog() -> str:
    """The catalog page as an HTML string (every value escaped)."""
    w = _Words()
    figs = datasets.figures().copy(deep=False)
    obs = datasets.observations().copy(deep=False)
    figs.attrs, obs.attrs = {}, {}  # pandas deep-copies attrs on every row taken: none to copy
    statements = _statements(obs)
    parts = _head(figs, obs)
    themes = _themes(figs, w)
    parts.append("<nav class='themes' aria-label='Themes'>" + "".join(
        f"<a href='#theme-{esc(t)}'>{esc(w.theme(t))}</a>" for t in themes) + "</nav>")
    parts.append(_legend())
    for theme in themes:
        group = _ordered(figs[figs["theme"] == theme])
        parts.append(f"<section class='theme' id='theme-{esc(theme)}'><h2>{esc(w.theme(theme))}</h2>"
                     f"<p class='meta'>{esc(w.reg.themes.get(theme, ''))}</p>")
        for r in group.to_dict("records"):
            key = tuple(r[c] for c in ("source_id", "metric", "segment", "entity", "period"))
            parts.append(_figure(r, statements.get(tuple(map(str, key)), []), theme, w))
        parts.append("</section>")
    parts += _sources_table(w.reg)
    parts.append(f"<script>{_SCRIPT}</script></body></html>")
    return "\n".join(parts)


def write_catalog(path: str | Path) -> Path:
    """Write the catalog page to ``path`` (atomically: a temporary file renamed into place)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(render_catalog(), encoding="utf-8")
    tmp.replace(path)
    return path
