"""``exports/index.html``: one offline page listing every run of the plan.

For each run: title, name, parameters, status (ok / failed with cell and
error / not run), generation time, whether the last batch rebuilt the run or
reused its export (``reused (from 27 Nov 2026, 16:49 UTC)``, see `llmtrends.batch.cache`), links to the stakeholder HTML, analyst
HTML and notebook, and the sources the report cites. A run that failed (or
was not run) but has an earlier export keeps its links, marked "last good
export from <time>". Plain HTML with inline CSS, no JavaScript; every string
from the plan, the manifest or a notebook is escaped.
"""
from __future__ import annotations

import json
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, Mapping, Sequence
from urllib.parse import quote

from llmtrends.batch.clock import utc_iso, utc_now
from llmtrends.batch.lock import regular_inside
from llmtrends.batch.render import publish
from llmtrends.batch.manifest import json_safe
from llmtrends.batch.plan import Run

INDEX_NAME = "index.html"

_CSS = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
       max-width: 62rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 0.5rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.6rem; }
h3 { font-size: 1.1rem; margin: 0 0 0.3rem; }
.lede { font-size: 1.05rem; color: #1f2328; margin: 0.2rem 0 0.5rem; }
.asof { margin: 0.2rem 0; }
.scope { color: #59636e; margin: 0.2rem 0 1rem; }
.meta { color: #59636e; font-size: 0.9rem; }
.chip { display: inline-block; width: 0.75em; height: 0.75em; border-radius: 2px; margin-right: 0.35em; vertical-align: baseline; }
table.board, table.fresh { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
table.board th, table.board td, table.fresh th, table.fresh td { text-align: left; vertical-align: top; padding: 0.4rem 0.5rem;
  border-bottom: 1px solid #d1d9e0; overflow-wrap: break-word; }
table.board, table.fresh { table-layout: fixed; }
table.board th:nth-child(1) { width: 33%; } table.board th:nth-child(2) { width: 19%; }
table.board th:nth-child(3) { width: 16%; } table.board th:nth-child(4) { width: 14%; }
table.board th:nth-child(5) { width: 18%; }
table.fresh th:nth-child(1) { width: 33%; } table.fresh th:nth-child(2) { width: 13%; }
table.fresh th:nth-child(3) { width: 15%; } table.fresh th:nth-child(4) { width: 11%; }
table.fresh th:nth-child(5) { width: 28%; }
table.board thead th, table.fresh thead th { font-size: 0.85rem; color: #59636e; border-bottom: 2px solid #d1d9e0; }
table.board tr.group th { font-weight: 600; padding-top: 1rem; }
.measure { display: block; font-weight: 600; }
.pop { display: block; color: #59636e; font-size: 0.85rem; }
td.leader { font-weight: 600; }
.weak { display: block; color: #9a6700; font-size: 0.85rem; }
.due { display: inline-block; border-radius: 4px; padding: 0 0.3rem; }
.due-due { background: #fff8c5; color: #7d4e00; font-weight: 600; }
.due-soon { background: #ddf4ff; color: #0a3069; font-weight: 600; }
.due-unknown { color: #7d4e00; font-weight: 600; }
.due-none, .due-later { color: #59636e; }
ul.headlines { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(24rem, 1fr)); gap: 0.8rem; }
li.headline { display: flex; gap: 0.7rem; align-items: flex-start; background: #f6f8fa; border-radius: 6px; padding: 0.7rem; }
li.headline p { margin: 0; }
li.headline .src { color: #59636e; font-size: 0.85rem; margin-top: 0.2rem; }
svg.spark { flex: none; overflow: visible; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 0.8rem; }
.card { border: 1px solid #d1d9e0; border-radius: 6px; padding: 0.8rem 1rem; min-width: 0; }
.card .q { margin: 0.2rem 0; font-style: italic; }
.card .a { display: flex; gap: 0.6rem; align-items: flex-start; margin: 0.4rem 0; }
.card .a svg { flex: none; }
.card .go { margin: 0.4rem 0 0; }
.details .run { border-top: 1px solid #d1d9e0; padding: 0.6rem 0; }
.status { display: inline-block; padding: 0 0.5rem; border-radius: 1rem; font-size: 0.85rem; font-weight: 600; }
.status-ok { background: #dafbe1; color: #116329; }
.status-failed { background: #ffebe9; color: #a40e26; }
.status-not-run { background: #eff2f5; color: #59636e; }
.build { color: #59636e; font-size: 0.85rem; margin-left: 0.4rem; }
.error { color: #a40e26; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.85rem; overflow-wrap: anywhere; }
.note { color: #9a6700; font-size: 0.9rem; }
ul.params, ul.sources { margin: 0.2rem 0; padding-left: 1.2rem; }
.links, .sources li { overflow-wrap: anywhere; }
@media (max-width: 600px) {
  ul.headlines { grid-template-columns: 1fr; }
  li.headline { flex-direction: column; gap: 0.3rem; }
  h1 { font-size: 1.45rem; }
  table.board thead, table.fresh thead { display: none; }
  table.board, table.board tbody, table.board tr, table.board td, table.board tr.group th,
  table.fresh, table.fresh tbody, table.fresh tr, table.fresh td { display: block; width: auto; }
  table.board tr, table.fresh tr { border-bottom: 1px solid #d1d9e0; padding: 0.4rem 0; }
  table.board td, table.fresh td { border: 0; padding: 0.1rem 0; }
  table.board td[data-label]:not(:first-child)::before, table.fresh td[data-label]:not(:first-child)::before {
    content: attr(data-label) ": "; color: #59636e; font-size: 0.85rem; font-weight: 400; }
}
@media print {
  html { font-size: 10pt; }
  body { font-size: 10pt; max-width: none; margin: 0; }
  .details, .go, section.reports, section.catalog { display: none; }
  li.headline, .card, table.board tr, table.fresh tr { break-inside: avoid; }
  table.board th, table.board td, table.fresh th, table.fresh td { padding: 0.25rem 0.3rem; }
  h2 { break-after: avoid; }
  ul.headlines { grid-template-columns: 1fr 1fr; }
  a { color: inherit; }
  .chip { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _href(file_name: str) -> str:
    return _e(quote(file_name))


def _value_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(json_safe(value), ensure_ascii=False)


def run_state(run: Run, record: Mapping[str, Any] | None, exports_dir: Path | None = None) -> dict[str, Any]:
    """What the index shows for one run.

    Parameters
    ----------
    run : Run
        The run as the plan has it now.
    record : mapping or None
        Its manifest record.
    exports_dir : pathlib.Path, optional
        When given, links are only shown to files that exist.

    Returns
    -------
    dict
        ``status`` ("ok", "failed", "not run"), ``time``, ``failure``,
        ``note``, ``files`` (dict or None), ``last_good_time`` (set when the
        links point to an earlier export), ``sources`` and ``build``
        ("rebuilt", "reused" or None).
    """
    state: dict[str, Any] = {
        "status": "not run",
        "time": None,
        "failure": None,
        "note": "",
        "files": None,
        "last_good_time": None,
        "sources": [],
        "build": None,
    }
    if record is None:
        return state
    current = record.get("notebook") == run.notebook_name and record.get("parameters") == json_safe(run.parameters)
    if current:
        state["status"] = record.get("status", "not run")
        state["time"] = record.get("time")
        state["failure"] = record.get("failure")
        kept = record.get("failed_notebook")
        if (isinstance(kept, str) and state["status"] == "failed"
                and (exports_dir is None or regular_inside(Path(exports_dir) / kept))):
            state["failed_notebook"] = kept
        if state["status"] == "ok" and record.get("build") in ("rebuilt", "reused"):
            state["build"] = record["build"]
    else:
        state["note"] = f"The plan changed since the last run ({_when(record.get('time'))})."
    last_good = record.get("last_good")
    if last_good:
        files = last_good.get("files") or {}
        # only files of the folder itself: a link (which may point anywhere) or a FIFO is no export
        exists = exports_dir is None or all(regular_inside(Path(exports_dir) / name) for name in files.values())
        if files and exists:
            state["files"] = files
            state["sources"] = list(last_good.get("sources") or [])
            if not (state["status"] == "ok" and last_good.get("time") == record.get("time")):
                state["last_good_time"] = last_good.get("time")
    return state


#: Parameters by the names a reader knows them.
PARAMETER_NAMES = {
    "metric": "measure", "segment": "respondents", "highlight_vendor": "vendor followed", "periods": "periods",
    "lenses": "measures compared", "flageval_boards": "FlagEval boards", "show_quotes": "source sentences (analyst version)",
    "compute_segments": "respondents", "agent_map_view": "agent map by", "top_n_scenarios": "scenarios charted",
}


def _words():
    from llmtrends.stories import words

    return words


def parameter_text(key: str, value: Any) -> str:
    """``('metric', 'enterprise_coding_llm_share') -> 'measure: Share of code-generation LLM use'``."""
    name = PARAMETER_NAMES.get(key, key.replace("_", " "))
    try:
        w = _words()
        one = {
            "metric": w.metric, "lenses": _lens_title, "highlight_vendor": w.entity,
            "segment": w.segment, "compute_segments": w.segment, "flageval_boards": lambda b: w.label("board", b),
            "periods": w.period,
        }.get(key)
        if isinstance(value, bool):
            text = "shown" if value else "hidden"
        elif isinstance(value, (list, tuple)):
            text = ("; " if key == "lenses" else ", ").join(one(v) if one else str(v) for v in value) or "all"
        else:
            text = one(value) if one else str(value)
    except Exception:  # an id the data no longer know: show it as it is
        text = _value_text(value)
    return f"{name}: {text}"


def _lens_title(lens_id: str) -> str:
    """A lens by its title (data/lenses.yaml); ``all`` as 'every lens of the theme'."""
    if lens_id == "all":
        return "every lens of the theme"
    from llmtrends.facts import datasets

    lens = datasets.registry().lenses.get(lens_id)
    if lens is None:
        return _words().metric(lens_id)  # a metric id, as older plans named them
    return str(lens.get("short") or lens["title"])


def _when(moment: Any) -> str:
    try:
        return _words().when(moment)
    except Exception:
        return str(moment)


def _story(run: Run):
    """The run's story (question, findings), or None when it cannot be told (unknown notebook, bad data)."""
    try:
        from llmtrends.stories import landing

        stem = Path(run.notebook_name).stem
        if stem not in landing.STORIES:
            return None
        return landing.for_notebook(stem, dict(run.parameters), path=run.notebook)
    except Exception:
        return None


def _plain(text: str) -> str:
    return text.replace("**", "")


def sparkline(data, width: int = 132, height: int = 40) -> str:
    """A finding's sparkline (:func:`llmtrends.stories.landing_page.sparkline`)."""
    from llmtrends.stories import landing_page

    return landing_page.sparkline(data, width, height)


def _uncited(text: str, finding) -> str:
    from llmtrends.stories import landing_page

    return landing_page.uncited(text, finding)


def _render_card(run: Run, state: Mapping[str, Any], story: Mapping[str, Any] | None) -> str:
    """One report card; ``story`` is the run's entry of `data_content` (question, answer, as_of, thumb)."""
    files = state["files"]
    parts = [f'<article class="card" id="report-{_e(run.name)}">']
    if files:
        parts.append(f'<h3><a href="{_href(files["html"])}">{_e(run.title)}</a></h3>')
    else:
        parts.append(f"<h3>{_e(run.title)}</h3>")
    if story is not None:
        parts.append(f'<p class="q">{_e(story["question"])}</p>')
        if story["answer"]:
            parts.append(f'<p class="a">{story["thumb"]}<span>{_e(_plain(story["answer"]))}</span></p>')
        if story["as_of"]:
            parts.append(f'<p class="meta">{_e(story["as_of"])}</p>')
    if files:
        parts.append(f'<p class="go"><a href="{_href(files["html"])}">Read the report: {_e(run.title)}</a></p>')
    else:
        parts.append('<p class="meta">This report has not been built yet.</p>')
    parts.append("</article>")
    return "\n".join(parts)


def _render_run(run: Run, state: Mapping[str, Any], params: Sequence[str] | None = None) -> str:
    """One run's build details: parameters in words, status, build time, analyst links, sources."""
    status = state["status"]
    css = "status-" + status.replace(" ", "-")
    parts = [f'<section class="run" id="run-{_e(run.name)}">', f"<h3>{_e(run.title)}</h3>"]
    line = f'<p><span class="status {_e(css)}">{_e(status)}</span>'
    if state["time"]:
        line += " built" if status == "ok" else " run at"
        line += f' <time datetime="{_e(state["time"])}">{_e(_when(state["time"]))}</time>'
    if state.get("build") == "rebuilt":
        line += ' <span class="build build-rebuilt">rebuilt</span>'
    elif state.get("build") == "reused":
        line += f' <span class="build build-reused">reused (from <time datetime="{_e(state["time"])}">{_e(_when(state["time"]))}</time>)</span>'
    line += "</p>"
    parts.append(line)
    failure = state["failure"]
    if status == "failed" and failure:
        where = ""
        if failure.get("cell") is not None:
            where = f"cell {failure['cell']}"
        if failure.get("cell_source"):
            where += f" <code>{_e(failure['cell_source'])}</code>"
        where = f"{where.strip()}: " if where else ""
        parts.append(f'<p class="error">Failed at {where}{_e(failure.get("error", ""))}</p>')
        if state.get("failed_notebook"):
            parts.append(f'<p class="meta"><a href="{_href(state["failed_notebook"])}">The notebook as it ran, '
                         f'up to the error (.ipynb)</a></p>')
    if state["note"]:
        parts.append(f'<p class="note">{_e(state["note"])}</p>')
    if run.parameters:
        texts = params if params is not None else [parameter_text(key, value) for key, value in run.parameters.items()]
        items = "".join(f"<li>{_e(text)}</li>" for text in texts)
        parts.append(f'<ul class="params">{items}</ul>')
    else:
        parts.append('<p class="meta">Default settings.</p>')
    files = state["files"]
    if files:
        if state["last_good_time"]:
            parts.append(f'<p class="note">Last good export from <time datetime="{_e(state["last_good_time"])}">'
                         f'{_e(_when(state["last_good_time"]))}</time>:</p>')
        parts.append(
            f'<p class="links"><a href="{_href(files["html"])}">Read the report: {_e(run.title)}</a> · '
            f'<a href="{_href(files["analyst"])}">{_e(run.title)}, analyst version with code</a> · '
            f'<a href="{_href(files["notebook"])}">{_e(run.title)} as a Jupyter notebook (.ipynb)</a></p>')
    else:
        parts.append('<p class="meta">No export yet.</p>')
    if state["sources"]:
        items = "".join(f"<li>{_e(source)}</li>" for source in state["sources"])
        parts.append(f'<details><summary>Sources ({len(state["sources"])})</summary><ul class="sources">{items}</ul></details>')
    parts.append("</section>")
    return "\n".join(parts)


#: The stories the landing page tells (notebook stems).
STORY_NOTEBOOKS = ("vendor_share", "open_vs_closed", "agentic_usage")
#: Key schema of the page's data-derived content, kept in the manifest (see `cached_content`).
CONTENT_SCHEMA = "llmtrends-index-content-2"


def _landing(defaults: dict) -> dict[str, Any]:
    """What the page says across the reports: the lens board's answer, the board, the findings newest first,
    every lens's freshness facts and what is new in this release. A part that cannot be computed is left out:
    it must not take the page down."""
    from llmtrends.stories import landing, landing_page

    out: dict[str, Any] = {}
    steps = {
        "headlines": lambda: landing_page.render_headlines(landing.headlines(defaults)),
        "lead": lambda: {"text": landing.lead().text},
        "board": landing.lens_board,
        "freshness": landing.freshness,
        "whats_new": landing.whats_new,
    }
    for key, step in steps.items():
        try:
            out[key] = step()
        except Exception:
            continue
    return json_safe(out)


def data_content(runs: Sequence[Run]) -> dict[str, Any]:
    """Everything the landing page says that is computed from the data, as JSON-ready strings.

    The lens board's answer (``lead``), the board of lenses on who leads and
    every lens's freshness facts (words and ISO dates: the page dates them on
    the day it is built), the headline findings (HTML with sparklines and
    sources), what is new in this release, each run's story for its card
    (question, one-line answer, as-of line, sparkline) and its parameters in
    words. A pure function of the data, the ``llmtrends`` source, the versions
    it runs with and the runs' notebooks and parameters: `content_key` digests
    exactly these, so the page can reuse it.

    Returns
    -------
    dict
        ``{"headlines": str, "lead": {"text": str}, "board": [dict, ...], "freshness": [dict, ...],
        "whats_new": str, "runs": {name: {"story": dict or None, "params": [str, ...]}}}``; the parts
        across reports are present only when the plan runs a story notebook.
    """
    known = [run for run in runs if Path(run.notebook_name).stem in STORY_NOTEBOOKS]
    told = {run.name: _story(run) for run in known}
    defaults = {Path(run.notebook_name).stem: told[run.name] for run in known
                if not run.parameters and told[run.name] is not None}
    content: dict[str, Any] = _landing(defaults) if known else {}
    per_run: dict[str, Any] = {}
    for run in runs:
        story = told.get(run.name)
        card = None
        if story is not None:
            answer = str(story.answer or "")
            first = story.key_findings[0] if story.key_findings else None
            if first is not None and answer == first.text and story.as_of and len(first.sources) == 1:
                answer = _uncited(answer, first)  # the "Data as of ..." line under it names that source
            card = {"question": str(story.question), "answer": answer, "as_of": str(story.as_of or ""),
                    "thumb": sparkline(story.key_findings[0].data, 96, 34) if story.key_findings else ""}
        per_run[run.name] = {"story": card,
                             "params": [parameter_text(key, value) for key, value in run.parameters.items()]}
    return {"headlines": "", **content, "runs": per_run}


def content_key(runs: Sequence[Run], shared) -> str:
    """The key of `data_content`: data, package source and environment digests (a `SharedInputs`), the runs."""
    from llmtrends.batch import cache

    described = {"schema": CONTENT_SCHEMA, "data": shared.data, "source": shared.source,
                 "environment": shared.environment,
                 "runs": [[run.name, run.notebook_name, json_safe(run.parameters)] for run in runs]}
    return cache.key_of({"index": cache.canonical_json(described)})


def cached_content(runs: Sequence[Run], shared, entry: Mapping[str, Any] | None = None):
    """`data_content` of ``runs``, reused from ``entry`` when its key matches and its content proves itself.

    A batch where nothing changed thus neither loads the data nor imports
    pandas for its landing page (the batch keeps the entry in the manifest's
    ``index``). The entry carries the SHA-256 of its content, checked before
    it is served (`llmtrends.batch.cache.content_reusable`). Fresh content gets an entry only when every
    load it was computed from served the data of ``shared.data`` (a data
    file saved meanwhile gives no entry: the next batch recomputes).

    Parameters
    ----------
    runs : sequence of Run
    shared : llmtrends.batch.cache.SharedInputs
        The batch's input digests.
    entry : mapping, optional
        The entry the previous batch kept: ``{"key": str, "digest": str, "content": dict}``.

    Returns
    -------
    tuple
        ``(content, entry)``; ``entry`` is ``None`` when the content must not be kept.
    """
    from llmtrends.batch import cache

    key = content_key(runs, shared)
    if cache.content_reusable(entry, key, runs):
        return entry["content"], dict(entry)
    from llmtrends.facts import loading

    with loading.served_states() as served:
        content = data_content(runs)
    if any(state != shared.data for state in served) or cache.SharedInputs.collect() != shared:
        return content, None
    return content, {"key": key, "digest": cache.content_digest(content), "content": content}


def render_index(
    runs: Sequence[Run],
    records: Mapping[str, Mapping[str, Any]],
    *,
    generated: datetime | None = None,
    catalog_href: str | None = None,
    exports_dir: Path | None = None,
    content: Mapping[str, Any] | None = None,
) -> str:
    """The landing page as an HTML string.

    First, under a title that names the newest period held, the lens board's
    answer (which vendor leads on how many lenses) and the newest evidence;
    then who leads by what measure (one row per lens, with the period its data
    end in and its age on the build day), the headline findings across the
    reports, newest first (a sentence with its number, source and date, and a
    sparkline each), what is new in this release, the reports (question,
    one-line answer, link), how fresh each lens is (cadence, latest data,
    whether a newer edition is due on the build day), the data catalog, and
    at the bottom the run details (parameters by their human names, status,
    build times, analyst versions). Inline CSS, no scripts; every string is
    escaped.

    Parameters
    ----------
    runs : sequence of Run
        Every run of the plan, in plan order.
    records : mapping of str to dict
        Manifest records by run name.
    generated : datetime.datetime, optional
        Time shown as the page's generation time (default: now).
    catalog_href : str, optional
        Link to the data catalog page; no link when ``None``.
    exports_dir : pathlib.Path, optional
        Folder holding the exports, used to check that linked files exist.
    content : mapping, optional
        What the page says from the data (`data_content` of ``runs``),
        computed when not given.

    Returns
    -------
    str
        A complete, self-contained HTML document.
    """
    generated = generated or utc_now()
    states = [(run, run_state(run, records.get(run.name), exports_dir)) for run in runs]
    counts = {status: sum(1 for _, state in states if state["status"] == status) for status in ("ok", "failed", "not run")}
    summary = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
    content = content if content is not None else data_content(runs)
    told = content.get("runs") or {}
    cards = "\n".join(_render_card(run, state, (told.get(run.name) or {}).get("story")) for run, state in states)
    details = "\n".join(_render_run(run, state, (told.get(run.name) or {}).get("params")) for run, state in states)
    built = (f'<p class="meta">Page built <time datetime="{_e(utc_iso(generated))}">{_e(_when(utc_iso(generated)))}'
             f"</time> · {len(runs)} report{'' if len(runs) == 1 else 's'}: {_e(summary)}</p>")
    return _page(content, generated, cards, _catalog_section(catalog_href), built + "\n" + details)


def _catalog_section(catalog_href: str | None) -> str:
    if not catalog_href:
        return ""
    return (f'<section class="catalog"><h2>The data behind the reports</h2><p><a href="{_e(catalog_href)}">'
            "Open the data catalog</a>: every figure with its source, date and the sentence it was taken from, "
            "searchable by any spelling of a name.</p></section>")


def _page(content: Mapping[str, Any], generated: datetime, cards: str, catalog: str, details: str) -> str:
    """The page: title and the lens board's answer, who leads by what measure, the findings newest first, what
    is new in this release, the reports, how fresh each lens is, the catalog, and the run details."""
    from llmtrends.stories import landing_page as page

    content = dict(content)
    title = page.page_title(content)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} · llmtrends</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_e(title)}</h1>
{page.render_lead(content, generated)}
<p class="scope">Who supplies LLMs, how much use goes to open-weight models, and how fast use is turning to reasoning and agents: what the published reports say, every number cited.</p>
</header>
<main>
{page.render_board(content.get("board") or [], generated)}
{content.get("headlines") or ""}
{page.render_whats_new(content.get("whats_new") or "")}
<section class="reports" aria-labelledby="reports-h"><h2 id="reports-h">The reports</h2>
<div class="cards">
{cards}
</div></section>
{page.render_freshness(content.get("freshness") or [], generated)}
{catalog}
<section class="details" aria-labelledby="details-h"><h2 id="details-h">Run details</h2>
{details}
</section>
</main>
</body>
</html>
"""


def write_index(
    exports_dir: Path,
    runs: Sequence[Run],
    records: Mapping[str, Mapping[str, Any]],
    *,
    catalog_href: str | None = None,
    generated: datetime | None = None,
    content: Mapping[str, Any] | None = None,
) -> Path:
    """Render the index page and publish it atomically as ``exports_dir/index.html``.

    Parameters
    ----------
    exports_dir : pathlib.Path
    runs : sequence of Run
        Every run of the plan.
    records : mapping of str to dict
        Manifest records by run name.
    catalog_href : str, optional
        Link to the data catalog page.
    generated : datetime.datetime, optional
    content : mapping, optional
        What the page says from the data (see `cached_content`); computed when not given.

    Returns
    -------
    pathlib.Path
        The index path.
    """
    path = Path(exports_dir) / INDEX_NAME
    page = render_index(runs, records, generated=generated, catalog_href=catalog_href, exports_dir=Path(exports_dir),
                        content=content)
    publish({path: page.encode("utf-8")})
    return path
