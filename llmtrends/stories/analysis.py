"""Computations the reports share: share tables with their remainder, leaders,
changes, concentration, lens comparisons and before/after pairs.

Every function takes a tidy frame from :func:`llmtrends.load` (or a subset of
one) and returns a tidy frame that keeps ``source_id`` so charts can cite it.
Nothing here types a figure: every number comes from the data.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import pandas as pd

from llmtrends.facts import datasets
from llmtrends.facts import lenses as lens_declarations
from llmtrends.facts.reading import suggest
from llmtrends.errors import LlmtrendsError, UnknownNameError

REMAINDER = "other"

REMAINDER_NOTE = "unallocated remainder: 100 minus the shares the source names"
#: A snapshot is complete enough for concentration measures when named
#: entities cover at least this share of the market ...
MIN_COVERAGE = 80.0
#: ... and at least this many entities are named.
MIN_NAMED = 3


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise LlmtrendsError(f"{what} needs columns {missing}; got {list(df.columns)}")


def select(df: pd.DataFrame, *, metric: str | None = None, segment: str | None = None,
           entities: Sequence[str] | None = None, periods: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows of one metric (and optionally segment, entities, periods), checked by name.

    Parameters
    ----------
    df : pandas.DataFrame
        A theme frame from :func:`llmtrends.load`.
    metric, segment : str, optional
        Keep only this metric / segment; an unknown value raises with the
        accepted ones (the values present in ``df``).
    entities, periods : sequence of str, optional
        Keep only these (empty or ``None`` keeps all).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    UnknownNameError
        When a requested value is not in the frame.
    """
    out = df
    for col, wanted in (("metric", metric), ("segment", segment)):
        if wanted is not None:
            _check_values(col, [wanted], out[col].unique())
            out = out[out[col] == wanted]
    for col, wanted in (("entity", entities), ("period", periods)):
        if wanted:
            _check_values(col, wanted, out[col].unique())
            out = out[out[col].isin(list(wanted))]
    out = out.copy()
    out.attrs = dict(df.attrs)
    return out


def _check_values(column: str, wanted: Iterable[str], present: Iterable[str]) -> None:
    present = sorted(map(str, present))
    for w in wanted:
        if w not in present:
            raise UnknownNameError(f"unknown {column} {w!r}{suggest(w, present)}; accepted: {', '.join(present)}")


def period_order(df: pd.DataFrame) -> list[str]:
    """Period labels of ``df`` in time order (by end date, then start date)."""
    p = df[["period", "period_start", "period_end"]].drop_duplicates("period")
    return p.sort_values(["period_end", "period_start"])["period"].tolist()


def share_table(df: pd.DataFrame) -> pd.DataFrame:
    """Shares of one metric per snapshot, with the unallocated remainder as its own row.

    A *snapshot* is one period as one source reports it (``"mid-2025 (Menlo
    Ventures, 2025-07)"``): when two editions of a report both give a period,
    both stay, side by side. A source that names OpenAI at 50% and nobody else
    says nothing about the other 50%: that remainder is kept visible as entity
    ``other`` (flagged in ``value_derived``), never spread over named vendors.

    Parameters
    ----------
    df : pandas.DataFrame
        Figures of one ``share`` metric and one segment (see :func:`select`).

    Returns
    -------
    pandas.DataFrame
        The input rows plus one remainder row per snapshot, with columns
        ``snapshot`` (ordered by period end, then publication) and ``coverage``
        (the percentage the source allocates to named entities).

    Raises
    ------
    LlmtrendsError
        When ``df`` mixes metrics or segments, or the metric is not a share.
    """
    _require(df, ["metric", "segment", "entity", "period", "value", "source_id"], "share_table")
    metric = _one(df, "metric")
    _one(df, "segment")
    kind = datasets.registry().metrics[metric]["kind"]
    if kind != "share":
        raise LlmtrendsError(f"share_table needs a metric of kind 'share'; {metric!r} is a {kind!r} "
                             "(its values do not add up to a whole)")
    named = df[~df["entity"].isin([REMAINDER, "all"])]
    parts = []
    for (period, source), group in named.groupby(["period", "source_id"], sort=False):
        covered = float(group["value"].sum())
        group = group.assign(coverage=covered)
        remainder = group.iloc[[0]].copy()
        remainder = remainder.assign(
            entity=REMAINDER, entity_name="Unallocated", vendor=None, value=max(0.0, 100.0 - covered),
            value_low=float("nan"), value_high=float("nan"), value_derived=REMAINDER_NOTE,
            qualifier="exact", quote="", note=REMAINDER_NOTE, coverage=covered)
        for col in ("obs_id", "status"):
            if col in remainder:
                remainder[col] = ""
        for col in ("obs_ids", "docs", "primary_docs"):  # lists in figures()
            if col in remainder:
                remainder[col] = [[] for _ in range(len(remainder))]
        for col in ("n_docs", "n_relays"):
            if col in remainder:
                remainder[col] = 0
        parts += [group, remainder]
    out = pd.concat(parts, ignore_index=True)
    out["snapshot"] = out["period"].astype(str) + " (" + out["source_id"].map(datasets.short_citation) + ")"
    published = out["source_id"].map(lambda s: str(datasets.registry().sources[s].get("published") or ""))
    order = (out.assign(_pub=published).sort_values(["period_end", "period_start", "_pub"])
             ["snapshot"].drop_duplicates().tolist())
    out["snapshot"] = pd.Categorical(out["snapshot"], categories=order, ordered=True)
    out = (out.assign(_rem=out["entity"] == REMAINDER)
           .sort_values(["snapshot", "_rem", "value"], ascending=[True, True, False], kind="stable")
           .drop(columns="_rem").reset_index(drop=True))
    out.attrs = dict(df.attrs)
    return out


def snapshots(shares: pd.DataFrame) -> list[str]:
    """Snapshot labels of a :func:`share_table` in time order."""
    return [s for s in shares["snapshot"].cat.categories if s in set(shares["snapshot"])]


def _one(df: pd.DataFrame, column: str) -> str:
    values = df[column].unique()
    if len(values) != 1:
        raise LlmtrendsError(f"expected one {column}, found {len(values)}: {sorted(map(str, values))}; "
                             f"select one with llmtrends.stories.analysis.select(df, {column}=...)")
    return values[0]


def leaders(shares: pd.DataFrame) -> pd.DataFrame:
    """The leading named entity of each period, and whether the data can prove it leads.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`share_table`.

    Returns
    -------
    pandas.DataFrame
        One row per period in time order: ``period, entity, entity_name, value,
        runner_up, runner_up_value, margin, remainder, certain``. ``certain`` is
        True when the leader's share exceeds the unallocated remainder, so no
        unnamed vendor could be ahead.
    """
    rows = []
    for snap in snapshots(shares):
        p = shares[shares["snapshot"] == snap]
        period = p["period"].iloc[0]
        named = p[p["entity"] != REMAINDER].sort_values("value", ascending=False)
        remainder = float(p.loc[p["entity"] == REMAINDER, "value"].sum())
        top = named.iloc[0]
        second = named.iloc[1] if len(named) > 1 else None
        rows.append({
            "snapshot": snap, "period": period, "period_end": top["period_end"], "entity": top["entity"],
            "entity_name": top["entity_name"], "value": top["value"],
            "runner_up": None if second is None else second["entity_name"],
            "runner_up_value": float("nan") if second is None else second["value"],
            "margin": top["value"] - (second["value"] if second is not None else 0.0),
            "remainder": remainder, "certain": bool(top["value"] > remainder),
            "source_id": top["source_id"],
        })
    out = pd.DataFrame(rows)
    out.attrs = dict(shares.attrs)
    return out


def changes(shares: pd.DataFrame, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Change in share (percentage points) per named entity between two periods.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`share_table` (or any frame of one metric with periods).
    start, end : str, optional
        Period labels; default the first and last period in time order.

    Returns
    -------
    pandas.DataFrame
        ``entity, entity_name, start, end, value_start, value_end, change_pp``,
        for entities known in both periods, largest gain first.
    """
    order = period_order(shares)
    start = start or order[0]
    end = end or order[-1]
    _check_values("period", [start, end], order)
    named = shares[shares["entity"] != REMAINDER]
    a = named[named["period"] == start].set_index("entity")
    b = named[named["period"] == end].set_index("entity")
    both = a.index.intersection(b.index)
    out = pd.DataFrame({
        "entity": both,
        "entity_name": b.loc[both, "entity_name"].values,
        "start": start, "end": end,
        "value_start": a.loc[both, "value"].values,
        "value_end": b.loc[both, "value"].values,
    })
    out["change_pp"] = out["value_end"] - out["value_start"]
    out["ratio"] = out["value_end"] / out["value_start"]
    out["source_id"] = ";".join(sorted(set(a["source_id"]) | set(b["source_id"])))
    out = out.sort_values("change_pp", ascending=False).reset_index(drop=True)
    out.attrs = dict(shares.attrs)
    return out


def concentration(shares: pd.DataFrame, min_coverage: float = MIN_COVERAGE, min_named: int = MIN_NAMED) -> pd.DataFrame:
    """Top-three share and Herfindahl-Hirschman index per period, where the data allow.

    The remainder's split is unknown, so the HHI is given as bounds: ``hhi_low``
    treats the remainder as many tiny vendors, ``hhi_high`` as one vendor.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`share_table`.
    min_coverage : float
        Minimum percentage allocated to named entities for a period to count as
        complete enough (default 80).
    min_named : int
        Minimum number of named entities (default 3).

    Returns
    -------
    pandas.DataFrame
        ``period, named, coverage, top3_share, hhi_low, hhi_high, complete``;
        the measures are NaN where ``complete`` is False.
    """
    rows = []
    for snap in snapshots(shares):
        p = shares[shares["snapshot"] == snap]
        period = p["period"].iloc[0]
        named = p[p["entity"] != REMAINDER]["value"].sort_values(ascending=False)
        coverage = float(named.sum())
        remainder = max(0.0, 100.0 - coverage)
        complete = coverage >= min_coverage and len(named) >= min_named
        nan = float("nan")
        rows.append({
            "snapshot": snap, "period": period, "named": len(named), "coverage": coverage,
            "top3_share": float(named.iloc[:3].sum()) if complete else nan,
            "hhi_low": float((named ** 2).sum()) if complete else nan,
            "hhi_high": float((named ** 2).sum() + remainder ** 2) if complete else nan,
            "complete": complete, "source_id": p["source_id"].iloc[0],
        })
    out = pd.DataFrame(rows)
    out.attrs = dict(shares.attrs)
    return out


def lenses(df: pd.DataFrame, metrics: Sequence[str] | None = None, entities: Sequence[str] | None = None) -> pd.DataFrame:
    """Figures that answer *different questions* about one topic, one row each, with definitions.

    Used to put e.g. every "open-source share" side by side: each row keeps its
    own metric, definition, segment, source and sample so no chart adds them.

    Returns
    -------
    pandas.DataFrame
        The selected figures plus ``definition``, ``kind``, ``citation`` and a
        short ``label`` (entity, segment, period).
    """
    reg = datasets.registry()
    out = df
    if metrics:
        _check_values("metric", metrics, df["metric"].unique())
        out = out[out["metric"].isin(list(metrics))]
    if entities:
        _check_values("entity", entities, out["entity"].unique())
        out = out[out["entity"].isin(list(entities))]
    out = out.copy()
    out["definition"] = out["metric"].map(lambda m: reg.metrics[m]["definition"])
    out["kind"] = out["metric"].map(lambda m: reg.metrics[m]["kind"])
    out["citation"] = out["source_id"].map(datasets.citation)
    out["label"] = out["entity_name"] + " (" + out["segment"].str.replace("_", " ") + ", " + out["period"].astype(str) + ")"
    out = out.sort_values(["metric", "period_end", "entity"]).reset_index(drop=True)
    out.attrs = dict(df.attrs)
    return out


def open_source_lens_entities() -> dict[str, list[str]]:
    """The open-vs-closed lenses of ``data/lenses.yaml``: each measure (metric) and the entities it reads.

    Each answers a different question of a different population; reports show
    them side by side and never add them.
    """
    return lens_declarations.entity_filter(datasets.registry().lenses, "open_vs_closed")


def open_source_lenses(figures: pd.DataFrame, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Every figure measuring open-model use, one row each (see :func:`open_source_lens_entities`).

    Parameters
    ----------
    figures : pandas.DataFrame
        :func:`llmtrends.figures` or any frame holding the lens metrics.
    metrics : sequence of str, optional
        Lens metrics to keep (default every open-vs-closed lens).

    Returns
    -------
    pandas.DataFrame
        As :func:`lenses`: one row per figure with definition and citation.
    """
    declared = open_source_lens_entities()
    metrics = list(metrics or declared)
    _check_values("lens", metrics, declared)
    keep = pd.Series(False, index=figures.index)
    for metric in metrics:
        keep |= (figures["metric"] == metric) & figures["entity"].isin(declared[metric])
    return lenses(figures[keep])


def metric_title(metric: str) -> str:
    """A metric's chart title: its ``title`` in metrics.yaml, else its name in words."""
    reg = datasets.registry()
    if metric not in reg.metrics:
        raise UnknownNameError(f"unknown metric {metric!r}{suggest(metric, reg.metrics)}")
    return str(reg.metrics[metric].get("title") or metric.replace("_", " ").capitalize())


def before_after(df: pd.DataFrame, by: str = "segment") -> pd.DataFrame:
    """Pairs of (earlier, later) values of one metric per ``by`` group.

    Returns
    -------
    pandas.DataFrame
        ``<by>, period_before, value_before, period_after, value_after,
        change_pp, source_id`` - one row per group with at least two periods
        (first and last period in time order).
    """
    _one(df, "metric")
    rows = []
    for key, g in df.groupby(by, sort=False):
        g = g.sort_values(["period_end", "period_start"])
        if len(g) < 2:
            continue
        first, last = g.iloc[0], g.iloc[-1]
        rows.append({by: key, "period_before": first["period"], "value_before": first["value"],
                     "period_after": last["period"], "value_after": last["value"],
                     "change_pp": last["value"] - first["value"],
                     "source_id": ";".join(sorted(set(g["source_id"])))})
    out = pd.DataFrame(rows)
    out.attrs = dict(df.attrs)
    return out


def counts(table: pd.DataFrame, by: str | Sequence[str]) -> pd.DataFrame:
    """Row counts of a categorical table per group, largest first, keeping ``source_id``."""
    by = [by] if isinstance(by, str) else list(by)
    _require(table, by + ["source_id"], "counts")
    out = (table.groupby(by, sort=False).agg(count=("source_id", "size"),
                                              source_id=("source_id", lambda s: ";".join(sorted(set(s)))))
           .reset_index().sort_values(["count"] + by, ascending=[False] + [True] * len(by), kind="stable")
           .reset_index(drop=True))
    out.attrs = dict(table.attrs)
    return out


def entity_name(entity: str) -> str:
    """Display name of an entity id (or any accepted spelling)."""
    reg = datasets.registry()
    eid = reg.entity_id(entity)
    if eid is None:
        raise UnknownNameError(f"unknown entity {entity!r}{suggest(entity, reg.entities)}")
    return reg.entities[eid]["name"]
