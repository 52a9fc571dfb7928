"""Crisis escalation that cannot be dropped: alerts widen until someone acts; every step recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Personas
from tests.contacts.helpers import fresh, on_duty, open_contact
from tests.factories import person
from xinyuan.contacts import actions as contact_actions
from xinyuan.contacts.actions import ContactError
from xinyuan.contacts.models import RiskLevel, Sender
from xinyuan.core.models import AuditEvent
from xinyuan.core.roles import Role
from xinyuan.risk import actions
from xinyuan.risk.models import Escalation, EscalationState, FollowUp, Stage, StepKind

pytestmark = pytest.mark.django_db(transaction=True)


def imminent_contact(personas: Personas) -> Any:
    contact, _token = open_contact(personas.hotline_a, "想聊聊")
    contact_actions.do_post_message(contact.pk, sender=Sender.SEEKER, body="我吃了一整瓶安眠药，现在很困")
    return contact


def test_the_engine_raises_a_crisis_at_imminent(personas: Personas) -> None:
    contact = imminent_contact(personas)
    escalation = Escalation.objects.get(contact=contact)
    assert escalation.raised_by is None and "triage engine" in escalation.reason
    assert escalation.state == EscalationState.OPEN
    assert AuditEvent.objects.filter(action="crisis.raised", actor_name="triage engine").exists()
    # Raising again while one is open returns the same escalation.
    assert actions.do_raise_crisis(contact.pk, by=personas.counsellor).pk == escalation.pk


def test_unacknowledged_alerts_widen_stage_by_stage_and_never_stop(
    personas: Personas, mailoutbox: list[Any]
) -> None:
    responder = person(
        personas.hotline_a, "responder-a", Role.CRISIS_RESPONDER, email="responder@example.org"
    )
    personas.supervisor.email = "supervisor@example.org"
    personas.supervisor.save()
    on_duty(personas.supervisor, personas.hotline_a)
    contact = imminent_contact(personas)
    escalation = Escalation.objects.get(contact=contact)
    assert escalation.stage == Stage.SUPERVISORS_ON_DUTY
    assert escalation.alerted == [personas.supervisor.pk]
    start = escalation.ack_deadline_at
    assert start is not None

    assert actions.escalate_unacknowledged(start - timedelta(seconds=1)) == 0  # not yet
    assert actions.escalate_unacknowledged(start + timedelta(seconds=1)) == 1
    assert actions.escalate_unacknowledged(start + timedelta(seconds=1)) == 0  # claimed once
    escalation.refresh_from_db()
    assert escalation.stage == Stage.ALL_SUPERVISORS
    assert [m.to for m in mailoutbox] == [["supervisor@example.org"]]

    assert escalation.ack_deadline_at is not None
    actions.escalate_unacknowledged(escalation.ack_deadline_at + timedelta(seconds=1))
    escalation.refresh_from_db()
    assert escalation.stage == Stage.CRISIS_RESPONDERS
    assert responder.pk in escalation.alerted
    assert escalation.ack_deadline_at is not None
    # Still nobody: it keeps alerting everyone, it is never dropped.
    assert actions.escalate_unacknowledged(escalation.ack_deadline_at + timedelta(seconds=1)) == 1
    assert len(mailoutbox) == 3
    assert AuditEvent.objects.filter(action="crisis.escalated").count() == 3


def test_with_nobody_on_duty_the_first_alert_goes_wider_at_once(personas: Personas) -> None:
    contact = imminent_contact(personas)
    escalation = Escalation.objects.get(contact=contact)
    assert escalation.stage == Stage.ALL_SUPERVISORS
    assert escalation.alerted == [personas.supervisor.pk]


def test_acknowledge_stops_the_timer_and_only_one_person_takes_it(personas: Personas) -> None:
    second = person(personas.hotline_a, "supervisor2-a", Role.SUPERVISOR)
    contact = imminent_contact(personas)
    escalation = Escalation.objects.get(contact=contact)
    actions.do_acknowledge(escalation.pk, personas.supervisor)
    escalation.refresh_from_db()
    assert escalation.state == EscalationState.ACKNOWLEDGED and escalation.ack_deadline_at is None
    with pytest.raises(ContactError) as taken:
        actions.do_acknowledge(escalation.pk, second)
    assert taken.value.code == "already"
    assert actions.escalate_unacknowledged(timezone.now() + timedelta(hours=1)) == 0
    with pytest.raises(ContactError):
        actions.do_acknowledge(escalation.pk, personas.counsellor)  # counsellors cannot


def test_steps_are_recorded_with_addresses_encrypted(personas: Personas) -> None:
    contact = imminent_contact(personas)
    escalation = Escalation.objects.get(contact=contact)
    with pytest.raises(ContactError):
        actions.do_record_step(escalation.pk, personas.supervisor, StepKind.TEAM_DISPATCHED, team="一组")
    actions.do_record_step(escalation.pk, personas.supervisor, StepKind.CALLED_120)
    actions.do_record_step(
        escalation.pk,
        personas.supervisor,
        StepKind.TEAM_DISPATCHED,
        team="浦东一组",
        address="幸福路 88 弄 3 号 402",
    )
    escalation.refresh_from_db()
    assert escalation.state == EscalationState.ACKNOWLEDGED  # acting on it took it
    assert escalation.team_status == "en_route"
    assert [s.kind for s in escalation.steps.all()] == [StepKind.CALLED_120, StepKind.TEAM_DISPATCHED]
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM risk_escalationstep WHERE team = %s", ["浦东一组"])
        stored = cursor.fetchone()[0]
    assert "幸福路" not in stored and stored.startswith("v1:")
    with pytest.raises(ContactError):
        actions.do_resolve(escalation.pk, personas.supervisor, outcome=" ")
    actions.do_resolve(escalation.pk, personas.supervisor, outcome="送医洗胃，已脱离危险")
    assert Escalation.objects.get(pk=escalation.pk).state == EscalationState.RESOLVED


def test_identifiers_open_only_with_a_reason_and_are_audited(personas: Personas) -> None:
    opened = contact_actions.do_open_contact(
        personas.hotline_a,
        answers={"what_is_happening": "请回电"},
        language="zh-hans",
        consent_version=personas.hotline_a.consent_version,
        callback=True,
        callback_phone="13900000000",
    )
    escalation = actions.do_raise_crisis(opened.contact.pk, by=personas.counsellor, reason="失联")
    with pytest.raises(ContactError):
        actions.do_open_identifiers(escalation.pk, personas.supervisor, reason="")
    with pytest.raises(ContactError):
        actions.do_open_identifiers(escalation.pk, personas.counsellor, reason="I want to know")
    assert actions.do_open_identifiers(
        escalation.pk, personas.supervisor, reason="来访者已服药，需定位送医"
    ) == {"callback_phone": "13900000000"}
    event = AuditEvent.objects.get(action="identifiers.opened")
    assert event.actor == personas.supervisor and event.reason == "来访者已服药，需定位送医"


def test_a_counsellor_changes_the_level_with_a_reason(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a, "最近睡不好")
    membership = on_duty(personas.counsellor, personas.hotline_a)
    contact_actions.do_accept(membership, contact.pk)
    with pytest.raises(ContactError):
        actions.do_set_risk_level(membership, contact.pk, level=RiskLevel.HIGH, reason="")
    actions.do_set_risk_level(
        membership, contact.pk, level=RiskLevel.IMMINENT, reason="说出了具体的计划和时间"
    )
    assert fresh(contact).risk_level == RiskLevel.IMMINENT
    event = AuditEvent.objects.get(action="contact.risk_changed")
    assert event.details["before"] == "none" and event.details["after"] == "imminent"
    assert Escalation.objects.filter(contact=contact, raised_by=personas.counsellor).exists()
    contact_actions.do_end_contact(contact.pk, by="counsellor", actor=personas.counsellor)
    follow_up = FollowUp.objects.get(contact=contact)
    assert timedelta(hours=3) < follow_up.due_at - timezone.now() <= timedelta(hours=4)


def test_the_crisis_pages_are_for_supervisors_and_responders(personas: Personas) -> None:
    contact = imminent_contact(personas)
    escalation = Escalation.objects.get(contact=contact)
    board = reverse("crisis-board", args=["line-a"])
    page = reverse("escalation", args=["line-a", escalation.pk])
    assert personas.client_for(personas.counsellor).get(board).status_code == 403
    supervisor = personas.client_for(personas.supervisor)
    assert supervisor.get(board).status_code == 200
    detail = supervisor.get(page)
    assert detail.status_code == 200
    assert "我吃了一整瓶安眠药" in detail.content.decode()
    assert AuditEvent.objects.filter(action="transcript.viewed", actor=personas.supervisor).exists()
    response = supervisor.post(reverse("escalation-acknowledge", args=["line-a", escalation.pk]), follow=True)
    assert "已由你负责" in response.content.decode()
    bad = supervisor.post(
        reverse("escalation-step", args=["line-a", escalation.pk]), {"kind": "team_dispatched"}
    )
    assert bad.status_code == 400 and "请填写出动的小组和地址" in bad.content.decode()


def test_a_safety_plan_is_given_to_the_seeker_and_stored_encrypted(personas: Personas) -> None:
    from xinyuan.contacts.models import Message
    from xinyuan.risk.models import SafetyPlan

    contact, _ = open_contact(personas.hotline_a, "最近很难熬")
    membership = on_duty(personas.counsellor, personas.hotline_a)
    contact_actions.do_accept(membership, contact.pk)
    with pytest.raises(ContactError):
        actions.do_share_safety_plan(membership, contact.pk, {"people": "  "})
    actions.do_share_safety_plan(
        membership,
        contact.pk,
        {"warning_signs": "整夜睡不着，开始想以后的事", "people": "姐姐 138xxxx", "unknown": "ignored"},
    )
    message = Message.objects.filter(contact=contact, sender="counsellor").last()
    assert message is not None and "姐姐 138xxxx" in message.body and "ignored" not in message.body
    assert actions.seeker_safety_plan(contact).startswith("我的安全计划")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sections_json FROM risk_safetyplan")
        assert "姐姐" not in cursor.fetchone()[0]
    assert SafetyPlan.objects.get(contact=contact).updated_by == personas.counsellor


def test_a_supervisor_joins_the_conversation_and_the_seeker_is_told(personas: Personas) -> None:
    from xinyuan.contacts import queries as contact_queries
    from xinyuan.contacts.models import Message

    contact, _ = open_contact(personas.hotline_a)
    membership = on_duty(personas.counsellor, personas.hotline_a)
    contact_actions.do_accept(membership, contact.pk)
    escalation = actions.do_raise_crisis(contact.pk, by=personas.counsellor, reason="说已经写好遗书")
    with pytest.raises(ContactError):
        actions.do_join_conversation(escalation.pk, personas.counsellor2)
    actions.do_join_conversation(escalation.pk, personas.supervisor)
    notice = Message.objects.filter(contact=contact, sender="system", staff_only=False).last()
    assert notice is not None and "督导" in notice.body
    supervisor = personas.hotline_a.memberships.get(user=personas.supervisor)
    assert contact_queries.writable_contact(supervisor, contact.pk).pk == contact.pk
    assert contact in contact_queries.counsellor_contacts(supervisor)
    with pytest.raises(Exception):  # noqa: B017, PT011  (ending and wrap-up stay the counsellor's: 404)
        contact_queries.held_contact(supervisor, contact.pk)
    assert AuditEvent.objects.filter(action="contact.supervisor_joined", actor=personas.supervisor).exists()
