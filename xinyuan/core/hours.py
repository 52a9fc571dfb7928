"""Whether a hotline is open at a moment: a pure function of its schedule.

No Django imports, so hypothesis can test it alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Period:
    """Opening on `weekday` (0 = Monday) from `opens` to `closes`, local time.

    `closes <= opens` means the period runs past midnight into the next day.
    """

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class Schedule:
    time_zone: str
    always_open: bool = False
    periods: tuple[Period, ...] = ()
    # Days the line is closed whatever the weekday says (local dates).
    closed_days: frozenset[date] = field(default_factory=frozenset)


def is_open(schedule: Schedule, at: datetime) -> bool:
    """Is the line open at the aware datetime `at`?"""
    if schedule.always_open:
        return True
    local = at.astimezone(ZoneInfo(schedule.time_zone))
    today = local.date()
    yesterday = today - timedelta(days=1)
    moment = local.time().replace(tzinfo=None)
    for period in schedule.periods:
        opened_today = today.weekday() == period.weekday and today not in schedule.closed_days
        if period.closes > period.opens:
            if opened_today and period.opens <= moment < period.closes:
                return True
            continue
        # An overnight period opens on its weekday and runs to `closes` the next morning.
        if opened_today and moment >= period.opens:
            return True
        opened_yesterday = yesterday.weekday() == period.weekday and yesterday not in schedule.closed_days
        if opened_yesterday and moment < period.closes:
            return True
    return False


def next_opening(schedule: Schedule, at: datetime, horizon_days: int = 14) -> datetime | None:
    """The next moment (aware, hotline time zone) the line opens after `at`, or None."""
    if schedule.always_open:
        return at
    zone = ZoneInfo(schedule.time_zone)
    local = at.astimezone(zone)
    candidates: list[datetime] = []
    for offset in range(horizon_days + 1):
        day = local.date() + timedelta(days=offset)
        if day in schedule.closed_days:
            continue
        for period in schedule.periods:
            if period.weekday != day.weekday():
                continue
            start = datetime.combine(day, period.opens, tzinfo=zone)
            if start > local and not is_open(schedule, start - timedelta(minutes=1)):
                candidates.append(start)
        if candidates:
            return min(candidates)
    return None


def local_date(at: datetime, time_zone: str) -> date:
    """The calendar date in the hotline's zone at the aware moment `at`."""
    return at.astimezone(ZoneInfo(time_zone)).date()


def local_day_range(
    since: date | None, until: date | None, time_zone: str
) -> tuple[datetime | None, datetime | None]:
    """From the start of `since` to the end of `until` (both days included), in the hotline's zone."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(since, time(0), zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time(0), zone) if until else None
    return start, end
