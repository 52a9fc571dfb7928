"""Who gets what: every endpoint returning sensitive data × every persona, exactly."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas
from tests.contacts.helpers import on_duty, open_contact
from tests.factories import person
from tests.records.helpers import answer, finish, remember, start
from xinyuan.contacts import actions
from xinyuan.contacts.models import Sender
from xinyuan.core.models import AuditEvent, Membership
from xinyuan.core.roles import Role
from xinyuan.records.actions import (
    do_add_case_note,
    do_flag_seeker,
    do_open_case,
    do_write_record,
    ensure_categories,
)
from xinyuan.records.models import CaseNote, SeekerFlag
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
    with_reason = client.post(record_url, {"reason": "质量复核抽查"})
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


# Returning seekers and cases ------------------------------------------------------------------------

EARLIER = "早先的记录：失眠两周"
NOTE = "个案笔记：下周回访"
FLAG_REASON = "反复来电辱骂"


@pytest.fixture
def returning(personas: Personas) -> Any:
    """A remembered seeker: an earlier contact answered by the supervisor, a later one by
    counsellor-a (both recorded), a flag, and a case with a note."""
    first = start(personas.hotline_a)
    finish(personas.supervisor, answer(personas.supervisor, first), EARLIER)
    remember(first.token)
    second = start(personas.hotline_a, token=first.token)
    contact = finish(personas.counsellor, answer(personas.counsellor, second), "第二次的记录摘要")
    membership = Membership.objects.get(user=personas.supervisor, hotline=personas.hotline_a)
    do_flag_seeker(membership, contact, kind="repeat", hours=24, reason=FLAG_REASON)
    case = do_open_case(membership, contact)
    do_add_case_note(membership, case, NOTE)
    return contact, case


# (persona, seeker page, sees history there, cases list, case listed, case page, may flag, may add a note)
CASES_MATRIX = [
    ("own_counsellor", 200, True, 200, True, 200, True, True),
    ("other_counsellor", 403, False, 200, False, 403, False, False),
    ("supervisor", 200, True, 200, True, 200, True, True),
    ("coordinator", 200, True, 200, True, 200, True, True),
    ("admin", 200, True, 200, True, 200, True, True),
    ("outsider", 404, False, 404, False, 404, False, False),
    ("anonymous", 302, False, 302, False, 302, False, False),
]


@pytest.mark.parametrize(
    ("who", "seeker_status", "history", "list_status", "listed", "case_status", "flags", "notes"),
    CASES_MATRIX,
)
def test_who_gets_what_of_returning_seekers_and_cases(
    personas: Personas,
    returning: Any,
    who: str,
    seeker_status: int,
    history: bool,
    list_status: int,
    listed: bool,
    case_status: int,
    flags: bool,
    notes: bool,
) -> None:
    contact, case = returning
    client = client_for(personas, who)
    seeker_url = reverse("seeker-history", args=["line-a", contact.pk])
    case_url = reverse("case", args=["line-a", case.pk])

    page = client.get(seeker_url)
    assert page.status_code == seeker_status
    html = page.content.decode()
    assert (EARLIER in html) is history
    assert (FLAG_REASON in html) is (seeker_status == 200)  # flags: whoever may open the page
    listing = client.get(reverse("cases", args=["line-a"]))
    assert listing.status_code == list_status
    assert (case_url in listing.content.decode()) is listed
    shown = client.get(case_url)
    assert shown.status_code == case_status
    assert (NOTE in shown.content.decode()) is (case_status == 200)
    assert (EARLIER in shown.content.decode()) is (case_status == 200)
    # The outsider's own hotline does not have this case either.
    assert client.get(reverse("case", args=["line-b", case.pk])).status_code in (302, 404)

    flagged = client.post(
        seeker_url, {"do": "flag", "kind": "known_risk", "hours": "24", "reason": "访问矩阵测试"}
    )
    assert SeekerFlag.objects.filter(kind="known_risk").exists() is flags
    assert flagged.status_code == (302 if flags else seeker_status)
    noted = client.post(case_url, {"do": "note", "body": "矩阵测试笔记"})
    assert CaseNote.objects.filter(case=case).count() == (2 if notes else 1)
    assert noted.status_code == (302 if notes else case_status)
    viewed = AuditEvent.objects.filter(action="case.viewed", object_id=str(case.pk)).exists()
    assert viewed is (case_status == 200)


@pytest.mark.parametrize("who", ["own_counsellor", "other_counsellor"])
def test_a_hotline_can_keep_history_and_cases_from_counsellors(
    personas: Personas, returning: Any, who: str
) -> None:
    contact, case = returning
    personas.hotline_a.counsellors_see_history = False
    personas.hotline_a.save()
    client = client_for(personas, who)
    page = client.get(reverse("seeker-history", args=["line-a", contact.pk]))
    assert page.status_code == (200 if who == "own_counsellor" else 403)
    assert EARLIER not in page.content.decode()
    assert (
        client.post(reverse("seeker-history", args=["line-a", contact.pk]), {"do": "open_case"}).status_code
        == 403
    )
    listing = client.get(reverse("cases", args=["line-a"])).content.decode()
    assert reverse("case", args=["line-a", case.pk]) not in listing
    assert client.get(reverse("case", args=["line-a", case.pk])).status_code == 403
    # Supervisors still see it all (the hotline's record roles).
    assert (
        EARLIER
        in client_for(personas, "supervisor").get(reverse("case", args=["line-a", case.pk])).content.decode()
    )
