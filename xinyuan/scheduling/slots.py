"""When a shift template's shifts start and end: local wall-clock times to aware instants.

Pure module (no Django). A template says "weekdays, from 08:00 to 20:00" in the hotline's time
zone; `closes <= opens` runs past midnight into the next day. Times are resolved with zoneinfo, so
a shift across a daylight-saving change lasts its real length (e.g. 11 or 13 hours).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Slot:
    day: date  # the local day the shift starts on
    starts_at: datetime  # aware, UTC
    ends_at: datetime  # aware, UTC


def local_instant(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time.

    A time skipped by a spring-forward change is moved forward by the gap (02:30 → 03:30); a time
    that happens twice in autumn takes the first occurrence.
    """
    # fold=0 gives both: the offset before a gap (so the time moves forward) and the first of two.
    return datetime.combine(day, moment).replace(tzinfo=zone, fold=0).astimezone(UTC)


def blocks(opens: time, closes: time, block_hours: int | None) -> list[tuple[int, int]]:
    """Split opens–closes (past midnight when closes ≤ opens) into blocks of `block_hours`, as
    minutes from the start of the opening day (so a block after midnight is ≥ 1440).

    Without a block length, the whole span is one shift. A last block shorter than the length is kept.
    """
    start = opens.hour * 60 + opens.minute
    end = closes.hour * 60 + closes.minute
    if end <= start:
        end += 24 * 60
    if not block_hours:
        return [(start, end)]
    result = []
    minute = start
    while minute < end:
        stop = min(minute + block_hours * 60, end)
        result.append((minute, stop))
        minute = stop
    return result


def _at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    days, rest = divmod(minutes, 24 * 60)
    return local_instant(day + timedelta(days=days), time(rest // 60, rest % 60), zone)


def slots(
    weekdays: frozenset[int] | set[int],
    opens: time,
    closes: time,
    first_day: date,
    last_day: date,
    time_zone: str,
    block_hours: int | None = None,
) -> Iterator[Slot]:
    """Every shift opening on a local day from first_day to last_day (inclusive) on `weekdays`."""
    zone = ZoneInfo(time_zone)
    spans = blocks(opens, closes, block_hours)
    day = first_day
    while day <= last_day:
        if day.weekday() in weekdays:
            for start, end in spans:
                yield Slot(day, _at(day, start, zone), _at(day, end, zone))
        day += timedelta(days=1)
