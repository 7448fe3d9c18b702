"""The lenses: the ways of counting who leads, declared once in ``data/lenses.yaml``.

A *lens* is one measure (a metric: share of spend, of tokens, of businesses
paying ...) among one population (a segment, and the entities the lens reads),
as one publisher's series publishes it, at a cadence (monthly, yearly ...).
Two lenses are never joined: a chart, a sparkline or a sentence that puts them
side by side names each one's measure.

Two kinds of break are declared, so that nothing joins values across them:

- ``follows``: the lens continues an earlier lens of the same publisher after
  a change of MEASURE (Menlo Ventures' shares: among closed-source models in
  2024, of usage in mid-2025, of spend in December 2025). A chain of lenses is
  drawn as one chart of editions, each change marked;
- ``breaks``: within one lens, the first period counted under a new METHOD
  (the Ramp AI Index, June 2026 edition): a line or sparkline stops there.

A new lens or a new edition is a data edit, never a code change.

The frames computed from the declarations (``lt.lenses``, ``lt.latest``):
:func:`lenses` gives one row per lens (measure, population, latest period,
leader and runner-up, edition, age, weak provenance), :func:`latest` each
entity's latest value lens by lens, and :func:`segments` splits figures into
the runs a line may join (one per measure, one per method). The declarations
themselves are read and checked by :mod:`llmtrends.facts.lens_declarations`.

Examples
--------
>>> import llmtrends as lt
>>> board = lt.lenses("vendor_share")
>>> board.set_index("lens").loc["menlo_spend_share", ["leader", "value"]].astype(str).tolist()
['Anthropic', '40.0']
"""
from __future__ import annotations

from typing import Any

from llmtrends.facts.lens_declarations import CADENCES, FILE, LENS_THEMES, MARKETS, load_lenses  # noqa: F401
from llmtrends.facts.periods import parse_period
from llmtrends.facts.reading import accepted_list, suggest


def chain(lenses: dict[str, dict], lid: str) -> list[dict]:
    """The lenses ``lid`` belongs to, from the earliest measure to the latest (``follows`` links).

    >>> toy = {"a": {"lens": "a"}, "b": {"lens": "b", "follows": "a"}, "c": {"lens": "c", "follows": "b"}}
    >>> [lens["lens"] for lens in chain(toy, "b")]
    ['a', 'b', 'c']
    """
    first = lid
    while lenses[first].get("follows"):
        first = lenses[first]["follows"]
    out = [lenses[first]]
    while True:
        nxt = [lens for lens in lenses.values() if lens.get("follows") == out[-1]["lens"]]
        if not nxt:
            return out
        out.append(nxt[0])


def chain_metrics(lenses: dict[str, dict], metric: str, theme: str | None = None) -> tuple[str, ...]:
    """The metrics of the chain of lenses that measures ``metric`` (``(metric,)`` when no lens does)."""
    for lid, lens in lenses.items():
        if lens["metric"] == metric and (theme is None or lens["theme"] == theme):
            return tuple(dict.fromkeys(member["metric"] for member in chain(lenses, lid)))
    return (metric,)


def of_theme(lenses: dict[str, dict], theme: str) -> dict[str, dict]:
    """The lenses of one theme, in file order."""
    return {lid: lens for lid, lens in lenses.items() if lens["theme"] == theme}


def entity_filter(lenses: dict[str, dict], theme: str) -> dict[str, list[str]]:
    """``metric -> entities`` of a theme's lenses that read some entities only (file order)."""
    out: dict[str, list[str]] = {}
    for lens in of_theme(lenses, theme).values():
        if lens.get("entities"):
            out.setdefault(lens["metric"], [])
            out[lens["metric"]] += [e for e in lens["entities"] if e not in out[lens["metric"]]]
    return out


def update_days(lens: dict[str, Any]) -> int | None:
    """Days between editions the cadence promises (``None``: once, or irregular)."""
    return CADENCES.get(lens.get("cadence"))


# --------------------------------------------------------------------------- the lenses' figures

#: Entities a leader is never chosen from: the market as a whole ("any AI vendor") and the remainder.
NOT_LEADERS = ("aggregate",)
REMAINDER = "other"
#: Columns of :func:`lenses`, what a reader needs first, ids after.
BOARD_COLUMNS = (
    "title", "population", "publisher", "cadence", "period", "leader", "value", "unit", "qualifier", "runner_up",
    "runner_up_value", "edition", "age_months", "provenance", "leader_certain", "lens", "theme", "market", "metric",
    "segment", "leader_entity", "leader_vendor", "runner_up_entity", "source_id", "period_start", "period_end",
    "followed_by", "breaks")
#: Columns of :func:`latest`.
LATEST_COLUMNS = (
    "title", "population", "entity_name", "period", "value", "unit", "qualifier", "publisher", "edition",
    "age_months", "provenance", "method_since", "lens", "metric", "segment", "entity", "vendor", "source_id",
    "period_start", "period_end", "status")


def sources_of(lens: dict, reg) -> list[str]:
    """The source ids of a lens's editions: its ``sources``, else every source of its ``series``."""
    if lens.get("sources"):
        return list(lens["sources"])
    return [sid for sid, s in reg.sources.items() if lens.get("series") and s.get("series") == lens["series"]]


def lens_rows(figures, lens: dict, reg):
    """The figures a lens reads: its metric, segment and entities, from its publisher's editions, in time order.

    Examples
    --------
    >>> import llmtrends as lt
    >>> from llmtrends.facts import datasets
    >>> reg = datasets.registry()
    >>> rows = lens_rows(lt.figures(), reg.lenses["menlo_spend_share"], reg)
    >>> sorted(set(rows["metric"])), sorted(set(rows["source_id"]))
    (['enterprise_llm_api_spend_share'], ['menlo_2025_enterprise'])
    """
    rows = figures[figures["metric"] == lens["metric"]]
    if lens.get("segment"):
        rows = rows[rows["segment"] == lens["segment"]]
    if lens.get("entities"):
        rows = rows[rows["entity"].isin(list(lens["entities"]))]
    rows = rows[rows["source_id"].isin(sources_of(lens, reg))]
    return rows.sort_values(["period_end", "period_start"], kind="stable")


def _as_lens(lens, reg) -> dict | None:
    if lens is None or isinstance(lens, dict):
        return lens
    if lens not in reg.lenses:
        from llmtrends.errors import UnknownNameError
        raise UnknownNameError(f"unknown lens {lens!r}{suggest(lens, reg.lenses)}; accepted: "
                               f"{accepted_list(reg.lenses, limit=40)}")
    return reg.lenses[lens]


def _break_starts(lens: dict | None) -> list:
    import pandas as pd
    return sorted(pd.Timestamp(parse_period(str(b["from"]))[0]) for b in (lens or {}).get("breaks") or [])


def lens_for_metric(metric: str, reg, segment: str | None = None) -> dict | None:
    """The first lens (file order) that reads ``metric`` (and ``segment``, when the lens names one)."""
    for lens in reg.lenses.values():
        if lens["metric"] == metric and (segment is None or lens.get("segment") in (None, segment)):
            return lens
    return None


def segments(frame, lens=None) -> list:
    """The runs of ``frame`` that a line may join: one per measure, and within it one per method.

    Two values are never joined by a line, a sparkline or a path sentence
    across a change of MEASURE (two metrics, e.g. a lens and the one that
    ``follows`` it) or of METHOD (a lens ``break``). Draw one line per run.

    Parameters
    ----------
    frame : pandas.DataFrame
        Figures with ``metric``, ``period_start`` and ``period_end`` (any entities).
    lens : str or dict, optional
        The lens whose breaks apply; default: for each metric, the lens that reads it (``data/lenses.yaml``).

    Returns
    -------
    list of pandas.DataFrame
        The runs, earliest first, each in time order; a row belongs to the run of the last break
        that starts on or before its first day.

    Examples
    --------
    >>> import pandas as pd
    >>> toy = {"lens": "toy", "breaks": [{"from": "2026-05", "what": "new method"}]}
    >>> rows = pd.DataFrame({"metric": "m", "period": ["2026-03", "2026-04", "2026-05", "2026-07"],
    ...                      "period_start": pd.to_datetime(["2026-03-01", "2026-04-01", "2026-05-01", "2026-07-01"]),
    ...                      "period_end": pd.to_datetime(["2026-03-31", "2026-04-30", "2026-05-31", "2026-07-31"])})
    >>> [list(run["period"]) for run in segments(rows, toy)]
    [['2026-03', '2026-04'], ['2026-05', '2026-07']]
    """
    import pandas as pd
    if not len(frame):
        return []
    reg = _registry() if lens is None or isinstance(lens, str) else None
    lens = _as_lens(lens, reg) if isinstance(lens, str) else lens
    runs = []
    for metric, rows in frame.groupby("metric", sort=False, observed=True):
        declared = lens if lens is not None else lens_for_metric(str(metric), reg)
        starts = _break_starts(declared)
        begins = pd.to_datetime(rows["period_start"])
        part = sum((begins >= start).astype(int) for start in starts) if starts else pd.Series(0, index=rows.index)
        for _, run in rows.groupby(part, sort=True):
            runs.append(run.sort_values(["period_end", "period_start"], kind="stable"))
    return sorted(runs, key=lambda r: (r["period_end"].min(), r["period_start"].min()))


def _registry():
    from llmtrends.facts import datasets
    return datasets.registry()


def _published(reg, source_id: str) -> str:
    return str(reg.sources.get(source_id, {}).get("published") or "")


def latest_snapshot(rows, reg):
    """The rows of a lens's latest period (last day, then first day), each entity as its newest edition states it."""
    if not len(rows):
        return rows
    last = rows.sort_values(["period_end", "period_start"], kind="stable").iloc[-1]
    snap = rows[(rows["period_end"] == last["period_end"]) & (rows["period_start"] == last["period_start"])]
    snap = snap.assign(_pub=snap["source_id"].map(lambda s: _published(reg, s))).sort_values("_pub", kind="stable")
    return snap.drop_duplicates("entity", keep="last").drop(columns="_pub")


def provenance(rows, reg) -> str:
    """'relay only', 'no known URL', both, or '' for figures that rest on a primary text with a known URL.

    A figure is *relay only* when no primary text states it (status ``relay_only``); it has *no known URL*
    when none of the documents that state it has one (documents.yaml ``url``).
    """
    if not len(rows):
        return ""
    flags = []
    if "status" in rows and (rows["status"] == "relay_only").any():
        flags.append("relay only")
    if "docs" in rows:
        unlinked = [all(not reg.documents.get(d, {}).get("url") for d in docs) for docs in rows["docs"] if len(docs)]
        if any(unlinked):
            flags.append("no known URL")
    return ", ".join(flags)


def months_old(period_end, today) -> int:
    """Whole months from the end of a figure's period to ``today`` (months that have fully passed).

    >>> from datetime import date
    >>> months_old(date(2026, 7, 31), date(2026, 12, 6)), months_old(date(2026, 7, 31), date(2026, 11, 30))
    (4, 4)
    >>> months_old(date(2026, 3, 31), date(2026, 4, 1)), months_old(date(2025, 12, 31), date(2026, 12, 31))
    (0, 12)
    """
    import calendar

    months = (today.year - period_end.year) * 12 + today.month - period_end.month
    month_ended = today.day == calendar.monthrange(today.year, today.month)[1]
    if today.day < period_end.day and not month_ended:
        months -= 1  # the last month has not fully passed
    return max(months, 0)


def _leader_certain(lens: dict, named, figures, reg) -> bool:
    """Whether the data prove the leader leads (see :func:`lenses`)."""
    top = named.iloc[0]
    kind = reg.metrics[lens["metric"]]["kind"]
    if kind == "share" and float(top["value"]) > max(0.0, 100.0 - float(named["value"].sum())):
        return True
    if lens.get("entities") and set(lens["entities"]) <= set(named["entity"]) and len(lens["entities"]) > 1:
        return True
    rank = lens.get("rank_metric")
    if rank and figures is not None:
        stated = figures[(figures["metric"] == rank) & (figures["entity"] == top["entity"])
                         & (figures["period"].astype(str) == str(top["period"])) & (figures["value"] == 1)]
        return bool(len(stated))
    return False


def board_row(lens: dict, rows, reg, today, figures=None) -> dict | None:
    """One lens's row of :func:`lenses` (``None`` when the data hold none of its figures)."""
    snap = latest_snapshot(rows, reg)
    if not len(snap):
        return None
    named = snap[~snap["entity_kind"].isin(NOT_LEADERS) & (snap["entity"] != REMAINDER)]
    named = named.sort_values("value", ascending=False, kind="stable")
    pick = named if len(named) else snap
    top, second = pick.iloc[0], (pick.iloc[1] if len(pick) > 1 else None)
    followed = [lid for lid, other in reg.lenses.items() if other.get("follows") == lens["lens"]]
    vendor = top["entity"] if top["entity_kind"] == "vendor" else top.get("vendor")
    return {
        "title": lens["title"], "population": lens["population"], "publisher": lens["publisher"],
        "cadence": lens["cadence"], "period": str(top["period"]), "leader": top["entity_name"],
        "value": float(top["value"]), "unit": top["unit"], "qualifier": top["qualifier"],
        "runner_up": None if second is None else second["entity_name"],
        "runner_up_value": float("nan") if second is None else float(second["value"]),
        "edition": _published(reg, top["source_id"]) or None,
        "age_months": months_old(top["period_end"], today),
        "provenance": provenance(pick.iloc[:2], reg) or None,
        "leader_certain": bool(len(named)) and _leader_certain(lens, named, figures, reg),
        "lens": lens["lens"], "theme": lens["theme"], "market": lens.get("market", "global"),
        "metric": lens["metric"], "segment": top["segment"], "leader_entity": top["entity"],
        "leader_vendor": vendor if isinstance(vendor, str) else None,
        "runner_up_entity": None if second is None else second["entity"], "source_id": top["source_id"],
        "period_start": top["period_start"], "period_end": top["period_end"],
        "followed_by": followed[0] if followed else None,
        "breaks": [str(b["from"]) for b in lens.get("breaks") or []],
    }


def _today(today):
    from datetime import date
    return today if today is not None else date.today()


def _frame(records: list[dict], columns, reg):
    import pandas as pd
    from llmtrends.facts.frames import as_period
    out = pd.DataFrame.from_records(records, columns=list(columns))
    out["period"] = as_period(out["period"].astype("object"), reg)
    return out


def lenses(theme: str | None = None, *, market: str | None = None, today=None):
    """Every lens on who leads, one row each: its measure, population, latest period, leader and runner-up.

    Computed from the lens declarations (``data/lenses.yaml``) and the figures: the
    same table the vendor-share report shows as its lens board.

    Parameters
    ----------
    theme : str, optional
        ``vendor_share``, ``open_vs_closed`` or ``agentic_usage`` (default: every theme).
    market : str, optional
        ``global`` or ``china`` (the lenses of China's domestic market).
    today : datetime.date, optional
        The date ``age_months`` counts to (default: today).

    Returns
    -------
    pandas.DataFrame
        One row per lens that has figures, in file order: ``title`` (the measure in words),
        ``population``, ``publisher``, ``cadence``, ``period`` (the latest period held), ``leader``,
        ``value``, ``unit``, ``qualifier``, ``runner_up``, ``runner_up_value``, ``edition`` (when the
        edition holding it was published), ``age_months`` (from the end of ``period`` to ``today``),
        ``provenance`` (``relay only`` / ``no known URL`` when the leader's or runner-up's figure rests
        on nothing better), ``leader_certain`` (a share lens: no unnamed entity can be larger; a lens of
        named groups: every group is named; else the publisher states the leader's rank 1 in the lens's
        ``rank_metric``); then ids: ``lens``, ``theme``, ``market``, ``metric``, ``segment``,
        ``leader_entity``, ``leader_vendor``, ``runner_up_entity``, ``source_id``, ``period_start``,
        ``period_end``, ``followed_by`` (the lens that took over after a change of measure), ``breaks``
        (first periods under a new method). A lens that reads one entity (an open-weight share) has
        that entity as ``leader`` and no runner-up.

    Examples
    --------
    >>> import llmtrends as lt
    >>> from datetime import date
    >>> board = lt.lenses("vendor_share", today=date(2026, 12, 6))
    >>> spend = board.set_index("lens").loc["menlo_spend_share"]
    >>> spend[["leader", "value", "runner_up", "period", "age_months"]].astype(str).tolist()
    ['Anthropic', '40.0', 'OpenAI', '2025', '11']
    >>> board.set_index("lens").loc["menlo_usage_share", "followed_by"]
    'menlo_spend_share'
    """
    reg = _registry()
    if theme is not None and theme not in LENS_THEMES:
        from llmtrends.errors import UnknownNameError
        raise UnknownNameError(f"unknown theme {theme!r}{suggest(theme, LENS_THEMES)}; accepted: {', '.join(LENS_THEMES)}")
    if market is not None and market not in MARKETS:
        from llmtrends.errors import UnknownNameError
        raise UnknownNameError(f"unknown market {market!r}; accepted: {', '.join(MARKETS)}")
    return board(_figures(), reg, theme=theme, market=market, today=today)


def board(figures, reg, theme: str | None = None, market: str | None = None, today=None):
    """:func:`lenses` computed from ``figures`` (the stories pass the figures they tell)."""
    records = []
    for lens in reg.lenses.values():
        if (theme and lens["theme"] != theme) or (market and lens.get("market", "global") != market):
            continue
        row = board_row(lens, lens_rows(figures, lens, reg), reg, _today(today), figures)
        if row is not None:
            records.append(row)
    return _frame(records, BOARD_COLUMNS, reg)


def _figures():
    from llmtrends.facts import datasets
    out = datasets.figures().copy(deep=False)
    out.attrs = {}
    return out


def _lenses_asked(metric_or_lens, theme, reg) -> list[dict]:
    """The lenses :func:`latest` reads: one lens, the lenses of a metric (or the metric as its own lens per
    segment when no lens reads it), or every lens of ``theme``."""
    from llmtrends.errors import UnknownNameError
    if metric_or_lens is None:
        return [lens for lens in reg.lenses.values() if theme is None or lens["theme"] == theme]
    if metric_or_lens in reg.lenses:
        return [reg.lenses[metric_or_lens]]
    if metric_or_lens in reg.metrics:
        declared = [lens for lens in reg.lenses.values() if lens["metric"] == metric_or_lens]
        if declared:
            return declared
        meta = reg.metrics[metric_or_lens]
        segments_held = sorted({r["segment"] for r in reg.observations if r["metric"] == metric_or_lens})
        return [{"lens": f"{metric_or_lens}/{seg}" if len(segments_held) > 1 else metric_or_lens,
                 "title": meta.get("title") or metric_or_lens, "metric": metric_or_lens, "segment": seg,
                 "population": reg.segments.get(seg, seg), "publisher": None, "_any_source": True}
                for seg in segments_held]
    known = list(reg.lenses) + list(reg.metrics)
    raise UnknownNameError(f"unknown lens or metric {metric_or_lens!r}{suggest(str(metric_or_lens), known)}; "
                           f"accepted: a lens id ({accepted_list(reg.lenses, limit=40)}) or a metric of metrics.yaml")


def latest(metric_or_lens: str | None = None, *, theme: str | None = None, entity: str | None = None, today=None):
    """Each entity's latest value, lens by lens: never two measures (or methods) in one row.

    Parameters
    ----------
    metric_or_lens : str, optional
        A lens id (``data/lenses.yaml``) or a metric: the lenses that read it, or, when no lens does,
        the metric itself, one lens per segment. Default: every lens (of ``theme``).
    theme : str, optional
        Only the lenses of this theme (when ``metric_or_lens`` is not given).
    entity : str, optional
        Any spelling of one entity (``"Claude"``, ``"火山引擎"``).
    today : datetime.date, optional
        The date ``age_months`` counts to (default: today).

    Returns
    -------
    pandas.DataFrame
        One row per lens and entity, in lens order, largest value first: ``title`` (the measure),
        ``population``, ``entity_name``, ``period`` (that entity's latest), ``value``, ``unit``,
        ``qualifier``, ``publisher``, ``edition``, ``age_months``, ``provenance``, ``method_since`` (the
        first period of the method the value is counted under, when the lens has a ``break``), then
        ``lens``, ``metric``, ``segment``, ``entity``, ``vendor``, ``source_id``, ``period_start``,
        ``period_end``, ``status``. Values of one lens counted under two methods sit in one frame only
        with ``method_since`` telling them apart.

    Examples
    --------
    >>> import llmtrends as lt
    >>> spend = lt.latest("menlo_spend_share")
    >>> list(zip(spend["entity_name"], spend["value"], spend["period"].astype(str)))[:3]
    [('Anthropic', 40.0, '2025'), ('OpenAI', 27.0, '2025'), ('Google', 21.0, '2025')]
    >>> lt.latest("enterprise_llm_api_usage_share", entity="Claude")[["entity_name", "value", "period"]].values.tolist()
    [['Anthropic', 32.0, 'mid-2025']]
    """
    reg = _registry()
    wanted = None
    if entity is not None:
        wanted = reg.entity_id(entity)
        if wanted is None:
            from llmtrends.errors import UnknownNameError
            raise UnknownNameError(f"unknown entity {entity!r}{suggest(str(entity), reg.entities)}; accepted: any "
                                   "spelling of vocabulary.yaml (lt.entities())")
    figures, records = _figures(), []
    for lens in _lenses_asked(metric_or_lens, theme, reg):
        rows = (figures[(figures["metric"] == lens["metric"]) & (figures["segment"] == lens["segment"])]
                if lens.get("_any_source") else lens_rows(figures, lens, reg))
        if wanted is not None:
            rows = rows[rows["entity"] == wanted]
        records += _latest_records(lens, rows, reg, _today(today))
    return _frame(records, LATEST_COLUMNS, reg)


def _latest_records(lens: dict, rows, reg, today) -> list[dict]:
    import pandas as pd
    starts = _break_starts(lens)
    breaks = [str(b["from"]) for b in sorted(lens.get("breaks") or [], key=lambda b: parse_period(str(b["from"]))[0])]
    out = []
    for _, group in rows.groupby("entity", sort=False):
        r = latest_snapshot(group, reg).iloc[-1]
        since = [label for label, start in zip(breaks, starts) if pd.Timestamp(r["period_start"]) >= start]
        vendor = r["entity"] if r["entity_kind"] == "vendor" else r.get("vendor")
        out.append({
            "title": lens["title"], "population": lens["population"], "entity_name": r["entity_name"],
            "period": str(r["period"]), "value": float(r["value"]), "unit": r["unit"], "qualifier": r["qualifier"],
            "publisher": lens.get("publisher") or reg.sources[r["source_id"]].get("publisher"),
            "edition": _published(reg, r["source_id"]) or None, "age_months": months_old(r["period_end"], today),
            "provenance": provenance(group.loc[[r.name]], reg) or None,
            "method_since": since[-1] if since else None, "lens": lens["lens"], "metric": lens["metric"],
            "segment": r["segment"], "entity": r["entity"], "vendor": vendor if isinstance(vendor, str) else None,
            "source_id": r["source_id"], "period_start": r["period_start"], "period_end": r["period_end"],
            "status": r.get("status")})
    return sorted(out, key=lambda rec: -rec["value"])
