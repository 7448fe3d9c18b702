"""What the landing page says: each report's story for its run, and the headline findings across them.

:func:`for_notebook` tells a run's story with the parameters the report itself
would use: the notebook's own defaults (its tagged ``parameters`` cell) with
the run's parameters over them, checked by :mod:`llmtrends.stories.params`.
:func:`headlines` picks five to eight findings across the reports.
"""
from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path
from typing import Any

from llmtrends.stories import params as params_module
from llmtrends.stories.story import Finding, Story, _dedupe, _figures
from llmtrends.stories.themes.agentic_usage import agentic_usage
from llmtrends.stories.themes.open_vs_closed import open_vs_closed
from llmtrends.stories.themes.vendor_share import market_size, vendor_share

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


def headlines(told: dict[str, Story] | None = None) -> list[Finding]:
    """Five to eight findings across the reports, for the landing page (each with its data for a sparkline).

    ``told`` may hold stories already computed with the notebooks' defaults, by notebook name.
    """
    told = told or {}
    vendor_share_ = (lambda: told["vendor_share"]) if "vendor_share" in told else vendor_share
    open_vs_closed_ = (lambda: told["open_vs_closed"]) if "open_vs_closed" in told else open_vs_closed
    agentic_usage_ = (lambda: told["agentic_usage"]) if "agentic_usage" in told else agentic_usage
    picks: list[Finding] = []
    try:
        vs = vendor_share_()
        picks += vs.key_findings[:2]
        size = market_size(_figures())
        picks += size.findings[:1] if size is not None else vs.key_findings[2:3]
    except Exception:  # a story that cannot be told must not take the landing page down
        pass
    try:
        oc = open_vs_closed_()
        picks += oc.key_findings[:2]
    except Exception:
        pass
    try:
        ag = agentic_usage_()
        picks += [f for f in ag.key_findings if "inference" in f.text or "code generation" in f.text][:2]
        picks += [f for f in ag.key_findings if "OpenRouter" in f.text][:1]
    except Exception:
        pass
    return _dedupe(picks)[:8]
