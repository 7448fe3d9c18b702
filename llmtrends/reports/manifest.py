"""``exports/manifest.json``: what each run produced, kept across batches.

The manifest lets the index be rebuilt without executing anything, and keeps
the "last good export" of a run that has since failed. One record per run::

    {"name": "vendor-share", "title": "...", "notebook": "vendor_share.ipynb",
     "parameters": {...}, "status": "ok" | "failed",
     "time": "2025-07-31T09:30:00Z", "duration": 4.1,
     "failure": {"cell": 4, "cell_source": "...", "error": "..."} | null,
     "last_good": {"time": ..., "title": ..., "parameters": ..., "sources": [...],
                   "files": {"html": ..., "analyst": ..., "notebook": ...}} | null}
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

import nbformat

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


def save_manifest(exports_dir: Path, records: Mapping[str, Mapping[str, Any]]) -> Path:
    """Write the run records atomically to ``exports_dir/manifest.json``.

    Parameters
    ----------
    exports_dir : pathlib.Path
    records : mapping of str to dict

    Returns
    -------
    pathlib.Path
        The manifest path.
    """
    path = Path(exports_dir) / MANIFEST_NAME
    document = {"version": SCHEMA_VERSION, "runs": {name: dict(records[name]) for name in sorted(records)}}
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
        }
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
        "failure": failure.to_dict() if failure is not None else None,
        "last_good": last_good,
    }
