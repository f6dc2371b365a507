"""Time expressions resolved against the article's date ("on Monday" -> a date)."""

from __future__ import annotations

import datetime as dt
import re

from newswire_shared.messages import EventTime

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "month_day",
        re.compile(
            rf"\b(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
            rf"(?:,?\s+(?P<y>(?:19|20)\d\d))?"
        ),
    ),
    ("day_month", re.compile(rf"\b(?P<d>\d{{1,2}})\s+(?P<m>{_MONTH})(?:\s+(?P<y>(?:19|20)\d\d))?")),
    ("weekday", re.compile(r"\b(?P<w>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    (
        "relative_day",
        re.compile(r"\b(?P<r>today|yesterday|tonight|this morning|overnight)\b", re.I),
    ),
    ("week", re.compile(r"\b(?P<r>last week|this week|earlier this week)\b", re.I)),
    ("month", re.compile(r"\b(?P<r>last month|this month|earlier this month)\b", re.I)),
    ("month_year", re.compile(rf"\b(?P<m>{_MONTH})\s+(?P<y>(?:19|20)\d\d)\b")),
    ("year", re.compile(r"\b(?P<r>last year|this year|in (?P<y>(?:19|20)\d\d))\b", re.I)),
]


def _month(name: str) -> int:
    key = name.lower().rstrip(".")[:3]
    return [m[:3] for m in MONTHS].index(key) + 1


def _day(m: re.Match[str], published: dt.date | None) -> dt.date | None:
    month, day = _month(m["m"]), int(m["d"])
    year = int(m["y"]) if m["y"] else (published.year if published else None)
    if year is None:
        return None
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if not m["y"] and published and date > published:
        date = date.replace(year=year - 1)  # "May 20" in a January article: last May
    return date


def _resolve(kind: str, m: re.Match[str], published: dt.date | None) -> EventTime:
    text = m.group(0)
    if kind in ("month_day", "day_month"):
        return EventTime(text=text, date=_day(m, published), precision="day")
    if kind == "month_year":
        return EventTime(text=text, date=dt.date(int(m["y"]), _month(m["m"]), 1), precision="month")
    if kind == "year" and m["y"]:
        return EventTime(text=text, date=dt.date(int(m["y"]), 1, 1), precision="year")
    if published is None:
        return EventTime(text=text, precision="unknown")
    if kind == "weekday":
        # The most recent such day on or before publication: news reports the past.
        back = (published.weekday() - WEEKDAYS.index(m["w"].lower())) % 7
        return EventTime(text=text, date=published - dt.timedelta(days=back), precision="day")
    rel = m["r"].lower()
    if kind == "relative_day":
        back = 1 if rel == "yesterday" else 0
        return EventTime(text=text, date=published - dt.timedelta(days=back), precision="day")
    if kind == "week":
        back = 7 if rel == "last week" else 0
        return EventTime(text=text, date=published - dt.timedelta(days=back), precision="week")
    if kind == "month":
        first = published.replace(day=1)
        date = (first - dt.timedelta(days=1)).replace(day=1) if rel == "last month" else first
        return EventTime(text=text, date=date, precision="month")
    year = published.year - (1 if rel == "last year" else 0)
    return EventTime(text=text, date=dt.date(year, 1, 1), precision="year")


def find_time(text: str, published: dt.date | None) -> EventTime | None:
    """The most specific time expression in ``text`` (a day beats a week beats a year)."""
    for kind, pattern in _PATTERNS:
        m = pattern.search(text)
        if m:
            return _resolve(kind, m, published)
    return None
