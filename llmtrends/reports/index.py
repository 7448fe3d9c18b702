"""``exports/index.html``: one offline page listing every run of the plan.

For each run: title, name, parameters, status (ok / failed with cell and
error / not run), generation time, whether the last batch rebuilt the run or
reused its export (``reused (from <time>)``, see `llmtrends.reports.cache`), links to the stakeholder HTML, analyst
HTML and notebook, and the sources the report cites. A run that failed (or
was not run) but has an earlier export keeps its links, marked "last good
export from <time>". Plain HTML with inline CSS, no JavaScript; every string
from the plan, the manifest or a notebook is escaped.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any, Mapping, Sequence
from urllib.parse import quote

from llmtrends.reports.export import publish
from llmtrends.reports.manifest import json_safe
from llmtrends.reports.plan import Run
from llmtrends.reports.sanitize import utc_iso

INDEX_NAME = "index.html"
PAGE_TITLE = "llmtrends reports"

_CSS = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.meta, .run .name { color: #59636e; font-size: 0.9rem; }
.run { border: 1px solid #d1d9e0; border-radius: 6px; padding: 0.8rem 1rem; margin: 1rem 0; }
.run h2 { font-size: 1.2rem; margin: 0 0 0.3rem; }
.status { display: inline-block; padding: 0 0.5rem; border-radius: 1rem; font-size: 0.85rem; font-weight: 600; }
.status-ok { background: #dafbe1; color: #116329; }
.status-failed { background: #ffebe9; color: #a40e26; }
.status-not-run { background: #eff2f5; color: #59636e; }
.build { color: #59636e; font-size: 0.85rem; margin-left: 0.4rem; }
.error { color: #a40e26; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.85rem; }
.note { color: #9a6700; font-size: 0.9rem; }
ul.params, ul.sources { margin: 0.2rem 0; padding-left: 1.2rem; }
ul.params code { font-size: 0.9rem; }
.links a { margin-right: 1rem; }
h3 { font-size: 0.95rem; margin: 0.6rem 0 0; }
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
        if state["status"] == "ok" and record.get("build") in ("rebuilt", "reused"):
            state["build"] = record["build"]
    else:
        state["note"] = f"The plan changed since the last run ({record.get('time')})."
    last_good = record.get("last_good")
    if last_good:
        files = last_good.get("files") or {}
        exists = exports_dir is None or all((Path(exports_dir) / name).is_file() for name in files.values())
        if files and exists:
            state["files"] = files
            state["sources"] = list(last_good.get("sources") or [])
            if not (state["status"] == "ok" and last_good.get("time") == record.get("time")):
                state["last_good_time"] = last_good.get("time")
    return state


def _render_run(run: Run, state: Mapping[str, Any]) -> str:
    status = state["status"]
    css = "status-" + status.replace(" ", "-")
    parts = [f'<section class="run" id="run-{_e(run.name)}">', f"<h2>{_e(run.title)}</h2>"]
    parts.append(
        f'<div class="name">run <code>{_e(run.name)}</code> · notebook <code>{_e(run.notebook_name)}</code></div>'
    )
    line = f'<p><span class="status {css}">{_e(status)}</span>'
    if state["time"]:
        line += " generated" if status == "ok" else " run at"
        line += f' <time datetime="{_e(state["time"])}">{_e(state["time"])}</time>'
    if state.get("build") == "rebuilt":
        line += ' <span class="build build-rebuilt">rebuilt</span>'
    elif state.get("build") == "reused":
        line += f' <span class="build build-reused">reused (from {_e(state["time"])})</span>'
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
    if state["note"]:
        parts.append(f'<p class="note">{_e(state["note"])}</p>')

    if run.parameters:
        items = "".join(
            f"<li><code>{_e(key)} = {_e(_value_text(value))}</code></li>" for key, value in run.parameters.items()
        )
        parts.append(f'<h3>Parameters</h3><ul class="params">{items}</ul>')
    else:
        parts.append('<h3>Parameters</h3><p class="meta">the notebook\'s defaults</p>')

    files = state["files"]
    if files:
        if state["last_good_time"]:
            parts.append(f'<p class="note">Last good export from {_e(state["last_good_time"])}:</p>')
        links = [
            f'<a href="{_href(files["html"])}">Report</a>',
            f'<a href="{_href(files["analyst"])}">Analyst version (with code)</a>',
            f'<a href="{_href(files["notebook"])}">Notebook (.ipynb)</a>',
        ]
        parts.append(f'<p class="links">{"".join(links)}</p>')
    else:
        parts.append('<p class="meta">No export yet.</p>')

    if state["sources"]:
        items = "".join(f"<li>{_e(source)}</li>" for source in state["sources"])
        parts.append(f'<h3>Sources</h3><ul class="sources">{items}</ul>')
    parts.append("</section>")
    return "\n".join(parts)


def render_index(
    runs: Sequence[Run],
    records: Mapping[str, Mapping[str, Any]],
    *,
    generated: datetime | None = None,
    catalog_href: str | None = None,
    exports_dir: Path | None = None,
) -> str:
    """The index page as an HTML string.

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

    Returns
    -------
    str
        A complete, self-contained HTML document (inline CSS, no scripts).
    """
    generated = generated or datetime.now(timezone.utc)
    states = [(run, run_state(run, records.get(run.name), exports_dir)) for run in runs]
    counts = {status: sum(1 for _, state in states if state["status"] == status) for status in ("ok", "failed", "not run")}
    summary = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
    catalog = f' · <a href="{_e(catalog_href)}">Data catalog</a>' if catalog_href else ""
    body = "\n".join(_render_run(run, state) for run, state in states)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(PAGE_TITLE)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_e(PAGE_TITLE)}</h1>
<p class="meta">Generated <time datetime="{_e(utc_iso(generated))}">{_e(utc_iso(generated))}</time> · {len(runs)} report(s): {_e(summary)}{catalog}</p>
</header>
<main>
{body}
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

    Returns
    -------
    pathlib.Path
        The index path.
    """
    path = Path(exports_dir) / INDEX_NAME
    page = render_index(runs, records, generated=generated, catalog_href=catalog_href, exports_dir=Path(exports_dir))
    publish({path: page.encode("utf-8")})
    return path
