"""The changelog of the fact base: figures added, restated and removed between two versions of the data.

Computed, never typed: each side is a set of figures (a recorded release's
snapshot, the current data, an exported Data Package, or any frame of
figures), and two sides are compared by ``figure_id``
(:mod:`llmtrends.facts.versions` says what each is).

- :func:`changes` returns the changelog as a frame (``lt.changes``);
- :func:`format_changes` writes it for people (``llmtrends changes``);
- :func:`whats_new` is the paragraph "what is new in this release" of the
  landing page.

Examples
--------
>>> import llmtrends as lt
>>> table = lt.changes()  # since the release before the data's (or since the latest, for edited data)
>>> set(table["change"]) <= {"added", "restated", "removed", "evidence"}
True
>>> restated = table[table["change"] == "restated"]
>>> bool((restated["value_old"].fillna(-1) != restated["value_new"].fillna(-1)).all()) or restated.empty \\
...     or bool(restated["changed"].str.contains("qualifier|unit|value_").all())
True
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from llmtrends import paths
from llmtrends.errors import LlmtrendsError, UnknownNameError
from llmtrends.facts import versions
from llmtrends.facts.reading import suggest

#: Columns of :func:`changes`, in reader order.
CHANGE_COLUMNS = ["change", "entity_name", "metric_title", "period", "value_old", "value_new", "unit",
                  "qualifier_old", "qualifier_new", "source", "segment", "changed", "value_low_old",
                  "value_low_new", "value_high_old", "value_high_new", "unit_old", "status_old", "status_new",
                  "n_docs_old", "n_docs_new", "figure_id", "source_id", "metric", "entity"]
_QUALIFIER_WORDS = {"approx": "about ", "at_least": "at least ", "at_most": "at most ", "exact": ""}


def _current(root: Path) -> tuple[str, pd.DataFrame]:
    return f"{versions.data_version(root)} (current data)", versions.snapshot()


def _side(ref, root: Path) -> tuple[str, pd.DataFrame]:
    """A side of a comparison: (its label, its snapshot)."""
    if isinstance(ref, pd.DataFrame):
        return "the frame given", versions.snapshot(ref)
    known = [r.label for r in versions.releases(root)]
    if isinstance(ref, str) and ref in known:
        return ref, versions.release_figures(ref, root)
    folder = Path(ref) if isinstance(ref, (str, Path)) else None
    if folder is not None and (folder / "datapackage.json").is_file():
        from llmtrends.facts import export
        package = export.read(folder)
        if "figures" not in package:
            raise LlmtrendsError(f"{folder}: the Data Package has no 'figures' resource to compare with")
        return f"{folder} (Data Package {export.descriptor(folder).get('version', '')})".replace(" )", ")"), \
            versions.snapshot(package["figures"])
    raise UnknownNameError(f"unknown version {ref!r}{suggest(str(ref), known)}; accepted: a release label "
                           f"({', '.join(known) or 'none recorded yet'}), the folder of an exported Data Package, "
                           "or a frame of figures")


def default_since(root: Path | None = None) -> str:
    """The release a changelog starts from: the one before the data's release, else the latest.

    The data that a release recorded is compared with the release before it
    (what this release brought); edited data with the latest release (what
    changed since).
    """
    root = Path(root) if root is not None else paths.data_dir()
    known = versions.releases(root)
    version = versions.data_version(root)
    if version.released:
        earlier = known[:[r.label for r in known].index(version.label)]
        if earlier:
            return earlier[-1].label
        raise LlmtrendsError(f"the data is release {version.label!r}, the first recorded: no earlier release "
                             "to compare with (pass since=...)")
    if not known:
        raise LlmtrendsError("no release is recorded (llmtrends release LABEL records one): pass since=...")
    return known[-1].label


def _differs(old, new) -> bool:
    if pd.isna(old) and pd.isna(new):
        return False
    return pd.isna(old) or pd.isna(new) or old != new


def _rows(before: pd.DataFrame, after: pd.DataFrame) -> list[dict]:
    old, new = before.set_index("figure_id"), after.set_index("figure_id")
    rows = []
    for fid in sorted(set(old.index) | set(new.index)):
        a = old.loc[fid] if fid in old.index else None
        b = new.loc[fid] if fid in new.index else None
        both = a is not None and b is not None
        changed = [c for c in versions.COMPARED if both and _differs(a[c], b[c])]
        evidence = [c for c in versions.EVIDENCE if both and not changed and _differs(a[c], b[c])]
        if both and not changed and not evidence:
            continue
        kind = "added" if a is None else "removed" if b is None else "restated" if changed else "evidence"
        shown = b if b is not None else a
        row = {c: shown[c] for c in ("entity_name", "metric_title", "period", "unit", "source", "segment",
                                     "source_id", "metric", "entity")}
        for column in ("value", "value_low", "value_high", "qualifier", "status", "n_docs"):
            row[f"{column}_old"] = None if a is None else a[column]
            row[f"{column}_new"] = None if b is None else b[column]
        row.update(change=kind, figure_id=fid, changed=", ".join(changed or evidence) or None,
                   unit_old=None if a is None else a["unit"])
        rows.append(row)
    return rows


def changes(since=None, until=None) -> pd.DataFrame:
    """Figures added, restated and removed between two versions of the data.

    Parameters
    ----------
    since : str, path or pandas.DataFrame, optional
        The earlier side: a release label (``llmtrends changes --list``), the
        folder of a Data Package exported by ``lt.export``, or a frame of
        figures saved earlier. Default: the release before the data's
        release, or the latest release when the data was edited since.
    until : str, path or pandas.DataFrame, optional
        The later side (default: the current data).

    Returns
    -------
    pandas.DataFrame
        One row per figure that changed: ``change`` (added, restated,
        removed, or evidence: the same value with another status or number
        of documents), the figure in words (``entity_name, metric_title, period``),
        ``value_old`` and ``value_new``, ``unit``, ``qualifier_old`` and
        ``qualifier_new``, ``source``, ``segment``, ``changed`` (which of
        value, value_low, value_high, qualifier, unit differ; for evidence:
        status, n_docs), the ranges, statuses and document counts of both
        sides, then ``figure_id, source_id, metric, entity``.
        ``attrs`` holds ``since`` and ``until`` (the labels compared).

    Raises
    ------
    UnknownNameError
        For a version that is neither a release, a Data Package nor a frame.

    Examples
    --------
    >>> import llmtrends as lt
    >>> same = lt.changes(since=lt.figures(), until=lt.figures())
    >>> len(same), same.attrs["since"]
    (0, 'the frame given')
    >>> edited = lt.figures()
    >>> edited.loc[edited["entity"] == "anthropic", "value"] += 1
    >>> table = lt.changes(since=lt.figures(), until=edited)
    >>> set(table["change"]), bool((table["value_new"] - table["value_old"] == 1).all())
    ({'restated'}, True)
    >>> int((table["entity"] == "anthropic").sum()) == len(lt.figures(entity="anthropic"))
    True
    """
    from llmtrends.facts import frames

    root = paths.data_dir()
    since_label, before = _side(default_since(root) if since is None else since, root)
    until_label, after = _current(root) if until is None else _side(until, root)
    table = pd.DataFrame.from_records(_rows(before, after), columns=CHANGE_COLUMNS)
    for column in CHANGE_COLUMNS:
        if column.startswith(("value_", "n_docs")):
            table[column] = table[column].astype("float64")
        else:
            table[column] = table[column].astype("str")
    table["period"] = frames.as_period(table["period"].astype("object"))
    order = {kind: i for i, kind in enumerate(versions.CHANGE_KINDS)}
    table = (table.assign(_kind=table["change"].map(order))
             .sort_values(["_kind", "source", "metric_title", "entity_name", "period"], kind="stable")
             .drop(columns="_kind").reset_index(drop=True))
    table.attrs = {"since": since_label, "until": until_label,
                   "sources": sorted(table["source_id"].dropna().unique().tolist())}
    return table


# --------------------------------------------------------------------------- for people

def _value(value, qualifier, unit) -> str:
    if pd.isna(value):
        return "-"
    from llmtrends.facts import datasets
    symbol = datasets.vocabulary("units").get(unit, unit) if isinstance(unit, str) else ""
    number = f"{value:,.10g}"
    if unit == "rank":
        shown = f"#{number}"
    elif symbol in ("%", "x"):
        shown = f"{number}{symbol}"
    else:
        shown = f"{number} {symbol}".strip()
    return _QUALIFIER_WORDS.get(qualifier, "") + shown if isinstance(qualifier, str) else shown


def _evidence(status, n_docs) -> str:
    count = "" if pd.isna(n_docs) else f", {int(n_docs)} document{'s' if int(n_docs) != 1 else ''}"
    return f"{status if isinstance(status, str) else '?'}{count}"


def _line(row) -> str:
    what = " · ".join(str(row[c]) for c in ("entity_name", "metric_title", "segment", "period") if pd.notna(row[c]))
    if row["change"] == "added":
        return f"  + {what}: {_value(row['value_new'], row['qualifier_new'], row['unit'])}"
    if row["change"] == "removed":
        return f"  - {what}: was {_value(row['value_old'], row['qualifier_old'], row['unit_old'])}"
    if row["change"] == "evidence":
        return (f"  * {what}: {_value(row['value_new'], row['qualifier_new'], row['unit'])}, "
                f"{_evidence(row['status_old'], row['n_docs_old'])} -> {_evidence(row['status_new'], row['n_docs_new'])}")
    return (f"  ~ {what}: {_value(row['value_old'], row['qualifier_old'], row['unit_old'])} -> "
            f"{_value(row['value_new'], row['qualifier_new'], row['unit'])} ({row['changed']})")


def format_changes(table: pd.DataFrame, limit: int | None = None) -> str:
    """A changelog for people: a summary line, then each kind of change by source, one line per figure.

    Parameters
    ----------
    table : pandas.DataFrame
        What :func:`changes` returns.
    limit : int, optional
        Lines shown per source (the rest are counted).
    """
    counts = table["change"].value_counts()
    summary = ", ".join(f"{int(counts.get(kind, 0))} {kind}" for kind in versions.CHANGE_KINDS)
    lines = [f"Changes from {table.attrs.get('since', '?')} to {table.attrs.get('until', '?')}: {summary}"]
    for kind in versions.CHANGE_KINDS:
        part = table[table["change"] == kind]
        if part.empty:
            continue
        lines += ["", f"{kind.capitalize()} ({len(part)})"]
        for source, group in part.groupby("source", sort=True, dropna=False):
            lines.append(f" {source if isinstance(source, str) else '(no source)'} ({len(group)})")
            shown = group if limit is None else group.head(limit)
            lines += [_line(row) for _, row in shown.iterrows()]
            if len(shown) < len(group):
                lines.append(f"    ... {len(group) - len(shown)} more")
    return "\n".join(lines)


def whats_new(since=None, limit: int = 4) -> str:
    """What is new in this version of the data, in two or three sentences (the landing page's paragraph).

    Parameters
    ----------
    since : optional
        As for :func:`changes` (default: the release before this one).
    limit : int
        How many sources of added figures, and restated figures, to name.

    Returns
    -------
    str
        Plain text (escape it for HTML): the data version, what was added
        (counted, by source), restated (old → new) and removed.

    Examples
    --------
    >>> import llmtrends as lt
    >>> text = lt.whats_new()
    >>> text.startswith("Data " + str(lt.data_version()))
    True
    """
    version = versions.data_version()
    head = f"Data {version}" + (f" (released {version.release.date})" if version.released else "")
    if since is None:
        try:
            since = default_since()
        except LlmtrendsError:  # the first release, or none: nothing to compare with
            return f"{head}: {len(versions.snapshot())} figures; no earlier release to compare with."
    table = changes(since=since)
    counts = table["change"].value_counts()
    if table.empty:
        return f"{head}: no figure changed since {table.attrs['since']}."
    added = table[table["change"] == "added"]["source"].value_counts()
    named = "; ".join(f"{n} from {source}" for source, n in added.head(limit).items())
    more = f"; {int(added.iloc[limit:].sum())} from {len(added) - limit} more sources" if len(added) > limit else ""
    parts = [f"{int(counts.get('added', 0))} figures added" + (f" ({named}{more})" if named else "")]
    restated = table[table["change"] == "restated"]
    if len(restated):
        examples = "; ".join(
            f"{r.entity_name} {r.metric_title} {r.period}: {_value(r.value_old, r.qualifier_old, r.unit_old)} → "
            f"{_value(r.value_new, r.qualifier_new, r.unit)}" for r in restated.head(limit).itertuples())
        parts.append(f"{len(restated)} restated ({examples}{'; ...' if len(restated) > limit else ''})")
    parts.append(f"{int(counts.get('removed', 0))} removed")
    if counts.get("evidence", 0):
        parts.append(f"{int(counts['evidence'])} with other evidence (status or documents)")
    return f"{head}, since {table.attrs['since']}: " + ", ".join(parts) + "."
