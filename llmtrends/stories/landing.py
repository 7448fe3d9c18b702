"""What the landing page says: who leads by which measure, how fresh each lens is, and the findings across reports.

A strategy lead opens the landing page months after the newest figure was
published. It answers first who leads the market by which measure, newest
evidence first, with the period each lens's data end in; then the reports'
findings, newest first; then how fresh each lens is on the day the page is
built. Everything here is computed from the data (``data/lenses.yaml`` and
the figures), never typed:

- :func:`lead`: which vendor leads on how many lenses (the vendor-share
  report's lens board, :mod:`llmtrends.stories.themes.vendor_lenses`);
- :func:`lens_board`: one entry per current lens on who leads, newest period
  first, China's own market apart;
- :func:`freshness`: every current lens of every theme with its cadence, the
  latest period held and its edition (whether a newer one is due on the build
  day is :func:`llmtrends.stories.freshness.due`);
- :func:`headlines`: five to eight findings across the reports, newest first;
- :func:`whats_new`: what changed in this release of the data (the changelog's
  own words, :mod:`llmtrends.facts.changes`);
- :func:`for_notebook` tells a run's story with the parameters the report itself
  would use: the notebook's own defaults (its tagged ``parameters`` cell) with
  the run's parameters over them, checked by :mod:`llmtrends.stories.params`.

The entries are plain JSON-ready dicts of words and ISO dates: the batch keeps
them with the page and renders them without pandas.
"""
from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path
from typing import Any

from llmtrends.stories import params as params_module
from llmtrends.stories import words
from llmtrends.stories.story import Finding, Story, _dedupe, _figures
from llmtrends.stories.themes.agentic_usage import agentic_usage
from llmtrends.stories.themes.open_vs_closed import open_vs_closed
from llmtrends.stories.themes.vendor_share import market_size, vendor_share
from llmtrends.facts.loading import pinned_data

STORIES = {"vendor_share": vendor_share, "open_vs_closed": open_vs_closed, "agentic_usage": agentic_usage}


def notebook_defaults(path: str | Path) -> dict[str, Any]:
    """The literal values the tagged ``parameters`` cell of a notebook assigns (``{}`` when unreadable).

    >>> import tempfile, nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("top = 3  # how many", metadata={"tags": ["parameters"]})])
    >>> with tempfile.NamedTemporaryFile("w", suffix=".ipynb", delete=False) as fh:
    ...     _ = fh.write(nbformat.writes(nb))
    >>> notebook_defaults(fh.name)
    {'top': 3}
    """
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
        source = next("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells
                      if "parameters" in (c.get("metadata", {}).get("tags") or []))
        tree = ast.parse(source)
    except (OSError, ValueError, KeyError, StopIteration, SyntaxError, TypeError):
        return {}
    values: dict[str, Any] = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else getattr(node, "target", None)
        if isinstance(target, ast.Name) and getattr(node, "value", None) is not None:
            try:
                values[target.id] = ast.literal_eval(node.value)
            except (ValueError, SyntaxError, TypeError):
                continue
    return values


@pinned_data
def for_notebook(notebook: str, parameters: dict[str, Any] | None = None, path: str | Path | None = None) -> Story:
    """The story of a notebook (by stem) with its parameters checked by :mod:`llmtrends.stories.params`.

    Parameters
    ----------
    notebook : str
        The notebook's stem (``vendor_share`` ...).
    parameters : dict, optional
        The run's parameters.
    path : path, optional
        The notebook file: its parameters cell gives the defaults (else the story function's own).
    """
    story = STORIES[notebook]
    values = {name: p.default for name, p in inspect.signature(story).parameters.items()
              if name != "figures" and p.default is not inspect.Parameter.empty and p.default is not None}
    values = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
    if path is not None:
        values.update({k: v for k, v in notebook_defaults(path).items() if k in params_module.VALIDATORS[notebook][1]})
    values.update(parameters or {})
    checked = params_module.validate(notebook, values)
    return story(**checked)


#: Headline findings the landing page shows, and how many of them one report may give.
HEADLINES = (5, 8)
PER_REPORT = 3
#: A headline speaks of one measure, or of two it names (a share by usage, then by spend); a sentence
#: across more lenses is the lens board's, told above the findings.
MAX_MEASURES = 2


def _newest(finding: Finding):
    """The end of the latest period a finding's figures describe (``None`` when they carry no period)."""
    data = finding.data
    if not len(data) or "period_end" not in data or data["period_end"].isna().all():
        return None
    return data["period_end"].max()


def _measures(finding: Finding) -> int:
    return int(finding.data["metric"].nunique()) if len(finding.data) and "metric" in finding.data else 0


def _told(told: dict[str, Story] | None, name: str) -> Story | None:
    """The story of a notebook with its defaults, as given or told now (``None`` when it cannot be told)."""
    if told and name in told:
        return told[name]
    from llmtrends import paths

    for tell in (lambda: for_notebook(name, path=paths.notebooks_dir() / f"{name}.ipynb"), STORIES[name]):
        try:  # a story that cannot be told must not take the landing page down
            return tell()
        except Exception:
            continue
    return None


@pinned_data
def headlines(told: dict[str, Story] | None = None) -> list[Finding]:
    """Five to eight findings across the reports, newest evidence first (each with its data for a sparkline).

    Each report gives its key findings that speak of at most two measures (the
    lens board's tally across every lens is :func:`lead`), the vendor-share
    report the market's size beside them; at most three per report, the newest
    first, and then all of them in order of the latest period they describe,
    newest first (a finding without a period last).

    Parameters
    ----------
    told : dict, optional
        Stories already computed with the notebooks' defaults, by notebook name.
    """
    picks: list[tuple[int, Finding]] = []
    for rank, name in enumerate(STORIES):
        story = _told(told, name)
        if story is None:
            continue
        found = [f for f in story.key_findings if _measures(f) <= MAX_MEASURES]
        if name == "vendor_share":
            try:
                size = market_size(_figures())
                found += size.findings[:1] if size is not None else []
            except Exception:
                pass
        found = sorted(found, key=lambda f: _sort_key(f, rank))[:PER_REPORT]
        picks += [(rank, f) for f in found]
    ordered = sorted(picks, key=lambda p: _sort_key(p[1], p[0]))
    return _dedupe([f for _, f in ordered])[:HEADLINES[1]]


def _sort_key(finding: Finding, rank: int):
    newest = _newest(finding)
    return (newest is None, -(newest.value if newest is not None else 0), rank)


@pinned_data
def lead(figures=None) -> Finding | None:
    """Who leads on how many lenses of vendor share, and where the others lead (the lens board's answer).

    Examples
    --------
    >>> found = lead()
    >>> found.text.startswith("Who leads depends on what is counted")
    True
    """
    from llmtrends.stories.themes import vendor_lenses

    view = vendor_lenses.lens_view(_figures() if figures is None else figures)
    return vendor_lenses.tally(view)


# --------------------------------------------------------------------------- the lens board and its freshness

def _iso(moment) -> str:
    """An ISO date (``''`` when missing): what the page keeps, to date itself on the day it is built."""
    if moment is None or (isinstance(moment, float) and moment != moment) or str(moment) in ("", "NaT", "nan", "None"):
        return ""
    return moment.date().isoformat() if hasattr(moment, "date") and callable(moment.date) else str(moment)[:10]


def _colour_key(entity, vendor) -> str | None:
    """The entity whose colour a mark takes: its vendor's, else its own (a group of models takes an earth tone)."""
    return vendor if isinstance(vendor, str) else entity if isinstance(entity, str) else None


def _weak(provenance) -> str:
    """'known only through relays', 'no known URL': what the leader's and runner-up's figures rest on."""
    if not isinstance(provenance, str) or not provenance:
        return ""
    return provenance.replace("relay only", "known only through relays")


def _board_entry(view, r, market: str) -> dict:
    from llmtrends.stories.themes import vendor_lenses

    snap = view.snapshots[r.lens]
    second = snap[snap["entity"] == r.runner_up_entity] if isinstance(r.runner_up_entity, str) else snap.head(0)
    leader = snap[snap["entity"] == r.leader_entity].iloc[0]
    vendor = r.leader_vendor if isinstance(r.leader_vendor, str) and r.leader_vendor != r.leader_entity else None
    return {
        "lens": r.lens, "market": market, "leader_entity": r.leader_entity, "measure": r.title, "short": vendor_lenses.short(r.lens),
        "population": r.population, "publisher": r.publisher,
        "period": words.period(r.period), "period_end": _iso(r.period_end),
        "leader": r.leader + (f" ({words.entity(vendor)})" if vendor else ""),
        "leader_value": words.row_value(leader), "leader_certain": bool(r.leader_certain),
        "leader_colour": _colour_key(r.leader_entity, r.leader_vendor),
        "runner_up": f"{r.runner_up} {words.row_value(second.iloc[0])}" if len(second) else "",
        "runner_up_colour": _colour_key(r.runner_up_entity, second.iloc[0]["vendor"]) if len(second) else None,
        "edition": _iso(r.edition) if isinstance(r.edition, str) else "",
        "weak": _weak(r.provenance),
    }


@pinned_data
def lens_board(figures=None) -> list[dict]:
    """The current lenses on who leads (vendor share), the market as a whole newest period first, then China's.

    Each entry holds words (``measure``, ``population``, ``period``, ``leader`` and
    ``leader_value``, ``runner_up``, ``source``, ``weak``: what its figures rest on when
    it is only relays or documents with no known URL), the leader's and runner-up's
    vendor colours and ISO dates (``period_end``, ``edition``) for the page to date itself.

    Examples
    --------
    >>> board = lens_board()
    >>> spend = next(e for e in board if e["lens"] == "menlo_spend_share")
    >>> spend["leader"], spend["leader_value"], spend["period"]
    ('Anthropic', '40%', '2025')
    """
    from llmtrends.stories.themes import vendor_lenses

    from llmtrends.stories.chart_notes import palette

    view = vendor_lenses.lens_view(_figures() if figures is None else figures)
    board = ([_board_entry(view, r, "global") for r in view.board.itertuples()]
             + [_board_entry(view, r, "china") for r in view.china.itertuples()])
    # one palette for the whole board: a vendor its colour, each group of models its own earth tone
    colours = palette([k for e in board for k in (e["leader_colour"], e["runner_up_colour"]) if k])
    for e in board:
        e["leader_colour"] = colours.get(e["leader_colour"], "")
        e["runner_up_colour"] = colours.get(e["runner_up_colour"], "") if e["runner_up_colour"] else ""
    return board


@pinned_data
def freshness(figures=None) -> list[dict]:
    """Every current lens of every theme: its cadence, the latest period held and the edition that holds it.

    A lens that another ``follows`` after a change of measure is no longer
    published (Menlo Ventures' usage shares gave way to spend shares): the lens
    that took over stands for the series. Sorted newest period first; whether a
    newer edition is due on a given day is :func:`llmtrends.stories.freshness.due`.

    Examples
    --------
    >>> ramp = next(e for e in freshness() if e["lens"] == "ramp_business_paying")
    >>> ramp["cadence"], ramp["period"], ramp["edition"]
    ('monthly', 'Jul 2026', '2026-08-12')
    """
    from llmtrends.facts import datasets
    from llmtrends.facts import lenses as lens_frames
    from llmtrends.stories import freshness as fresh

    reg = datasets.registry()
    board = lens_frames.board(_figures() if figures is None else figures, reg)
    board = board[~board["followed_by"].isin(set(board["lens"]))]
    board = board.sort_values(["period_end", "period_start"], ascending=False, kind="stable")
    out, seen = [], {}
    for r in board.itertuples():
        # one publisher series counted in two themes' lenses (Tech Times' whole-platform count) is one row
        decl = reg.lenses[r.lens]
        same = (decl["metric"], decl.get("segment"), tuple(decl.get("entities") or ()),
                tuple(decl.get("sources") or ()), decl.get("series"))
        if same in seen:
            seen[same]["theme"] += f", {words.lower_first(words.theme(r.theme))}"
            continue
        earlier = [m["title"] for m in lens_frames.chain(reg.lenses, r.lens) if m["lens"] != r.lens]
        out.append({
            "lens": r.lens, "theme": words.theme(r.theme), "measure": r.title, "publisher": r.publisher,
            "cadence": r.cadence, "cadence_words": fresh.cadence_words(r.cadence),
            "period": words.period(r.period), "period_end": _iso(r.period_end),
            "edition": _iso(r.edition) if isinstance(r.edition, str) and len(r.edition) >= 7 else "",
            "edition_words": words.month(r.edition) if isinstance(r.edition, str) else "",
            "weak": _weak(r.provenance),
            "earlier": "; ".join(words.lower_first(t) for t in earlier),
        })
        seen[same] = out[-1]
    return out


def whats_new() -> str:
    """What is new in this release of the data, in the changelog's own words (``''`` until there is one).

    The changelog and its summary are the fact base's (``lt.changes``, ``lt.whats_new``): this
    page only shows it.
    """
    try:
        from llmtrends.facts import changes
    except ImportError:  # a fact base without releases: nothing to say
        return ""
    return str(changes.whats_new())
