"""``exports/manifest.json``: what each run produced, kept across batches.

The manifest lets the index be rebuilt without executing anything, and keeps
the "last good export" of a run that has since failed. One record per run::

    {"name": "vendor-share", "title": "...", "notebook": "vendor_share.ipynb",
     "parameters": {...}, "status": "ok" | "failed",
     "time": "2025-07-31T09:30:00Z", "duration": 4.1, "cell_seconds": 3.2,
     "build": "rebuilt" | "reused" | null, "checked": "2025-08-01T06:00:00Z",
     "failure": {"cell": 4, "cell_source": "...", "error": "..."} | null,
     "last_good": {"time": ..., "title": ..., "parameters": ..., "sources": [...],
                   "files": {"html": ..., "analyst": ..., "notebook": ...},
                   "key": ..., "inputs": {...}, "digests": {file: sha256},
                   "duration": ..., "cell_seconds": ...} | null}

``time`` is when the export was generated (for a reused run: when the reused
export was); ``checked`` when a batch last looked at the run; ``duration`` the
seconds from kernel start to exports published and ``cell_seconds`` the part
of it spent executing cells. ``key``, ``inputs`` and ``digests`` belong to
the cache (see `llmtrends.reports.cache`). Besides ``runs`` the document
holds ``catalog``: the key and digest of the data catalog page.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from llmtrends.reports.export import ExportFiles, publish
from llmtrends.reports.sanitize import notebook_sources, utc_iso

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1


def json_safe(value: Any) -> Any:
    """``value`` as JSON would give it back (dates become ISO strings)."""
    return json.loads(json.dumps(value, default=str))


def load_manifest(exports_dir: Path) -> dict[str, dict[str, Any]]:
    """Read the run records of ``exports_dir/manifest.json``.

    Parameters
    ----------
    exports_dir : pathlib.Path

    Returns
    -------
    dict of str to dict
        Run name -> record; empty when there is no manifest or it cannot be
        read (it is then rebuilt from the exports on disk as runs finish).
    """
    path = Path(exports_dir) / MANIFEST_NAME
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    runs = document.get("runs", {}) if isinstance(document, dict) else {}
    return {name: record for name, record in runs.items() if isinstance(record, dict)}


def load_catalog_entry(exports_dir: Path) -> dict[str, Any] | None:
    """The ``catalog`` entry of ``exports_dir/manifest.json`` (key and digest of the catalog page)."""
    try:
        document = json.loads((Path(exports_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entry = document.get("catalog") if isinstance(document, dict) else None
    return entry if isinstance(entry, dict) else None


def save_manifest(
    exports_dir: Path, records: Mapping[str, Mapping[str, Any]], *, catalog: Mapping[str, Any] | None = None
) -> Path:
    """Write the run records atomically to ``exports_dir/manifest.json``.

    Parameters
    ----------
    exports_dir : pathlib.Path
    records : mapping of str to dict
    catalog : mapping, optional
        The catalog page's cache entry (left out when ``None``).

    Returns
    -------
    pathlib.Path
        The manifest path.
    """
    path = Path(exports_dir) / MANIFEST_NAME
    document: dict[str, Any] = {"version": SCHEMA_VERSION, "runs": {name: dict(records[name]) for name in sorted(records)}}
    if catalog is not None:
        document["catalog"] = dict(catalog)
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
    if not html.is_file():
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

        nb = nbformat.read(str(Path(exports_dir) / files.notebook), as_version=4)
    except Exception:
        return record
    own = nb.metadata.get("llmtrends", {})
    record["time"] = own.get("end_time") or record["time"]
    record["parameters"] = own.get("parameters")
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
