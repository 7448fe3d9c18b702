"""Period labels (``2024``, ``2025-07``, ``2025-Q1``, ``2025-H1``, ``end-2023``, ``mid-2025``, ``A..B``) and their dates.

A label is also the key that groups the statements of one figure, so only one
spelling of each period is accepted: ASCII digits (``mid-２０２５`` would be a
second figure beside ``mid-2025``), no spaces, the words in lower case.
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date

# --------------------------------------------------------------------------- periods

_PERIOD_PART = re.compile(
    r"(?:(?P<edge>end|mid)-(?P<ey>[0-9]{4})"
    r"|(?P<y>[0-9]{4})(?:-(?:(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?|Q(?P<q>[1-4])|H(?P<h>[12])))?)\Z",
    re.ASCII,
)
PERIOD_FORMS = ("YYYY, YYYY-MM, YYYY-MM-DD, YYYY-Qn, YYYY-Hn, end-YYYY, mid-YYYY, or a span A..B of those "
                "(ASCII digits 0-9, no spaces)")


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _parse_period_part(text: str) -> tuple[date, date]:
    match = _PERIOD_PART.match(text)
    if not match:
        raise ValueError(text)
    g = match.groupdict()
    if g["edge"]:
        y = int(g["ey"])
        point = date(y, 12, 31) if g["edge"] == "end" else date(y, 6, 30)
        return point, point
    y = int(g["y"])
    if g["q"]:
        q = int(g["q"])
        return date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
    if g["h"]:
        h = int(g["h"])
        return date(y, 6 * h - 5, 1), _month_end(y, 6 * h)
    if g["m"]:
        m = int(g["m"])
        if g["d"]:
            d = date(y, m, int(g["d"]))  # raises ValueError on 2024-02-31
            return d, d
        if not 1 <= m <= 12:
            raise ValueError(text)
        return date(y, m, 1), _month_end(y, m)
    return date(y, 1, 1), date(y, 12, 31)


def parse_period(label: str) -> tuple[date, date]:
    """Turn a period label into its first and last day.

    Parameters
    ----------
    label : str
        ``2024``, ``2024-11``, ``2024-11-05``, ``2024-Q3``, ``2024-H1``,
        ``end-2023`` (31 December), ``mid-2025`` (30 June), or a span ``A..B``.

    Returns
    -------
    tuple of datetime.date
        ``(start, end)``.

    Raises
    ------
    ValueError
        When the label does not parse or a span ends before it starts.

    Examples
    --------
    >>> parse_period("2024-Q3")
    (datetime.date(2024, 7, 1), datetime.date(2024, 9, 30))
    """
    parts = str(label).split("..")
    if len(parts) == 1:
        return _parse_period_part(parts[0])
    if len(parts) == 2:
        start, _ = _parse_period_part(parts[0])
        _, end = _parse_period_part(parts[1])
        if end < start:
            raise ValueError(label)
        return start, end
    raise ValueError(label)


def period_hint(label: str) -> str:
    """``"; did you mean '...'?"`` when ``label`` parses once written in ASCII without spaces, else ``""``.

    >>> period_hint("mid-２０２５"), period_hint("2024 .. 2025"), period_hint("soon")
    ("; did you mean 'mid-2025'?", "; did you mean '2024..2025'?", '')
    """
    plain = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(label)))
    plain = "".join(str(unicodedata.digit(c, c)) if c.isdigit() else c for c in plain)
    if plain == label:
        return ""
    try:
        parse_period(plain)
    except ValueError:
        return ""
    return f"; did you mean '{plain}'?"
