"""Numbers, dates and names as people write them.

Everything a stakeholder reads goes through here: ``42%``, ``$8.4B``,
``2,131``, ``Dec 2025``, "end of 2023", display names of categories, boards
and segments (``data/labels.yaml``), metric titles (``metrics.yaml``) and
citations without ids or ISO dates.
"""
from __future__ import annotations

import functools
import math
import re
from datetime import date, datetime
from pathlib import Path

from llmtrends import paths

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_UNNAMED = re.compile(r"\s*\((?:report|source|edition) not named by the relay\)", re.I)


class _Lazy:
    """``datasets`` imported on first use: formatting numbers and dates needs no pandas."""

    def __getattr__(self, name):
        from llmtrends.facts import datasets as module

        return getattr(module, name)


datasets = _Lazy()


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("", "nan", "NaT", "None")


# --------------------------------------------------------------------------- numbers

#: A value with at most this many decimals is written with all of them (a figure as its source wrote it:
#: 4.69 trillion, 47.17%, $19.99); a value with more (a computed ratio) is rounded to ``digits``.
STATED_DECIMALS = 3


def number(x, digits: int = 1) -> str:
    """``2131.0 -> '2,131'``, ``13.0 -> '13'``, ``33.3 -> '33.3'``, ``4.69 -> '4.69'``, ``2.571428 -> '2.6'``.

    A figure is never rounded away: a value with at most :data:`STATED_DECIMALS`
    decimals keeps them all; only a longer one (a computed ratio) is rounded
    to ``digits`` decimals.

    >>> number(3.294), number(59.98), number(2 / 7 * 9)
    ('3.294', '59.98', '2.6')
    """
    if _missing(x):
        return ""
    x = float(x)
    own = _decimals(x)
    text = f"{x:,.{max(digits, own) if own <= STATED_DECIMALS else digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _decimals(x: float) -> int:
    """Decimals of the shortest text that reads back as ``x`` (``4.69 -> 2``, ``13.0 -> 0``)."""
    text = repr(abs(x))
    if "e" in text or "E" in text:
        return STATED_DECIMALS + 1
    return len(text.split(".")[1].rstrip("0")) if "." in text else 0


def percent(x, digits: int = 1) -> str:
    """``42.0 -> '42%'``."""
    return "" if _missing(x) else number(x, digits) + "%"


def points(x, digits: int = 1) -> str:
    """A change in percentage points with its sign: ``+7 points``, ``-6 points``."""
    if _missing(x):
        return ""
    sign = "+" if float(x) > 0 else ("−" if float(x) < 0 else "")
    return f"{sign}{number(abs(float(x)), digits)} points"


_MONEY = {"usd": ("$", ""), "usd_million": ("$", "M"), "usd_billion": ("$", "B"),
          "cny": ("CNY ", ""), "cny_million": ("CNY ", "M"), "cny_billion": ("CNY ", "B")}


def value(x, unit: str, qualifier: str = "exact", low=None, high=None) -> str:
    """One figure with its unit and wording: ``'about 33%'``, ``'$8.4B'``, ``'9-12 months'``.

    The qualifier travels with the number, so an approximate figure is never
    stated as exact.
    """
    if _missing(x):
        return ""
    if not _missing(low) and not _missing(high):
        core = f"{number(low)}–{number(high)}"
    else:
        core = number(x)
    if unit == "percent":
        core += "%"
    elif unit == "percentage_points":
        core += " points"
    elif unit == "multiple":
        core += "×"
    elif unit in _MONEY:
        core = _MONEY[unit][0] + core + _MONEY[unit][1]
    elif unit == "rank":
        core = "#" + core
    elif unit == "count":
        pass  # "300 models" reads from the title; "300 count" is not English
    else:
        label = datasets.registry().units.get(unit, unit.replace("_", " "))
        core += " " + label
    prefix = {"approx": "about ", "at_least": "at least ", "at_most": "at most "}.get(str(qualifier), "")
    return prefix + core


def row_value(row) -> str:
    """:func:`value` of one figure row (a mapping or a namedtuple-like)."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    return value(get("value"), get("unit"), get("qualifier", "exact"), get("value_low"), get("value_high"))


# --------------------------------------------------------------------------- dates and periods

def _as_date(moment) -> date | None:
    if _missing(moment):
        return None
    if isinstance(moment, datetime):
        return moment.date()
    if isinstance(moment, date):
        return moment
    if hasattr(moment, "to_pydatetime"):
        return moment.to_pydatetime().date()
    text = str(moment).strip()
    for fmt, cut in (("%Y-%m-%d", 10), ("%Y-%m", 7)):
        try:
            return datetime.strptime(text[:cut], fmt).date()
        except ValueError:
            continue
    return None


def month(moment) -> str:
    """``'2025-12-09T10:00:00Z' -> 'Dec 2025'``; ``'2024' -> '2024'``; unknown -> ``''``."""
    if _missing(moment):
        return ""
    text = str(moment).strip()
    if re.fullmatch(r"\d{4}", text):
        return text
    d = _as_date(moment)
    return f"{MONTHS[d.month - 1]} {d.year}" if d else text


def day(moment) -> str:
    """``'2025-07-31' -> '31 Jul 2025'`` (a month or year stays as it is)."""
    text = "" if _missing(moment) else str(moment).strip()
    if re.fullmatch(r"\d{4}(-\d\d)?", text):
        return month(text)
    d = _as_date(moment)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}" if d else text


def when(moment) -> str:
    """A build or generation time: ``'27 Nov 2026, 15:40 UTC'``."""
    if _missing(moment):
        return ""
    text = str(moment)
    try:
        d = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return day(text)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}, {d:%H:%M} UTC"


def period(label) -> str:
    """A period label as people write it.

    ``end-2023 -> 'end of 2023'``, ``mid-2025 -> 'mid-2025'``, ``2024-11 -> 'Nov 2024'``,
    ``2024-12..2025-10 -> 'Dec 2024 to Oct 2025'``, ``mid-2024..mid-2025 -> 'mid-2024 to mid-2025'``.
    """
    if _missing(label):
        return ""
    text = str(label).strip()
    if ".." in text:
        a, b = text.split("..", 1)
        return f"{period(a)} to {period(b)}"
    m = re.fullmatch(r"end-(\d{4})", text)
    if m:
        return f"end of {m.group(1)}"
    m = re.fullmatch(r"(early|start|begin)-(\d{4})", text)
    if m:
        return f"early {m.group(2)}"
    m = re.fullmatch(r"(\d{4})-(\d\d)(-\d\d)?", text)
    if m:
        return day(text) if m.group(3) else month(text)
    m = re.fullmatch(r"(\d{4})-?([QH])([1-4])", text)
    if m:
        return f"{m.group(2)}{m.group(3)} {m.group(1)}"
    return text


# --------------------------------------------------------------------------- names

@functools.lru_cache(maxsize=4)
def _labels_at(path: str, mtime: float) -> dict:
    # the data files' reader: duplicate keys, aliases and wrong shapes are a DataError naming the line
    from llmtrends.facts.reading import read_yaml
    from llmtrends.errors import DataError

    problems: list = []
    document = read_yaml(Path(path), Path(path).parent, problems)
    if problems:
        raise DataError(problems)
    return document or {}


def labels() -> dict:
    """``data/labels.yaml``: display names by kind (segment, board, agent_map_category, theme ...)."""
    path = paths.data_dir() / "labels.yaml"
    if not path.is_file():
        return {}
    return _labels_at(str(path), path.stat().st_mtime)


def label(kind: str, key) -> str:
    """Display name of ``key`` of kind ``kind``; an unknown key is written in words (``a_b -> 'A b'``)."""
    if _missing(key):
        return ""
    name = (labels().get(kind) or {}).get(str(key))
    if name:
        return str(name)
    return str(key).replace("_", " ").strip().capitalize()


def segment(key) -> str:
    """``'enterprise' -> 'Enterprises'``."""
    return label("segment", key)


def theme(key) -> str:
    """A theme's short display name (``'open_vs_closed' -> 'Open vs closed models'``)."""
    return label("theme", key)


def metric(key) -> str:
    """A metric's title from metrics.yaml (its id in words when it has none)."""
    meta = datasets.registry().metrics.get(key, {})
    return str(meta.get("title") or str(key).replace("_", " ").capitalize())


def entity(key) -> str:
    """An entity's display name from vocabulary.yaml (the key in words when unknown)."""
    reg = datasets.registry()
    eid = reg.entity_id(key) if key is not None else None
    if eid and eid in reg.entities:
        return str(reg.entities[eid]["name"])
    return label("entity", key)


def report_title(source_id: str) -> str:
    """A source's report title without relay remarks such as "(report not named by the relay)"."""
    s = datasets.registry().sources[source_id]
    title = _UNNAMED.sub("", str(s.get("title") or "")).strip(" ,;")
    return title


def publisher(source_id: str) -> str:
    """A source's publisher as printed in sources.yaml."""
    return str(datasets.registry().sources[source_id].get("publisher") or "")


def source_short(source_id: str) -> str:
    """``'Menlo Ventures, Jul 2025'`` - publisher and publication month (year) only."""
    s = datasets.registry().sources[source_id]
    published = month(s.get("published"))
    return f"{publisher(source_id)}, {published}" if published else publisher(source_id)


def sources_short(source_ids) -> str:
    """Several sources, each publisher once, its reports in date order.

    ``['menlo_2025_midyear', 'menlo_2024_enterprise'] -> 'Menlo Ventures, Nov 2024 and Jul 2025'``;
    publishers are joined by ``'; '``.
    """
    reg = datasets.registry()
    ids = sorted(dict.fromkeys(str(s) for s in source_ids),
                 key=lambda sid: str(reg.sources.get(sid, {}).get("published") or ""))
    by_publisher: dict[str, list[str]] = {}
    for sid in ids:
        dates = by_publisher.setdefault(publisher(sid), [])
        published = month(reg.sources[sid].get("published"))
        if published and published not in dates:
            dates.append(published)
    parts = []
    for pub, dates in by_publisher.items():
        listed = ", ".join(dates[:-1]) + " and " + dates[-1] if len(dates) > 1 else "".join(dates)
        parts.append(f"{pub}, {listed}" if listed else pub)
    return "; ".join(parts)


def document(doc_id: str) -> str:
    """A document as a reader names it: its publisher and date, and its kind when it is not the report itself.

    ``'menlo_2025_midyear' -> 'Menlo Ventures, 31 Jul 2025 (the report itself)'``;
    ``'001_f6f9bbcc7f4aaa0b' -> '新智元, republished by 36氪, 1 Aug 2025 (relay)'``.
    """
    d = datasets.registry().documents.get(str(doc_id))
    if d is None:
        return str(doc_id)
    text = str(d.get("publisher") or d.get("title") or doc_id)
    published = d.get("published")
    if not _missing(published):
        text += f", {day(published) if len(str(published)) >= 10 else month(published)}"
    kind = {"primary": "the report itself", "relay": "relay", "translation": "translation"}.get(str(d.get("kind")))
    return f"{text} ({kind})" if kind else text


def source(source_id: str, fieldwork: bool = True) -> str:
    """A citation for readers: publisher, report title, month, and the method (labels.yaml) and sample in words.

    ``"Menlo Ventures, 2025 Mid-Year LLM Market Update (Jul 2025); survey of 150 technical leaders ..."``
    """
    s = datasets.registry().sources[source_id]
    title = report_title(source_id)
    text = publisher(source_id)
    if title:
        text += f", {title}"
    published = month(s.get("published"))
    if published:
        text += f" ({published})"
    sample = s.get("sample")
    method = s.get("method")
    if not _missing(sample):
        how = label("method", method) if not _missing(method) and method != "not_stated" else ""
        text += f"; {how + ': ' if how else ''}{humanize(sample)}"
    dates = s.get("fieldwork")
    if fieldwork and not _missing(dates):
        text += f", fieldwork {period(str(dates).replace('/', '..'))}"
    return text


def in_period(label) -> str:
    """``'end-2023' -> 'at the end of 2023'``, ``'mid-2025' -> 'in mid-2025'``, ranges -> ``'from Dec 2024 to Oct 2025'``."""
    text = period(label)
    if text.startswith("end of"):
        return "at the " + text
    if " to " in text:
        return "from " + text
    return "in " + text


_PROPER = {"Chinese", "OpenRouter", "Anthropic", "Menlo", "Google", "OpenAI", "ChatGPT", "Claude", "Meta", "US", "U.S."}


def lower_first(text: str) -> str:
    """``'Share of code-generation LLM use' -> 'share of code-generation LLM use'`` (acronyms kept)."""
    text = str(text)
    if len(text) > 1 and text[1].isupper() or text.split(" ", 1)[0] in _PROPER:
        return text
    return text[:1].lower() + text[1:]


def share_of(metric_id: str) -> str:
    """What a share metric is a share of: ``'Enterprise LLM API spend share' -> 'enterprise LLM API spend'``."""
    title = metric(metric_id)
    title = re.sub(r"^Share of\s+", "", title)
    title = re.sub(r"\s+share$", "", title)
    return lower_first(title)


_DATE_RANGE = re.compile(r"\b\d{4}-\d\d(?:-\d\d)?(?:\.\.\d{4}-\d\d(?:-\d\d)?)?\b")


def humanize(text) -> str:
    """Free text from data/ made fit for a reader: metric ids become their titles, ISO dates and
    date ranges become ``Sep 2024 to Oct 2024``-style dates."""
    if _missing(text):
        return ""
    out = str(text)
    metrics = datasets.registry().metrics
    if "_" in out:
        out = re.sub(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b",
                     lambda m: f"'{metric(m.group(0))}'" if m.group(0) in metrics else m.group(0), out)
    return _DATE_RANGE.sub(lambda m: period(m.group(0)), out)


def measure(metric_id) -> str:
    """How a share was measured, in a few words: 'by spend', 'by usage' or 'closed models only'."""
    metric_id = str(metric_id)
    return "by spend" if "spend" in metric_id else ("closed models only" if "closed" in metric_id else "by usage")
