"""Pure parts: shift slots from templates (midnight, DST) and the ICS text."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from xinyuan.scheduling import ics, slots


def test_an_overnight_shift_ends_the_next_morning() -> None:
    (slot,) = slots.slots({0}, time(20), time(8), date(2026, 3, 2), date(2026, 3, 2), "Asia/Shanghai")
    assert slot.starts_at == datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert slot.ends_at == datetime(2026, 3, 3, 0, tzinfo=UTC)


def test_a_night_across_the_spring_clock_change_is_an_hour_shorter() -> None:
    (slot,) = slots.slots({5}, time(20), time(8), date(2026, 3, 28), date(2026, 3, 28), "Europe/London")
    assert slot.ends_at - slot.starts_at == timedelta(hours=11)
    (autumn,) = slots.slots({5}, time(20), time(8), date(2026, 10, 24), date(2026, 10, 24), "Europe/London")
    assert autumn.ends_at - autumn.starts_at == timedelta(hours=13)


def test_a_skipped_local_time_moves_forward() -> None:
    moment = slots.local_instant(date(2026, 3, 29), time(1, 30), slots.ZoneInfo("Europe/London"))
    assert moment == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST


@given(
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=0, max_value=23),
    st.integers(min_value=1, max_value=12),
    st.sampled_from(["Asia/Shanghai", "Europe/London", "America/New_York"]),
)
def test_blocks_tile_the_span_without_gaps(opens: int, closes: int, block: int, zone: str) -> None:
    made = list(
        slots.slots(
            {0, 1, 2, 3, 4, 5, 6}, time(opens), time(closes), date(2026, 3, 1), date(2026, 3, 1), zone, block
        )
    )
    assert made and all(a.ends_at == b.starts_at for a, b in itertools.pairwise(made))
    assert all(slot.ends_at > slot.starts_at for slot in made)
    span = (closes - opens) % 24 or 24
    assert sum(((s.ends_at - s.starts_at) for s in made), timedelta()) <= timedelta(hours=span + 1)


def test_ics_escapes_text_folds_long_lines_and_uses_crlf() -> None:
    event = ics.Event(
        uid="shift-1-2@example.org",
        starts_at=datetime(2026, 3, 2, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 2, 12, tzinfo=UTC),
        summary="值班; Line A, Morning\\team\nsecond line " + "长" * 40,
    )
    text = ics.calendar("热线", [event], datetime(2026, 3, 1, tzinfo=UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20260302T000000Z\r\n" in text and "DTEND:20260302T120000Z\r\n" in text
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:值班\\; Line A\\, Morning\\\\team\\nsecond line " in unfolded
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert "\n" not in text.replace("\r\n", "")
