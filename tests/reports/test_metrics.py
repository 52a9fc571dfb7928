"""Every metric against the hand-computed answers for tests/reports/dataset.py (see its table)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import Personas
from tests.reports import dataset
from xinyuan.core.models import Membership
from xinyuan.reports import metrics
from xinyuan.reports.models import ReportSettings
from xinyuan.scheduling.models import DutyPeriod, Team, TeamMember
from xinyuan.volunteers.models import VolunteerProfile

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 3, 2)


@pytest.fixture
def monday(personas: Personas) -> metrics.Scope:
    dataset.build(personas)
    return metrics.Scope(metrics.Filters(personas.hotline_a, MONDAY, MONDAY))


def test_volume_and_rates(monday: metrics.Scope) -> None:
    assert metrics.offered(monday) == 6  # c1 c2 c3 c4 c5 c7; not c6 (Tuesday) nor hotline B's
    assert metrics.answered(monday) == 4
    assert metrics.abandoned(monday) == 1
    assert metrics.answer_rate(monday) == pytest.approx(4 / 6)
    assert metrics.abandon_rate(monday) == pytest.approx(1 / 6)


def test_waiting_and_service_level(monday: metrics.Scope) -> None:
    # Live answers (the call-back c4 left out): 30, 90, 10 seconds.
    assert sorted(metrics.answer_waits(monday)) == [10, 30, 90]
    assert metrics.average_speed_of_answer(monday) == pytest.approx(130 / 3)
    # Finished live contacts c1 c2 c3 c5; within 60 s: c1 and c5.
    assert metrics.service_level(monday) == pytest.approx(0.5)
    ReportSettings.objects.create(hotline=monday.hotline, service_level_seconds=90)
    assert metrics.service_level(metrics.Scope(monday.filters)) == pytest.approx(0.75)
    waits = metrics.wait_percentiles_by_risk(monday)
    assert waits["none"] == {"count": 2, "p50": 30, "p90": 120, "asa": 30}
    assert waits["elevated"] == {
        "count": 0,
        "p50": None,
        "p90": None,
        "asa": None,
    }  # c4 call-back, c7 waiting
    assert waits["high"] == {"count": 1, "p50": 90, "p90": 90, "asa": 90}
    assert waits["imminent"] == {"count": 1, "p50": 10, "p90": 10, "asa": 10}


def test_handling(monday: metrics.Scope) -> None:
    # c1 25 min to its record, c2 30 min (still in wrap-up), c4 12 min, c5 15 min.
    assert sorted(metrics.handle_times(monday)) == [720, 900, 1500, 1800]
    assert metrics.average_handle_time(monday) == pytest.approx(1230)
    assert metrics.first_response_time(monday) == pytest.approx(25)  # c1 40 s, c2 10 s


def test_breakdowns(monday: metrics.Scope) -> None:
    assert metrics.by_channel(monday) == {"chat": 5, "voice": 1, "video": 0}
    assert metrics.by_source(monday) == {"unknown": 4, "wechat": 1, "weibo": 1}
    hours = metrics.by_hour(monday)
    assert {hour: n for hour, n in hours.items() if n} == {"9": 2, "10": 1, "21": 2, "23": 1}
    assert len(hours) == 24
    assert metrics.by_weekday(monday) == {"0": 6, "1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0}


def test_from_records(monday: metrics.Scope) -> None:
    categories = metrics.by_category(monday)
    assert {key: n for key, n in categories.items() if n} == {"family": 2, "sleep": 1, "self_harm_suicide": 1}
    assert list(categories)[:2] == ["epidemic_anxiety", "family"]  # the hotline's order, zeros kept
    population = metrics.by_population(monday)
    assert {key: n for key, n in population.items() if n} == {"student": 1, "medical_worker": 1, "unknown": 1}
    # c1 recorded elevated, c2 high (no record), c3 none, c4 recorded none, c5 imminent, c7 elevated.
    assert metrics.risk_distribution(monday) == {"none": 2, "elevated": 2, "high": 1, "imminent": 1}


def test_escalations(monday: metrics.Scope) -> None:
    crises = metrics.escalations(monday)
    assert crises["count"] == 1
    assert crises["by_state"] == {"open": 0, "acknowledged": 0, "resolved": 1}
    assert crises["ack_seconds"] == pytest.approx(20)
    assert crises["outcomes"]["called_120"] == 1  # twice in the steps, one escalation
    assert crises["outcomes"]["called_110"] == 0


def test_satisfaction(monday: metrics.Scope, personas: Personas) -> None:
    figures = metrics.satisfaction(monday)
    assert figures["answers"] == 3  # c1 5, c2 2, c4 4; c6's 1 is on Tuesday
    assert figures["rate"] == pytest.approx(2 / 3)
    assert figures["ratings"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert figures["helpful_rate"] == pytest.approx(1 / 2)  # c4 did not say
    assert figures["change"] == {"better": 1, "same": 1, "worse": 0}
    assert figures["response_rate"] == pytest.approx(3 / 4)
    by_counsellor = metrics.satisfaction_by_counsellor(monday)
    assert by_counsellor == {
        str(personas.counsellor): {"answers": 2, "rate": 1.0},
        str(personas.counsellor2): {"answers": 1, "rate": 0.0},
    }


def test_seeker_profile(monday: metrics.Scope) -> None:
    profile = metrics.seeker_profile(monday)
    assert profile["gender"] == {"female": 1, "male": 1, "other": 0, "unsaid": 0, "unknown": 4}
    assert {k: n for k, n in profile["age_band"].items() if n} == {"18_24": 1, "14_17": 1, "unknown": 4}
    assert profile["region"] == {"unknown": 4, "北京": 1, "湖北": 1}


def test_filters_by_channel_date_and_team(monday: metrics.Scope, personas: Personas) -> None:
    line = personas.hotline_a
    voice = metrics.Scope(metrics.Filters(line, MONDAY, MONDAY, channel="voice"))
    assert (metrics.offered(voice), metrics.abandoned(voice), metrics.answered(voice)) == (1, 1, 0)
    tuesday = metrics.Scope(metrics.Filters(line, date(2026, 3, 3), date(2026, 3, 3)))
    assert metrics.offered(tuesday) == 1
    both = metrics.Scope(metrics.Filters(line, MONDAY, date(2026, 3, 3)))
    assert metrics.offered(both) == 7 and metrics.satisfaction(both)["rate"] == pytest.approx(2 / 4)

    night = Team.objects.create(hotline=line, name="Night")
    TeamMember.objects.create(
        team=night, membership=Membership.objects.get(user=personas.counsellor2, hotline=line)
    )
    team = metrics.Scope(metrics.Filters(line, MONDAY, MONDAY, team_id=night.pk))
    assert metrics.offered(team) == 1 and metrics.answered(team) == 1  # c2
    assert metrics.satisfaction_by_team(monday) == {"Night": {"answers": 1, "rate": 0.0}}
    assert metrics.teams(line) == [(night.pk, "Night")]


def test_volunteer_profile_and_service_hours(monday: metrics.Scope, personas: Personas) -> None:
    line = personas.hotline_a
    mine = Membership.objects.get(user=personas.counsellor, hotline=line)
    VolunteerProfile.objects.create(
        membership=mine, gender="female", birth_year=1990, education="master", profession="counsellor"
    )
    VolunteerProfile.objects.create(
        membership=Membership.objects.get(user=personas.counsellor2, hotline=line), gender="male"
    )
    profile = metrics.volunteer_profile(monday, 2026)
    assert profile["count"] == 2
    assert profile["gender"] == {"female": 1, "male": 1}
    assert profile["education"] == {"master": 1, "unknown": 1}
    assert profile["profession"] == {"counsellor": 1, "unknown": 1}
    assert profile["average_age"] == 36  # only counsellor gave a year

    DutyPeriod.objects.create(membership=mine, started_at=dataset.local(2, 8), ended_at=dataset.local(2, 12))
    rows = {row["name"]: row for row in metrics.service_hours(monday)}
    assert rows[str(personas.counsellor)]["on_duty_hours"] == pytest.approx(4.0)
    assert rows[str(personas.counsellor)]["contacts_handled"] == 3  # c1 c4 c5 answered on Monday
    assert rows[str(personas.counsellor2)]["contacts_handled"] == 1
    assert metrics.service_hours_by_team(monday) == {"": pytest.approx(4.0)}


def test_an_empty_period_shows_no_made_up_figures(personas: Personas) -> None:
    empty = metrics.Scope(metrics.Filters(personas.hotline_a, MONDAY, MONDAY))
    summary = metrics.summary(empty)
    assert summary["offered"] == 0
    assert summary["answer_rate"] is None and summary["service_level"] is None
    assert summary["average_speed_of_answer"] is None
    assert metrics.satisfaction(empty)["rate"] is None
