"""Service hours: the pure arithmetic (property tests), duty periods from status changes, the hours
page, approvals and the certificate."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Personas
from tests.contacts.helpers import on_duty
from tests.factories import english
from tests.scheduling.helpers import member, team_setup
from xinyuan.contacts import actions as contact_actions
from xinyuan.contacts.models import CounsellorState, Status
from xinyuan.scheduling import actions, hours, queries
from xinyuan.scheduling.actions import ScheduleError
from xinyuan.scheduling.models import DutyPeriod, HoursApproval
from xinyuan.volunteers.models import VolunteerProfile

ZONES = st.sampled_from(["Asia/Shanghai", "Europe/London", "America/New_York", "Australia/Lord_Howe", "UTC"])
MOMENTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31)).map(
    lambda moment: moment.replace(tzinfo=UTC)
)


@given(MOMENTS, st.integers(min_value=0, max_value=60 * 24 * 40), ZONES)
def test_a_period_split_over_months_adds_up_to_its_length(start: datetime, minutes: int, zone: str) -> None:
    end = start + timedelta(minutes=minutes)
    local_start, local_end = start.astimezone(ZoneInfo(zone)).date(), end.astimezone(ZoneInfo(zone)).date()
    by_month = hours.hours_by_month([(start, end)], local_start, local_end, zone, now=end)
    assert sum(by_month.values()) == pytest.approx(minutes / 60, abs=1e-6)
    assert all(value >= 0 for value in by_month.values())


@given(MOMENTS, st.integers(min_value=0, max_value=60 * 48), MOMENTS, ZONES)
def test_clipping_never_exceeds_the_period_or_the_window(
    start: datetime, minutes: int, window_start: datetime, zone: str
) -> None:
    end = start + timedelta(minutes=minutes)
    since, until = hours.month_range(window_start.date(), zone)
    clipped = hours.clipped_hours([(start, end)], since, until, now=end)
    assert 0 <= clipped <= minutes / 60 + 1e-9
    assert clipped <= (until - since).total_seconds() / 3600 + 1e-9


def test_a_night_shift_across_new_year_is_split_in_the_hotlines_time_zone() -> None:
    # 31 Dec 22:00 – 1 Jan 06:00 Shanghai time = 14:00–22:00 UTC on 31 December.
    period = (datetime(2025, 12, 31, 14, tzinfo=UTC), datetime(2025, 12, 31, 22, tzinfo=UTC))
    shanghai = hours.hours_by_month(
        [period], date(2025, 12, 1), date(2026, 1, 1), "Asia/Shanghai", now=period[1]
    )
    assert shanghai == {date(2025, 12, 1): pytest.approx(2), date(2026, 1, 1): pytest.approx(6)}
    utc = hours.hours_by_month([period], date(2025, 12, 1), date(2026, 1, 1), "UTC", now=period[1])
    assert utc == {date(2025, 12, 1): pytest.approx(8), date(2026, 1, 1): 0}


def test_a_month_with_a_clock_change_has_its_real_length() -> None:
    since, until = hours.month_range(date(2026, 3, 1), "Europe/London")
    assert (until - since) == timedelta(days=31) - timedelta(hours=1)


def test_an_open_period_counts_until_now() -> None:
    start = datetime(2026, 1, 10, tzinfo=UTC)
    since, until = hours.month_range(date(2026, 1, 1), "UTC")
    assert hours.clipped_hours([(start, None)], since, until, now=start + timedelta(hours=3)) == 3


# Duty periods from the console --------------------------------------------------------------------


@pytest.mark.django_db
def test_status_changes_open_and_close_duty_periods(personas: Personas) -> None:
    start = datetime(2026, 1, 5, 1, tzinfo=UTC)
    membership = member(personas.counsellor, personas)
    contact_actions.do_set_status(membership, Status.ON_DUTY, now=start)
    contact_actions.do_set_status(
        membership, Status.ON_DUTY, now=start + timedelta(minutes=5)
    )  # still the one
    contact_actions.do_set_status(membership, Status.PAUSED, now=start + timedelta(hours=2))
    contact_actions.do_set_status(membership, Status.OFF_DUTY, now=start + timedelta(hours=3))
    contact_actions.do_set_status(membership, Status.ON_DUTY, now=start + timedelta(hours=4))
    periods = list(DutyPeriod.objects.filter(membership=membership).values_list("started_at", "ended_at"))
    assert periods == [(start, start + timedelta(hours=2)), (start + timedelta(hours=4), None)]


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_ends_the_period_when_it_dropped(personas: Personas) -> None:
    membership = on_duty(personas.counsellor, personas.hotline_a)
    state = CounsellorState.objects.get(membership=membership)
    heartbeat = state.heartbeat_at
    assert heartbeat is not None
    dropped = heartbeat + timedelta(seconds=31)
    contact_actions.handle_disconnected_counsellors(dropped)
    contact_actions.handle_disconnected_counsellors(dropped + timedelta(seconds=61))
    assert CounsellorState.objects.get(pk=state.pk).status == Status.PAUSED
    assert DutyPeriod.objects.get(membership=membership).ended_at == dropped


# Hours page, approvals, certificate ---------------------------------------------------------------


def _january(personas: Personas) -> None:
    for user, start, length in (
        (personas.counsellor, datetime(2026, 1, 5, 14, tzinfo=UTC), 8),  # 22:00–06:00 Shanghai
        (personas.counsellor2, datetime(2026, 1, 31, 14, tzinfo=UTC), 4),  # 31 Jan 22:00 – 1 Feb 02:00
    ):
        DutyPeriod.objects.create(
            membership=member(user, personas), started_at=start, ended_at=start + timedelta(hours=length)
        )


@pytest.mark.django_db
def test_service_hours_per_volunteer_and_team(personas: Personas) -> None:
    setup = team_setup(personas)
    _january(personas)
    start, end = hours.month_range(date(2026, 1, 1), "Asia/Shanghai")
    rows = {row.name: row for row in queries.service_hours(personas.hotline_a, start, end)}
    assert rows["Counsellor-A"].on_duty_hours == pytest.approx(8)
    assert rows["Counsellor2-A"].on_duty_hours == pytest.approx(2)  # the rest is February's
    assert rows["Counsellor-A"].team == setup.team.name
    totals = queries.team_totals(list(rows.values()))
    assert totals == [
        {"team": "Morning", "team_id": setup.team.pk, "hours": pytest.approx(10), "contacts": 0, "people": 2}
    ]


@pytest.mark.django_db
def test_the_lead_approves_their_teams_month_once_and_only_theirs(personas: Personas) -> None:
    setup = team_setup(personas)
    _january(personas)
    url = reverse("service-hours", args=["line-a"]) + "?month=2026-01"
    lead = english(personas.client_for(setup.lead))
    page = lead.get(url).content.decode()
    assert "Counsellor-A" in page and "8.00" in page
    lead.post(url, {"team": setup.team.pk})
    approval = HoursApproval.objects.get(team=setup.team, month=date(2026, 1, 1))
    assert approval.approved_by == setup.lead
    assert approval.figures[str(member(personas.counsellor, personas).pk)] == 8
    assert "approved by" in lead.get(url).content.decode()
    with pytest.raises(ScheduleError, match="already approved"):
        actions.do_approve_hours(personas.coordinator, setup.team, date(2026, 1, 1))
    # The lead cannot approve another team; a plain counsellor sees only their certificate.
    assert lead.post(url, {"team": setup.other_team.pk}).status_code == 403
    counsellor = personas.client_for(personas.counsellor)
    own = reverse("service-certificate", args=["line-a", member(personas.counsellor, personas).pk])
    assert counsellor.get(url)["Location"] == own
    assert counsellor.post(url, {"team": setup.team.pk}).status_code == 302  # redirected, nothing approved
    assert HoursApproval.objects.count() == 1


@pytest.mark.django_db
def test_a_running_month_cannot_be_approved(personas: Personas) -> None:
    setup = team_setup(personas)
    with pytest.raises(ScheduleError, match="月份结束后"):
        actions.do_approve_hours(
            personas.coordinator, setup.team, date(2026, 1, 1), now=datetime(2026, 1, 20, tzinfo=UTC)
        )


@pytest.mark.django_db
def test_the_certificate_counts_approved_months(personas: Personas) -> None:
    setup = team_setup(personas)
    _january(personas)
    mine = reverse("service-certificate", args=["line-a", member(personas.counsellor, personas).pk])
    client = english(personas.client_for(personas.counsellor))
    page = client.get(mine + "?year=2026").content.decode()
    assert "Approved service hours: 0.0" in page and "not yet" in page
    actions.do_approve_hours(setup.lead, setup.team, date(2026, 1, 1))
    page = client.get(mine + "?year=2026").content.decode()
    assert "Approved service hours: 8.0" in page and "@media print" not in page  # print CSS is a file
    # Another counsellor may not open it; their lead and a coordinator may; an outsider gets 404.
    assert personas.client_for(personas.counsellor2).get(mine).status_code == 403
    assert personas.client_for(setup.lead).get(mine).status_code == 200
    assert personas.client_for(personas.coordinator).get(mine).status_code == 200
    assert personas.client_for(personas.outsider).get(mine).status_code == 404


@pytest.mark.django_db
def test_managers_see_the_volunteer_profile_by_the_reports_definition(personas: Personas) -> None:
    VolunteerProfile.objects.create(
        membership=member(personas.counsellor, personas), gender="female", birth_year=1990, profession="nurse"
    )
    url = reverse("service-hours", args=["line-a"]) + "?month=2026-01"
    page = english(personas.client_for(personas.coordinator)).get(url).content.decode()
    assert "1 volunteers with a profile; average age" in page and "female: 1" in page and "nurse: 1" in page
