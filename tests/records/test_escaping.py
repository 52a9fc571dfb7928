"""Seekers' and staff's words are escaped on every page that shows them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import Personas
from tests.contacts.helpers import on_duty, open_contact
from tests.factories import person
from xinyuan.contacts import actions
from xinyuan.contacts.models import Sender
from xinyuan.core.roles import Role
from xinyuan.records.actions import do_write_record, ensure_categories
from xinyuan.risk import actions as risk_actions

pytestmark = pytest.mark.django_db(transaction=True)
PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_payloads_in_messages_intake_names_and_reasons_are_escaped(personas: Personas) -> None:
    ensure_categories(personas.hotline_a)
    personas.counsellor.display_name = PAYLOAD
    personas.counsellor.save()
    contact, _ = open_contact(personas.hotline_a, PAYLOAD, region=PAYLOAD[:80])
    membership = on_duty(personas.counsellor, personas.hotline_a)
    actions.do_accept(membership, contact.pk)
    actions.do_post_message(contact.pk, sender=Sender.SEEKER, body=PAYLOAD)
    escalation = risk_actions.do_raise_crisis(contact.pk, by=personas.counsellor, reason=PAYLOAD)
    actions.do_end_contact(contact.pk, by="counsellor", actor=personas.counsellor)
    do_write_record(
        membership,
        contact.pk,
        {
            "call_type": "counselling",
            "final_risk_level": "none",
            "summary": PAYLOAD,
            "interventions": ["listening"],
            "categories": list(personas.hotline_a.issue_categories.all()[:1]),
        },
    )
    supervisor = personas.client_for(personas.supervisor)
    pages = [
        supervisor.post(reverse("record", args=["line-a", contact.pk]), {"reason": "复核 XSS 测试"}),
        supervisor.get(reverse("crisis-board", args=["line-a"])),
        supervisor.get(reverse("escalation", args=["line-a", escalation.pk])),
        personas.client_for(personas.coordinator).get(reverse("counsellors", args=["line-a"])),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "<script>alert(2)" not in html and '<img src=x onerror="alert(1)">' not in html
        assert "&lt;script&gt;alert(2)" in html or "&lt;img" in html


def test_a_name_that_looks_like_a_formula_is_inert_in_the_records_export(personas: Personas) -> None:
    personas.counsellor.display_name = "=cmd|' /C calc'!A0"
    personas.counsellor.save()
    ensure_categories(personas.hotline_a)
    contact, _ = open_contact(personas.hotline_a, "考试压力")
    membership = on_duty(personas.counsellor, personas.hotline_a)
    actions.do_accept(membership, contact.pk)
    actions.do_end_contact(contact.pk, by="counsellor", actor=personas.counsellor)
    do_write_record(
        membership,
        contact.pk,
        {
            "call_type": "counselling",
            "final_risk_level": "none",
            "summary": "考试",
            "interventions": ["listening"],
            "categories": list(personas.hotline_a.issue_categories.all()[:1]),
        },
    )
    admin = person(personas.hotline_a, "admin-a", Role.ADMIN)  # exports are the admins' by default
    exported = personas.client_for(admin).get(reverse("records", args=["line-a"]), {"format": "csv"})
    assert exported.status_code == 200
    line = next(line for line in exported.content.decode().splitlines() if str(contact.pk) in line)
    assert "'=cmd|" in line and ",=cmd" not in line
