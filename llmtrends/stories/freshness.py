"""How fresh each lens is on a given day: whether a newer edition of its series is due.

The landing page's freshness table is computed in two steps. What the data
say (a lens's cadence from ``data/lenses.yaml``, the latest period it holds,
the day that period's edition came out, from ``sources.yaml``) is computed
with the figures by :func:`llmtrends.stories.landing.freshness` and kept with
the page's cached content; what that means on the day the page is built is
computed here, without pandas, so a batch that reuses the cached content
still dates the page right.

The rule, for a lens with a regular cadence (weekly, monthly, quarterly,
twice a year, yearly): the next period ends one cadence step after the
latest period held; its edition is expected as long after the end of that
period as the latest edition came after the end of its own (Ramp's July 2026
figures came out on 12 August: the August figures are expected on 12
September). When the latest edition's date is not known, only the end of the
next period is known, and the table says so. A one-off report (``once``) or
an irregular one has no next edition to expect.

Examples
--------
>>> from datetime import date
>>> ramp = {"cadence": "monthly", "period_end": "2026-07-31", "edition": "2026-08-12"}
>>> due(ramp, date(2026, 12, 6))["text"]
'3 newer editions due (Aug to Oct 2026 data; the first expected 12 Sep 2026)'
>>> menlo = {"cadence": "yearly", "period_end": "2025-12-31", "edition": "2025-12-09"}
>>> due(menlo, date(2026, 12, 6))["text"]
'Next edition expected this month (9 Dec 2026)'
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from llmtrends.stories import words

#: Months (or, for ``weekly``, days) between two periods of a series, by cadence (lenses.yaml).
STEP_MONTHS = {"monthly": 1, "quarterly": 3, "twice_a_year": 6, "yearly": 12}
STEP_DAYS = {"weekly": 7}
#: Cadences as people say them.
CADENCE_WORDS = {"weekly": "Every week", "monthly": "Every month", "quarterly": "Every quarter",
                 "twice_a_year": "Twice a year", "yearly": "Once a year", "once": "Once (one-off report)",
                 "irregular": "No fixed schedule"}
#: Most periods counted as due (a monthly series left for years says "12 or more").
MAX_COUNTED = 12


def cadence_words(cadence: str) -> str:
    """``'twice_a_year' -> 'Twice a year'``."""
    return CADENCE_WORDS.get(str(cadence), str(cadence).replace("_", " ").capitalize())


def _day(text) -> date | None:
    """An ISO day; a month (``2026-02``, an edition dated to the month) is its last day: what is expected from it
    is then expected no earlier than it can be."""
    text = str(text or "")
    try:
        if len(text) >= 10:
            return date.fromisoformat(text[:10])
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:7])
            return date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        return None
    return None


def _month_end(d: date, months: int) -> date:
    """The last day of the month ``months`` after ``d``'s month."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def next_period_ends(cadence: str, period_end: date, count: int) -> list[date]:
    """The ends of the ``count`` periods after the one ending on ``period_end`` (``[]`` without a cadence).

    >>> next_period_ends("quarterly", date(2026, 3, 31), 2)
    [datetime.date(2026, 6, 30), datetime.date(2026, 9, 30)]
    """
    if cadence in STEP_MONTHS:
        return [_month_end(period_end, STEP_MONTHS[cadence] * (i + 1)) for i in range(count)]
    if cadence in STEP_DAYS:
        return [period_end + timedelta(days=STEP_DAYS[cadence] * (i + 1)) for i in range(count)]
    return []


def _span(cadence: str, ends: list[date]) -> str:
    """'Aug to Oct 2026' / 'Q2 2026' / '2026': the periods ending on ``ends``, as people write them."""
    def one(end: date) -> str:
        if cadence == "yearly" and end.month == 12:
            return str(end.year)
        if cadence == "quarterly" and end.month % 3 == 0:
            return f"Q{end.month // 3} {end.year}"
        if cadence == "twice_a_year" and end.month in (6, 12):
            return f"H{end.month // 6} {end.year}"
        if cadence == "weekly":
            return words.day(end.isoformat())
        return words.month(end.isoformat())
    first, last = one(ends[0]), one(ends[-1])
    if len(ends) == 1:
        return first
    if cadence == "weekly":
        return f"{len(ends)}{' or more' if len(ends) >= MAX_COUNTED * 5 else ''} weeks to {last}"
    if cadence in ("monthly", "quarterly", "twice_a_year") and ends[0].year == ends[-1].year:
        first = first.split(" ")[0]
    return f"{first} to {last}"


def due(entry: dict, today: date) -> dict:
    """Whether a newer edition of a lens is due on ``today``.

    Parameters
    ----------
    entry : dict
        ``cadence`` (lenses.yaml), ``period_end`` (ISO date: the end of the latest period held) and
        ``edition`` (ISO date the edition holding it came out, its month when only that is known, or empty).
    today : datetime.date
        The day the page is built.

    Returns
    -------
    dict
        ``state``: ``"due"`` (a newer edition should be out), ``"soon"`` (expected this month),
        ``"later"``, ``"unknown"`` (the next period has ended; when its edition comes is not known)
        or ``"none"`` (no next edition to expect); ``text``: the same in words.

    Examples
    --------
    >>> due({"cadence": "once", "period_end": "2026-04-30", "edition": "2026-05-12"}, date(2026, 12, 6))
    {'state': 'none', 'text': 'None expected: a one-off report'}
    >>> due({"cadence": "quarterly", "period_end": "2026-03-31", "edition": ""}, date(2026, 12, 6))["text"]
    'Q2 to Q3 2026 have ended since; when their editions come out is not known'
    """
    cadence = str(entry.get("cadence"))
    end, edition = _day(entry.get("period_end")), _day(entry.get("edition"))
    if end is None or (cadence not in STEP_MONTHS and cadence not in STEP_DAYS):
        reason = "a one-off report" if cadence == "once" else "no fixed schedule"
        return {"state": "none", "text": f"None expected: {reason}"}
    ends = next_period_ends(cadence, end, MAX_COUNTED * (5 if cadence in STEP_DAYS else 1))
    if edition is None:
        ended = [e for e in ends if e <= today]
        if not ended:
            return {"state": "later", "text": f"The next period ({_span(cadence, ends[:1])}) ends {words.day(ends[0].isoformat())}"}
        which = "its edition comes" if len(ended) == 1 else "their editions come"
        verb = "has" if len(ended) == 1 else "have"
        return {"state": "unknown",
                "text": f"{_span(cadence, ended)} {verb} ended since; when {which} out is not known"}
    lag = edition - end
    expected = [e + lag for e in ends]
    when = words.day if len(str(entry.get("edition"))) >= 10 else words.month  # as precise as the edition's date
    out = [e for e, x in zip(ends, expected) if x <= today]
    if out:
        many = f"{len(out)}{' or more' if len(out) >= len(ends) else ''} newer editions" if len(out) > 1 \
            else "A newer edition"
        first = "the first expected" if len(out) > 1 else "expected"
        return {"state": "due", "text": f"{many} due ({_span(cadence, out)} data; {first} "
                                        f"{when(expected[0].isoformat())})"}
    nxt = expected[0]
    if (nxt.year, nxt.month) == (today.year, today.month):
        return {"state": "soon", "text": f"Next edition expected this month ({when(nxt.isoformat())})"}
    return {"state": "later", "text": f"Next edition expected {words.month(nxt.isoformat())}"}
