"""Who leads depends on what is counted: the vendor-share report's lenses, side by side.

Select (the current lenses of ``data/lenses.yaml``: each publisher's latest
measure, their latest period, :func:`llmtrends.facts.lenses.board`) -> compute
(who leads on how many lenses, where the followed vendor stands, a monthly
series split at each change of method) -> sentences -> sections: the lens
board, each monthly series, China's market.

A lens is never added to or joined with another: each row and each sentence
says its measure, its population, its period and the edition it comes from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from llmtrends.facts import datasets
from llmtrends.facts import lenses as lens_frames
from llmtrends.stories import words
from llmtrends.stories.story import Chart, Finding, Section, Table

#: Cadences whose editions make a series worth a chart of its own (a line over time).
SERIES_CADENCES = {"monthly": "month", "quarterly": "quarter"}  # a few relayed weeks of a weekly ranking are no series
#: Fewest periods a series needs to be drawn as a line.
MIN_SERIES_PERIODS = 3


@dataclass
class LensView:
    """The lenses a report tells: the current ones of the market as a whole, and China's."""

    board: pd.DataFrame                       # lt.lenses rows, newest period first
    china: pd.DataFrame
    snapshots: dict[str, pd.DataFrame] = field(default_factory=dict)   # lens -> its latest period's figures
    rows: dict[str, pd.DataFrame] = field(default_factory=dict)        # lens -> every figure it reads
    today: date = field(default_factory=date.today)


def lens_view(figures: pd.DataFrame, theme: str = "vendor_share", today: date | None = None) -> LensView:
    """The current lenses of a theme (a lens another follows after a change of measure is history,
    told with its publisher's editions), newest period first, with their figures."""
    reg = datasets.registry()
    today = today or date.today()
    full = lens_frames.board(figures, reg, theme=theme, today=today)
    held = set(full["lens"])
    current = full[~full["followed_by"].isin(held)]
    current = current.sort_values(["period_end", "period_start"], ascending=False, kind="stable")
    view = LensView(current[current["market"] == "global"].reset_index(drop=True),
                    current[current["market"] == "china"].reset_index(drop=True), today=today)
    for lid in current["lens"]:
        rows = lens_frames.lens_rows(figures, reg.lenses[lid], reg)
        view.rows[lid] = rows
        snap = lens_frames.latest_snapshot(rows, reg)
        view.snapshots[lid] = snap.sort_values("value", ascending=False, kind="stable")
    return view


def short(lid: str) -> str:
    """A lens in a few words for a sentence (``short`` in lenses.yaml, else its title)."""
    lens = datasets.registry().lenses[lid]
    return str(lens.get("short") or words.lower_first(lens["title"]))


def _vendor(row) -> str | None:
    vendor = row["entity"] if row.get("entity_kind") == "vendor" else row.get("vendor")
    return vendor if isinstance(vendor, str) else None


def _named(snap: pd.DataFrame) -> pd.DataFrame:
    """The entities a lens names in its latest period, largest first (the market as a whole and the remainder aside)."""
    return snap[~snap["entity_kind"].isin(lens_frames.NOT_LEADERS) & (snap["entity"] != lens_frames.REMAINDER)]


def _leader_words(row) -> str:
    """'Anthropic 43.5%' / 'ChatGPT (OpenAI) 46.4%', and 'largest named' when the data cannot prove the lead."""
    name = row["leader"]
    vendor = row.get("leader_vendor")
    if isinstance(vendor, str) and vendor != row["leader_entity"]:
        name += f" ({words.entity(vendor)})"
    text = f"{name} {words.value(row['value'], row['unit'], row['qualifier'])}"
    if row["leader_certain"]:
        return text
    return text + (" (largest named)" if isinstance(row.get("runner_up"), str) else " (no other named)")


# --------------------------------------------------------------------------- sentences

def tally(view: LensView) -> Finding | None:
    """Which vendor leads on how many lenses, and where the others lead (each lens named)."""
    board = view.board
    if not len(board):
        return None
    holder = board["leader_vendor"].where(board["leader_vendor"].notna(), board["leader_entity"])
    counts = holder.value_counts(sort=False)
    order = sorted(counts.index, key=lambda v: (-counts[v], list(holder).index(v)))
    parts = []
    for i, who in enumerate(order):
        mine = board[holder == who]
        where = _and([f"{short(r.lens)} ({words.period(r.period)}"
                      + ("" if r.leader_certain else ", " + _leader_words(r._asdict()).rsplit("(", 1)[1].rstrip(")"))
                      + ")" for r in mine.itertuples()])
        name = words.entity(who)
        lead = f"**{name}** leads on {len(mine)} of {len(board)} lenses" if i == 0 else f"{name} on {len(mine)}"
        parts.append(f"{lead}: {where}")
    return Finding("Who leads depends on what is counted. " + "; ".join(parts) + ".", _leader_rows(view, board))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _leader_rows(view: LensView, board: pd.DataFrame) -> pd.DataFrame:
    parts = [view.snapshots[lid][view.snapshots[lid]["entity"] == ent]
             for lid, ent in zip(board["lens"], board["leader_entity"])]
    return pd.concat(parts) if parts else pd.DataFrame()


def standing(view: LensView, vendor: str, china: bool = False, leads_told: bool = False) -> Finding | None:
    """Where one vendor leads, and where it stands on every other lens (its rank and value, or not named).

    ``leads_told``: the lenses it leads were just named (by :func:`tally`), so only the others are.
    """
    board = pd.concat([view.board, view.china]) if china else view.board
    places: dict[int, list[str]] = {}
    absent, rows = [], []
    for r in board.itertuples():
        named = _named(view.snapshots[r.lens])
        if not any(_vendor(x) for _, x in named.iterrows()):
            continue  # a lens of groups (Chinese vs US models) names no vendor to stand anywhere
        mine = [i for i, x in named.iterrows() if _vendor(x) == vendor]
        if not mine:
            if r.market == "global":  # China's own lenses are told where the vendor is named in them
                absent.append(short(r.lens))
            continue
        top = named.loc[mine[0]]
        label = top["entity_name"] + " " if top["entity"] != vendor else ""
        places.setdefault(list(named.index).index(mine[0]) + 1, []).append(
            f"{short(r.lens)} ({label}{words.row_value(top)}, {words.period(top['period'])})")
        rows.append(named.loc[[mine[0]]])
    if not places:
        return None
    name = words.entity(vendor)
    ordinal = {1: "leads on", 2: "is second on", 3: "third on"}
    said = []
    if leads_told and 1 in places:
        places.pop(1)
        if not places and not absent:
            return None
    for place in sorted(places):
        said.append(f"{ordinal.get(place, f'number {place} on')} {_and(places[place])}")
    if absent:
        said.append(f"{'' if said else 'is '}not named on {_and(absent)}")
    text = (f"Elsewhere **{name}** " if leads_told else f"**{name}** ") + "; ".join(said)
    data = pd.concat(rows) if rows else pd.DataFrame()
    return Finding(text + ".", data)


def crossings(view: LensView, lid: str) -> list[Finding]:
    """Where the lens's runner-up and leader changed places, within one run of one method."""
    row = view.board.set_index("lens").loc[lid]
    lead, second = row["leader_entity"], row["runner_up_entity"]
    if not isinstance(second, str):
        return []
    lens = datasets.registry().lenses[lid]
    out = []
    for run in lens_frames.segments(view.rows[lid], lens):
        wide = run[run["entity"].isin([lead, second])].pivot_table(index="period_end", columns="entity",
                                                                   values="value", aggfunc="last")
        if lead not in wide or second not in wide:
            continue
        both = wide.dropna()
        behind = both[lead] < both[second]
        ahead = both[lead] > both[second]
        if behind.any() and ahead[ahead.index > behind[behind].index[0]].any():
            when = ahead[ahead.index > behind[behind].index[0]].idxmax()
            at = run[(run["period_end"] == when) & run["entity"].isin([lead, second])].sort_values("value", ascending=False)
            first, other = at.iloc[0], at.iloc[1]
            out.append(Finding(
                f"On {short(lid)}, {first['entity_name']} passed {other['entity_name']} "
                f"{words.in_period(first['period'])} ({words.row_value(first)} vs {words.row_value(other)}, "
                f"{_edition(first['source_id'])}{_weak(at)}).", at))
    return out


def _weak(rows: pd.DataFrame) -> str:
    """``', known only through relays'`` (and the like) when the rows' evidence is weak, else ``''``."""
    from llmtrends.stories.chart_notes import weak_provenance
    notes = list(dict.fromkeys(weak_provenance(rows).values()))
    return f", {'; '.join(notes)}" if notes else ""


def _quoted_in(doc_id: str | None) -> str:
    """How the document quoting a method change stands: ``' (as a relay quotes it; no known URL)'`` ..."""
    doc = datasets.registry().documents.get(doc_id or "", {})
    if not doc or doc.get("kind") != "relay" and doc.get("url"):
        return ""
    return " (as " + ("a relay" if doc.get("kind") == "relay" else "a document") + " quotes it" \
        + ("" if doc.get("url") else ", with no known URL") + ")"


def _edition(source_id: str) -> str:
    published = datasets.registry().sources[source_id].get("published")
    return f"{words.month(published)} edition" if published else words.source_short(source_id)


def break_findings(view: LensView, lid: str) -> list[Finding]:
    """Each change of method, in the publisher's words, and the latest values counted under it."""
    lens = datasets.registry().lenses[lid]
    out = []
    for brk in lens.get("breaks") or []:
        start = pd.Timestamp(lens_frames.parse_period(str(brk["from"]))[0])
        after = view.rows[lid][pd.to_datetime(view.rows[lid]["period_start"]) >= start]
        said = f': "{brk["quote"]}"{_quoted_in(brk.get("doc"))}' if brk.get("quote") else ""
        text = (f"{lens['publisher']} changed its method with its figures for {words.period(brk['from'])}{said}. "
                "Values before and after are not comparable, so no line joins them")
        named = _named(lens_frames.latest_snapshot(after, datasets.registry())) if len(after) else after
        if len(named):
            named = named.sort_values("value", ascending=False)
            text += (f"; under the new method, {words.in_period(named['period'].iloc[0])}: "
                     + ", ".join(f"{r.entity_name} {words.row_value(r._asdict())}" for r in named.itertuples())
                     + (f" ({_weak(named)[2:]})" if _weak(named) else ""))
        out.append(Finding(text + ".", named if len(named) else view.rows[lid].head(0)))
    return out


# --------------------------------------------------------------------------- sections

def bars_data(view: LensView, board: pd.DataFrame, highlight: str | None = None, top: int = 2) -> pd.DataFrame:
    """The figures the lens chart draws: each lens's leader and runner-up (``top``), and the followed
    vendor where the lens names it lower down; its heading above."""
    parts = []
    for r in board.itertuples():
        named = _named(view.snapshots[r.lens])
        keep = [i for n, (i, x) in enumerate(named.iterrows()) if n < top or (highlight and _vendor(x) == highlight)]
        named = named.loc[keep]
        if not len(named):
            continue
        heading = f"{short(r.lens)}, {words.period(r.period)}"  # the board beside it says measure and population in full
        parts.append(named.assign(lens=r.lens, lens_label=heading))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def board_table(view: LensView, board: pd.DataFrame, highlight: str | None, name: str) -> Table:
    """The lens board: one row per lens, readable as cards on a phone and as a table in print; the rows the
    followed vendor leads stand out."""
    rows, marked, titles = [], [], []
    for r in board.itertuples():
        row = r._asdict()
        runner = (f"{r.runner_up} {words.value(r.runner_up_value, r.unit, 'exact')}"
                  if isinstance(r.runner_up, str) else "none named")
        if isinstance(r.runner_up, str):
            second = view.snapshots[r.lens]
            second = second[second["entity"] == r.runner_up_entity]
            runner = f"{r.runner_up} {words.row_value(second.iloc[0])}" if len(second) else runner
        source = f"{r.publisher}, {words.month(r.edition)} edition" if isinstance(r.edition, str) else r.publisher
        if isinstance(r.provenance, str) and r.provenance:
            source += " (" + r.provenance.replace("relay only", "known only through relays") + ")"
        age = f"{r.age_months} month{'s' if r.age_months != 1 else ''}"
        rows.append([[r.title, r.population], words.period(r.period), _leader_words(row), runner, source, age])
        marked.append(bool(highlight) and highlight in (r.leader_vendor, r.leader_entity))
        titles.append(f"{r.title}: {_leader_words(row)}, {words.period(r.period)}; runner-up {runner}; {source}")
    data = board.assign(period=board["period"].astype(str))[
        ["title", "population", "period", "leader", "value", "unit", "qualifier", "runner_up", "runner_up_value",
         "edition", "age_months", "provenance", "source_id"]]
    return Table(["What is counted, among whom", "Latest", "Leader", "Runner-up", "Source", "Age"], rows, data, name,
                 highlight=marked, titles=titles, kind="board")


def board_section(view: LensView, highlight: str | None) -> Section:
    title = "Who leads, lens by lens"
    if not len(view.board):
        return Section(title, skipped="The data hold no lens on vendor share.")
    built = words.month(view.today.isoformat())
    finds = []
    mine = standing(view, highlight) if highlight else None
    if mine is not None:
        finds.append(mine)
    return Section(title, intro=(
        "Each lens counts something else among other people (businesses paying, money spent through one gateway, "
        "tokens, revenue, users, budgets), so the rows are never added up or compared as one market share. Each "
        f"row gives its publisher's latest period; age is counted from the end of that period to {built}, when "
        "this page was built. Each measure's latest edition stands for the publisher; Menlo Ventures' earlier "
        "measures follow below."),
        findings=finds,
        charts=[Chart("lens_bars", bars_data(view, view.board, highlight), "The leaders of each lens, latest period",
                      "lens-leaders", {"highlight": highlight})],
        table=board_table(view, view.board, highlight, "lens-board"))


def series_sections(view: LensView, highlight: str | None) -> list[Section]:
    """A chart over time for each monthly or quarterly lens with enough periods, split at each change of method."""
    reg = datasets.registry()
    out = []
    for r in view.board.itertuples():
        lens = reg.lenses[r.lens]
        rows = view.rows[r.lens]
        rows = rows[~rows["entity_kind"].isin(lens_frames.NOT_LEADERS)]
        if lens["cadence"] not in SERIES_CADENCES or rows["period"].nunique() < MIN_SERIES_PERIODS:
            continue
        every = SERIES_CADENCES[lens["cadence"]]
        finds = crossings(view, r.lens) + break_findings(view, r.lens)
        out.append(Section(
            f"{r.title}, {every} by {every}",
            intro=(f"{lens['population']}. Each point is the {every} the figure describes (its data {every}), not "
                   f"when the edition came out; pointing at a point shows the edition. "
                   + ("A dashed rule marks a change of method: no line crosses it." if lens.get("breaks") else "")),
            findings=finds,
            charts=[Chart("series_lines", rows, f"{r.title}, by data {every}", f"series-{r.lens.replace('_', '-')}",
                          {"highlight": highlight, "breaks": list(lens.get("breaks") or [])})]))
    return out


def china_finding(view: LensView) -> Finding | None:
    board = view.china
    if not len(board):
        return None
    said = "; ".join(f"{_leader_words(r._asdict())} of {short(r.lens)} ({words.period(r.period)})"
                     for r in board.itertuples())
    return Finding(f"In China's own market the leader depends on the measure too: {said}.",
                   _leader_rows(view, board))


def china_section(view: LensView, highlight: str | None) -> Section:
    title = "China's market, lens by lens"
    if not len(view.china):
        return Section(title, skipped="The data hold no lens on China's domestic market.")
    finding = china_finding(view)
    return Section(title, intro=(
        "Counted among China's public clouds and enterprises: these measures describe China's domestic market and "
        "compare neither with each other nor with the lenses above."),
        findings=[finding] if finding else [],
        charts=[Chart("lens_bars", bars_data(view, view.china, highlight), "The leaders of each lens on China's market",
                      "china-leaders", {"highlight": highlight})],
        table=board_table(view, view.china, highlight, "china-board"))
