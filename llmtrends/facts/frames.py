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
- a missing text is missing (``NaN``, ``df.note.isna()``), never ``""``;
- the answer comes first (:data:`LAYOUTS`): who (``entity_name``), what
  (``metric_title``), when (``period``), how much (``value``, ``unit``,
  ``qualifier``) and whose number (``source``, a short citation); the
  evidence, entity attributes and dates follow; provenance and ids
  (``figure_id``, ``obs_ids``, ``source_id``, ``metric``, ``entity`` ...) come
  last. Every column stays: code that selects by name is unaffected;
- ``period`` carries only the periods present in the frame (still in time
  order), so a chart of a subset draws no empty slots;
- in a notebook a frame displays compactly (:func:`compact_html`): long texts
  are cut, the answer columns sit at the left.

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
>>> list(lt.figures().columns[:7])
['entity_name', 'metric_title', 'period', 'value', 'unit', 'qualifier', 'source']
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
#: The columns of one figure's identity; ``figure_id`` joins them with ``/``.
FIGURE_KEY = ("source_id", "metric", "segment", "entity", "period")
#: The answer a reader looks for first in every frame of figures.
ANSWER = ("entity_name", "metric_title", "period", "value", "unit", "qualifier", "source")

#: Column order of each kind of public frame: the named columns in this order, ``*`` for every
#: column not named (in the order they come), so nothing is dropped and new columns find a place.
LAYOUTS: dict[str, tuple[str, ...]] = {
    # pandas shows the first 10 and the last 10 columns of a wide frame: the answer, segment, status and
    # quote first; why a search found the row, and the ids, last; the rest in between
    "figures": ANSWER + (
        "segment", "status", "quote", "note", "value_low", "value_high", "value_kind", "n_docs", "n_relays",
        "entity_kind", "vendor", "country", "open_weights", "period_start", "period_end", "*", "table_row", "docs",
        "primary_docs", "doc", "value_derived", "period_quote", "period_inferred", "entity_as_written",
        "matched_in", "mention", "dataset", "figure_id", "obs_id", "obs_ids", "source_id", "theme", "metric",
        "entity"),
    "disagreements": (
        "entity_name", "metric_title", "period", "value_a", "value_b", "unit", "qualifier_a", "qualifier_b",
        "source", "kind", "stands", "reason", "quote_a", "quote_b", "segment", "field", "entity_kind", "vendor",
        "country", "open_weights", "period_start", "period_end", "value_kind", "*", "doc_a", "doc_b",
        "reason_quote", "reason_doc", "id", "pair_id", "obs_id_a", "obs_id_b", "source_id", "source_id_b", "metric",
        "entity"),
    "table": ("*", "source", "quote", "note", "source_id"),
    "sources": ("publisher", "title", "published", "method", "sample", "fieldwork", "geography", "series", "url",
                "note", "*", "documents", "relayed_by", "source_id"),
    "documents": ("title", "publisher", "published", "kind", "language", "url", "reports", "primary_of", "note",
                  "*", "published_quote", "published_inferred", "file", "sha256", "document"),
    "entities": ("name", "kind", "vendor", "country", "open_weights", "color", "aliases", "*", "id"),
    "metrics": ("title", "definition", "unit", "kind", "*", "metric"),
}

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


def as_period(values, reg: Registry | None = None) -> pd.Categorical:
    """``values`` as an ordered categorical of the periods present, in time order.

    Only the labels in ``values`` are categories, so a subset charts no empty
    slots. ``reg`` is accepted for callers of 0.1 and not needed.

    Examples
    --------
    >>> as_period(["mid-2025", "end-2023", "mid-2025"]).categories.tolist()
    ['end-2023', 'mid-2025']
    """
    labels = pd.Series(values, dtype="object")
    return pd.Categorical(labels, categories=period_order(labels.dropna().astype(str)), ordered=True)


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


def figure_ids(df: pd.DataFrame) -> pd.Series:
    """The stable id of each row's figure: its key ``source_id/metric/segment/entity/period``.

    A figure *is* its key (data/README.md), so the id is the key written out:
    the same on every load, in every process and under every hash seed (no
    counter, no hash), unique by construction (no part holds ``/``), and the
    same in the next data version as long as the figure is the same figure.
    A renamed source, metric, entity or period is another figure. Rows
    without a complete key get a missing id.

    Examples
    --------
    >>> row = pd.DataFrame([{"source_id": "menlo_2025_midyear", "metric": "enterprise_llm_api_usage_share",
    ...                      "segment": "enterprise", "entity": "anthropic", "period": "mid-2025"}])
    >>> figure_ids(row).iloc[0]
    'menlo_2025_midyear/enterprise_llm_api_usage_share/enterprise/anthropic/mid-2025'
    """
    parts = [df[c].astype("object") for c in FIGURE_KEY]
    complete = pd.concat([p.notna() for p in parts], axis=1).all(axis=1)
    ids = parts[0].astype(str)
    for part in parts[1:]:
        ids = ids + "/" + part.astype(str)
    return ids.where(complete, None).astype("str")


def arrange(columns: Iterable[str], layout: str) -> list[str]:
    """``columns`` in the reader order of ``layout`` (a key of :data:`LAYOUTS`); none dropped.

    Examples
    --------
    >>> arrange(["obs_id", "value", "extra", "entity_name", "period"], "figures")
    ['entity_name', 'period', 'value', 'extra', 'obs_id']
    """
    columns = list(columns)
    order = LAYOUTS[layout]
    named = [c for c in order if c != "*" and c in columns]
    rest = [c for c in columns if c not in order]
    star = order.index("*")
    before = [c for c in named if order.index(c) < star]
    return before + rest + [c for c in named if order.index(c) > star]


def _texts_and_lists(out: pd.DataFrame) -> None:
    for col in list(out.columns):
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


def _join_entities(out: pd.DataFrame, reg: Registry) -> None:
    joined = _entity_attributes(reg).reindex(out["entity"].astype("object")).reset_index(drop=True)
    joined.index = out.index
    for col in ENTITY_COLUMNS:
        out[col] = joined[col]


def _join_readable(out: pd.DataFrame, reg: Registry, layout: str) -> None:
    """``metric_title``, ``source`` (short citation), ``value_kind`` and ``figure_id`` where the layout has them."""
    wanted = LAYOUTS[layout]
    text = out["unit"].dtype if "unit" in out else "str"
    if "metric" in out and "metric_title" in wanted:
        titles = {m: spec.get("title") or m for m, spec in reg.metrics.items()}
        out["metric_title"] = out["metric"].map(titles).astype(text)
    if "metric" in out and "value_kind" in wanted and ("unit" in out or layout == "disagreements"):
        out["value_kind"] = out["metric"].map({m: spec.get("kind") for m, spec in reg.metrics.items()}).astype(text)
    if "source_id" in out and "source" in wanted:
        out["source"] = out["source_id"].map(
            {sid: short_citation(sid, reg) for sid in out["source_id"].dropna().unique()}).astype(text)
    if "figure_id" in wanted and all(c in out for c in FIGURE_KEY):
        out["figure_id"] = figure_ids(out)


def short_citation(source_id: str, reg: Registry) -> str:
    """``'Menlo Ventures, 2025-07'``: publisher and publication date of a source (its id when unknown)."""
    spec = reg.sources.get(source_id)
    if spec is None:
        return str(source_id)
    publisher = str(spec.get("publisher") or source_id).split(" (")[0]
    return f"{publisher}, {spec['published']}" if spec.get("published") else publisher


def tidy(df: pd.DataFrame, reg: Registry, layout: str = "figures") -> pd.DataFrame:
    """Apply the frame conventions of this module to ``df`` (a new frame; ``attrs`` kept).

    Parameters
    ----------
    df : pandas.DataFrame
        A frame built by :mod:`llmtrends.facts.datasets`.
    reg : Registry
        The validated records (entities, metrics, periods).
    layout : str
        The kind of frame (a key of :data:`LAYOUTS`): its column order and the
        readable columns joined (``metric_title``, ``source``, ``figure_id``).

    Returns
    -------
    pandas.DataFrame
        ``df`` with ``period`` categorical (the periods present), entity
        attributes, ``value_kind`` and the readable columns joined, list
        columns as lists, empty texts missing, columns in reader order.

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
    out.attrs = {}  # pandas deep-copies attrs into every column it hands out: set them once, at the end
    _texts_and_lists(out)
    if "entity" in out:
        _join_entities(out, reg)
    _join_readable(out, reg, layout)
    if "period" in out:
        out["period"] = as_period(out["period"].astype("object"))
    out = out[arrange(out.columns, layout)]
    out.attrs = {**attrs, "llmtrends": layout}
    return out


# --------------------------------------------------------------------------- display in a notebook

#: Characters of a text cell shown in a notebook (the full text stays in the frame).
DISPLAY_WIDTH = 40
#: One line per row: cells do not wrap (they are cut at DISPLAY_WIDTH instead).
_ONE_LINE = ("<style>.llmtrends-frame td, .llmtrends-frame th {white-space: nowrap; vertical-align: top;}"
             "</style>")


def compact_html(df: pd.DataFrame) -> str | None:
    """The notebook display of a frame of llmtrends: texts cut shorter, lists as plain text.

    The columns come in reader order already (the answer at the left), so a
    frame shows entity, metric, period, value, unit, qualifier and source
    without scrolling. Texts are cut at :data:`DISPLAY_WIDTH` characters
    (pandas: 50), lists show as ``a, b, c`` instead of ``['a', 'b', 'c']`` and
    numbers as people write them (``32``, ``66.6667``, not ``32.000000``),
    so quotes, notes and document lists do not widen every row; cells do not
    wrap, so each row is one line. pandas' own row and column limits apply;
    the frame itself is not changed.

    Examples
    --------
    >>> html = compact_html(pd.DataFrame({"quote": ["x" * 200], "docs": [["a", "b"]], "value": [1424.0]}))
    >>> "x" * 47 in html, "x" * 30 in html, "<td>a, b</td>" in html, "<td>1424</td>" in html
    (False, True, True, True)
    """
    shown = df
    lists = [c for c in df.columns if df[c].dtype == object and df[c].map(lambda v: isinstance(v, list)).any()]
    if lists:
        shown = df.copy(deep=False)
        for column in lists:
            shown[column] = df[column].map(lambda v: ", ".join(map(str, v)) if isinstance(v, list) else v)
    with pd.option_context("display.max_colwidth", DISPLAY_WIDTH, "display.float_format", _number):
        html = shown._repr_html_()
    return None if html is None else f'<div class="llmtrends-frame">{_ONE_LINE}{html}</div>'



def _number(value: float) -> str:
    """A number as people write it: ``32``, ``13.8``, ``66.6667``, ``1,250,000`` (not ``32.000000``)."""
    if value != value:  # NaN
        return "NaN"
    return f"{value:,.0f}" if abs(value) >= 1e6 and float(value).is_integer() else f"{value:.6g}"


def _display_html(df: pd.DataFrame) -> str | None:
    if isinstance(df.attrs.get("llmtrends"), str):
        return compact_html(df)
    return df._repr_html_()  # any other frame as pandas shows it


def register_display() -> bool:
    """In IPython/Jupyter, show the frames llmtrends hands out with :func:`compact_html`.

    Frames are marked by ``attrs["llmtrends"]`` (their layout), which pandas
    carries into subsets; every other frame displays as pandas does.
    Returns whether a notebook shell was found.
    """
    import sys
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is None:
        return False
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, _display_html)
    return True
