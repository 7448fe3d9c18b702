"""Versions of the fact base, and what changed between them.

Three things say which fact base an analysis used:

- ``lt.__version__``: the version of the llmtrends package (its code);
- :func:`data_version`: the version of the data, ``<release label>`` when
  ``data/`` holds exactly what a release recorded, else
  ``<latest release>+<digest>`` (data edited since that release, like a
  PEP 440 local version). The digest (:func:`data_digest`) is the SHA-256 of
  every data file's path and bytes - the ``.yaml`` and ``.csv`` files under
  ``data/`` that the loader reads - so any edit of a figure, a quote, a
  source or a name gives another digest, and two checkouts with the same
  digest hold the same data. The release records themselves
  (``data/releases.yaml``, ``data/releases/``) are not part of it, so
  recording a release does not change the version it records;
- each figure's ``figure_id`` (:func:`llmtrends.facts.frames.figure_ids`):
  the figure's key written out, the same in every version.

A release is recorded by ``llmtrends release LABEL`` (:func:`record_release`):
a label (a date, ``2026-12-06``), the digest, a note, and a snapshot of every
figure (``data/releases/<label>.csv``: id, value, range, qualifier, unit,
status, names) generated from the data. :func:`changes` compares two states
of the fact base figure by figure: **added** (a figure id that was not there),
**removed**, and **restated** (the same figure with another value, range,
qualifier or unit: a curator's correction or another statement that now
stands - not a publisher's restatement in a later edition, which is another
figure, see ``lt.disagreements()``); and **evidence** (the same value, but
another status or number of documents stating it: a primary registered, a
relay lost, a disagreement declared). Nothing in the changelog is typed: it
is computed from the snapshots and the current data.

Examples
--------
>>> import llmtrends as lt
>>> version = lt.data_version()
>>> version.digest.startswith("sha256:") and len(version.digest) == 71
True
>>> str(version).startswith(version.release.label)
True
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from llmtrends import paths
from llmtrends.errors import LlmtrendsError, UnknownNameError
from llmtrends.facts.reading import suggest

#: The release records in data/: the list, and the folder of figure snapshots.
RELEASES_FILE = "releases.yaml"
SNAPSHOT_DIR = "releases"
#: What a snapshot keeps of each figure: its id, what a changelog shows, and its key.
SNAPSHOT_COLUMNS = ["figure_id", "entity_name", "metric_title", "period", "value", "value_low", "value_high",
                    "unit", "qualifier", "source", "segment", "status", "n_docs", "source_id", "metric", "entity"]
#: Fields whose change makes a figure "restated".
COMPARED = ("value", "value_low", "value_high", "qualifier", "unit")
#: Fields whose change (with the value unchanged) is a change of "evidence".
EVIDENCE = ("status", "n_docs")
CHANGE_KINDS = ("added", "restated", "removed", "evidence")
LABEL_PATTERN = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}\Z")


# --------------------------------------------------------------------------- the data's version

def data_files(root: Path | None = None) -> list[Path]:
    """The files the data digest covers: every ``.yaml`` and ``.csv`` under ``data/`` but the release records.

    Hidden files, editor and Office lock files (``.#x.csv``, ``~$x.csv``) are
    not data and are left out, as the loader leaves them out.
    """
    root = Path(root) if root is not None else paths.data_dir()
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in (RELEASES_FILE, SNAPSHOT_DIR) or path.suffix not in (".yaml", ".csv"):
            continue
        if any(part.startswith((".", "~$", "#")) for part in rel.parts) or not path.is_file():
            continue
        out.append(path)
    return out


def data_digest(root: Path | None = None) -> str:
    """``sha256:<hex>`` of the data: every data file's path (relative, ``/``) and bytes, in path order.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "sources.yaml").write_text("sources: {}\\n")
    >>> before = data_digest(folder)
    >>> _ = (folder / "README.md").write_text("not data")
    >>> data_digest(folder) == before
    True
    >>> _ = (folder / "sources.yaml").write_text("sources: {a: 1}\\n")
    >>> data_digest(folder) == before
    False
    """
    root = Path(root) if root is not None else paths.data_dir()
    digest = hashlib.sha256()
    for path in data_files(root):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + digest.hexdigest()


@dataclass(frozen=True)
class Release:
    """One recorded release of the data (``data/releases.yaml``)."""

    label: str
    date: str
    digest: str
    figures: str
    note: str = ""
    commit: str | None = None


@dataclass(frozen=True)
class DataVersion:
    """The version of the data: ``label`` is what to cite (``str(version)``)."""

    label: str
    digest: str
    release: Release | None
    released: bool

    def __str__(self) -> str:
        return self.label


def releases(root: Path | None = None) -> list[Release]:
    """The recorded releases, oldest first (``data/releases.yaml``; none when the file is absent).

    Raises
    ------
    LlmtrendsError
        For a file or entry not of the shape of ``llmtrends.facts.schemas.RELEASES``
        (``{label, date, digest, figures[, note, commit]}``), naming line, release and key.
    """
    from llmtrends.facts import strict_yaml

    root = Path(root) if root is not None else paths.data_dir()
    path = root / RELEASES_FILE
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8")
        document = strict_yaml.load(text)
    except (strict_yaml.Refused, UnicodeDecodeError) as exc:
        raise LlmtrendsError(f"data/{RELEASES_FILE}: {exc}") from None
    from llmtrends.facts import schemas

    found = schemas.problems(RELEASES_FILE, document, text)
    if found:
        line, record, column, message = found[0]
        where = ", ".join(x for x in (f"line {line}" if line else None, record, column) if x)
        raise LlmtrendsError(f"data/{RELEASES_FILE}: {where + ': ' if where else ''}{message}"
                             + (f" (and {len(found) - 1} more)" if len(found) > 1 else ""))
    return [Release(label=e["label"], date=e["date"], digest=e["digest"], figures=e["figures"],
                    note=str(e.get("note") or ""), commit=e.get("commit")) for e in document["releases"]]


def data_version(root: Path | None = None) -> DataVersion:
    """The version of the data in ``data/`` (see the module's description).

    Returns
    -------
    DataVersion
        ``label``: the release label when the data is what that release
        recorded, else ``<latest release>+<12 digits of the digest>``
        (``unreleased+<digits>`` before any release); ``digest``;
        ``release`` (that release, or the latest); ``released``.
    """
    digest = data_digest(root)
    known = releases(root)
    exact = [r for r in known if r.digest == digest]
    if exact:
        return DataVersion(label=exact[-1].label, digest=digest, release=exact[-1], released=True)
    base = known[-1].label if known else "unreleased"
    return DataVersion(label=f"{base}+{digest[7:19]}", digest=digest, release=known[-1] if known else None,
                       released=False)


# --------------------------------------------------------------------------- figure snapshots

def snapshot(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """What a release records of each figure (:data:`SNAPSHOT_COLUMNS`), by ``figure_id``.

    Parameters
    ----------
    figures : pandas.DataFrame, optional
        Figures to snapshot (default: :func:`llmtrends.figures`); a frame
        without ``figure_id`` gets it from its key columns, one without the
        readable columns gets them empty.
    """
    from llmtrends.facts import datasets, frames

    figs = datasets.figures() if figures is None else figures
    out = pd.DataFrame(index=figs.index)
    for column in SNAPSHOT_COLUMNS:
        if column in figs:
            out[column] = figs[column]
        elif column == "figure_id" and all(c in figs for c in frames.FIGURE_KEY):
            out[column] = frames.figure_ids(figs)
        else:
            out[column] = None
    for column in SNAPSHOT_COLUMNS:
        if column in ("value", "value_low", "value_high", "n_docs"):
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
        else:
            out[column] = out[column].astype("object").where(out[column].notna(), None).map(
                lambda v: v if v is None else str(v)).astype("str")
    if out["figure_id"].isna().any():
        raise LlmtrendsError("a snapshot needs figure_id (or source_id, metric, segment, entity, period) in every row")
    return out.drop_duplicates("figure_id").sort_values("figure_id").reset_index(drop=True)


def _snapshot_path(release: Release, root: Path) -> Path:
    relative = Path(release.figures)
    path = (root / relative).resolve()
    folder = (root / SNAPSHOT_DIR).resolve()
    if relative.is_absolute() or folder not in path.parents:
        raise LlmtrendsError(f"data/{RELEASES_FILE}: release {release.label!r}: figures {release.figures!r} is not a "
                             f"file of data/{SNAPSHOT_DIR}/; accepted: {SNAPSHOT_DIR}/<label>.csv")
    return path


def release_figures(label: str, root: Path | None = None) -> pd.DataFrame:
    """The figure snapshot a release recorded.

    Raises
    ------
    UnknownNameError
        For a label that is not a recorded release (the known ones are listed).
    """
    from llmtrends.facts import export_fields

    root = Path(root) if root is not None else paths.data_dir()
    known = {r.label: r for r in releases(root)}
    if label not in known:
        raise UnknownNameError(f"unknown release {label!r}{suggest(label, known)}; recorded releases: "
                               f"{', '.join(known) or 'none (llmtrends release LABEL records one)'}")
    path = _snapshot_path(known[label], root)
    try:
        raw = pd.read_csv(path, dtype="object", keep_default_na=False, na_values=[""], encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise LlmtrendsError(f"cannot read the figures of release {label!r} ({path}): {exc}") from None
    missing = [c for c in SNAPSHOT_COLUMNS if c not in raw]
    if missing:
        raise LlmtrendsError(f"{path}: missing column(s) {', '.join(missing)}; a release snapshot has "
                             f"{', '.join(SNAPSHOT_COLUMNS)}")
    return snapshot(raw.map(export_fields.from_spreadsheet))


def _write_snapshot(frame: pd.DataFrame, path: Path) -> None:
    from llmtrends.facts import export_fields

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{datetime.now(timezone.utc).strftime('%H%M%S%f')}.tmp")
    try:
        frame.map(export_fields.to_spreadsheet).to_csv(temporary, index=False, encoding="utf-8", lineterminator="\n")
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def record_release(label: str, note: str = "", *, root: Path | None = None, date: str | None = None,
                   commit: str | None = None, figures: pd.DataFrame | None = None,
                   recorded_from: Path | None = None) -> Release:
    """Record the data as release ``label``: its figure snapshot and an entry in ``data/releases.yaml``.

    Parameters
    ----------
    label : str
        The release's name (a date such as ``2026-12-06`` is the custom):
        letters, digits, ``.``, ``_`` and ``-``.
    note : str
        What the release brings, in a sentence.
    date : str, optional
        ``YYYY-MM-DD`` (default: today, UTC).
    commit : str, optional
        The git commit whose data this is, when recorded from another checkout.
    figures : pandas.DataFrame, optional
        The figures to record (default: the current data's).
    recorded_from : pathlib.Path, optional
        With ``figures`` and ``commit``: the data folder of another checkout
        (an earlier commit) whose figures these are; its digest is recorded.

    Raises
    ------
    LlmtrendsError
        For a label that is not accepted or already recorded, or data that a
        release already recorded unchanged.
    """
    root = Path(root) if root is not None else paths.data_dir()
    known = releases(root)
    if not isinstance(label, str) or not LABEL_PATTERN.match(label):
        raise LlmtrendsError(f"release label {label!r} is not accepted; accepted: letters, digits, '.', '_' and "
                             "'-', starting with a letter or digit (e.g. 2026-12-06)")
    if any(r.label == label for r in known):
        raise LlmtrendsError(f"release {label!r} is already recorded in data/{RELEASES_FILE}")
    if (figures is None) != (recorded_from is None):
        raise LlmtrendsError("figures and recorded_from go together: the figures of the data folder given")
    digest = data_digest(recorded_from if recorded_from is not None else root)
    if figures is None and known and known[-1].digest == digest:
        raise LlmtrendsError(f"the data has not changed since release {known[-1].label!r} (same digest): "
                             "nothing to record")
    release = Release(label=label, date=date or datetime.now(timezone.utc).date().isoformat(), digest=digest,
                      figures=f"{SNAPSHOT_DIR}/{label}.csv", note=" ".join(str(note).split()), commit=commit)
    _write_snapshot(snapshot(figures), root / release.figures)
    _append_release(root / RELEASES_FILE, release)
    return release


def _yaml_text(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _append_release(path: Path, release: Release) -> None:
    if not path.exists():
        path.write_text(
            "# Recorded releases of the data, oldest first (llmtrends release LABEL; llmtrends/facts/versions.py).\n"
            "# Each: label, date, digest (sha256 of the data files, releases aside), figures (the snapshot of\n"
            "# every figure at that release, generated), note; commit when recorded from another checkout.\n"
            "releases:\n", encoding="utf-8")
    lines = [f"  - label: {_yaml_text(release.label)}", f"    date: {_yaml_text(release.date)}",
             f"    digest: {_yaml_text(release.digest)}", f"    figures: {_yaml_text(release.figures)}"]
    if release.note:
        lines.append(f"    note: {_yaml_text(release.note)}")
    if release.commit:
        lines.append(f"    commit: {_yaml_text(release.commit)}")
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + "\n".join(lines) + "\n", encoding="utf-8")
