"""The batch's one clock: the current UTC time and how a time is written down.

Every step that stamps a time (execution start and end, the executed
notebook's metadata, the manifest, the index, log lines) uses these two
functions, so that all of them agree on the time zone and the format. This
module imports nothing from the other ``llmtrends.batch`` modules, so any
step may use it without depending on another step.
"""
from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def utc_iso(moment: datetime) -> str:
    """Format a time as UTC ISO 8601 with seconds, e.g. ``2025-07-31T09:30:00Z``.

    A naive ``moment`` is taken to be UTC already.

    >>> from datetime import datetime, timedelta, timezone
    >>> utc_iso(datetime(2025, 7, 31, 11, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2))))
    '2025-07-31T09:30:00Z'
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
