"""Retention and seekers' rights: words and identifiers go, aggregate facts stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Personas
from tests.contacts.helpers import fresh, on_duty, open_contact
from xinyuan.contacts import actions
from xinyuan.contacts.models import Contact, Message, Sender, State
from xinyuan.core.models import AuditEvent
from xinyuan.records import retention
from xinyuan.records.actions import do_write_record, ensure_categories
from xinyuan.records.models import ContactRecord
from xinyuan.reports.models import SurveyResponse

pytestmark = pytest.mark.django_db(transaction=True)


def finished(personas: Personas) -> tuple[Contact, str]:
    ensure_categories(personas.hotline_a)
    contact, token = open_contact(personas.hotline_a, "我失业了，很焦虑", population="worker")
    membership = on_duty(personas.counsellor, personas.hotline_a)
    actions.do_accept(membership, contact.pk)
    actions.do_post_message(contact.pk, sender=Sender.SEEKER, body="房贷还不上了")
    actions.do_end_contact(contact.pk, by="seeker")
    do_write_record(
        membership,
        contact.pk,
        {
            "call_type": "counselling",
            "final_risk_level": "elevated",
            "summary": "失业焦虑，倾听",
            "interventions": ["listening"],
            "categories": list(personas.hotline_a.issue_categories.filter(key="money")),
        },
    )
    return fresh(contact), token


def test_past_retention_transcripts_go_and_records_are_pseudonymised(personas: Personas) -> None:
    contact, _token = finished(personas)
    SurveyResponse.objects.create(contact=contact, rating=5, comment="谢谢你听我说房贷的事")
    assert retention.purge() == {"transcripts": 0, "records": 0, "cases": 0}  # nothing is old yet
    later = timezone.now() + timedelta(days=1096)
    assert retention.purge(later) == {"transcripts": 1, "records": 1, "cases": 0}
    assert retention.purge(later) == {"transcripts": 0, "records": 0, "cases": 0}  # idempotent
    contact = fresh(contact)
    assert not Message.objects.filter(contact=contact).exists()
    assert contact.intake_text == ""
    record = ContactRecord.objects.get(contact=contact)
    assert record.summary == ""
    survey = SurveyResponse.objects.get(contact=contact)
    assert (survey.rating, survey.comment) == (5, "")  # the rating still counts; the words are gone
    # What reports count is still there.
    assert (record.call_type, record.final_risk_level, contact.intake["population"]) == (
        "counselling",
        "elevated",
        "worker",
    )
    assert [c.key for c in record.categories.all()] == ["money"]
    assert contact.answered_at is not None and contact.ended_at is not None
    assert AuditEvent.objects.filter(action="retention.purged").exists()


def test_a_hotline_may_keep_no_transcripts_at_all(personas: Personas) -> None:
    personas.hotline_a.transcript_retention_days = 0
    personas.hotline_a.save()
    contact, _token = finished(personas)
    assert not Message.objects.filter(contact=contact).exists()
    assert ContactRecord.objects.get(contact=contact).summary == "失业焦虑，倾听"  # the record stays


def test_a_seeker_gets_a_copy_and_can_have_their_data_deleted(personas: Personas) -> None:
    contact, token = finished(personas)
    client = Client()
    copy: Any = client.post("/api/contacts/my-data", {"token": token}, content_type="application/json").json()
    texts = [m["text"] for m in copy["contacts"][0]["messages"]]
    assert "房贷还不上了" in texts
    assert copy["contacts"][0]["what_is_happening"] == "我失业了，很焦虑"
    assert (
        client.post("/api/contacts/my-data", {"token": "x"}, content_type="application/json").status_code
        == 404
    )

    assert (
        client.post("/api/contacts/erase", {"token": token}, content_type="application/json").status_code
        == 204
    )
    contact = fresh(contact)
    assert not Message.objects.filter(contact=contact).exists() and contact.intake_text == ""
    assert contact.state == State.CLOSED
    assert (
        client.post("/api/contacts/my-data", {"token": token}, content_type="application/json").status_code
        == 404
    )
    assert AuditEvent.objects.filter(action="seeker.erased").exists()
