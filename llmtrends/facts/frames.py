"""Frames that behave in pandas: the tidying every public frame gets at load.

One function, :func:`tidy`, applied by :mod:`llmtrends.facts.datasets` to what
``load()``, ``figures()``, ``observations()``, ``sources()`` and
``documents()`` return, so every caller sees the same conventions:

- ``period`` is an *ordered categorical* in time order (by last day, then
  first day: ``2023`` < ``end-2023`` < ``2024-H1`` < ``mid-2024`` ...), with
  the same categories in every frame, so ``sort_values("period")``,
  ``groupby("period")`` and ``pivot_table(index="period")`` come out in
  chronological order;
- entity attributes are joined: ``entity_name``, ``entity_kind``, ``vendor``,
  ``country`` (ISO 3166 alpha-2; a model or product takes its vendor's) and
  ``open_weights`` (nullable boolean, the entity's own flag);
- ``value_kind`` (``share``, ``rate``, ``level``, ``rank`` ...) sits beside
  ``unit``: filter with ``df[df.unit == "percent"]`` or
  ``df.query("value_kind == 'share'")``;
- lists are Python lists everywhere (``docs``, ``obs_ids``, ``relayed_by`` ...);
- a missing text is missing (``NaN``, ``df.note.isna()``), never ``""``.

Examples
--------
>>> import llmtrends as lt
>>> obs = lt.observations()
>>> obs["period"].cat.ordered
True
>>> order = list(obs["period"].cat.categories)
>>> order.index("end-2023") < order.index("2024") < order.index("mid-2025")
True
>>> bool((obs["note"] == "").any())
False
"""
from __future__ import annotations

from typing import Iterable

import pandas as pd

from llmtrends.facts import loading
from llmtrends.facts.periods import parse_period
from llmtrends.facts.registry import Registry

#: Columns that hold lists of ids (a ``;``-joined string is split on the way in).
LIST_COLUMNS = ("docs", "primary_docs", "obs_ids", "relayed_by", "documents", "reports", "aliases")
#: Entity attributes joined after ``entity_name``, in this order.
ENTITY_COLUMNS = ("entity_name", "entity_kind", "vendor", "country", "open_weights")


def period_key(label: str) -> tuple:
    """Sort key of a period label: last day, then first day, then the label.

    Examples
    --------
    >>> sorted(["2024", "end-2023", "mid-2025", "2023"], key=period_key)
    ['2023', 'end-2023', '2024', 'mid-2025']
    """
    try:
        start, end = parse_period(str(label))
    except ValueError:  # not a period label: after every real one
        return (pd.Timestamp.max, pd.Timestamp.max, str(label))
    return (end, start, str(label))


def period_order(labels: Iterable[str]) -> list[str]:
    """Distinct period labels in time order (see :func:`period_key`).

    Examples
    --------
    >>> period_order(["mid-2025", "2024-Q3", "end-2023", "2024-Q3"])
    ['end-2023', '2024-Q3', 'mid-2025']
    """
    return sorted({str(x) for x in labels if not _missing(x)}, key=period_key)


_PERIODS: dict[str, object] = {"registry": None, "categories": None}  # one data version at a time


def period_categories(reg: Registry) -> list[str]:
    """Every period label of the fact base, in time order (the categories of ``period``)."""
    cached = _PERIODS["categories"] if _PERIODS["registry"] is reg else None
    if cached is None:
        loaded = loading._loaded()
        # the loaded frame, not reg.observations: the records may not be unpickled yet (llmtrends/_cache.py)
        labels = loaded.observations["period"].unique() if loaded.registry is reg else [
            r["period"] for r in reg.observations]
        cached = period_order(labels)
        _PERIODS.update(registry=reg, categories=cached)
    return cached  # type: ignore[return-value]


def as_period(values, reg: Registry) -> pd.Categorical:
    """``values`` as the ordered categorical of periods (labels outside the fact base are added in order)."""
    categories = period_categories(reg)
    known = set(categories)
    extra = [p for p in pd.unique(pd.Series(values, dtype="object").dropna()) if str(p) not in known]
    if extra:
        categories = period_order(list(categories) + [str(p) for p in extra])
    return pd.Categorical(values, categories=categories, ordered=True)


def _missing(value) -> bool:
    if isinstance(value, (list, tuple, dict)):
        return False
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _plain_text(value):
    """A date as ISO text, an empty text as missing, anything else as is."""
    if isinstance(value, str):
        return value if value.strip() else None
    if hasattr(value, "isoformat") and not isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _as_list(value) -> list:
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "tolist") and not isinstance(value, str):  # numpy / arrow arrays after a round trip
        return list(value.tolist())
    if _missing(value) or value == "":
        return []
    return [part for part in str(value).split(";") if part]


def _entity_attributes(reg: Registry) -> pd.DataFrame:
    rows = {}
    for eid, ent in reg.entities.items():
        vendor = eid if ent.get("kind") == "vendor" else ent.get("vendor")
        country = ent.get("country") or (reg.entities.get(vendor, {}).get("country") if vendor else None)
        open_weights = ent.get("open_weights")
        rows[eid] = {"entity_name": ent.get("name") or eid, "entity_kind": ent.get("kind"), "vendor": vendor,
                     "country": country, "open_weights": open_weights if isinstance(open_weights, bool) else None}
    out = pd.DataFrame.from_dict(rows, orient="index", columns=list(ENTITY_COLUMNS))
    out["open_weights"] = out["open_weights"].astype("boolean")
    return out


def tidy(df: pd.DataFrame, reg: Registry) -> pd.DataFrame:
    """Apply the frame conventions of this module to ``df`` (a new frame; ``attrs`` kept).

    Parameters
    ----------
    df : pandas.DataFrame
        A frame built by :mod:`llmtrends.facts.datasets`.
    reg : Registry
        The validated records (entities, metrics, periods).

    Returns
    -------
    pandas.DataFrame
        ``df`` with ``period`` categorical, entity attributes and
        ``value_kind`` joined, list columns as lists, empty texts missing.

    Examples
    --------
    >>> import llmtrends as lt
    >>> figs = lt.figures()
    >>> deepseek = figs[figs.entity == "deepseek"].iloc[0]
    >>> deepseek["entity_name"], deepseek["country"], bool(deepseek["open_weights"])
    ('DeepSeek', 'CN', True)
    >>> type(figs["docs"].iloc[0]).__name__
    'list'
    """
    attrs = dict(df.attrs)
    out = df.copy()
    columns = list(out.columns)
    for col in columns:
        if col in LIST_COLUMNS:
            out[col] = [_as_list(v) for v in out[col]]
        elif pd.api.types.is_datetime64_any_dtype(out[col].dtype):
            out[col] = out[col].astype("datetime64[ms]")  # a unit Parquet stores as is
        elif pd.api.types.is_string_dtype(out[col].dtype) and out[col].dtype != object:
            blank = out[col].str.strip().eq("").fillna(False).astype(bool)
            if bool(blank.any()):
                out[col] = out[col].mask(blank)
        elif out[col].dtype == object:
            values = out[col].map(_plain_text)
            if all(isinstance(v, str) or _missing(v) for v in values):
                out[col] = values.astype("str")  # as pandas reads text: one dtype for every text column
            else:
                out[col] = values
    if "entity" in out:
        ents = _entity_attributes(reg)
        joined = ents.reindex(out["entity"].astype("object")).reset_index(drop=True)
        joined.index = out.index
        for col in ENTITY_COLUMNS:
            out[col] = joined[col]
        kept = [c for c in columns if c not in ENTITY_COLUMNS]
        anchor = kept.index("entity") + 1
        columns = kept[:anchor] + list(ENTITY_COLUMNS) + kept[anchor:]
    if "metric" in out and "unit" in out:
        kinds = {m: spec.get("kind") for m, spec in reg.metrics.items()}
        out["value_kind"] = out["metric"].map(kinds).astype(out["unit"].dtype)
        columns = [c for c in columns if c != "value_kind"]
        columns.insert(columns.index("unit"), "value_kind")
    if "period" in out:
        out["period"] = as_period(out["period"].astype("object"), reg)
    out = out[columns]
    out.attrs = attrs
    return out
