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
from llmtrends.facts.description import Description
from llmtrends.facts.evidence import DISAGREEMENT_COLUMNS, disagreement_rows
from llmtrends.facts.reading import accepted_list, suggest
from llmtrends.facts.registry import Registry
from llmtrends.errors import UnknownNameError
from llmtrends.facts.loading import FIGURE_KEY, _loaded, clear_cache, registry  # noqa: F401 (public names)

__all__ = [
    "names", "load", "describe", "observations", "figures", "disagreements", "sources", "documents", "metrics",
    "entities", "vocabulary", "citation", "short_citation", "check_quotes", "registry", "clear_cache",
]

class _Shared(dict):
    """A dict pandas need not copy: it deep-copies ``attrs`` on every operation, and the metric
    definitions (60 kB) cost a report about half a second of copies. Never edited after it is set."""

    def __deepcopy__(self, memo):
        return self


class _SharedList(list):
    """A list pandas need not copy (see `_Shared`)."""

    def __deepcopy__(self, memo):
        return self


def _with_attrs(df: pd.DataFrame, name: str, reg: Registry) -> pd.DataFrame:
    df.attrs["dataset"] = name
    if "source_id" in df:
        df.attrs["sources"] = _SharedList(sorted(df["source_id"].dropna().unique().tolist()))
    if "metric" in df:
        df.attrs["metrics"] = _Shared({m: reg.metrics[m]["definition"] for m in sorted(df["metric"].unique())})
    return df


# --------------------------------------------------------------------------- public API

def observations(*, theme=None, metric=None, entity=None, source=None, period=None,
                 segment=None) -> pd.DataFrame:
    """Every published figure, one row per figure per document that states it.

    Parameters
    ----------
    theme, metric, entity, source, period, segment : str or list of str, optional
        Keep only these rows, as in :func:`figures` (any spelling of an entity).

    Returns
    -------
    pandas.DataFrame
        The answer first - ``entity_name, metric_title, period, value, unit,
        qualifier, source`` (a short citation) - then ``segment``, the range
        (``value_low, value_high``), ``value_kind``, ``quote, note``, entity
        attributes and period dates, then provenance and ids: ``doc,
        value_derived, period_quote, period_inferred, entity_as_written,
        figure_id, obs_id, source_id, theme, metric, entity``.
        ``value_derived`` says how ``value`` follows from the quote when the
        document does not print it (the midpoint of a published range ...).

    Examples
    --------
    >>> import llmtrends as lt
    >>> claude = lt.observations(entity="Claude", metric="enterprise_llm_api_usage_share", period="mid-2025")
    >>> sorted(claude["doc"])
    ['000_dff873e1b34121a2', '001_f6f9bbcc7f4aaa0b', 'menlo_2025_midyear']
    >>> claude["figure_id"].nunique()
    1
    """
    loaded = _loaded()
    raw = _filtered(loaded.observations, loaded.registry, theme=theme, metric=metric, entity=entity,
                    source=source, period=period, segment=segment)
    df = _with_attrs(raw.drop(columns=["_file", "_line"]), "observations", loaded.registry)
    return frames.tidy(df, loaded.registry)


def figures(*, theme=None, metric=None, entity=None, source=None, period=None, segment=None) -> pd.DataFrame:
    """Every figure once: all its statements (one per document) consolidated.

    A figure is ``(source_id, metric, segment, entity, period)``; its
    ``figure_id`` is that key written out (``source/metric/segment/entity/period``),
    the same on every load and in every data version (see
    :func:`llmtrends.facts.frames.figure_ids`).

    Parameters
    ----------
    theme : str or list of str, optional
        Theme(s) (``lt.vocabulary("themes")``).
    metric : str or list of str, optional
        Metric id(s) (``lt.metrics()``).
    entity : str or list of str, optional
        Entity by any spelling, English or Chinese (``"Claude"``, ``"阿里巴巴"``,
        ``"open weight"``): that entity's figures (:func:`llmtrends.search`
        also brings a vendor's models and products).
    source : str or list of str, optional
        Source id(s), or a report series (``menlo_enterprise``: every edition).
    period : str or list of str, optional
        Period label(s) as the frame shows them (``"mid-2025"``).
    segment : str or list of str, optional
        Segment(s) (``enterprise``, ``startup`` ...).

    Returns
    -------
    pandas.DataFrame
        The answer first (``entity_name, metric_title, period, value, unit,
        qualifier, source``), then ``segment``, ``status``, the range, the
        quote and note, entity attributes and period dates, then provenance
        and ids. ``period`` holds only the periods present, in time order.
        Besides the observation columns (of the statement shown):

        - ``docs``: list of the documents that state it; ``primary_docs``:
          those that are its source's own report (documents.yaml
          ``primary_of``); ``n_docs``; ``n_relays``: documents that are not
          its primary (relays, translations, other reports citing it);
          ``obs_ids``: list of statements;
        - ``status``: ``confirmed`` (a primary document states it and so does
          at least one other, all with the same value), ``differs`` (its
          statements differ in value, or a declared disagreement covers two
          of them, e.g. "9%" and "under 9%": see :func:`disagreements`),
          ``relay_only`` (no primary document states it), ``primary_only``.

        One statement gives value, qualifier, quote and obs_id
        (:func:`llmtrends.facts.evidence.standing`): the ``stands`` statement
        of a declaration; else the source's primary document's; else, where
        the values agree, the most precise wording (exact over bounds over
        approximate); else the earliest-published document's; else the first
        in file order (document id, line). Never set or dict order: the same
        under every PYTHONHASHSEED.

    Raises
    ------
    UnknownNameError
        For a filter value that names nothing known (the message lists what is
        accepted and suggests the closest).

    Examples
    --------
    >>> import llmtrends as lt
    >>> anthropic = lt.figures(entity="anthropic", metric="enterprise_llm_api_usage_share")
    >>> anthropic[["entity_name", "metric_title", "period", "value", "unit"]].values.tolist()
    [['Anthropic', 'Enterprise LLM API usage share', 'mid-2025', 32.0, 'percent']]
    >>> list(anthropic["period"].cat.categories)  # only the periods present
    ['mid-2025']
    >>> lt.figures(entity="Antropic")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    llmtrends.errors.UnknownNameError: unknown entity 'Antropic'; did you mean 'Anthropic'?; accepted: any spelling...
    """
    loaded = _loaded()
    raw = _filtered(loaded.figures, loaded.registry, theme=theme, metric=metric, entity=entity, source=source,
                    period=period, segment=segment)
    return frames.tidy(_with_attrs(raw.copy(), "figures", loaded.registry), loaded.registry)


def _wanted(value) -> list[str]:
    """A filter value as a list of texts (a string is one value, not its characters)."""
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        return [str(value)]
    return [str(v) for v in value]


def _unknown_value(kind: str, value: str, accepted, shown: str | None = None) -> UnknownNameError:
    accepted = list(accepted)
    return UnknownNameError(f"unknown {kind} {value!r}{suggest(value, accepted)}; accepted: "
                            f"{shown or ', '.join(map(str, accepted))}")


def _entity_filter(values, reg: Registry) -> set[str]:
    from llmtrends.facts import spelling
    found = set()
    for value in _wanted(values):
        eid = spelling.entity_id(value, reg)
        if eid is None:
            names = [e.get("name") or i for i, e in reg.entities.items()]
            raise _unknown_value("entity", value, names + list(reg.aliases),
                                 "any spelling of an entity of data/vocabulary.yaml (lt.entities() lists them)")
        found.add(eid)
    return found


def _source_filter(values, reg: Registry) -> set[str]:
    series = {}
    for sid, spec in reg.sources.items():
        if spec.get("series"):
            series.setdefault(spec["series"], set()).add(sid)
    found = set()
    for value in _wanted(values):
        if value in reg.sources:
            found.add(value)
        elif value in series:
            found |= series[value]
        else:
            raise _unknown_value("source", value, sorted(reg.sources) + sorted(series),
                                 f"a source id of lt.sources() or a series ({', '.join(sorted(series))})")
    return found


def _filtered(df: pd.DataFrame, reg: Registry, **filters) -> pd.DataFrame:
    """Rows of a loaded frame that pass the filters of :func:`figures` (each checked against what is known)."""
    mask = pd.Series(True, index=df.index)
    for column, value in filters.items():
        if value is None:
            continue
        if column == "entity":
            wanted = _entity_filter(value, reg)
        elif column == "source":
            column, wanted = "source_id", _source_filter(value, reg)
        else:
            known = {"theme": list(reg.themes), "metric": sorted(reg.metrics), "segment": list(reg.segments),
                     "period": frames.period_order(df["period"])}[column]
            wanted = set(_wanted(value))
            shown = (accepted_list(known) + " (lt.metrics() lists them)") if column == "metric" else None
            for item in sorted(wanted):
                if item not in known:
                    raise _unknown_value(column, item, known, shown)
        mask &= df[column].astype("object").isin(wanted)
    return df if bool(mask.all()) else df[mask].reset_index(drop=True)


def disagreements() -> pd.DataFrame:
    """Declared disagreements (``data/disagreements.yaml``): one row per pair of differing statements.

    Returns
    -------
    pandas.DataFrame
        The answer first - ``entity_name, metric_title, period, value_a,
        value_b, unit, qualifier_a, qualifier_b, source`` - then ``kind,
        stands, reason, quote_a, quote_b, segment, field``, entity attributes
        and ``period_start, period_end``, then ``doc_a, doc_b, reason_quote,
        reason_doc, id, pair_id, obs_id_a, obs_id_b, source_id, source_id_b,
        metric, entity``. ``pair_id`` (``<id>/<n>``: the n-th pair of the
        declaration's statements, in the order the file lists them) tells the
        rows apart. ``kind`` is restatement, relay_vs_primary,
        within_document, between_documents or source_fact; source_fact rows
        (two documents state a fact about a source differently) carry
        ``source_id`` and ``field`` and no figure key.
    """
    reg = registry()
    df = pd.DataFrame.from_records(disagreement_rows(reg), columns=DISAGREEMENT_COLUMNS)
    df.insert(1, "pair_id", df["id"] + "/" + (df.groupby("id", sort=False).cumcount() + 1).astype(str))
    df["unit"] = df["metric"].map({m: spec.get("unit") for m, spec in reg.metrics.items()})
    for column, end in (("period_start", 0), ("period_end", 1)):
        df[column] = pd.to_datetime(df["period"].map(lambda p: _period_bound(p, end)))
    return frames.tidy(df, reg, "disagreements")


def _period_bound(label, end: int):
    from llmtrends.facts.periods import parse_period
    if not isinstance(label, str) or not label:
        return None
    return parse_period(label)[end]


def sources() -> pd.DataFrame:
    """The source registry: one row per report (publisher, title, method, sample ...).

    ``documents`` lists every document that reports the source (documents.yaml
    ``reports:``), ``relayed_by`` those of them that are relays or translations.
    """
    loaded = _loaded()
    return frames.tidy(loaded.sources, loaded.registry, "sources")


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
                                                 columns=DOCUMENT_COLUMNS), reg, "documents")


def metrics() -> pd.DataFrame:
    """Every metric: ``title`` (what stakeholders read), ``definition``, ``unit``, ``kind`` and its id ``metric``.

    Examples
    --------
    >>> import llmtrends as lt
    >>> lt.metrics().set_index("metric").loc["enterprise_llm_api_usage_share", "title"]
    'Enterprise LLM API usage share'
    """
    reg = registry()
    cols = ["metric", "title", "definition", "unit", "kind"]
    return frames.tidy(pd.DataFrame.from_records([{c: m.get(c) for c in cols} for m in reg.metrics.values()],
                                                 columns=cols), reg, "metrics")


def entities() -> pd.DataFrame:
    """The entity vocabulary: id, name, kind, vendor, country, open_weights, colour, aliases."""
    reg = registry()
    cols = ["id", "name", "kind", "vendor", "country", "open_weights", "color", "aliases"]
    df = pd.DataFrame.from_records([{c: e.get(c) for c in cols} for e in reg.entities.values()], columns=cols)
    df["open_weights"] = df["open_weights"].astype("boolean")
    return frames.tidy(df, reg, "entities")


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
        return frames.tidy(_with_attrs(df, name, reg), reg, "table")
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
    return frames.short_citation(source_id, reg)


def describe(name: str) -> Description:
    """What a dataset holds: its metrics with their definitions (or its columns), and its sources.

    Parameters
    ----------
    name : str
        A dataset name (see :func:`names`).

    Returns
    -------
    Description
        A ``str`` subclass: prints as indented lines, displays in a notebook
        as a table of metrics (title, id, unit, kind, figures, definition) and
        the list of sources; ``.rows`` and ``.sources`` hold them as data.

    Examples
    --------
    >>> import llmtrends as lt
    >>> d = lt.describe("vendor_share")
    >>> print(d.splitlines()[0])
    vendor_share: Which vendors' models organisations and developers use, as shares or usage rates.
    >>> "enterprise_llm_api_usage_share" in d and "<table>" in d._repr_html_()
    True
    >>> repr(d) == str(d)
    True
    """
    df = load(name)
    reg = registry()
    if name in reg.tables:
        spec = reg.tables[name]
        heading, summary = spec["title"], f"{spec['definition']} {len(df)} rows."
        rows = [{"column": col, "description": meaning.get("description", "") if isinstance(meaning, dict)
                 else meaning} for col, meaning in spec["columns"].items()]
        lines = [f"{name}: {spec['title']}", f"  {spec['definition']}", f"  {len(df)} rows", "  columns:"]
        lines += [f"    {r['column']}: {r['description']}" for r in rows]
    else:
        heading = reg.themes[name]
        summary = f"{len(df)} figures from {df['source_id'].nunique()} sources"
        rows = []
        for metric, count in df["metric"].value_counts().sort_index().items():
            m = reg.metrics[metric]
            rows.append({"title": m.get("title") or metric, "metric": metric, "unit": m["unit"], "kind": m["kind"],
                         "figures": int(count), "definition": m["definition"]})
        lines = [f"{name}: {heading}", f"  {summary}", "  metrics:"]
        lines += [f"    {r['metric']} ({r['unit']}, {r['kind']}, {r['figures']} figures): {r['definition']}"
                  for r in rows]
    sources = {sid: citation(sid) for sid in df.attrs.get("sources", [])}
    lines.append("  sources:")
    lines += [f"    {sid}: {text}" for sid, text in sources.items()]
    return Description("\n".join(lines), name=name, heading=heading, summary=summary, rows=rows, sources=sources)
