"""Incremental rebuilds: a run is reused when nothing that can change its exports has changed.

A run's *key* is a SHA-256 over everything its exports are made of:

``notebook``     the notebook file, byte for byte
``run``          the run's name, title, notebook path (as the plan writes it) and
                 parameters, as canonical JSON
``data``         the state of the data folder (`llmtrends.paths.data_dir`, so
                 ``LLMTRENDS_DATA`` too): relative path and bytes of every file
                 that counts, through symbolic links, editor lock and backup
                 files aside (`llmtrends.facts.files.state`, the same state
                 the fact base is cached under)
``source``       every file of the ``llmtrends`` package (``*.py``, templates,
                 fonts ...; not ``__pycache__``): relative path and bytes
``templates``    the nbconvert templates the exports are rendered with (ours
                 and the ones it extends, in every Jupyter data folder) and
                 the ``python3`` kernelspec
``environment``  the Python version and the versions of the packages that
                 execute and render a notebook (`RENDER_PACKAGES`)

The plan file is not part of any key: editing one run's entry changes that
run's key only.

The key of a run's last good export is kept in ``exports/manifest.json``
(``last_good.key``, with ``last_good.inputs``, the digest of each part, to
say what changed) together with a SHA-256 of each of its three files
(``last_good.digests``). A run is reused only when its key matches *and* the
three files are on disk with those digests, so an export edited by hand,
half-replaced by a crash or built from other inputs is never served. Failed
runs are never cached. Inputs that change while a batch runs (a data file
saved mid-batch) make the batch record no key, so the next batch rebuilds.

Every digest is of content (`llmtrends.facts.files.token`): timestamps only
spare re-reading a file while they can be trusted. Only regular files are
read: a FIFO or a link to ``/dev/zero`` where an export should be is "changed
on disk", never opened for reading; an export that is a symbolic link is never
taken for one the batch wrote.

Computing keys reads files and package metadata only; it imports neither
nbformat, papermill nor nbconvert, so an up-to-date batch costs a fraction of
a second. Not covered (use ``llmtrends run --force`` after changing them):
environment variables other than ``LLMTRENDS_DATA``, user configuration such
as a ``matplotlibrc`` or system fonts, files a notebook reads from outside the
data folder and the package.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from llmtrends import paths
from llmtrends.batch.lock import regular_inside
from llmtrends.batch.plan import Run
from llmtrends.facts import files

#: Bump to invalidate every key (when what a key covers changes).
KEY_SCHEMA = "llmtrends-cache-2"  # 2: data is `files.state` (links followed, lock files aside)

#: Distributions whose version is part of every key: they execute notebooks,
#: draw their charts or render their HTML.
RENDER_PACKAGES = (
    "papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "jupyter_client", "ipython",
    "matplotlib", "matplotlib-inline", "pandas", "numpy", "seaborn", "mplfonts", "pyyaml",
    "jinja2", "pygments", "mistune", "bleach", "beautifulsoup4", "jupyterlab", "jupyterlab_pygments",
)

#: The nbconvert template the exports use (see `llmtrends.batch.render`).
TEMPLATE_NAME = "llmtrends_html"

#: What each part of a key means, for "rebuild: ... changed" messages.
PART_LABELS = {
    "notebook": "notebook",
    "run": "title or parameters",
    "data": "data",
    "source": "llmtrends source",
    "templates": "export templates",
    "environment": "Python or package versions",
}

_SKIPPED_SUFFIXES = (".pyc", ".pyo")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path, *, follow_symlinks: bool = True) -> str | None:
    """SHA-256 of a regular file's bytes, or ``None`` when there is none to read (missing, special, unreadable).

    A FIFO or device is never opened for reading; with ``follow_symlinks=False``
    a symbolic link counts as no file.
    """
    return files.sha256(path, follow_symlinks=follow_symlinks)


def tree_digest(root: Path) -> str:
    """SHA-256 over the relative path and content of every file under ``root``.

    Parameters
    ----------
    root : pathlib.Path
        A folder; a missing folder has a digest of its own.

    Returns
    -------
    str
        Hex digest; renaming, adding, removing or editing any file changes it.
        Follows symbolic links; skips compiled Python, editor lock and backup
        files (`llmtrends.facts.files.IGNORED`).
    """
    digest = hashlib.sha256()
    root = Path(root)
    if not root.is_dir():
        digest.update(b"<missing folder>")
        return digest.hexdigest()
    for rel, path in files.data_files(root):
        if rel.endswith(_SKIPPED_SUFFIXES):
            continue
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(files.token(path).encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def package_versions(names: Iterable[str] = RENDER_PACKAGES) -> dict[str, str]:
    """Installed version of each distribution (``"missing"`` when absent), read from metadata."""
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def _jupyter_data_dirs(*parts: str) -> list[Path]:
    try:
        from jupyter_core.paths import jupyter_path  # small: no nbformat, no jsonschema
    except ImportError:  # pragma: no cover - jupyter_core comes with nbconvert
        return []
    return [Path(folder) for folder in jupyter_path(*parts)]


def templates_digest(template_name: str = TEMPLATE_NAME, package_templates: Path | None = None) -> str:
    """SHA-256 over the nbconvert templates an export is rendered with, and the kernelspec.

    Follows the ``base_template`` chain from ``template_name`` (ours extends
    ``lab``, which extends ``base``) through the package's templates folder and
    every Jupyter data folder, so an override in ``~/.local/share/jupyter``
    counts too.
    """
    digest = hashlib.sha256()
    bases = [package_templates or paths.PACKAGE_DIR / "templates"] + _jupyter_data_dirs("nbconvert", "templates")
    name: str | None = template_name
    seen: set[str] = set()
    while name and name not in seen:
        seen.add(name)
        following = None
        for base in bases:
            folder = base / name
            if folder.is_dir():
                digest.update(f"{name}:{folder.as_posix()}:{tree_digest(folder)}\n".encode("utf-8"))
                if following is None:
                    try:
                        conf = json.loads((folder / "conf.json").read_text(encoding="utf-8"))
                        following = conf.get("base_template")
                    except (OSError, ValueError):
                        pass
        name = following
    for base in _jupyter_data_dirs("kernels"):
        spec = base / "python3" / "kernel.json"
        if spec.is_file():
            digest.update(f"kernelspec:{spec.as_posix()}:{file_digest(spec)}\n".encode("utf-8"))
            break
    return digest.hexdigest()


def _environment_digest() -> str:
    described = {"python": sys.version, "implementation": sys.implementation.name, "packages": package_versions()}
    return _sha256(canonical_json(described).encode("utf-8"))


@dataclass(frozen=True)
class SharedInputs:
    """Digests of the inputs every run of a batch shares (computed once per batch).

    Attributes
    ----------
    data, source, templates, environment : str
        See the module description.
    """

    data: str
    source: str
    templates: str
    environment: str

    @classmethod
    def collect(cls, *, data_dir: Path | None = None, package_dir: Path | None = None) -> "SharedInputs":
        """Hash the data folder, the package, the templates and the environment as they are now.

        Parameters
        ----------
        data_dir : pathlib.Path, optional
            Default `llmtrends.paths.data_dir` (honours ``LLMTRENDS_DATA``).
        package_dir : pathlib.Path, optional
            The ``llmtrends`` package folder (default: the imported package).
        """
        package_dir = Path(package_dir) if package_dir is not None else paths.PACKAGE_DIR
        return cls(
            data=files.state(Path(data_dir) if data_dir is not None else paths.data_dir()),
            source=tree_digest(package_dir),
            templates=templates_digest(package_templates=package_dir / "templates"),
            environment=_environment_digest(),
        )

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spacing; values JSON lacks (dates ...) keep their type name."""

    def tagged(item: Any) -> Any:
        return {"__type__": type(item).__name__, "value": str(item)}

    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=tagged)


def run_inputs(run: Run, shared: SharedInputs) -> dict[str, str]:
    """The digest of each part of a run's key.

    Returns
    -------
    dict of str to str
        ``notebook``, ``run``, ``data``, ``source``, ``templates``, ``environment``.
    """
    described = {"name": run.name, "title": run.title, "notebook": run.notebook_name, "parameters": run.parameters}
    return {
        "notebook": file_digest(run.notebook) or "<unreadable>",
        "run": _sha256(canonical_json(described).encode("utf-8")),
        **shared.as_dict(),
    }


def key_of(inputs: Mapping[str, str]) -> str:
    """The cache key for a set of input digests (see `run_inputs`)."""
    return _sha256(canonical_json({"schema": KEY_SCHEMA, **inputs}).encode("utf-8"))


def catalog_inputs(shared: SharedInputs) -> dict[str, str]:
    """The parts the data catalog page depends on: data, package source, environment."""
    return {"page": "catalog", "data": shared.data, "source": shared.source, "environment": shared.environment}


def changed_parts(before: Mapping[str, str] | None, now: Mapping[str, str]) -> list[str]:
    """Labels of the parts whose digest differs (all of them when ``before`` is unknown)."""
    if not before:
        return []
    return [PART_LABELS.get(part, part) for part in now if before.get(part) != now[part]]


def export_digests(exports_dir: Path, names: Iterable[str]) -> dict[str, str | None]:
    """SHA-256 of each named file in ``exports_dir`` (``None`` for a missing file, a link or a special file)."""
    return {name: file_digest(Path(exports_dir) / name) if regular_inside(Path(exports_dir) / name) else None
            for name in names}


@dataclass(frozen=True)
class Decision:
    """Whether a run can be reused, and why not.

    Attributes
    ----------
    reuse : bool
    reason : str
        Why the run is rebuilt (empty when reused).
    built : str or None
        The generation time of the export that is reused.
    """

    reuse: bool
    reason: str = ""
    built: str | None = None


def decide(record: Mapping[str, Any] | None, inputs: Mapping[str, str], exports_dir: Path, *, force: bool = False) -> Decision:
    """Decide whether a run's last good export can stand for a build with ``inputs``.

    Parameters
    ----------
    record : mapping or None
        The run's manifest record.
    inputs : mapping of str to str
        From `run_inputs`.
    exports_dir : pathlib.Path
    force : bool, optional
        Never reuse.

    Returns
    -------
    Decision
        Reuse only when the key of the last good export equals ``key_of(inputs)``
        and each of its files is on disk with the recorded digest.
    """
    if force:
        return Decision(False, "--force")
    last_good = (record or {}).get("last_good") or {}
    if not last_good:
        return Decision(False, "no earlier export")
    recorded = last_good.get("key")
    if not recorded:
        return Decision(False, "no cache key recorded for the last export")
    if recorded != key_of(inputs):
        parts = changed_parts(last_good.get("inputs"), inputs)
        return Decision(False, f"{', '.join(parts)} changed" if parts else "inputs changed")
    named = last_good.get("files") or {}
    digests = last_good.get("digests") or {}
    if not isinstance(named, Mapping) or not named or not isinstance(digests, Mapping):
        return Decision(False, "no digests recorded for the last export")
    if not all(isinstance(name, str) and name not in ("", ".", "..") and Path(name).name == name
               for name in named.values()):  # a manifest edited to point elsewhere
        return Decision(False, "the manifest names export files outside the exports folder")
    if set(named.values()) != set(digests):
        return Decision(False, "no digests recorded for the last export")
    on_disk = export_digests(exports_dir, named.values())
    missing = [name for name, digest in on_disk.items() if digest is None]
    special = [name for name in missing if (Path(exports_dir) / name).is_symlink() or (Path(exports_dir) / name).exists()]
    if special:  # a link, FIFO, device or folder where the batch wrote a file: never read, never reused
        return Decision(False, f"export not a regular file: {', '.join(sorted(special))}")
    if missing:
        return Decision(False, f"export missing: {', '.join(sorted(missing))}")
    altered = [name for name, digest in on_disk.items() if digest != digests[name]]
    if altered:
        return Decision(False, f"export changed on disk: {', '.join(sorted(altered))}")
    return Decision(True, built=last_good.get("time"))


# --------------------------------------------------------------------------- the landing page's content

def content_digest(content: Mapping[str, Any]) -> str:
    """SHA-256 of the landing page's content as canonical JSON: what a manifest entry must still hold to be served."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _content_shape_ok(content: Any, runs: Sequence[Run]) -> bool:
    """Whether ``content`` has the shape `llmtrends.batch.index.data_content` gives for ``runs``."""
    if not isinstance(content, dict) or not isinstance(content.get("headlines"), str):
        return False
    per_run = content.get("runs")
    if not isinstance(per_run, dict) or set(per_run) != {run.name for run in runs}:
        return False
    for card in per_run.values():
        if not isinstance(card, dict) or not isinstance(card.get("params"), list):
            return False
        if not all(isinstance(text, str) for text in card["params"]):
            return False
        story = card.get("story")
        if story is not None and not (isinstance(story, dict) and all(isinstance(story.get(k), str) for k in
                                                                      ("question", "answer", "as_of", "thumb"))):
            return False
    return True


def content_reusable(entry: Any, key: str, runs: Sequence[Run]) -> bool:
    """Whether the landing page's kept content entry may be served: its key matches, its content is what was kept.

    See `llmtrends.batch.index.cached_content`. The content is HTML that goes into the page unescaped (headlines and
    sparklines), so a manifest entry edited by hand, cut short or of another
    shape is recomputed, never served.
    """
    if not isinstance(entry, Mapping) or entry.get("key") != key:
        return False
    content = entry.get("content")
    return (_content_shape_ok(content, runs) and isinstance(entry.get("digest"), str)
            and entry["digest"] == content_digest(content))
