"""The on-duty gate: a hotline's requirements refuse on-duty status, with the reasons, until met."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from tests.conftest import Personas
from tests.factories import english
from tests.volunteers.helpers import activated
from xinyuan.asgi import application as asgi_application
from xinyuan.contacts import actions as contact_actions
from xinyuan.contacts.models import CounsellorState, Status
from xinyuan.core.models import Membership, User
from xinyuan.volunteers import actions, queries
from xinyuan.volunteers.models import Course, Credential

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def require(personas: Personas, *, only_applicants: bool = True) -> Course:
    """Line A asks for a verified credential and the ethics course."""
    actions.ensure_courses(personas.hotline_a)
    ethics = Course.objects.get(hotline=personas.hotline_a, key="ethics")
    actions.do_set_requirements(
        personas.coordinator,
        personas.hotline_a,
        verified_credential=True,
        courses=[ethics],
        only_applicants=only_applicants,
    )
    return ethics


def pass_course(member: Membership, course: Course, when: datetime) -> None:
    answers = {q.pk: next(c.pk for c in q.choices.all() if c.is_correct) for q in course.questions.all()}
    actions.do_submit_attempt(member, course, answers, now=when)


def status_of(member: Membership) -> str:
    return CounsellorState.objects.get(membership=member).status


@pytest.mark.django_db
def test_without_requirements_nobody_is_held_back(personas: Personas) -> None:
    member = activated(personas.hotline_a, personas.coordinator)
    assert queries.duty_blockers(member, NOW) == []
    contact_actions.do_set_status(member, Status.ON_DUTY, now=NOW)
    assert status_of(member) == Status.ON_DUTY


@pytest.mark.django_db
def test_a_new_volunteer_is_refused_with_reasons_until_the_requirements_are_met(personas: Personas) -> None:
    ethics = require(personas)
    member = activated(personas.hotline_a, personas.coordinator)
    with override("en"), pytest.raises(contact_actions.ContactError) as refused:
        contact_actions.do_set_status(member, Status.ON_DUTY, now=NOW)
    assert refused.value.code == "duty_blocked"
    assert "A coordinator has not verified your credential yet." in refused.value.message
    assert "Pass the course “伦理守则 Ethics code” in My training." in refused.value.message
    assert not CounsellorState.objects.filter(membership=member, status=Status.ON_DUTY).exists()
    # Pausing or going off duty is never refused.
    contact_actions.do_set_status(member, Status.OFF_DUTY, now=NOW)

    actions.do_verify_credential(personas.coordinator, Credential.objects.get(application__membership=member))
    with override("en"):
        assert queries.duty_blockers(member, NOW) == [
            "Pass the course “伦理守则 Ethics code” in My training."
        ]
    pass_course(member, ethics, NOW)
    assert queries.duty_blockers(member, NOW) == []
    contact_actions.do_set_status(member, Status.ON_DUTY, now=NOW)
    assert status_of(member) == Status.ON_DUTY

    # A year on, the pass has expired: refused again, saying so.
    later = NOW + timedelta(days=366)
    contact_actions.do_set_status(member, Status.OFF_DUTY, now=later)
    with override("en"), pytest.raises(contact_actions.ContactError, match="expired on 2027-03-02"):
        contact_actions.do_set_status(member, Status.ON_DUTY, now=later)


@pytest.mark.django_db
def test_members_who_joined_without_an_application_are_not_locked_out_by_default(personas: Personas) -> None:
    require(personas)
    existing = Membership.objects.get(user=personas.counsellor, hotline=personas.hotline_a)
    contact_actions.do_set_status(existing, Status.ON_DUTY, now=NOW)
    assert status_of(existing) == Status.ON_DUTY
    # A hotline may ask it of everyone.
    require(personas, only_applicants=False)
    other = Membership.objects.get(user=personas.counsellor2, hotline=personas.hotline_a)
    with pytest.raises(contact_actions.ContactError):
        contact_actions.do_set_status(other, Status.ON_DUTY, now=NOW)


@pytest.mark.django_db
def test_coordinators_edit_the_requirements_and_the_volunteer_sees_them(personas: Personas) -> None:
    actions.ensure_courses(personas.hotline_a)
    ethics = Course.objects.get(hotline=personas.hotline_a, key="ethics")
    url = reverse("volunteer-requirements", args=["line-a"])
    coordinator = english(personas.client_for(personas.coordinator))
    assert "Only for volunteers who joined through an application" in coordinator.get(url).content.decode()
    saved = coordinator.post(
        url, {"verified_credential": "on", "courses": [ethics.pk], "only_applicants": "on"}
    )
    assert saved.status_code == 302
    found = queries.requirements(personas.hotline_a)
    assert found is not None and found.verified_credential and list(found.courses.all()) == [ethics]
    assert personas.client_for(personas.counsellor).get(url).status_code == 403

    member = activated(personas.hotline_a, personas.coordinator)
    client = english(Client())
    client.force_login(member.user)
    page = client.get(reverse("my-training", args=["line-a"])).content.decode()
    assert "Before you can go on duty" in page
    assert "A coordinator has not verified your credential yet." in page
    assert "required" in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_console_tells_the_counsellor_why(personas: Personas) -> None:
    await sync_to_async(require)(personas)
    member = await sync_to_async(activated)(personas.hotline_a, personas.coordinator)

    def session_cookie(user: User) -> bytes:
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}; django_language=en".encode()

    cookie = await sync_to_async(session_cookie)(member.user)
    socket = WebsocketCommunicator(
        asgi_application,
        "/ws/console/line-a/",
        headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie)],
    )
    connected, _ = await socket.connect()
    assert connected
    await socket.send_json_to({"type": "status", "status": "on_duty"})
    for _ in range(20):
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == "error":
            break
    assert frame["code"] == "duty_blocked"
    # The console shows the reasons as they are (in the server's language: consumers pick none).
    expected = await sync_to_async(queries.duty_blockers)(member, timezone.now())
    assert frame["message"] == " ".join(expected)
    assert len(expected) == 2
    await socket.disconnect()
