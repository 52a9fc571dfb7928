"""The contact record (wrap-up): required fields with clear messages, the taxonomy, the rule that the
record comes before the next contact."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import Personas
from tests.contacts.helpers import fresh, on_duty, open_contact
from xinyuan.contacts import actions
from xinyuan.contacts.models import State
from xinyuan.core.models import AuditEvent
from xinyuan.records.actions import ensure_categories
from xinyuan.records.models import ContactRecord, IssueCategory
from xinyuan.risk.models import FollowUp

pytestmark = pytest.mark.django_db(transaction=True)


def ended_contact(personas: Personas, chat_limit: int = 1) -> Any:
    contact, _ = open_contact(personas.hotline_a, "想聊聊", population="student")
    membership = on_duty(personas.counsellor, personas.hotline_a, chat_limit=chat_limit)
    actions.do_accept(membership, contact.pk)
    actions.do_end_contact(contact.pk, by="seeker")
    return contact


def test_every_hotline_gets_the_default_taxonomy_in_its_language(personas: Personas) -> None:
    ensure_categories(personas.hotline_a)
    ensure_categories(personas.hotline_a)
    labels = list(IssueCategory.objects.filter(hotline=personas.hotline_a).values_list("label", flat=True))
    assert len(labels) == 13 and "疫情与隔离焦虑" in labels and "网课引发的亲子冲突" in labels


def test_the_record_needs_its_fields_and_closes_the_contact(personas: Personas) -> None:
    contact = ended_contact(personas)
    ensure_categories(personas.hotline_a)
    url = reverse("console-wrap-up", args=["line-a", contact.pk])
    client = personas.client_for(personas.counsellor)
    empty = client.post(url, {"call_type": "counselling", "final_risk_level": "none"})
    assert empty.status_code == 400
    errors = empty.json()["errors"]
    assert errors["categories"] == ["请至少选择一个问题类别。"]
    assert "interventions" in errors and "summary" in errors
    category = IssueCategory.objects.get(hotline=personas.hotline_a, key="sleep")
    referral = client.post(
        url,
        {
            "call_type": "counselling",
            "final_risk_level": "elevated",
            "categories": [category.pk],
            "interventions": ["listening", "referral"],
            "summary": "长期失眠，建议就诊睡眠门诊",
        },
    )
    assert referral.json()["errors"] == {"referral_target": ["请填写转介的机构或人员。"]}
    saved = client.post(
        url,
        {
            "call_type": "counselling",
            "final_risk_level": "elevated",
            "categories": [category.pk],
            "interventions": ["listening", "referral"],
            "referral_target": "市精神卫生中心睡眠门诊",
            "summary": "长期失眠，建议就诊睡眠门诊",
            "follow_up_needed": "on",
            "population": "student",
        },
    )
    assert saved.status_code == 200 and saved.json() == {"ok": True}
    record = ContactRecord.objects.get(contact=contact)
    assert record.referral_target == "市精神卫生中心睡眠门诊" and record.follow_up_needed
    assert fresh(contact).state == State.CLOSED
    assert FollowUp.objects.filter(contact=contact).exists()
    assert AuditEvent.objects.filter(action="record.written", actor=personas.counsellor).exists()
    again = client.post(url, {"call_type": "silent", "final_risk_level": "none"})
    assert again.status_code == 409


def test_a_silent_contact_needs_only_its_type(personas: Personas) -> None:
    contact = ended_contact(personas)
    client = personas.client_for(personas.counsellor)
    url = reverse("console-wrap-up", args=["line-a", contact.pk])
    assert client.post(url, {"call_type": "silent", "final_risk_level": "none"}).status_code == 200


def test_another_counsellor_cannot_write_the_record(personas: Personas) -> None:
    contact = ended_contact(personas)
    url = reverse("console-wrap-up", args=["line-a", contact.pk])
    response = personas.client_for(personas.counsellor2).post(
        url, {"call_type": "silent", "final_risk_level": "none"}
    )
    assert response.status_code == 404
    assert not ContactRecord.objects.exists()


def test_the_record_comes_before_the_next_contact(personas: Personas) -> None:
    contact = ended_contact(personas, chat_limit=2)
    waiting, _ = open_contact(personas.hotline_a)
    assert fresh(waiting).state == State.QUEUED  # the counsellor has a record to write first
    client = personas.client_for(personas.counsellor)
    client.post(
        reverse("console-wrap-up", args=["line-a", contact.pk]),
        {"call_type": "silent", "final_risk_level": "none"},
    )
    assert fresh(waiting).state == State.OFFERED
