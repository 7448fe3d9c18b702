"""Turn one executed, sanitized notebook into its three export files.

``<name>.html``          stakeholder: code input hidden, no errors, no stderr
``<name>.analyst.html``  analyst: code shown
``<name>.ipynb``         the sanitized executed notebook

Every file is self-contained (inline CSS, images as data: URIs, no CDN
scripts) and is published atomically: all three are first written to temp
files in the exports folder, then moved into place with :func:`os.replace`.
"""
from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from llmtrends.batch.plan import Run
from llmtrends.batch.sanitize import stakeholder_notebook

if TYPE_CHECKING:  # nbconvert is imported when a notebook is rendered (see `html_exporter`)
    import nbformat
    from nbconvert import HTMLExporter

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_NAME = "llmtrends_html"


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Permissions of published files (0o666 minus the umask; mkstemp alone gives 0o600).
#: Read once at import: the umask can only be read by setting it, which is not thread-safe.
FILE_MODE = 0o666 & ~_current_umask()


@dataclass(frozen=True)
class ExportFiles:
    """The file names (relative to the exports folder) of one run's exports."""

    html: str
    analyst: str
    notebook: str

    @classmethod
    def for_name(cls, name: str) -> "ExportFiles":
        """The export file names of run ``name``."""
        return cls(html=f"{name}.html", analyst=f"{name}.analyst.html", notebook=f"{name}.ipynb")

    def paths(self, exports_dir: Path) -> list[Path]:
        """The three files as paths under ``exports_dir``."""
        return [exports_dir / self.html, exports_dir / self.analyst, exports_dir / self.notebook]


def failed_notebook_name(name: str) -> str:
    """The file a failed run's executed notebook is kept in: ``<name>.failed.ipynb``."""
    return f"{name}.failed.ipynb"


def html_exporter(*, show_code: bool) -> HTMLExporter:
    """An HTML exporter producing one offline, self-contained file.

    Parameters
    ----------
    show_code : bool
        ``True`` for the analyst export (code cells and prompts shown),
        ``False`` for the stakeholder export (code input and prompts hidden).

    Returns
    -------
    nbconvert.HTMLExporter
        Using the ``llmtrends_html`` template (JupyterLab look without the
        CDN scripts), with markdown images embedded as data: URIs.
    """
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=not show_code,
        embed_images=True,
        filters={"human_date": _human_date},
    )


def _human_date(moment) -> str:
    """``'2026-11-27T15:40:00Z' -> '27 Nov 2026'`` for the stakeholder footer."""
    from llmtrends.stories import words

    return words.day(str(moment)[:10]) if moment else ""


#: One exporter per variant for the whole process, used under `_render_lock`.
_exporters: dict[bool, HTMLExporter] = {}
#: Rendering is pure Python: threads rendering at once would only take turns
#: holding the GIL, so they take turns here and share two exporters.
_render_lock = threading.Lock()


def _exporter(show_code: bool) -> HTMLExporter:
    """The process's exporter for one variant, created on first use (call with `_render_lock` held).

    An exporter compiles its Jinja templates on its first render (a third of a
    second, more under load); reusing it spares every later run that cost.
    Templates edited on disk are still picked up (Jinja checks their mtime).
    """
    exporter = _exporters.get(show_code)
    if exporter is None:
        exporter = _exporters[show_code] = html_exporter(show_code=show_code)
    return exporter


def warm_up() -> None:
    """Import nbconvert and compile both variants' templates ahead of the first real render.

    The batch calls this in the background while its first kernels start, when
    the runner process would otherwise sit idle.
    """
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook(
        cells=[
            new_markdown_cell("# warm-up"),
            new_code_cell("1", outputs=[new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]),
        ],
        metadata={"language_info": {"name": "python"}},
    )
    for show_code in (False, True):
        render_html(nb, title="warm-up", show_code=show_code, notebook_dir=Path.cwd())


def render_html(nb: nbformat.NotebookNode, *, title: str, show_code: bool, notebook_dir: Path) -> str:
    """Render a notebook to one HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A sanitized notebook (use `stakeholder_notebook` for readers).
    title : str
        The page title.
    show_code : bool
        Show code cells (analyst) or hide them (stakeholder).
    notebook_dir : pathlib.Path
        Folder that relative image links in markdown cells resolve against.

    Returns
    -------
    str
        The HTML document.
    """
    resources = {"metadata": {"name": title, "path": str(notebook_dir)}}
    with _render_lock:
        body, _ = _exporter(show_code).from_notebook_node(nb, resources=resources)
    return body


def publish(files: Mapping[Path, bytes]) -> None:
    """Write several files so that each appears complete or not at all.

    Every file is first written (and flushed to disk) as a temp file in its
    own folder; only when all are written are they moved into place with
    :func:`os.replace`. If writing fails, the temp files are removed and the
    existing files are left untouched.

    Parameters
    ----------
    files : mapping of pathlib.Path to bytes
        Target path -> content.
    """
    staged: list[tuple[Path, Path]] = []
    target = None
    try:
        for target, content in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            temp = Path(temp_name)
            staged.append((temp, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temp, FILE_MODE)
    except BaseException as exc:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and target is not None:  # name the file meant, not its temp file
            raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from exc
        raise
    for temp, target in staged:
        os.replace(temp, target)


def write_exports(nb: nbformat.NotebookNode, run: Run, exports_dir: Path) -> ExportFiles:
    """Render and publish the three exports of a successful run.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The sanitized executed notebook (see `sanitize_notebook`).
    run : Run
        The run; gives the export name, the title and the notebook folder.
    exports_dir : pathlib.Path
        Where the files go.

    Returns
    -------
    ExportFiles
        The names of the files written.

    Notes
    -----
    Everything is rendered before anything is written, so an error while
    rendering leaves the previous exports of the run untouched.
    """
    import nbformat

    names = ExportFiles.for_name(run.name)
    notebook_dir = run.notebook.parent
    stakeholder = render_html(stakeholder_notebook(nb), title=run.title, show_code=False, notebook_dir=notebook_dir)
    analyst = render_html(nb, title=f"{run.title} (analyst version)", show_code=True, notebook_dir=notebook_dir)
    publish(
        {
            exports_dir / names.html: stakeholder.encode("utf-8"),
            exports_dir / names.analyst: analyst.encode("utf-8"),
            exports_dir / names.notebook: nbformat.writes(nb).encode("utf-8"),
        }
    )
    return names
