"""Flags with an expiry (a block refuses new contacts kindly), cases with notes and tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Personas
from tests.factories import english
from tests.records.helpers import answer, finish, raw_rows, remember, start
from xinyuan.contacts.actions import ContactError
from xinyuan.contacts.models import Contact
from xinyuan.core.models import AuditEvent, CrisisResource
from xinyuan.records import actions, retention
from xinyuan.records.models import Case, CaseNote, CaseStatus, SeekerFlag

pytestmark = pytest.mark.django_db(transaction=True)
PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def flag(personas: Personas, contact: Contact, **fields: object) -> SeekerFlag:
    membership = personas.counsellor.memberships.get(hotline=personas.hotline_a)
    values = {"kind": "blocked", "hours": 24, "reason": "反复辱骂咨询师", **fields}
    return actions.do_flag_seeker(membership, contact, **values)  # type: ignore[arg-type]


def test_a_block_refuses_new_contacts_kindly_until_it_expires(personas: Personas) -> None:
    CrisisResource.objects.create(hotline=personas.hotline_a, name="急救", number="120")
    first = start(personas.hotline_a)
    remember(first.token)
    finish(personas.counsellor, answer(personas.counsellor, first), "辱骂，拒绝沟通")
    then = timezone.now()
    blocked = flag(personas, first.contact, now=then)
    assert blocked.is_active(then + timedelta(hours=23)) and not blocked.is_active(then + timedelta(hours=24))

    with pytest.raises(ContactError) as refused:
        start(personas.hotline_a, token=first.token, now=then + timedelta(hours=23))
    assert refused.value.code == "blocked" and "120" in refused.value.message
    api = Client().post(
        "/api/hotlines/line-a/contacts",
        {
            "consent_version": personas.hotline_a.consent_version,
            "sensitive_consent": True,
            "token": first.token,
        },
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert api.status_code == 400 and api.json()["code"] == "blocked"
    assert "如果你正处于危险之中" in api.json()["message"] and "120" in api.json()["message"]
    assert Contact.objects.count() == 1  # nothing half-made
    # After the expiry, by time alone (no job), the seeker is welcome again, as themselves.
    later = start(personas.hotline_a, token=first.token, now=then + timedelta(hours=25))
    assert later.contact.seeker_id == first.contact.seeker_id and later.token == first.token


def test_a_block_recognises_a_phone_number_and_can_be_lifted(personas: Personas) -> None:
    first = start(personas.hotline_a, phone="13900139000")  # never asked to be remembered
    answer(personas.counsellor, first)
    blocked = flag(personas, first.contact)
    with pytest.raises(ContactError):
        start(personas.hotline_a, phone="+86 139 0013 9000")
    start(personas.hotline_a, phone="13900139001")  # another number is not refused
    membership = personas.supervisor.memberships.get(hotline=personas.hotline_a)
    actions.do_lift_flag(membership, first.contact, blocked.pk)
    assert start(personas.hotline_a, phone="13900139000").contact.pk != first.contact.pk
    lifted = AuditEvent.objects.get(action="seeker.flag_lifted")
    assert lifted.actor == personas.supervisor and lifted.details["flag"] == blocked.pk


def test_flags_are_set_on_the_seeker_page_with_a_reason_escaped_and_audited(personas: Personas) -> None:
    opened = start(personas.hotline_a)
    contact = answer(personas.counsellor, opened)
    client = english(personas.client_for(personas.counsellor))
    url = reverse("seeker-history", args=["line-a", contact.pk])
    short = client.post(url, {"do": "flag", "kind": "repeat", "hours": "24", "reason": "x"})
    assert short.status_code == 400 and "at least 5 characters" in short.content.decode()
    assert not SeekerFlag.objects.exists()
    assert (
        client.post(url, {"do": "flag", "kind": "repeat", "hours": "168", "reason": PAYLOAD}).status_code
        == 302
    )
    html = client.get(url).content.decode()
    assert "repeat caller" in html and "<script>alert(2)" not in html and "&lt;script&gt;alert(2)" in html
    event = AuditEvent.objects.get(action="seeker.flagged")
    assert event.reason == PAYLOAD and event.details["hours"] == 168
    assert "alert(2)" not in raw_rows("records_seekerflag")  # the reason is encrypted


def test_a_case_with_notes_and_tasks_overdue_and_done(personas: Personas) -> None:
    first = start(personas.hotline_a)
    finish(personas.supervisor, answer(personas.supervisor, first), "第一次：考试焦虑")
    counsellor = english(personas.client_for(personas.counsellor))
    # Without the seeker's consent there is no case.
    response = counsellor.post(
        reverse("seeker-history", args=["line-a", first.contact.pk]), {"do": "open_case"}
    )
    assert response.status_code == 403  # not a contact of theirs
    supervisor = english(personas.client_for(personas.supervisor))
    seeker_url = reverse("seeker-history", args=["line-a", first.contact.pk])
    supervisor.post(seeker_url, {"do": "open_case"})
    assert not Case.objects.exists()
    assert "has not agreed to be remembered" in supervisor.get(seeker_url).content.decode()

    remember(first.token)
    opened = supervisor.post(seeker_url, {"do": "open_case"})
    case = Case.objects.get()
    assert opened.status_code == 302 and opened["Location"] == reverse("case", args=["line-a", case.pk])
    again = supervisor.post(seeker_url, {"do": "open_case"})
    assert again["Location"] == opened["Location"]  # one case, not two
    second = start(personas.hotline_a, token=first.token)
    answer(personas.counsellor, second)
    case_url = reverse("case", args=["line-a", case.pk])

    assert counsellor.post(case_url, {"do": "note", "body": PAYLOAD}).status_code == 302
    assert counsellor.post(case_url, {"do": "note", "body": "   "}).status_code == 400
    yesterday = (timezone.localdate() - timedelta(days=2)).isoformat()
    counsellor.post(
        case_url,
        {"do": "task", "title": "三天后回访", "due_on": yesterday, "assignee": personas.counsellor2.pk},
    )
    outsider_assignee = counsellor.post(
        case_url, {"do": "task", "title": "x", "due_on": yesterday, "assignee": personas.outsider.pk}
    )
    assert outsider_assignee.status_code == 400 and case.tasks.count() == 1

    html = counsellor.get(case_url).content.decode()
    assert "&lt;script&gt;alert(2)" in html and "<script>alert(2)" not in html
    assert "第一次：考试焦虑" in html and 'data-testid="task-overdue"' in html
    assert "alert(2)" not in raw_rows("records_casenote") and "回访" not in raw_rows("records_casetask")
    listing = counsellor.get(reverse("cases", args=["line-a"]), {"overdue": "on"}).content.decode()
    assert case_url in listing
    assert (
        case_url
        not in counsellor.get(reverse("cases", args=["line-a"]), {"status": "closed"}).content.decode()
    )

    refused = counsellor.post(case_url, {"do": "status", "status": "closed"}, follow=True)
    assert "Mark the open tasks done" in refused.content.decode()
    task = case.tasks.get()
    counsellor.post(case_url, {"do": "task_done", "task": task.pk})
    html = counsellor.get(case_url).content.decode()
    assert 'data-testid="task-overdue"' not in html and 'data-testid="task-done"' in html
    assert (
        case_url not in counsellor.get(reverse("cases", args=["line-a"]), {"overdue": "on"}).content.decode()
    )
    counsellor.post(case_url, {"do": "status", "status": "closed"})
    assert Case.objects.get().status == CaseStatus.CLOSED
    actions_logged = set(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
    assert {
        "case.opened",
        "case.viewed",
        "case.note_added",
        "case.task_added",
        "case.task_done",
    } <= actions_logged
    assert "case.status_changed" in actions_logged
    # Every page showing the case was audited: three views, and two forms shown again with errors.
    assert AuditEvent.objects.filter(action="case.viewed", actor=personas.counsellor).count() == 5


def test_erasure_and_retention_reach_cases(personas: Personas) -> None:
    first = start(personas.hotline_a)
    finish(personas.supervisor, answer(personas.supervisor, first), "第一次")
    remember(first.token)
    membership = personas.supervisor.memberships.get(hotline=personas.hotline_a)
    case = actions.do_open_case(membership, Contact.objects.get(pk=first.contact.pk))
    actions.do_add_case_note(membership, case, "需要随访")
    flag(personas, first.contact, kind="known_risk", reason="曾有自伤")
    retention.do_erase_seeker(Contact.objects.get(pk=first.contact.pk))
    assert not CaseNote.objects.exists() and not case.seekers.exists()
    assert SeekerFlag.objects.get().reason == ""
    assert not Contact.objects.get(pk=first.contact.pk).seeker.remembered

    actions.do_add_case_note(membership, case, "结案前的记录")
    actions.do_set_case_status(membership, case, CaseStatus.CLOSED)
    assert retention.purge()["cases"] == 0
    assert retention.purge(timezone.now() + timedelta(days=1096))["cases"] == 1
    assert not CaseNote.objects.exists() and not SeekerFlag.objects.exists()
