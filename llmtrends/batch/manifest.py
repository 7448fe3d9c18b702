"""``exports/manifest.json``: what each run produced, kept across batches.

The manifest lets the index be rebuilt without executing anything, and keeps
the "last good export" of a run that has since failed. One record per run::

    {"name": "vendor-share", "title": "...", "notebook": "vendor_share.ipynb",
     "parameters": {...}, "status": "ok" | "failed",
     "time": "2025-07-31T09:30:00Z", "duration": 4.1, "cell_seconds": 3.2,
     "build": "rebuilt" | "reused" | null, "checked": "2025-08-01T06:00:00Z",
     "failure": {"cell": 4, "cell_source": "...", "error": "..."} | null,
     "failed_notebook": "vendor-share.failed.ipynb" | null,
     "last_good": {"time": ..., "title": ..., "parameters": ..., "sources": [...],
                   "files": {"html": ..., "analyst": ..., "notebook": ...},
                   "key": ..., "inputs": {...}, "digests": {file: sha256},
                   "duration": ..., "cell_seconds": ...} | null}

``notebook`` is the notebook's path as the plan writes it, or relative to
the project when the plan gives an absolute or ``../`` path (never a machine
path: `llmtrends.batch.plan.shown_path`). ``time`` is when the export was generated (for a reused run: when the reused
export was); ``checked`` when a batch last looked at the run; ``duration`` the
seconds from kernel start to exports published and ``cell_seconds`` the part
of it spent executing cells. ``key``, ``inputs`` and ``digests`` belong to
the cache (see `llmtrends.batch.cache`). Besides ``runs`` the document
holds ``catalog``: the key and digest of the data catalog page.

``failed_notebook`` names the executed notebook of a failed run, kept beside
the exports (scrubbed like them) to debug from; it is removed when the run
next succeeds. Failure texts are scrubbed of machine paths before they are
recorded.

A record of the wrong shape (hand-edited, or from another version) is treated
as absent: every value read from it has the type and, where it is a choice,
one of the values listed above; file names are the run's own export names.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from llmtrends.batch.clock import utc_iso
from llmtrends.batch.lock import read_inside, regular_inside
from llmtrends.batch.render import ExportFiles, failed_notebook_name, publish
from llmtrends.batch.sanitize import notebook_sources

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1


def json_safe(value: Any) -> Any:
    """``value`` as JSON would give it back (dates become ISO strings)."""
    return json.loads(json.dumps(value, default=str))


#: The largest manifest read (bytes): a larger one is not the batch's own (rebuilt, not read).
MAX_MANIFEST_BYTES = 64 << 20
#: The largest earlier export notebook read to describe it (`last_good_from_disk`).
MAX_NOTEBOOK_BYTES = 256 << 20


def read_document(exports_dir: Path) -> tuple[Any, str | None]:
    """``(document, problem)`` of ``exports_dir/manifest.json``.

    ``document`` is ``None`` when there is no usable manifest; ``problem`` then
    says why in a few words when there is a file that is not one (a symbolic
    link, a FIFO, too large, not JSON ...), for the batch's log. Only a regular
    file of the exports folder is read (`llmtrends.batch.lock.read_inside`).
    """
    path = Path(exports_dir) / MANIFEST_NAME
    try:
        data = read_inside(path, limit=MAX_MANIFEST_BYTES)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, exc.strerror or str(exc)
    try:
        return json.loads(data.decode("utf-8")), None
    except (ValueError, RecursionError):
        return None, "not JSON written by llmtrends"


def load_manifest(exports_dir: Path, document: Any = None) -> dict[str, dict[str, Any]]:
    """Read the run records of ``exports_dir/manifest.json``.

    Parameters
    ----------
    exports_dir : pathlib.Path
    document : object, optional
        The manifest already read (`read_document`); read here when not given.

    Returns
    -------
    dict of str to dict
        Run name -> record; empty when there is no manifest or it cannot be
        read (it is then rebuilt from the exports on disk as runs finish).
    """
    if document is None:
        document, _ = read_document(exports_dir)
    runs = document.get("runs") if isinstance(document, dict) else None
    if not isinstance(runs, dict):
        return {}
    return {name: record for name, record in runs.items() if valid_record(name, record)}


_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


def _optional(value: Any, kind: type | tuple) -> bool:
    return value is None or (isinstance(value, kind) and not isinstance(value, bool))


def _text_list(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(item, str) for item in value))


def valid_record(name: Any, record: Any) -> bool:
    """Whether a manifest record has the shape this module writes (see the module description).

    Parameters
    ----------
    name : object
        Its key in ``runs``.
    record : object

    Returns
    -------
    bool
        ``False`` for anything another part of the batch could trip over: a
        status outside ``ok``/``failed``, a failure that is not a mapping of
        texts, export file names other than the run's own (``<name>.html``
        ...), a time that is not text ...
    """
    if not isinstance(name, str) or not _SLUG.match(name) or not isinstance(record, dict):
        return False
    if record.get("status") not in ("ok", "failed") or record.get("build") not in ("rebuilt", "reused", None):
        return False
    for key in ("name", "title", "notebook", "time", "checked"):
        if not _optional(record.get(key), str):
            return False
    for key in ("duration", "cell_seconds"):
        if not _optional(record.get(key), (int, float)):
            return False
    if not _optional(record.get("parameters"), dict):
        return False
    failure = record.get("failure")
    if failure is not None:
        if not isinstance(failure, dict) or not _optional(failure.get("cell"), int):
            return False
        if not isinstance(failure.get("error", ""), str) or not isinstance(failure.get("cell_source", ""), str):
            return False
    if record.get("failed_notebook") not in (None, failed_notebook_name(name)):
        return False
    last_good = record.get("last_good")
    if last_good is None:
        return True
    if not isinstance(last_good, dict):
        return False
    files = ExportFiles.for_name(name)
    if last_good.get("files") != {"html": files.html, "analyst": files.analyst, "notebook": files.notebook}:
        return False
    for key in ("time", "title", "key"):
        if not _optional(last_good.get(key), str):
            return False
    for key in ("duration", "cell_seconds"):
        if not _optional(last_good.get(key), (int, float)):
            return False
    if not _text_list(last_good.get("sources")) or not _optional(last_good.get("parameters"), dict):
        return False
    for key in ("inputs", "digests"):
        value = last_good.get(key)
        if value is not None and not (isinstance(value, dict) and all(isinstance(v, (str, type(None)))
                                                                      for v in value.values())):
            return False
    return True




def load_catalog_entry(exports_dir: Path, document: Any = None) -> dict[str, Any] | None:
    """The ``catalog`` entry of ``exports_dir/manifest.json`` (key and digest of the catalog page)."""
    if document is None:
        document, _ = read_document(exports_dir)
    entry = document.get("catalog") if isinstance(document, dict) else None
    if not isinstance(entry, dict) or not all(isinstance(entry.get(key), (str, type(None)))
                                              for key in ("key", "digest", "time")):
        return None
    return entry


def load_index_entry(exports_dir: Path, document: Any = None) -> dict[str, Any] | None:
    """The ``index`` entry of ``exports_dir/manifest.json``: the landing page's data-derived content and its key."""
    if document is None:
        document, _ = read_document(exports_dir)
    entry = document.get("index") if isinstance(document, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str) or not isinstance(entry.get("content"), dict):
        return None
    return entry


def save_manifest(
    exports_dir: Path, records: Mapping[str, Mapping[str, Any]], *, catalog: Mapping[str, Any] | None = None,
    index: Mapping[str, Any] | None = None,
) -> Path:
    """Write the run records atomically to ``exports_dir/manifest.json``.

    Parameters
    ----------
    exports_dir : pathlib.Path
    records : mapping of str to dict
    catalog : mapping, optional
        The catalog page's cache entry (left out when ``None``).
    index : mapping, optional
        The landing page's content entry (`llmtrends.batch.index.cached_content`; left out when ``None``).

    Returns
    -------
    pathlib.Path
        The manifest path.
    """
    path = Path(exports_dir) / MANIFEST_NAME
    document: dict[str, Any] = {"version": SCHEMA_VERSION, "runs": {name: dict(records[name]) for name in sorted(records)}}
    if catalog is not None:
        document["catalog"] = dict(catalog)
    if index is not None:
        document["index"] = dict(index)
    publish({path: (json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")})
    return path


def last_good_from_disk(exports_dir: Path, name: str) -> dict[str, Any] | None:
    """Describe an export found on disk that the manifest does not know about.

    The exported ``<name>.ipynb`` carries its own provenance
    (``metadata.llmtrends``); without it the file time is used.

    Returns
    -------
    dict or None
        A ``last_good`` record, or ``None`` when ``<name>.html`` does not exist.
    """
    files = ExportFiles.for_name(name)
    html = Path(exports_dir) / files.html
    if not regular_inside(html):  # a link or a special file is no export of the batch
        return None
    record: dict[str, Any] = {
        "time": utc_iso(datetime.fromtimestamp(html.stat().st_mtime, tz=timezone.utc)),
        "title": None,
        "parameters": None,
        "sources": [],
        "files": {"html": files.html, "analyst": files.analyst, "notebook": files.notebook},
    }
    try:
        import nbformat

        data = read_inside(Path(exports_dir) / files.notebook, limit=MAX_NOTEBOOK_BYTES)
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception:
        return record
    own = nb.metadata.get("llmtrends", {})
    if not isinstance(own, dict):  # a notebook edited by hand: only its file time is trusted
        return record
    if isinstance(own.get("end_time"), str):
        record["time"] = own["end_time"]
    if isinstance(own.get("parameters"), dict):
        record["parameters"] = own["parameters"]
    record["sources"] = notebook_sources(nb)
    return record


def run_record(
    previous: Mapping[str, Any] | None,
    *,
    run,
    status: str,
    finished: datetime,
    duration: float,
    failure=None,
    files: ExportFiles | None = None,
    sources: list[str] | None = None,
    exports_dir: Path | None = None,
    cache: Mapping[str, Any] | None = None,
    cell_seconds: float | None = None,
    failed_notebook: str | None = None,
) -> dict[str, Any]:
    """The manifest record of a run that just finished.

    Parameters
    ----------
    previous : mapping or None
        The run's record from the previous batch.
    run : Run
    status : {"ok", "failed"}
    finished : datetime.datetime
    duration : float
        Seconds.
    failure : Failure, optional
    files : ExportFiles, optional
        The exports written (successful runs).
    sources : list of str, optional
        Citations of the exported notebook.
    exports_dir : pathlib.Path, optional
        Used to find a previous export the manifest does not know about.
    cache : mapping, optional
        ``key``, ``inputs`` and ``digests`` of a successful run's exports,
        stored in its ``last_good`` so that a later batch can reuse them.
    cell_seconds : float, optional
        Seconds the run's cells spent executing.
    failed_notebook : str, optional
        File name of the executed notebook kept for a failed run.

    Returns
    -------
    dict
        A successful run becomes its own ``last_good``; a failed run keeps the
        previous one.
    """
    time = utc_iso(finished)
    if status == "ok" and files is not None:
        last_good = {
            "time": time,
            "title": run.title,
            "parameters": json_safe(run.parameters),
            "sources": list(sources or []),
            "files": {"html": files.html, "analyst": files.analyst, "notebook": files.notebook},
            "duration": round(duration, 2),
            "cell_seconds": _rounded(cell_seconds),
        }
        for name in ("key", "inputs", "digests"):
            if cache and cache.get(name) is not None:
                last_good[name] = json_safe(cache[name])
    else:
        last_good = (previous or {}).get("last_good")
        if last_good is None and exports_dir is not None:
            last_good = last_good_from_disk(exports_dir, run.name)
    return {
        "name": run.name,
        "title": run.title,
        "notebook": run.notebook_name,
        "parameters": json_safe(run.parameters),
        "status": status,
        "time": time,
        "duration": round(duration, 2),
        "cell_seconds": _rounded(cell_seconds),
        "build": "rebuilt" if status == "ok" else None,
        "checked": time,
        "failure": failure.to_dict() if failure is not None else None,
        "failed_notebook": failed_notebook if status != "ok" else None,
        "last_good": last_good,
    }


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)


def reused_record(previous: Mapping[str, Any], *, run, checked: datetime) -> dict[str, Any]:
    """The manifest record of a run whose last good export was reused.

    Parameters
    ----------
    previous : mapping
        The run's record, whose ``last_good`` matched the run's cache key.
    run : Run
    checked : datetime.datetime
        When the batch reused it.

    Returns
    -------
    dict
        Status ``ok``, ``time`` the generation time of the reused export,
        ``build`` ``"reused"``; ``last_good`` unchanged.
    """
    last_good = dict(previous["last_good"])
    return {
        "name": run.name,
        "title": run.title,
        "notebook": run.notebook_name,
        "parameters": json_safe(run.parameters),
        "status": "ok",
        "time": last_good.get("time"),
        "duration": last_good.get("duration"),
        "cell_seconds": last_good.get("cell_seconds"),
        "build": "reused",
        "checked": utc_iso(checked),
        "failure": None,
        "last_good": last_good,
    }
