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

from llmtrends.facts import datasets, frames, spelling
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
    folded = spelling.fold(text)
    eid = spelling.entity_id(text, reg)
    if eid is not None:
        found = {eid} | {e for e, ent in reg.entities.items() if ent.get("vendor") == eid}
        return found, "entity"
    for code, words in COUNTRY_NAMES.items():
        if folded == code.casefold() or folded in words:
            return {e for e, ent in reg.entities.items()
                    if (ent.get("country") or reg.entities.get(ent.get("vendor") or "", {}).get("country")) == code
                    }, "country"
    return set(), None


def _spellings(entity_ids: set[str], match: str | None, text: str) -> set[str]:
    """Every way the documents may write what the query names (the query itself included)."""
    reg = datasets.registry()
    if match == "country":  # "CN" is a code, not text to look for ("CNY"): the country's names only
        folded = spelling.fold(text)
        return {w for code, words in COUNTRY_NAMES.items() if folded in (code.casefold(), *words) for w in words}
    out = {text.strip()}
    for eid in entity_ids:
        out |= {s for s in spelling.spellings(eid, reg) if len(spelling.squash(s)) > 1}
    return out


def _marks(obs: pd.DataFrame, entity_ids: set[str], match: str | None, needles: set[str]) -> list[list[str]]:
    """For each statement, where the query was found: entity/country, metric, or a text column."""
    reg = datasets.registry()
    reasons: list[list[str]] = [[] for _ in range(len(obs))]
    if entity_ids:
        for i, hit in enumerate(obs["entity"].astype("object").isin(entity_ids)):
            if hit:
                reasons[i].append(str(match))
    metric_text = {m: " ".join([m, str(spec.get("title") or ""), str(spec.get("definition") or "")])
                   for m, spec in reg.metrics.items()}
    hit_metrics = {m for m, hit in zip(metric_text, spelling.mention_mask(metric_text.values(), needles)) if hit}
    for i, metric in enumerate(obs["metric"].astype("object")):
        if metric in hit_metrics:
            reasons[i].append("metric")
    for column in _TEXT_COLUMNS:
        if column in obs:
            for i, hit in enumerate(spelling.mention_mask(obs[column].astype("object"), needles)):
                if hit:
                    reasons[i].append(column)
    return reasons


def _figure_hits(entity_ids: set[str], match: str | None, needles: set[str]) -> pd.DataFrame:
    """The figures any statement of which the query hits, with ``matched_in``, ``mention`` and ``dataset``."""
    obs = datasets.observations()
    why: dict[str, list[str]] = {}
    for fid, labels in zip(obs["figure_id"], _marks(obs, entity_ids, match, needles)):
        if labels:
            why.setdefault(fid, [])
            why[fid] += [label for label in labels if label not in why[fid]]
    figures = datasets.figures()
    out = figures[figures["figure_id"].isin(set(why))].copy()
    out["matched_in"] = [", ".join(why[f]) for f in out["figure_id"]]
    out["mention"] = [match is not None and match not in why[f] for f in out["figure_id"]]
    out["dataset"] = out["theme"]
    return out


def search(text: str, *, mentions: bool = False, tables: bool = True) -> pd.DataFrame:
    """The figures (and table rows) about ``text``: an entity by any spelling, a country, metric words, a phrase.

    Spellings match as :mod:`llmtrends.facts.spelling` says: case, width,
    spaces and hyphens aside (``open weight`` = ``open-weight`` =
    ``openweight``; ``Qwen2.5`` = ``qwen 2.5``).

    - A **name** (any spelling of the vocabulary: ``DeepSeek``, ``深度求索``,
      ``通义千问``) gives that entity's own figures, a vendor's with its models
      and products, and the table rows whose ``vendor`` it is. With
      ``mentions=True`` the figures whose quote, note or metric only mention
      it are added, with ``mention`` True.
    - A **country** (``China``, ``中国``, ``CN``) gives its entities' figures
      (and, with ``mentions=True``, the quotes and notes naming the country).
    - Any other text is a phrase: every figure whose metric (id, title,
      definition), quote, note or spelling as written contains it, and the
      table rows that do (``mention`` is False: the phrase is what was asked).

    Parameters
    ----------
    text : str
        What to look for.
    mentions : bool
        Also return the figures and rows that only mention the named entity or
        country (default False).
    tables : bool
        Also search the categorical tables (default True).

    Returns
    -------
    pandas.DataFrame
        Figures in the columns of :func:`llmtrends.figures` plus
        ``matched_in`` (where the text was found: entity, country, metric,
        quote, note ...), ``mention`` (True for a row that only mentions it),
        ``dataset`` (the theme, or the table of a table row) and, for table
        rows, ``table_row`` (the row as a dict).

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
    >>> own = lt.search("Alibaba")
    >>> set(own["vendor"].dropna()) == {"alibaba"}, bool(own["mention"].any())
    (True, False)
    >>> more = lt.search("Alibaba", mentions=True)
    >>> len(more) > len(own) and bool(more["mention"].any())
    True
    >>> len(lt.search("通义千问")) == len(lt.search("千问")) == len(own)
    True
    >>> set(lt.search("China").country.dropna()) >= {"CN"}
    True
    """
    if not isinstance(text, str) or not text.strip():
        raise LlmtrendsError("search needs some text: an entity (any spelling), a country, metric words or a phrase")
    entity_ids, match = _entities_for(text)
    needles = _spellings(entity_ids, match, text)
    out = _figure_hits(entity_ids, match, needles)
    parts = [out]
    if tables:
        parts.append(_search_tables(needles, entity_ids, match, out))
    result = pd.concat([p for p in parts if len(p)] or [out], ignore_index=True)
    if not mentions:
        result = result[~result["mention"].astype(bool)].reset_index(drop=True)
    result["mention"] = result["mention"].astype(bool)
    result["period"] = frames.as_period(result["period"].astype("object"))
    result = result[frames.arrange(result.columns, "figures")]
    result.attrs = {"query": text, "sources": sorted(result["source_id"].dropna().unique().tolist()),
                    "llmtrends": "figures"}
    return result


def _search_tables(needles: set[str], entity_ids: set[str], match: str | None, like: pd.DataFrame) -> pd.DataFrame:
    reg = datasets.registry()
    rows = []
    for name in sorted(reg.tables):
        table = datasets.load(name)
        texts = [" | ".join(v for v in r.values() if isinstance(v, str)) for r in table.to_dict("records")]
        hits = spelling.mention_mask(texts, needles)
        for (_, r), text_hit in zip(table.iterrows(), hits):
            own = bool(entity_ids) and r.get("vendor") in entity_ids
            if not (own or text_hit):
                continue
            vendor = r.get("vendor") if isinstance(r.get("vendor"), str) else None
            row = {"dataset": name, "source_id": r["source_id"], "source": r.get("source"), "quote": r["quote"],
                   "note": r.get("note"), "entity": vendor,
                   "matched_in": ", ".join(([match or "entity"] if own else []) + (["table text"] if text_hit else [])),
                   "mention": match is not None and not own,
                   "table_row": {k: v for k, v in r.items() if k not in ("source_id", "source", "quote", "note")}}
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
