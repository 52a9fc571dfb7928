"""Whether a hotline is open: weekday hours, overnight periods, holidays, 24/7, time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from xinyuan.core.hours import Period, Schedule, is_open, next_opening

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS_8_TO_20 = tuple(Period(day, time(8), time(20)) for day in range(5))


def at(year: int, month: int, day: int, hour: int, minute: int = 0, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def test_weekday_hours_in_the_hotline_time_zone() -> None:
    schedule = Schedule("Asia/Shanghai", periods=WEEKDAYS_8_TO_20)
    # 2026-11-23 is a Monday.
    assert is_open(schedule, at(2026, 11, 23, 8, 0))
    assert is_open(schedule, at(2026, 11, 23, 19, 59))
    assert not is_open(schedule, at(2026, 11, 23, 20, 0))
    assert not is_open(schedule, at(2026, 11, 23, 7, 59))
    assert not is_open(schedule, at(2026, 11, 28, 12, 0))  # Saturday
    # 01:00 UTC is 09:00 in Shanghai.
    assert is_open(schedule, datetime(2026, 11, 23, 1, 0, tzinfo=UTC))


def test_overnight_period_runs_into_the_next_day() -> None:
    schedule = Schedule("Asia/Shanghai", periods=(Period(4, time(20), time(2)),))  # Friday 20:00–02:00
    assert is_open(schedule, at(2026, 11, 27, 23, 30))  # Friday night
    assert is_open(schedule, at(2026, 11, 28, 1, 59))  # Saturday early morning
    assert not is_open(schedule, at(2026, 11, 28, 2, 0))
    assert not is_open(schedule, at(2026, 11, 27, 1, 0))  # Friday early morning: Thursday had no period


def test_holidays_close_the_line_including_their_overnight_tail() -> None:
    holiday = date(2026, 11, 27)
    schedule = Schedule(
        "Asia/Shanghai", periods=(Period(4, time(20), time(2)),), closed_days=frozenset({holiday})
    )
    assert not is_open(schedule, at(2026, 11, 27, 23, 0))
    assert not is_open(schedule, at(2026, 11, 28, 1, 0))


def test_always_open_ignores_holidays() -> None:
    schedule = Schedule("Asia/Shanghai", always_open=True, closed_days=frozenset({date(2026, 1, 1)}))
    assert is_open(schedule, at(2026, 1, 1, 3, 0))


def test_next_opening() -> None:
    schedule = Schedule("Asia/Shanghai", periods=WEEKDAYS_8_TO_20)
    assert next_opening(schedule, at(2026, 11, 28, 12, 0)) == at(2026, 11, 30, 8, 0)  # Saturday → Monday
    assert next_opening(Schedule("Asia/Shanghai"), at(2026, 11, 28, 12, 0)) is None


periods = st.builds(
    Period,
    weekday=st.integers(0, 6),
    opens=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    closes=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC))


@given(st.lists(periods, max_size=6), moments)
def test_a_holiday_only_ever_closes(period_list: list[Period], moment: datetime) -> None:
    base = Schedule("Asia/Shanghai", periods=tuple(period_list))
    local_day = moment.astimezone(SHANGHAI).date()
    with_holiday = Schedule("Asia/Shanghai", periods=tuple(period_list), closed_days=frozenset({local_day}))
    if is_open(with_holiday, moment):
        assert is_open(base, moment)


@given(st.lists(periods, min_size=1, max_size=6), moments)
def test_next_opening_is_open_and_not_before(period_list: list[Period], moment: datetime) -> None:
    schedule = Schedule("Asia/Shanghai", periods=tuple(period_list))
    opening = next_opening(schedule, moment)
    if opening is not None:
        assert opening >= moment
        assert is_open(schedule, opening) or opening == moment
        assert opening - moment <= timedelta(days=15)


def test_a_local_day_range_covers_whole_days_in_the_hotline_zone() -> None:
    from xinyuan.core.hours import local_day_range

    start, end = local_day_range(date(2026, 11, 1), date(2026, 11, 2), "Asia/Shanghai")
    assert start == at(2026, 11, 1, 0) and end == at(2026, 11, 3, 0)
    assert local_day_range(None, None, "Asia/Shanghai") == (None, None)
