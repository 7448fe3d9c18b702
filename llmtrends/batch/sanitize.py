"""Make an executed notebook safe to publish.

An export must say how it was produced, and nothing about the machine that
produced it: papermill's metadata (absolute ``input_path``/``output_path``,
environment) is replaced by a small ``llmtrends`` block, and text outputs are
scrubbed of absolute paths, the home folder, the user name in paths and the
host name.
"""
from __future__ import annotations

import copy
import getpass
import json
import os
import re
import socket
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from llmtrends.batch.clock import utc_iso
from llmtrends.version import __version__
from llmtrends.batch.plan import Run
from llmtrends.stories.citations import SOURCES_MIMETYPE

if TYPE_CHECKING:  # imported where a notebook is handled: the index and the cache check do without it
    import nbformat


#: Cell tags that remove a cell (or its input/output) from the stakeholder export.
REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})

_PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"
_INJECTED_TAG = "injected-parameters"
#: The id given to papermill's injected-parameters cell (papermill makes a random one, so two
#: builds of the same run would differ).
INJECTED_CELL_ID = "injected-parameters"
_BINARY_PREFIXES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")


def llmtrends_version() -> str:
    """The llmtrends version (``"unknown"`` when none is set)."""
    return str(__version__ or "unknown")


def make_scrubber(notebook_dir: Path, extra_dirs: Iterable[tuple[Path, str]] = ()) -> Callable[[str], str]:
    """Build a function that removes machine-specific paths and names from text.

    Parameters
    ----------
    notebook_dir : pathlib.Path
        The folder the notebook ran in; it becomes ``.``.
    extra_dirs : iterable of (Path, str)
        More folders to replace, each with its placeholder (for example the
        exports folder as ``<exports>``).

    Returns
    -------
    callable
        ``scrub(text) -> text``. Replaced, longest first: the notebook folder
        (``.``), the extra folders, the Python installation (``<python>``),
        the temp folder (``<tmp>``), the home folder (``~``); then any
        ``/home/<user>`` or ``/Users/<user>``, the user name as a path
        component (``<user>``) and the host name (``<host>``).
    """
    pairs: list[tuple[str, str]] = []

    def add(path: Path | str | None, placeholder: str) -> None:
        if not path:
            return
        for variant in {str(path), os.path.realpath(path)}:
            variant = variant.rstrip("/\\")
            if len(variant) > 1 and all(variant != old for old, _ in pairs):  # first placeholder wins
                pairs.append((variant, placeholder))

    add(notebook_dir, ".")
    for path, placeholder in extra_dirs:
        add(path, placeholder)
    for prefix in {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix}:
        add(prefix, "<python>")
    add(tempfile.gettempdir(), "<tmp>")
    add(Path.home(), "~")
    pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
    alternatives = "|".join(re.escape(old) for old, _ in pairs)
    # a folder matches only as a whole path component: /root must not eat /rootfs
    literal = re.compile(f"(?:{alternatives})(?![\\w.-])") if pairs else None
    replacement = dict(pairs)

    patterns: list[tuple[re.Pattern[str], str]] = [
        (re.compile(r"(?:/home|/Users|[A-Za-z]:\\Users)[/\\][^/\\\s\"'<>]+"), "~"),
        # the kernel's process id in the file names of its cells (warnings, tracebacks):
        # different in every build, so two builds of the same inputs would differ
        (re.compile(r"\bipykernel_\d+"), "ipykernel"),
    ]
    try:
        user = getpass.getuser()
    except Exception:  # no user name available (some containers)
        user = ""
    if user:
        patterns.append((re.compile(r"(?<=[/\\])" + re.escape(user) + r"(?=[/\\\s\"'<>:]|$)"), "<user>"))
    host = socket.gethostname()
    if host and len(host) >= 2 and host != "localhost":
        patterns.append((re.compile(r"\b" + re.escape(host) + r"\b"), "<host>"))

    def scrub(text: str) -> str:
        if literal is not None:
            text = literal.sub(lambda match: replacement[match.group(0)], text)
        for pattern, placeholder in patterns:
            text = pattern.sub(placeholder, text)
        return text

    return scrub


def _scrub_json(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_json(item, scrub) for item in value]
    if isinstance(value, dict):
        return {key: _scrub_json(item, scrub) for key, item in value.items()}
    return value


def _scrub_output(output: dict, scrub: Callable[[str], str]) -> None:
    kind = output.get("output_type")
    if kind == "stream":
        text = output.get("text", "")
        output["text"] = scrub("".join(text) if isinstance(text, list) else text)
    elif kind == "error":
        output["ename"] = scrub(str(output.get("ename", "")))
        output["evalue"] = scrub(str(output.get("evalue", "")))
        output["traceback"] = [scrub(line) for line in output.get("traceback", [])]
    elif kind in ("display_data", "execute_result"):
        data = output.get("data", {})
        for mimetype, content in list(data.items()):
            if mimetype.startswith(_BINARY_PREFIXES):
                continue
            if isinstance(content, str):
                data[mimetype] = scrub(content)
            elif isinstance(content, list) and all(isinstance(part, str) for part in content):
                data[mimetype] = scrub("".join(content))
            else:
                data[mimetype] = _scrub_json(content, scrub)


def _take_sources(output: dict) -> list[str] | None:
    """Remove the sources MIME bundle from an output; return the citations it held (``None``: none)."""
    data = output.get("data")
    if not isinstance(data, dict) or SOURCES_MIMETYPE not in data:
        return None
    content = data.pop(SOURCES_MIMETYPE)
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            content = [content]
    if isinstance(content, str):
        content = [content]
    return [str(item) for item in content or []]


def sanitize_notebook(
    nb: nbformat.NotebookNode,
    run: Run,
    *,
    started: datetime,
    finished: datetime,
    scrub: Callable[[str], str] | None = None,
) -> nbformat.NotebookNode:
    """A publishable copy of an executed notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook papermill returned.
    run : Run
        The run that produced it.
    started, finished : datetime.datetime
        When execution started and ended (recorded as UTC).
    scrub : callable, optional
        Text scrubber; defaults to ``make_scrubber(run.notebook.parent)``.

    Returns
    -------
    nbformat.NotebookNode
        A copy whose metadata holds only ``kernelspec``, ``language_info`` and
        ``llmtrends`` (the notebook's own ``llmtrends`` keys such as
        ``sources`` and ``validator``, plus ``run``, ``notebook``,
        ``parameters``, ``start_time``, ``end_time``, ``version``). Cells lose
        papermill's per-cell metadata; papermill's error banner cells are
        dropped; text outputs are scrubbed. Citations displayed with
        `declare_sources` (or any display output with that MIME type) are
        moved into ``metadata.llmtrends.sources`` and the carrying output is
        removed.
    """
    scrub = scrub or make_scrubber(run.notebook.parent)
    clean = copy.deepcopy(nb)
    own = dict(clean.metadata.get("llmtrends", {}) or {})
    sources = [str(item) for item in own.get("sources", []) or []]

    clean.cells = [_clean_cell(cell, scrub, sources) for cell in clean.cells
                   if _PAPERMILL_ERROR_TAG not in cell.get("metadata", {}).get("tags", [])]

    own.update(
        {
            "run": run.name,
            "notebook": run.notebook_name,
            # JSON-safe: an unquoted YAML date arrives as datetime.date
            "parameters": json.loads(json.dumps(run.parameters, default=str)),
            "start_time": utc_iso(started),
            "end_time": utc_iso(finished),
            "version": llmtrends_version(),
        }
    )
    if sources:
        own["sources"] = sources
    from nbformat import NotebookNode

    metadata = NotebookNode()
    for key in ("kernelspec", "language_info"):
        if key in clean.metadata:
            metadata[key] = clean.metadata[key]
    metadata["llmtrends"] = own
    clean.metadata = metadata
    return clean


def _clean_cell(cell, scrub: Callable[[str], str], sources: list[str]):
    """One cell without papermill's metadata, its outputs scrubbed; citations it displayed go to ``sources``."""
    tags = cell.get("metadata", {}).get("tags", [])
    cell.metadata.pop("papermill", None)
    if _INJECTED_TAG in tags and "id" in cell:
        cell["id"] = INJECTED_CELL_ID
    if cell.cell_type != "code":
        return cell
    outputs = []
    for output in cell.get("outputs", []):
        carried = _take_sources(output)
        for citation in carried or []:
            if citation not in sources:
                sources.append(citation)
        if output.get("output_type") == "display_data" and (carried is not None or not output.get("data")):
            continue  # a carrier of citations (its text/plain fallback is noise in an export)
        _scrub_output(output, scrub)
        outputs.append(output)
    cell.outputs = outputs
    return cell


def stakeholder_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy for readers without Python: no errors, no stderr, no removed cells.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A sanitized notebook.

    Returns
    -------
    nbformat.NotebookNode
        Without ``error`` outputs (tracebacks), ``stderr`` streams (warnings),
        cells tagged ``remove-cell`` and outputs of cells tagged
        ``remove-output``. Code input is hidden by the exporter, not here.
    """
    clean = copy.deepcopy(nb)
    cells = []
    for cell in clean.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVE_CELL_TAGS:
            continue
        if cell.cell_type == "code":
            if tags & REMOVE_OUTPUT_TAGS:
                cell.outputs = []
            cell.outputs = [
                output
                for output in cell.get("outputs", [])
                if output.get("output_type") != "error"
                and not (output.get("output_type") == "stream" and output.get("name") == "stderr")
            ]
        cells.append(cell)
    clean.cells = cells
    return clean


def notebook_sources(nb: nbformat.NotebookNode) -> list[str]:
    """The citations recorded in ``nb.metadata["llmtrends"]["sources"]`` (empty if absent)."""
    sources = nb.metadata.get("llmtrends", {}).get("sources", [])
    if isinstance(sources, str):
        return [sources]
    return [str(item) for item in sources or []]
