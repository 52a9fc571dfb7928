"""Teams, templates and shifts for the scheduling tests, made through the actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from tests.conftest import Personas
from tests.factories import person
from xinyuan.core.models import Membership, User
from xinyuan.core.roles import Role
from xinyuan.scheduling import actions
from xinyuan.scheduling.models import Shift, ShiftTemplate, Team

NOW = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai


def member(user: User, personas: Personas) -> Membership:
    return Membership.objects.get(user=user, hotline=personas.hotline_a)


@dataclass
class Setup:
    team: Team
    other_team: Team
    lead: User
    template: ShiftTemplate


def team_setup(personas: Personas) -> Setup:
    """Team "Morning" led by `lead-a` with counsellor and counsellor2; an empty "Night" team."""
    lead = person(personas.hotline_a, "lead-a", Role.TEAM_LEAD, Role.COUNSELLOR)
    boss = personas.coordinator
    team = actions.do_create_team(boss, personas.hotline_a, "Morning")
    other = actions.do_create_team(boss, personas.hotline_a, "Night")
    actions.do_set_team_member(boss, team, member(lead, personas), is_lead=True)
    for user in (personas.counsellor, personas.counsellor2):
        actions.do_set_team_member(boss, team, member(user, personas), is_lead=False)
    template = actions.do_save_template(
        boss,
        personas.hotline_a,
        {
            "name": "Day",
            "weekdays": list(range(7)),
            "opens": time(8),
            "closes": time(20),
            "seats": 1,
            "team": team,
        },
    )
    return Setup(team, other, lead, template)


def shift(
    personas: Personas, starts: datetime, hours: int = 4, seats: int = 1, team: Team | None = None
) -> Shift:
    return Shift.objects.create(
        hotline=personas.hotline_a,
        team=team,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        seats=seats,
    )
