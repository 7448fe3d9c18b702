"""Questions an analyst asks of the whole fact base: series, search and evidence.

- :func:`timeseries`: one metric as a wide frame, periods down, entities
  across, refusing to average two figures that fall in one cell;
- :func:`search`: every figure (and table row) about a name, a country, a
  metric or a phrase, whatever the spelling or language;
- :func:`evidence`: every document that states one figure, with its quote.

All are exposed at top level (``lt.timeseries`` ...).

Examples
--------
>>> import llmtrends as lt
>>> wide = lt.timeseries("enterprise_llm_api_usage_share")
>>> wide.loc["mid-2025", "anthropic"]
np.float64(32.0)
"""
from __future__ import annotations

import pandas as pd

from llmtrends.facts import datasets
from llmtrends.facts.reading import suggest
from llmtrends.errors import LlmtrendsError, UnknownNameError

#: Names of the countries the vocabulary uses (ISO 3166 alpha-2), as an
#: analyst types them; searching any of them finds the country's entities.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "CN": ("china", "chinese", "prc", "中国", "中國", "国内", "國內", "国产", "國產"),
    "US": ("united states", "usa", "u.s.", "america", "american", "美国", "美國"),
}
#: Columns of the figure key: one figure is one value of these.
FIGURE_KEY = ["source_id", "metric", "segment", "entity", "period"]
_TEXT_COLUMNS = ("quote", "note", "entity_as_written", "period_quote")


def _check(kind: str, value: str, accepted) -> None:
    accepted = sorted(map(str, accepted))
    if value not in accepted:
        raise UnknownNameError(f"unknown {kind} {value!r}{suggest(value, accepted)}; accepted: {', '.join(accepted)}")


def timeseries(metric: str, by: str = "entity", *, segment: str | None = None, source: str | None = None,
               values: str = "value", data: pd.DataFrame | None = None) -> pd.DataFrame:
    """One metric as a wide frame: rows are periods in time order, columns ``by``.

    Parameters
    ----------
    metric : str
        A metric name (``lt.metrics()`` lists them).
    by : str
        The column that becomes the columns: ``entity`` (default), ``vendor``,
        ``segment``, ``source_id``, ``country`` ...
    segment, source : str, optional
        Keep only this segment / source id.
    values : str
        The column in the cells (default ``value``; ``value_low`` ...).
    data : pandas.DataFrame, optional
        Figures to use (default :func:`llmtrends.figures`).

    Returns
    -------
    pandas.DataFrame
        Index ``period`` (ordered categorical, only the periods present),
        one column per ``by`` value, NaN where no figure is given. ``attrs``
        carries ``metric`` and ``sources``.

    Raises
    ------
    UnknownNameError
        For an unknown metric, segment, source or column.
    LlmtrendsError
        When two figures fall in one cell (one period and one ``by`` value):
        the message names both and how to tell them apart; nothing is averaged.

    Examples
    --------
    >>> import llmtrends as lt
    >>> wide = lt.timeseries("enterprise_llm_api_usage_share")
    >>> wide.index.is_monotonic_increasing  # periods in time order, whatever their labels
    True
    >>> wide.loc["end-2023", "openai"]
    np.float64(50.0)
    >>> lt.timeseries("respondents_mostly_inference_compute")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    llmtrends.errors.LlmtrendsError: 2 figures fall in one cell (period 'mid-2024', entity 'all') and would be averaged: All / total startup mid-2024 = 48 from menlo_2025_midyear (...); All / total enterprise mid-2024 = 29 from menlo_2025_midyear (...); choose with segment=...
    >>> lt.timeseries("respondents_mostly_inference_compute", by="segment").loc["mid-2025"].tolist()
    [49.0, 74.0]
    """
    df = datasets.figures() if data is None else data
    _check("metric", metric, df["metric"].unique())
    df = df[df["metric"] == metric]
    for column, wanted in (("segment", segment), ("source_id", source)):
        if wanted is not None:
            _check(column.replace("_id", ""), wanted, df[column].unique())
            df = df[df[column] == wanted]
    for column in (by, values):
        if column not in df.columns:
            raise UnknownNameError(f"unknown column {column!r}{suggest(column, df.columns)}; "
                                   f"accepted: {', '.join(map(str, df.columns))}")
    cells = df.dropna(subset=[by]).groupby(["period", by], observed=True, sort=True)
    for (period, key), group in cells:
        if len(group) > 1:
            described = "; ".join(
                f"{r.entity_name} {r.segment} {r.period} = {r[values]:g} from {r.source_id}"
                f" ({', '.join(_obs_ids(r))})" for _, r in group.iterrows())
            ways = {"segment": "segment=...", "source_id": "source=...", "entity": "by='entity'"}
            hint = " or ".join(ways[c] for c in ways if c != by and group[c].nunique() > 1) or "data=..."
            raise LlmtrendsError(
                f"{len(group)} figures fall in one cell (period '{period}', {by} '{key}') and would be "
                f"averaged: {described}; choose with {hint}")
    wide = df.pivot(index="period", columns=by, values=values).sort_index()
    wide = wide[wide.notna().any(axis=1)]
    wide.columns.name = by
    wide.attrs = {"metric": metric, "sources": sorted(df["source_id"].unique().tolist()),
                  "definition": df.attrs.get("metrics", {}).get(metric)}
    return wide


def _obs_ids(row) -> list[str]:
    ids = row.get("obs_ids") if hasattr(row, "get") else None
    if isinstance(ids, (list, tuple)) and ids:
        return list(ids)
    return [str(row.get("obs_id"))] if hasattr(row, "get") and row.get("obs_id") is not None else []


def _entities_for(text: str) -> tuple[set[str], str | None]:
    """Entity ids a query names (by any spelling, a vendor's models, a country) and what matched."""
    reg = datasets.registry()
    folded = text.strip().casefold()
    eid = reg.entity_id(text)
    if eid is not None:
        found = {eid} | {e for e, ent in reg.entities.items() if ent.get("vendor") == eid}
        return found, "entity"
    for code, words in COUNTRY_NAMES.items():
        if folded == code.casefold() or folded in words:
            attrs = datasets.entities()
            return set(attrs.loc[attrs["country"] == code, "id"]) | {
                e for e, ent in reg.entities.items() if reg.entities.get(ent.get("vendor") or "", {}).get("country") == code
            }, "country"
    return set(), None


def _spellings(entity_ids: set[str], match: str | None, needle: str) -> set[str]:
    """Every other way the documents may write what the query names."""
    reg = datasets.registry()
    if match == "country":
        return {w for code, words in COUNTRY_NAMES.items() if needle == code.casefold() or needle in words
                for w in words}
    out = set()
    for eid in entity_ids:
        ent = reg.entities[eid]
        for spelling in [eid, ent.get("name")] + list(ent.get("aliases") or []):
            if spelling and len(str(spelling)) > 1:
                out.add(str(spelling).casefold())
    return out


def _contains(value: str, needles: set[str]) -> bool:
    folded = value.casefold()
    return any(n in folded for n in needles)


def search(text: str, *, tables: bool = True) -> pd.DataFrame:
    """Every figure (and table row) about ``text``: an entity by any spelling, a country, metric words, a phrase.

    Matching is case-insensitive. A name is matched through the vocabulary
    (``DeepSeek``, ``深度求索`` and ``deepseek`` are one entity; a vendor
    brings its models), a country name or code (``China``, ``中国``, ``CN``)
    brings its entities, and the text is looked for in metric names, titles
    and definitions, quotes, notes and the spellings as written.

    Parameters
    ----------
    text : str
        What to look for.
    tables : bool
        Also search the categorical tables (default True).

    Returns
    -------
    pandas.DataFrame
        Figures in the columns of :func:`llmtrends.figures` plus ``dataset``
        (the theme, or the table of a table row), ``matched_in`` (where the text
        was found) and, for table rows, ``table_row`` (the row as a dict).

    Raises
    ------
    LlmtrendsError
        For an empty query.

    Examples
    --------
    >>> import llmtrends as lt
    >>> english, chinese = lt.search("DeepSeek"), lt.search("深度求索")
    >>> len(english) == len(chinese) > 1
    True
    >>> set(lt.search("China").country.dropna()) >= {"CN"}
    True
    """
    if not isinstance(text, str) or not text.strip():
        raise LlmtrendsError("search needs some text: an entity (any spelling), a country, metric words or a phrase")
    reg = datasets.registry()
    needle = text.strip().casefold()
    entity_ids, entity_match = _entities_for(text)
    needles = _spellings(entity_ids, entity_match, needle)
    if entity_match != "country":  # "CN" is a code, not text to look for ("CNY")
        needles.add(needle)
    obs = datasets.observations()
    reasons = pd.Series([[] for _ in range(len(obs))], index=obs.index, dtype=object)

    def mark(mask, label):
        for i in obs.index[mask.fillna(False).astype(bool)]:
            if label not in reasons[i]:
                reasons[i].append(label)

    if entity_ids:
        mark(obs["entity"].isin(entity_ids), entity_match)
    metric_text = {m: " ".join([m.replace("_", " "), str(spec.get("title") or ""), str(spec.get("definition") or "")])
                   .casefold() for m, spec in reg.metrics.items()}
    mark(obs["metric"].map(lambda m: _contains(metric_text[m], needles)), "metric")
    for column in _TEXT_COLUMNS:
        if column in obs:
            mark(obs[column].astype("object").map(lambda v: isinstance(v, str) and _contains(v, needles)), column)
    hits = obs[reasons.map(bool)]
    figures = datasets.figures()
    keys = hits[FIGURE_KEY].astype("object").apply(tuple, axis=1)
    why: dict[tuple, list[str]] = {}
    for key, labels in zip(keys, reasons[hits.index]):
        why.setdefault(key, [])
        why[key] += [label for label in labels if label not in why[key]]
    fig_keys = figures[FIGURE_KEY].astype("object").apply(tuple, axis=1)
    out = figures[fig_keys.isin(set(why))].copy()
    out.insert(0, "dataset", out["theme"])
    out["matched_in"] = [", ".join(why[k]) for k in fig_keys[out.index]]
    parts = [out]
    if tables:
        parts.append(_search_tables(needles, entity_ids, entity_match, out))
    result = pd.concat([p for p in parts if len(p)] or [out], ignore_index=True)
    if "period" in out:
        result["period"] = pd.Categorical(result["period"], categories=out["period"].cat.categories, ordered=True)
    result.attrs = {"query": text, "sources": sorted(result["source_id"].dropna().unique().tolist())}
    return result


def _search_tables(needles: set[str], entity_ids: set[str], entity_match: str | None, like: pd.DataFrame) -> pd.DataFrame:
    reg = datasets.registry()
    rows = []
    for name in sorted(reg.tables):
        table = datasets.load(name)
        for _, r in table.iterrows():
            cells = {k: v for k, v in r.items() if isinstance(v, str)}
            why = []
            if entity_ids and r.get("vendor") in entity_ids:
                why.append(entity_match or "entity")
            if any(_contains(v, needles) for v in cells.values()):
                why.append("table text")
            if not why:
                continue
            vendor = r.get("vendor") if isinstance(r.get("vendor"), str) else None
            row = {"dataset": name, "source_id": r["source_id"], "quote": r["quote"], "note": r.get("note"),
                   "entity": vendor, "matched_in": ", ".join(why),
                   "table_row": {k: v for k, v in r.items() if k not in ("source_id", "quote", "note")}}
            if vendor:
                ent = reg.entities[vendor]
                row.update(entity_name=ent["name"], vendor=vendor, entity_kind=ent.get("kind"),
                           country=ent.get("country"), open_weights=ent.get("open_weights"))
            rows.append(row)
    out = pd.DataFrame.from_records(rows, columns=[c for c in like.columns] + ["table_row"])
    if "open_weights" in out:
        out["open_weights"] = out["open_weights"].astype("boolean")
    return out


def _figure_key(ref) -> dict:
    if isinstance(ref, pd.DataFrame):
        if len(ref) != 1:
            raise LlmtrendsError(f"evidence needs one figure; got a frame of {len(ref)} rows (pass one row, or an obs_id)")
        ref = ref.iloc[0]
    if isinstance(ref, (pd.Series, dict)):
        missing = [c for c in FIGURE_KEY if c not in ref]
        if missing:
            raise LlmtrendsError(f"evidence needs a row with {', '.join(FIGURE_KEY)}; missing {', '.join(missing)}")
        return {c: str(ref[c]) for c in FIGURE_KEY}
    if isinstance(ref, str):
        obs = datasets.observations()
        match = obs[obs["obs_id"] == ref]
        if match.empty:
            raise UnknownNameError(f"unknown obs_id {ref!r}{suggest(ref, obs['obs_id'])}; accepted: an obs_id of "
                                   "lt.observations(), or a row of lt.figures()/lt.observations()")
        return {c: str(match.iloc[0][c]) for c in FIGURE_KEY}
    raise LlmtrendsError(f"evidence accepts an obs_id (str) or a row of lt.figures(); got {type(ref).__name__}")


def evidence(ref) -> pd.DataFrame:
    """Every document that states one figure, with its quote.

    A figure is one (source, metric, segment, entity, period); every
    observation with that key is a statement of it by one document.

    Parameters
    ----------
    ref : str or pandas.Series or pandas.DataFrame
        An ``obs_id`` (any statement of the figure), or one row of
        :func:`llmtrends.figures` / :func:`llmtrends.observations`.

    Returns
    -------
    pandas.DataFrame
        One row per statement: ``doc, document, obs_id, value, value_low,
        value_high, qualifier, unit, quote, note`` (and ``period_quote``,
        ``doc_kind`` where the data carry them). ``attrs["figure"]`` is the key.

    Raises
    ------
    UnknownNameError
        For an unknown obs_id.

    Examples
    --------
    >>> import llmtrends as lt
    >>> figs = lt.figures()
    >>> row = figs[(figs.metric == "enterprise_llm_api_usage_share") & (figs.entity == "anthropic")
    ...            & (figs.period == "mid-2025")]
    >>> ev = lt.evidence(row)
    >>> sorted(ev["doc"]) == sorted(row.iloc[0]["docs"])
    True
    """
    key = _figure_key(ref)
    obs = datasets.observations()
    mask = pd.Series(True, index=obs.index)
    for column, value in key.items():
        mask &= obs[column].astype("object") == value
    rows = obs[mask].copy()
    docs = datasets.documents()
    id_column = "document" if "document" in docs else docs.columns[0]
    titles = dict(zip(docs[id_column], docs["title"])) if "title" in docs else {}
    rows["document"] = rows["doc"].map(titles)
    if "kind" in docs:
        rows["doc_kind"] = rows["doc"].map(dict(zip(docs[id_column], docs["kind"])))
    columns = ["doc", "document", "doc_kind", "obs_id", "value", "value_low", "value_high", "qualifier", "unit",
               "quote", "period_quote", "note"]
    out = rows[[c for c in columns if c in rows]].reset_index(drop=True)
    out.attrs = {"figure": key, "sources": [key["source_id"]]}
    return out
