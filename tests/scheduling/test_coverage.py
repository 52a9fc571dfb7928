"""The arrivals forecast and the coverage page against Erlang C for a known case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from tests.conftest import Personas
from tests.factories import english
from tests.scheduling.helpers import member, shift
from xinyuan.contacts.models import Contact, Seeker
from xinyuan.scheduling import actions, erlang, queries

pytestmark = pytest.mark.django_db


def _history(personas: Personas, per_monday_9am: int, weeks: int, today: date) -> None:
    seeker = Seeker.objects.create(hotline=personas.hotline_a, token_hash="a" * 64)
    for week in range(weeks):
        monday = today - timedelta(days=today.weekday()) - timedelta(weeks=week)
        at = datetime(monday.year, monday.month, monday.day, 1, 10, tzinfo=UTC)  # 09:10 Shanghai
        for _ in range(per_monday_9am):
            contact = Contact.objects.create(hotline=personas.hotline_a, seeker=seeker)
            Contact.objects.filter(pk=contact.pk).update(created_at=at)


def test_forecast_and_needed_counsellors_match_erlang_c(personas: Personas) -> None:
    today = date(2026, 3, 4)  # a Wednesday
    _history(personas, per_monday_9am=200, weeks=4, today=today)
    actions.do_update_settings(
        personas.coordinator,
        personas.hotline_a,
        {
            "forecast_weeks": 4,
            "aht_minutes": 6,
            "target_seconds": 20,
            "service_level": 0.8,
            "shrinkage": 0.3,
            "concurrency": 1,
        },
    )
    forecast = queries.arrivals_forecast(personas.hotline_a, today, 4)
    assert forecast[0][9] == 200 and sum(map(sum, forecast)) == 200
    monday = date(2026, 3, 9)
    shift(personas, datetime(2026, 3, 9, 1, tzinfo=UTC), hours=1, seats=5)
    for user in (personas.counsellor, personas.counsellor2):
        actions.do_sign_up(
            member(user, personas),
            queries.Shift.objects.get(starts_at=datetime(2026, 3, 9, 1, tzinfo=UTC)),
            now=datetime(2026, 3, 1, tzinfo=UTC),
        )
    rows, _config, _slots = queries.coverage(personas.hotline_a, monday, today)
    assert len(rows) == 7 * 24
    nine = next(row for row in rows if row.starts_at.weekday() == 0 and row.starts_at.hour == 9)
    # The well-known case doubled: 200 contacts an hour of 6 minutes = 20 erlangs.
    expected = erlang.required_staff(
        contacts=200, interval_minutes=60, aht_minutes=6, target_seconds=20, service_level=0.8, shrinkage=0.3
    )
    assert (nine.forecast, nine.needed, nine.scheduled) == (200, expected.positions, 2)
    assert nine.gap == expected.positions - 2
    ten = next(row for row in rows if row.starts_at.weekday() == 0 and row.starts_at.hour == 10)
    assert (ten.needed, ten.scheduled, ten.gap) == (0, 0, 0)


def test_the_coverage_page_names_the_gaps(personas: Personas) -> None:
    today = date.today()
    _history(personas, per_monday_9am=10, weeks=8, today=today)
    client = english(personas.client_for(personas.coordinator))
    page = client.get(reverse("coverage", args=["line-a"])).content.decode()
    assert "1 hour is short of counsellors." in page
    assert 'class="gap">short by' in page
    assert (
        personas.client_for(personas.counsellor).get(reverse("coverage", args=["line-a"])).status_code == 403
    )


def test_a_week_with_a_clock_change_has_167_hours(personas: Personas) -> None:
    personas.hotline_a.time_zone = "Europe/London"
    personas.hotline_a.save()
    rows, _config, _slots = queries.coverage(personas.hotline_a, date(2026, 3, 23), date(2026, 3, 20))
    assert len(rows) == 167
