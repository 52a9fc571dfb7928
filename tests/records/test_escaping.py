"""Seekers' and staff's words are escaped on every page that shows them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import Personas
from tests.contacts.helpers import on_duty, open_contact
from xinyuan.contacts import actions
from xinyuan.contacts.models import Sender
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
