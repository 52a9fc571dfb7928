"""Service-hours arithmetic: on-duty periods clipped to a month in a hotline's time zone.

Pure module (no Django). Periods are aware datetimes; a month is the local calendar month, so a
night shift from 31 January 22:00 to 1 February 06:00 gives 2 hours to January and 6 to February,
and a month with a daylight-saving change has its real length.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

Period = tuple[datetime, datetime | None]  # (started_at, ended_at); None: still going


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def month_range(month: date, time_zone: str) -> tuple[datetime, datetime]:
    """The start and end (exclusive) of the local month that contains `month`, in UTC.

    In UTC because Python subtracts two datetimes of the same zone by their wall clocks, which
    would hide a daylight-saving hour.
    """
    zone = ZoneInfo(time_zone)
    first = month_start(month)
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(next_month(first), time(0), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def overlap_seconds(start: datetime, end: datetime, since: datetime, until: datetime) -> float:
    """Seconds of [start, end) inside [since, until); 0 when they do not meet."""
    # Real elapsed time: in UTC (see month_range).
    later, earlier = min(end, until).astimezone(UTC), max(start, since).astimezone(UTC)
    return max(0.0, (later - earlier).total_seconds())


def clipped_hours(periods: Iterable[Period], since: datetime, until: datetime, now: datetime) -> float:
    """Hours of the periods inside [since, until); a period still going counts until `now`."""
    total = 0.0
    for started, ended in periods:
        total += overlap_seconds(started, ended or max(started, now), since, until)
    return total / 3600


def hours_by_month(
    periods: Iterable[Period], first_month: date, last_month: date, time_zone: str, now: datetime
) -> dict[date, float]:
    """Hours per local month from first_month to last_month (inclusive), keyed by the 1st."""
    items = list(periods)
    result: dict[date, float] = {}
    month = month_start(first_month)
    while month <= last_month:
        since, until = month_range(month, time_zone)
        result[month] = clipped_hours(items, since, until, now)
        month = next_month(month)
    return result
