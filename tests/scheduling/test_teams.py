"""Teams: coordinators create them and choose leads; a lead manages their own team only; a
volunteer sees their own team."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import Personas
from tests.factories import english
from tests.scheduling.helpers import member, team_setup
from xinyuan.core.models import AuditEvent
from xinyuan.scheduling.models import Team, TeamMember

pytestmark = pytest.mark.django_db


def test_a_coordinator_creates_a_team_and_names_its_lead(personas: Personas) -> None:
    client = english(personas.client_for(personas.coordinator))
    client.post(reverse("teams", args=["line-a"]), {"name": "Weekend"})
    team = Team.objects.get(hotline=personas.hotline_a, name="Weekend")
    target = member(personas.counsellor, personas)
    client.post(reverse("team", args=["line-a", team.pk]), {"membership": target.pk, "is_lead": "on"})
    assert TeamMember.objects.get(membership=target).is_lead
    page = client.get(reverse("team", args=["line-a", team.pk])).content.decode()
    assert "Counsellor-A" in page and "Team lead" in page
    assert AuditEvent.objects.filter(action="team.changed").count() == 2


def test_a_lead_manages_only_their_team_and_cannot_name_leads(personas: Personas) -> None:
    setup = team_setup(personas)
    lead = personas.client_for(setup.lead)
    supervisor = member(personas.supervisor, personas)
    lead.post(reverse("team", args=["line-a", setup.team.pk]), {"membership": supervisor.pk, "is_lead": "on"})
    added = TeamMember.objects.get(membership=supervisor)
    assert added.team == setup.team and not added.is_lead  # the lead field is not theirs to set
    assert lead.get(reverse("team", args=["line-a", setup.other_team.pk])).status_code == 403
    night_post = lead.post(
        reverse("team", args=["line-a", setup.other_team.pk]), {"membership": supervisor.pk}
    )
    assert night_post.status_code == 403
    assert lead.get(reverse("shift-templates", args=["line-a"])).status_code == 200


def test_a_volunteer_sees_their_own_team_and_nothing_else(personas: Personas) -> None:
    setup = team_setup(personas)
    client = english(personas.client_for(personas.counsellor))
    page = client.get(reverse("teams", args=["line-a"]), follow=True)
    html = page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("team", args=["line-a", setup.team.pk])
    assert "lead-a" in html.lower() and "Add a member" not in html
    assert client.get(reverse("team", args=["line-a", setup.other_team.pk])).status_code == 403
    assert client.post(reverse("team", args=["line-a", setup.team.pk]), {"remove": "1"}).status_code == 403
    assert client.get(reverse("shift-templates", args=["line-a"])).status_code == 403
    assert client.get(reverse("roster", args=["line-a"])).status_code == 403
    nobody = english(personas.client_for(personas.supervisor))
    assert "not in a team yet" in nobody.get(reverse("teams", args=["line-a"])).content.decode()


def test_another_hotlines_team_is_404(personas: Personas) -> None:
    setup = team_setup(personas)
    outsider = personas.client_for(personas.outsider)
    assert outsider.get(reverse("team", args=["line-b", setup.team.pk])).status_code == 404
    assert outsider.get(reverse("team", args=["line-a", setup.team.pk])).status_code == 404
