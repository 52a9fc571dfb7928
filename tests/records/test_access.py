"""Who gets what: every endpoint returning sensitive data × every persona, exactly."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas
from tests.contacts.helpers import on_duty, open_contact
from tests.factories import person
from xinyuan.contacts import actions
from xinyuan.contacts.models import Sender
from xinyuan.core.models import AuditEvent
from xinyuan.core.roles import Role
from xinyuan.records.actions import do_write_record, ensure_categories
from xinyuan.risk import actions as risk_actions

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "只对咨询师说的秘密"


@pytest.fixture
def recorded(personas: Personas) -> Any:
    """A closed contact of counsellor-a with a record, a transcript and a crisis."""
    ensure_categories(personas.hotline_a)
    contact, _ = open_contact(personas.hotline_a)
    membership = on_duty(personas.counsellor, personas.hotline_a)
    actions.do_accept(membership, contact.pk)
    actions.do_post_message(contact.pk, sender=Sender.SEEKER, body=SECRET)
    escalation = risk_actions.do_raise_crisis(contact.pk, by=personas.counsellor, reason="test")
    actions.do_end_contact(contact.pk, by="counsellor", actor=personas.counsellor)
    do_write_record(
        membership,
        contact.pk,
        {
            "call_type": "counselling",
            "final_risk_level": "high",
            "summary": "记录摘要：学业压力",
            "interventions": ["listening"],
            "categories": list(personas.hotline_a.issue_categories.filter(key="study_stress")),
        },
    )
    return contact, escalation


def client_for(personas: Personas, who: str) -> Client:
    if who == "anonymous":
        return Client()
    user = {
        "own_counsellor": personas.counsellor,
        "other_counsellor": personas.counsellor2,
        "supervisor": personas.supervisor,
        "coordinator": personas.coordinator,
        "outsider": personas.outsider,
        "admin": person(personas.hotline_a, "admin-a", Role.ADMIN),
    }[who]
    return personas.client_for(user)


# (persona, record page, transcript shown with a reason, records list contains it, export, crisis page)
MATRIX = [
    ("own_counsellor", 200, True, True, 403, 403),
    ("other_counsellor", 403, False, False, 403, 403),
    ("supervisor", 200, True, True, 403, 200),
    ("coordinator", 200, False, True, 403, 403),
    ("admin", 200, False, True, 200, 403),
    ("outsider", 404, False, None, 404, 404),
    ("anonymous", 302, False, None, 302, 302),
]


@pytest.mark.parametrize(
    ("who", "record_status", "transcript", "listed", "export_status", "crisis_status"), MATRIX
)
def test_who_gets_what(
    personas: Personas,
    recorded: Any,
    who: str,
    record_status: int,
    transcript: bool,
    listed: bool | None,
    export_status: int,
    crisis_status: int,
) -> None:
    contact, escalation = recorded
    client = client_for(personas, who)
    record_url = reverse("record", args=["line-a", contact.pk])
    page = client.get(record_url)
    assert page.status_code == record_status
    with_reason = client.get(record_url, {"reason": "质量复核抽查"})
    assert (SECRET in with_reason.content.decode()) is transcript
    if record_status == 200:
        assert "记录摘要：学业压力" in page.content.decode()
        assert SECRET not in page.content.decode()  # not without a reason
    listing = client.get(reverse("records", args=["line-a"]))
    if listed is not None:
        assert listing.status_code == 200
        assert (str(contact.pk) in listing.content.decode()) is listed
    assert client.get(reverse("records", args=["line-a"]), {"format": "csv"}).status_code == export_status
    assert client.get(reverse("escalation", args=["line-a", escalation.pk])).status_code == crisis_status
    if transcript:
        event = AuditEvent.objects.filter(action="transcript.viewed", object_id=str(contact.pk)).last()
        assert event is not None and event.reason == "质量复核抽查"
