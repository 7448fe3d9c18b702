"""The single entry point to the data: ``names()``, ``load(name)``, ``describe(name)``.

Every figure of the seed documents is one row of :func:`observations`. A
*dataset* is either a theme (its figures consolidated across the documents
that relay them) or a categorical table (``flageval_listed``, ``agent_map`` ...).
Frames are tidy, carry real dates, and know their sources: ``df.attrs`` holds
the dataset name, the definitions of its metrics and its source ids, and
:func:`citation` turns a frame into the line printed under a chart.

Examples
--------
>>> import llmtrends as lt
>>> share = lt.load("vendor_share")
>>> share.query("metric == 'enterprise_llm_api_usage_share'").head()  # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from llmtrends.facts import frames
from llmtrends.facts.evidence import DISAGREEMENT_COLUMNS, disagreement_rows
from llmtrends.facts.reading import suggest
from llmtrends.facts.registry import Registry
from llmtrends.errors import UnknownNameError
from llmtrends.facts.loading import FIGURE_KEY, _loaded, clear_cache, registry  # noqa: F401 (public names)

__all__ = [
    "names", "load", "describe", "observations", "figures", "disagreements", "sources", "documents", "metrics",
    "entities", "vocabulary", "citation", "short_citation", "check_quotes", "registry", "clear_cache",
]

def _with_attrs(df: pd.DataFrame, name: str, reg: Registry) -> pd.DataFrame:
    df.attrs["dataset"] = name
    if "source_id" in df:
        df.attrs["sources"] = sorted(df["source_id"].dropna().unique().tolist())
    if "metric" in df:
        df.attrs["metrics"] = {m: reg.metrics[m]["definition"] for m in sorted(df["metric"].unique())}
    return df


# --------------------------------------------------------------------------- public API

def observations() -> pd.DataFrame:
    """Every published figure, one row per figure per document that states it.

    Returns
    -------
    pandas.DataFrame
        Columns ``obs_id, source_id, theme, metric, segment, entity, entity_name,
        vendor, period, period_start, period_end, value, value_low, value_high,
        value_derived, qualifier, unit, doc, quote, note, entity_as_written``.
        ``value_derived`` says when ``value`` is not printed in the document
        (the midpoint of a published range).
    """
    loaded = _loaded()
    df = _with_attrs(loaded.observations.drop(columns=["_file", "_line"]), "observations", loaded.registry)
    return frames.tidy(df, loaded.registry)


def figures() -> pd.DataFrame:
    """Every figure once: all its statements (one per document) consolidated.

    A figure is ``(source_id, metric, segment, entity, period)``. Besides the
    observation columns (of the statement shown):

    - ``docs``: list of the documents that state it; ``primary_docs``: those
      that are its source's own report (documents.yaml ``primary_of``);
      ``n_docs``; ``n_relays``: documents that are not its primary (relays,
      translations, other reports citing it); ``obs_ids``: list of statements;
    - ``status``: ``confirmed`` (a primary document states it and so does at
      least one other, all with the same value), ``differs`` (its statements
      differ in value, or a declared disagreement covers two of them, e.g.
      "9%" and "under 9%": see :func:`disagreements`),
      ``relay_only`` (no primary document states it), ``primary_only``.

    One statement gives value, qualifier, quote and obs_id
    (:func:`llmtrends.facts.evidence.standing`): the ``stands`` statement of a
    declaration; else the source's primary document's; else, where the values
    agree, the most precise wording (exact over bounds over approximate); else
    the earliest-published document's; else the first in file order (document
    id, line). Never set or dict order: the same under every PYTHONHASHSEED.
    """
    loaded = _loaded()
    return frames.tidy(_with_attrs(loaded.figures.copy(), "figures", loaded.registry), loaded.registry)


def disagreements() -> pd.DataFrame:
    """Declared disagreements (``data/disagreements.yaml``): one row per pair of differing statements.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, kind, source_id, metric, segment, entity, period, field,
        obs_id_a, obs_id_b, value_a, value_b, qualifier_a, qualifier_b,
        source_id_b, doc_a, doc_b, quote_a, quote_b, stands, reason,
        reason_quote, reason_doc``. ``kind`` is restatement, relay_vs_primary,
        within_document, between_documents or source_fact; source_fact rows
        (two documents state a fact about a source differently) carry
        ``source_id`` and ``field`` and no figure key.
    """
    reg = registry()
    return frames.tidy(pd.DataFrame.from_records(disagreement_rows(reg), columns=DISAGREEMENT_COLUMNS), reg)


def sources() -> pd.DataFrame:
    """The source registry: one row per report (publisher, title, method, sample ...).

    ``documents`` lists every document that reports the source (documents.yaml
    ``reports:``), ``relayed_by`` those of them that are relays or translations.
    """
    loaded = _loaded()
    return frames.tidy(loaded.sources, loaded.registry)


DOCUMENT_COLUMNS = ["document", "file", "sha256", "kind", "language", "title", "publisher", "url", "published",
                    "published_quote", "published_inferred", "reports", "primary_of", "note"]


def documents() -> pd.DataFrame:
    """The documents read (``data/documents.yaml``), one row each.

    Columns ``document, file, sha256, kind (relay/primary/translation),
    language, title, publisher, url, published, published_quote,
    published_inferred, reports (list of source ids), primary_of, note``.
    """
    reg = registry()
    return frames.tidy(pd.DataFrame.from_records([{c: d.get(c) for c in DOCUMENT_COLUMNS} for d in reg.documents.values()],
                                                 columns=DOCUMENT_COLUMNS), reg)


def metrics() -> pd.DataFrame:
    """Every metric with its definition, unit and kind."""
    reg = registry()
    return pd.DataFrame.from_records(list(reg.metrics.values()))[["metric", "definition", "unit", "kind"]]


def entities() -> pd.DataFrame:
    """The entity vocabulary: id, name, kind, vendor, country, open_weights, colour, aliases."""
    reg = registry()
    cols = ["id", "name", "kind", "vendor", "country", "open_weights", "color", "aliases"]
    df = pd.DataFrame.from_records([{c: e.get(c) for c in cols} for e in reg.entities.values()], columns=cols)
    df["open_weights"] = df["open_weights"].astype("boolean")
    return frames.tidy(df, reg)


def vocabulary(kind: str) -> dict[str, str]:
    """Names and meanings of ``themes``, ``segments``, ``units`` or ``qualifiers``."""
    reg = registry()
    kinds = {"themes": reg.themes, "segments": reg.segments, "units": reg.units, "qualifiers": reg.qualifiers}
    if kind not in kinds:
        raise UnknownNameError(f"unknown vocabulary {kind!r}; accepted: {', '.join(kinds)}")
    return dict(kinds[kind])


def names() -> list[str]:
    """Dataset names: one per theme that has figures, then the categorical tables."""
    reg = registry()
    # from the frame: reading reg.observations would unpickle every record (llmtrends/_cache.py)
    themes = sorted(set(_loaded().observations["theme"]), key=list(reg.themes).index)
    return themes + sorted(reg.tables)


def _unknown(name: str) -> UnknownNameError:
    known = names()
    return UnknownNameError(f"unknown dataset {name!r}{suggest(name, known)}; known datasets: {', '.join(known)}")


def load(name: str) -> pd.DataFrame:
    """Load one dataset as a tidy frame.

    Parameters
    ----------
    name : str
        A theme (``vendor_share``, ``open_vs_closed``, ``agentic_usage``, ...)
        or a table (``flageval_listed``, ``reasoning_models``, ``agent_map``).
        :func:`names` lists them.

    Returns
    -------
    pandas.DataFrame
        For a theme, one row per figure (relays consolidated, see
        :func:`figures`); for a table, one row per table row. ``attrs`` carries
        ``dataset``, ``sources`` and (themes) ``metrics`` definitions.

    Raises
    ------
    UnknownNameError
        For a name that is not a dataset; the message lists the known ones.
    DataError
        When a data file is broken (file, line and column are named).
    """
    loaded = _loaded()
    reg = loaded.registry
    if name in reg.tables:
        df = pd.DataFrame.from_records(
            [{k: v for k, v in r.items() if not k.startswith("_")} for r in reg.table_rows[name]],
            columns=list(dict.fromkeys(list(reg.tables[name]["columns"]) + ["source_id", "quote", "note"])))
        for col, spec in reg.tables[name]["columns"].items():
            if isinstance(spec, dict) and spec.get("type") == "int":
                df[col] = pd.to_numeric(df[col]).astype("int64")
        return frames.tidy(_with_attrs(df, name, reg), reg)
    if name not in reg.themes or name not in names():
        raise _unknown(name)
    df = loaded.figures[loaded.figures["theme"] == name].reset_index(drop=True).copy()
    return frames.tidy(_with_attrs(df, name, reg), reg)


def citation(source_id: str) -> str:
    """One-line citation of a source: publisher, report, date, method and sample.

    Examples
    --------
    >>> citation("menlo_2025_midyear")  # doctest: +SKIP
    "Menlo Ventures, '2025 Mid-Year LLM Market Update' (2025-07); survey: 150 technical leaders ..."
    """
    reg = registry()
    if source_id not in reg.sources:
        raise UnknownNameError(f"unknown source {source_id!r}{suggest(source_id, reg.sources)}; "
                               f"known sources: {', '.join(sorted(reg.sources))}")
    s = reg.sources[source_id]
    text = f"{s['publisher']}, '{s['title']}'"
    if s.get("published"):
        text += f" ({s['published']})"
    method = str(s.get("method", "")).replace("_", " ")
    detail = f"{method}: {s['sample']}" if s.get("sample") else method
    if s.get("fieldwork"):
        detail += f", fieldwork {s['fieldwork']}"
    return f"{text}; {detail}" if detail else text


def check_quotes(store: Path | str | None = None) -> list[str]:
    """Problems found by the document checks (see :mod:`llmtrends.facts.store`).

    Parameters
    ----------
    store : path, optional
        The document store (default ``$LLMTRENDS_DOCUMENTS``, else
        ``../shared/documents`` beside the checkout).

    Returns
    -------
    list of str
        One message per problem: a quote (observation, period, table, registry,
        publication date) not verbatim in its document, a checksum mismatch, a
        registered document missing, a store file not registered (file, line and
        column named). Empty when all pass. A missing store is reported, not skipped.
    """
    from llmtrends.facts import store as store_checks
    return [str(p) for p in store_checks.check(store, registry())]


def short_citation(source_id: str) -> str:
    """``'Menlo Ventures, 2025-07'``: publisher and publication date, for axis labels."""
    reg = registry()
    if source_id not in reg.sources:
        raise UnknownNameError(f"unknown source {source_id!r}{suggest(source_id, reg.sources)}")
    s = reg.sources[source_id]
    publisher = str(s["publisher"]).split(" (")[0]
    return f"{publisher}, {s['published']}" if s.get("published") else publisher


def describe(name: str) -> str:
    """What a dataset holds: its metrics with their definitions, and its sources.

    Parameters
    ----------
    name : str
        A dataset name (see :func:`names`).

    Returns
    -------
    str
        A plain-text description, ready to ``print``.
    """
    df = load(name)
    reg = registry()
    lines = []
    if name in reg.tables:
        spec = reg.tables[name]
        lines += [f"{name}: {spec['title']}", f"  {spec['definition']}", f"  {len(df)} rows", "  columns:"]
        for col, meaning in spec["columns"].items():
            text = meaning.get("description", "") if isinstance(meaning, dict) else meaning
            lines.append(f"    {col}: {text}")
    else:
        lines += [f"{name}: {reg.themes[name]}", f"  {len(df)} figures from {df['source_id'].nunique()} sources",
                  "  metrics:"]
        for metric, count in df["metric"].value_counts().sort_index().items():
            m = reg.metrics[metric]
            lines.append(f"    {metric} ({m['unit']}, {m['kind']}, {count} figures): {m['definition']}")
    lines.append("  sources:")
    for sid in df.attrs.get("sources", []):
        lines.append(f"    {sid}: {citation(sid)}")
    return "\n".join(lines)
