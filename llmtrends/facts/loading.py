"""The validated data, loaded once per data version: :func:`registry` and the frames built from it.

``data/`` is read and validated (:func:`llmtrends.facts.records.load_registry`),
kept on disk (:mod:`llmtrends.facts.cache`) and in this process, keyed by the
state of the data folder (:func:`llmtrends.facts.files.state`: the content of
every data file, checked on every call - by its size, times and inode while
they can be trusted, by its bytes otherwise); an edit anywhere loads again,
through symbolic links and on file systems with coarse timestamps. The
observation, figure and source frames are built here once; the public
functions of :mod:`llmtrends.facts.datasets` tidy copies of them.
"""

import contextlib
import functools
import contextvars
import threading
from pathlib import Path

import pandas as pd

from llmtrends.facts import cache as _disk_cache
from llmtrends.facts import files
from llmtrends import paths
from llmtrends.facts.evidence import figure_evidence, standing
from llmtrends.facts.reading import Problem
from llmtrends.facts.records import load_registry
from llmtrends.facts.registry import Registry
from llmtrends.errors import DataError

_lock = threading.Lock()
_cache: dict[tuple, "_Loaded"] = {}
_served: contextvars.ContextVar[list | None] = contextvars.ContextVar("llmtrends_served_states", default=None)

FIGURE_KEY = ["source_id", "metric", "segment", "entity", "period"]


class _Loaded:
    """Frames built once per data version."""

    def __init__(self, reg: Registry):
        self.registry = reg
        self.observations = _observation_frame(reg)
        self.figures = _consolidate(reg, self.observations)
        self.sources = _source_frame(reg)


class _Pin:
    """The load a `pinned` block serves (set by its first load)."""

    def __init__(self):
        self.key: tuple | None = None
        self.loaded: "_Loaded | None" = None
        self.state: str | None = None


_pin: contextvars.ContextVar[_Pin | None] = contextvars.ContextVar("llmtrends_pinned_load", default=None)


@contextlib.contextmanager
def pinned():
    """Within the block, every load serves the data as the block's first load found it.

    Each load otherwise checks the state of every data file (`llmtrends.facts.files.state`,
    about a millisecond): a report's story and its display call the registry over a
    thousand times, and one figure of a report must not come from one version of the
    data and the next figure from another. Nested blocks share the outer one's load;
    a block for another data folder loads that one.

    Examples
    --------
    >>> from llmtrends.facts import loading
    >>> with loading.pinned():
    ...     loading.registry() is loading.registry()
    True
    """
    if _pin.get() is not None:
        yield
        return
    reset = _pin.set(_Pin())
    try:
        yield
    finally:
        _pin.reset(reset)


def pinned_data(function):
    """Decorate ``function`` to run in one `pinned` block."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with pinned():
            return function(*args, **kwargs)
    return wrapper


def _loaded() -> _Loaded:
    pin = _pin.get()
    root = paths.data_dir()
    if pin is not None and pin.loaded is not None and pin.key == (str(root),):
        served = _served.get()
        if served is not None:
            served.append(pin.state)
        return pin.loaded
    hit, state = _load(root)
    if pin is not None:
        pin.key, pin.loaded, pin.state = (str(root),), hit, state
    return hit


def _load(root) -> tuple["_Loaded", str]:
    if not (root / "sources.yaml").exists():
        raise DataError([Problem(str(root), "no data directory here (sources.yaml missing); "
                                            "set LLMTRENDS_DATA or reinstall llmtrends")])
    where = str(Path(root).absolute())
    state = files.state(root)
    with _lock:
        hit = _cache.get((where, state))
        if hit is None:
            # validated once per data version, then read from disk (llmtrends/facts/cache.py); filed under
            # the state of the bytes it was built from, which may be newer than `state`
            hit, state = _disk_cache.load(root, lambda: _Loaded(load_registry(root)),
                                          lazy=("registry", "observations"), state=state)
            _cache.clear()
            _cache[(where, state)] = hit
    served = _served.get()
    if served is not None:
        served.append(state)
    return hit, state


@contextlib.contextmanager
def served_states():
    """Collect the data state (`llmtrends.facts.files.state`) of every load served within the block.

    What is computed from the data can then be filed under the state it was
    computed from (the batch's landing page does): a list of one state, or
    of several when a data file changed in between.
    """
    states: list[str] = []
    reset = _served.set(states)
    try:
        yield states
    finally:
        _served.reset(reset)


def clear_cache() -> None:
    """Forget loaded data (the cache also refreshes by itself when a data file changes)."""
    with _lock:
        _cache.clear()


def registry() -> Registry:
    """The validated records in plain Python form (vocabulary, metrics, sources ...)."""
    return _loaded().registry


# --------------------------------------------------------------------------- frames

def _observation_frame(reg: Registry) -> pd.DataFrame:
    df = pd.DataFrame.from_records(reg.observations)
    ents = reg.entities
    df["entity_name"] = df["entity"].map(lambda e: ents[e]["name"])
    df["vendor"] = df["entity"].map(lambda e: e if ents[e].get("kind") == "vendor" else ents[e].get("vendor"))
    for col in ("period_start", "period_end"):
        df[col] = pd.to_datetime(df[col])
    for col in ("value", "value_low", "value_high"):
        df[col] = df[col].astype("float64")
    order = ["obs_id", "source_id", "theme", "metric", "segment", "entity", "entity_name", "vendor",
             "period", "period_start", "period_end", "value", "value_low", "value_high", "value_derived",
             "qualifier", "unit", "doc", "quote", "note", "period_quote", "period_inferred", "entity_as_written",
             "_file", "_line"]
    return df[order].sort_values(["theme", "metric", "period_end", "obs_id"], kind="stable").reset_index(drop=True)


def _missing(value) -> bool:
    """Whether a scalar is missing (None, NaN, NaT, pd.NA)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _consolidate(reg: Registry, obs: pd.DataFrame) -> pd.DataFrame:
    """One row per figure: every statement of it collapses into one row (see :mod:`llmtrends.facts.evidence`)."""
    # Plain Python over the records: a pandas groupby with per-group indexing
    # cost ~0.8 s for ~100 figures, paid by every kernel that loads data.
    groups: dict[tuple, list[dict]] = {}
    columns = list(obs.columns)
    for record in (dict(zip(columns, row)) for row in obs.itertuples(index=False, name=None)):
        key = tuple(record[column] for column in FIGURE_KEY)
        if any(_missing(part) for part in key):
            continue  # as groupby(dropna=True): a figure needs every key column
        groups.setdefault(key, []).append(record)
    out = []
    for group in groups.values():
        # differing values reach here only when declared (the registry refuses the rest)
        evidence = figure_evidence(reg, group)
        row = dict(standing(reg, group))  # one statement gives value, qualifier, quote, obs_id (its documented rule)
        row.update(evidence)
        # ';'-joined inside the cache (lists of strings made the pickle 0.45 s slower to read at
        # 10^5 rows); frames.tidy turns them into lists in every public frame
        row["docs"] = ";".join(sorted(evidence["docs"]))
        row["primary_docs"] = ";".join(evidence["primary_docs"])
        row["obs_ids"] = ";".join(r["obs_id"] for r in group)
        notes = [n for n in dict.fromkeys(r["note"] for r in group) if n]
        row["note"] = " | ".join(notes)
        out.append(row)
    df = pd.DataFrame.from_records(out)
    for col in ("docs", "primary_docs", "obs_ids", "status"):
        df[col] = df[col].astype("str")
    return df.drop(columns=["doc", "_file", "_line"]).reset_index(drop=True)


def _source_frame(reg: Registry) -> pd.DataFrame:
    cols = ["source_id", "publisher", "title", "published", "url", "method", "sample", "fieldwork",
            "geography", "series", "relayed_by", "documents", "note"]
    rows = []
    for sid, s in reg.sources.items():
        row = {c: s.get(c) for c in cols}
        row["source_id"] = sid
        row["published"] = None if s.get("published") is None else str(s.get("published"))
        row["relayed_by"] = list(s.get("relayed_by") or [])
        row["documents"] = list(s.get("documents") or [])
        rows.append(row)
    return pd.DataFrame.from_records(rows, columns=cols)


