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
#: Outputs whose text is markup: a placeholder in them is escaped (see `Scrubber.markup`).
MARKUP_TYPES = frozenset({"text/html", "text/markdown", "image/svg+xml", "application/xhtml+xml"})


def llmtrends_version() -> str:
    """The llmtrends version (``"unknown"`` when none is set)."""
    return str(__version__ or "unknown")


#: The names a scrubber removes where they stand in a path or an identifier (see `make_scrubber`).
HOST_KEYS = ("host", "hostname", "node", "nodename", "computername")
USER_KEYS = ("user", "username", "user_name", "login", "logname", "pw_name")

# A placeholder is marked with two private-use characters while the text is scrubbed, so that no
# later step reads it as text, and written out at the end: ``<host>`` in plain text, ``&lt;host&gt;``
# in markup (an HTML, Markdown or SVG output), where it shows as text and never becomes an element.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKED = re.compile(_OPEN + r"([a-z]+)" + _CLOSE)
# where a path may start: not inside a longer path or word (``/mirror/root`` is no ``/root``),
# except right after ``file://``
_PATH_START = r"(?:(?<=file://)|(?<![\w.~/\\-]))"
_PATH_CHARS = r"[^/\\\s\"'<>|;,()\[\]{}:]"


def _mark(name: str) -> str:
    return f"{_OPEN}{name}{_CLOSE}"


class Scrubber:
    """Removes machine details from text; built by `make_scrubber`.

    ``scrub(text)`` gives plain text (``<host>``); ``scrub.markup(text)`` the
    same for text that is markup, with the placeholders escaped (``&lt;host&gt;``).
    """

    def __init__(self, folders: list[tuple[str, str]], user: str, host: str) -> None:
        folders = sorted(folders, key=lambda pair: len(pair[0]), reverse=True)
        self.folders = dict(folders)
        alternatives = "|".join(re.escape(old) for old, _ in folders)
        # a folder matches only as a whole path: /root must not eat /rootfs nor /mirror/root
        self.literal = re.compile(f"{_PATH_START}(?:{alternatives})(?![\\w.-])") if folders else None
        self.user, self.host = user, host
        self.steps = [
            (re.compile(_PATH_START + r"(?:/home|/Users)/[^/\\\s\"'<>]+|(?<!\w)[A-Za-z]:\\Users\\[^\\\s\"'<>]+"),
             "~"),
            # the kernel's process id in the file names of its cells (warnings, tracebacks):
            # different in every build, so two builds of the same inputs would differ
            (re.compile(r"\bipykernel_\d+"), "ipykernel"),
        ]
        if user or host:
            self.steps += [
                (re.compile(_PATH_START + r"/(?:" + _PATH_CHARS + r"+/)+" + _PATH_CHARS + r"*"), self._path),
                (re.compile(r"(?<!\w)[A-Za-z]:\\(?:[^\\\s\"'<>|]+\\)+[^\\\s\"'<>|]*"), self._path),
            ]
        self.steps += self._identifier_steps(user, host)

    @staticmethod
    def _identifier_steps(user: str, host: str) -> list:
        steps: list = []
        end = r"(?!\.?[\w-])"  # the name ends here (a sentence's full stop may follow)
        if host:
            h = f"(?i:{re.escape(host)})"
            if user:
                steps.append((re.compile(r"(?<![\w.+-])" + re.escape(user) + "@" + h + end),
                              _mark("user") + "@" + _mark("host")))
            steps += [
                (re.compile(r"(?<=[\w.-]@)" + h + end), _mark("host")),      # someone@host
                (re.compile(r"(?<=//)" + h + end), _mark("host")),            # scheme://host
                (re.compile(r"(?<![\w\\])(\\\\)" + h + r"(?=\\)"), lambda m: m.group(1) + _mark("host")),  # \\host\
                (re.compile(r"(\b(?i:" + "|".join(HOST_KEYS) + r")\s*[=:]\s*['\"]?)" + h + end),
                 lambda m: m.group(1) + _mark("host")),  # hostname=host, node='host'
            ]
        if user:
            u = re.escape(user)
            steps += [
                (re.compile(r"(?<![\w~])~" + u + r"(?![\w.-])"), "~" + _mark("user")),
                (re.compile(r"(\b(?i:" + "|".join(USER_KEYS) + r")\s*[=:]\s*['\"]?)" + u + r"(?![\w.-])"),
                 lambda m: m.group(1) + _mark("user")),  # USER=user, pw_name='user'
            ]
        return steps

    def _path(self, match: re.Match) -> str:
        """An absolute path with the user and host names among its folders replaced."""
        text = match.group(0)
        separator = "/" if text.startswith("/") else "\\"
        parts = text.split(separator)
        for position, part in enumerate(parts):
            if self.user and part == self.user:
                parts[position] = _mark("user")
            elif self.host and part.casefold() == self.host.casefold():
                parts[position] = _mark("host")
        return separator.join(parts)

    def marked(self, text: str) -> str:
        """``text`` with every machine detail replaced by its marked placeholder."""
        if self.literal is not None:
            text = self.literal.sub(lambda match: self.folders[match.group(0)], text)
        for pattern, replacement in self.steps:
            text = pattern.sub(replacement, text)
        return text

    def __call__(self, text: str) -> str:
        return _MARKED.sub(r"<\1>", self.marked(text))

    def markup(self, text: str) -> str:
        """The scrubbed text of markup (HTML, Markdown, SVG): placeholders escaped, so they show as text."""
        return _MARKED.sub(r"&lt;\1&gt;", self.marked(text))


def _home() -> str | None:
    try:
        return str(Path.home())
    except (RuntimeError, KeyError, OSError):  # a uid without a passwd entry and no HOME (containers)
        return None


def make_scrubber(notebook_dir: Path, extra_dirs: Iterable[tuple[Path, str]] = ()) -> Scrubber:
    """Build the scrubber that removes machine-specific paths and names from text.

    Parameters
    ----------
    notebook_dir : pathlib.Path
        The folder the notebook ran in; it becomes ``.``.
    extra_dirs : iterable of (Path, str)
        More folders to replace, each with its placeholder (for example the
        exports folder as ``<exports>``).

    Returns
    -------
    Scrubber
        ``scrub(text) -> text``, and ``scrub.markup(text)`` for HTML, Markdown
        or SVG (the placeholders escaped: ``&lt;host&gt;`` shows as text and
        never becomes an element). Replaced, as whole paths, longest first:
        the notebook folder (``.``), the extra folders, the Python installation
        (``<python>``), the temp folder (``<tmp>``), the home folder (``~``);
        then any user's home folder, on Linux, macOS or Windows (``~``).
        The user and host names are replaced (``<user>``, ``<host>``) only where
        they stand as a path or an identifier, never as a word of the report
        (a host named ``Anthropic`` leaves the vendor on the page): a folder of
        an absolute path (``/srv/NAME/x``, ``C:\\NAME\\x``), ``user@host``,
        ``scheme://host``, ``\\\\host\\``, ``~user``, and a value of a key
        such as ``hostname=``, ``node='...'``, ``USER=``, ``pw_name=`` (`HOST_KEYS`,
        `USER_KEYS`). Host names compare without case; a host name of one
        letter or ``localhost`` is left alone.
    """
    pairs: list[tuple[str, str]] = []

    def add(path: Path | str | None, placeholder: str) -> None:
        if not path or not os.path.isabs(path):  # a relative folder ("data") is no machine detail: a word
            return
        for variant in {str(path), os.path.realpath(path)}:
            variant = variant.rstrip("/\\")
            if len(variant) > 1 and all(variant != old for old, _ in pairs):  # first placeholder wins
                name = placeholder.strip("<>")
                pairs.append((variant, placeholder if placeholder in (".", "~") else _mark(name)))

    add(notebook_dir, ".")
    for path, placeholder in extra_dirs:
        add(path, placeholder)
    for prefix in {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix}:
        add(prefix, "<python>")
    add(tempfile.gettempdir(), "<tmp>")
    add(_home(), "~")
    try:
        user = getpass.getuser()
    except Exception:  # no user name available (some containers)
        user = ""
    try:
        host = socket.gethostname()
    except OSError:
        host = ""
    if len(host) < 2 or host.lower() == "localhost":
        host = ""
    return Scrubber(pairs, user or "", host)


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
            text_scrub = getattr(scrub, "markup", scrub) if mimetype in MARKUP_TYPES else scrub
            if isinstance(content, str):
                data[mimetype] = text_scrub(content)
            elif isinstance(content, list) and all(isinstance(part, str) for part in content):
                data[mimetype] = text_scrub("".join(content))
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
