"""Regression tests for defects found in review: each fails without its fix."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from tests.conftest import Personas
from tests.contacts.helpers import fresh, on_duty, open_contact
from tests.contacts.test_consumers import ORIGIN, console_socket, receive_until, seeker_socket
from xinyuan.asgi import application
from xinyuan.contacts import actions
from xinyuan.contacts.actions import ContactError
from xinyuan.contacts.models import Contact, Sender, State, Status
from xinyuan.core import actions as core_actions
from xinyuan.risk import actions as risk_actions
from xinyuan.risk.models import Assessment, Escalation

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_removed_volunteer_is_never_offered_a_contact(personas: Personas) -> None:
    on_duty(personas.counsellor, personas.hotline_a)
    core_actions.do_set_roles(personas.hotline_a, personas.counsellor, [])
    contact, _ = open_contact(personas.hotline_a, "想聊聊")
    assert fresh(contact).state == State.QUEUED


def test_an_off_duty_counsellor_whose_console_died_loses_their_contacts_to_the_queue(
    personas: Personas,
) -> None:
    contact, _ = open_contact(personas.hotline_a)
    membership = on_duty(personas.counsellor, personas.hotline_a)
    actions.do_accept(membership, contact.pk)
    actions.do_set_status(membership, Status.OFF_DUTY)  # finishing the last chat of the shift
    now = timezone.now()
    actions.handle_disconnected_counsellors(now + timedelta(seconds=31))
    actions.handle_disconnected_counsellors(now + timedelta(seconds=120))
    assert fresh(contact).state == State.QUEUED and fresh(contact).front


def test_only_a_conversation_in_progress_can_be_ended_or_have_its_level_changed(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a)
    membership = on_duty(personas.counsellor, personas.hotline_a)
    assert fresh(contact).state == State.OFFERED
    with pytest.raises(ContactError):
        risk_actions.do_set_risk_level(membership, contact.pk, level="none", reason="looks fine")


def test_transfers_respect_skills_and_capacity(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a, "我想自杀")
    first = on_duty(personas.counsellor, personas.hotline_a, chat_limit=1)
    actions.do_accept(first, contact.pk)
    on_duty(personas.counsellor2, personas.hotline_a, crisis_trained=False)
    with pytest.raises(ContactError) as refused:
        actions.do_transfer(first, contact.pk, to_user_id=personas.counsellor2.pk)
    assert refused.value.code == "target"
    assert fresh(contact).counsellor == personas.counsellor


def test_a_missed_crisis_is_raised_by_the_worker(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a)
    Contact.objects.filter(pk=contact.pk).update(risk_level="imminent")  # as if the raise had been lost
    assert risk_actions.raise_missed_crises() == 1
    assert risk_actions.raise_missed_crises() == 0
    assert Escalation.objects.filter(contact=contact).count() == 1


def test_seekers_cannot_write_assessments_unasked_or_after_the_end(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a)
    with pytest.raises(ContactError):
        risk_actions.do_answer_instrument(contact.pk, "phq9", ["0"] * 9)
    risk_actions.do_request_instrument(contact.pk, "phq9")
    actions.do_end_contact(contact.pk, by="seeker")
    with pytest.raises(ContactError):
        risk_actions.do_answer_instrument(contact.pk, "phq9", ["0"] * 9)
    assert not Assessment.objects.filter(completed_at__isnull=False).exists()


def test_quick_exit_accepts_a_plain_text_beacon(personas: Personas) -> None:
    contact, token = open_contact(personas.hotline_a)
    response = Client().post("/api/contacts/quick-exit", f'{{"token": "{token}"}}', content_type="text/plain")
    assert response.status_code == 204
    assert fresh(contact).ended_by == "quick_exit"


@pytest.mark.asyncio
async def test_the_console_works_after_a_reconnect_without_accepting_again(personas: Personas) -> None:
    contact, _token = await sync_to_async(open_contact)(personas.hotline_a)
    membership = await sync_to_async(on_duty)(personas.counsellor, personas.hotline_a)
    await sync_to_async(actions.do_accept)(membership, contact.pk)
    console = await console_socket(personas.counsellor)
    await console.connect()
    await receive_until(console, "hello")
    await console.send_json_to({"type": "sync", "contacts": {}})
    await console.send_json_to(
        {"type": "message", "contact": str(contact.pk), "key": "after", "body": "我还在"}
    )
    assert (await receive_until(console, "ack"))["key"] == "after"
    await console.send_json_to({"type": "crisis", "contact": str(contact.pk), "reason": "提到了计划"})
    await console.send_json_to({"type": "heartbeat"})
    await receive_until(console, "heartbeat")
    assert await sync_to_async(Escalation.objects.filter(contact=contact).count)() == 1
    await console.disconnect()


@pytest.mark.asyncio
async def test_bad_frames_get_an_error_and_the_socket_stays_open(personas: Personas) -> None:
    _contact, token = await sync_to_async(open_contact)(personas.hotline_a)
    socket, _welcome = await seeker_socket(token, last_seq=10**30)
    await socket.send_to(text_data="{not json")
    assert (await receive_until(socket, "error"))["code"] == "bad_frame"
    await socket.send_to(text_data='{"type": "__init__"}')
    assert (await receive_until(socket, "error"))["code"] == "unknown_type"
    await socket.send_json_to({"type": "ping"})
    assert (await receive_until(socket, "pong")) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.asyncio
async def test_every_seeker_frame_is_rate_limited(personas: Personas) -> None:
    _contact, token = await sync_to_async(open_contact)(personas.hotline_a)
    socket, _welcome = await seeker_socket(token)
    for _ in range(15):
        await socket.send_json_to({"type": "typing"})
    codes: list[Any] = []
    for _ in range(15):
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == "error":
            codes.append(frame["code"])
        if "rate_limited" in codes:
            break
    assert "rate_limited" in codes
    await socket.disconnect()


@pytest.mark.asyncio
async def test_an_ended_conversation_is_not_replayed_to_the_browser(personas: Personas) -> None:
    contact, token = await sync_to_async(open_contact)(personas.hotline_a)
    await sync_to_async(actions.do_post_message)(contact.pk, sender=Sender.SEEKER, body="很私密的话")
    await sync_to_async(actions.do_end_contact)(contact.pk, by="seeker")
    socket = WebsocketCommunicator(application, "/ws/seeker/", headers=[ORIGIN])
    await socket.connect()
    await socket.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    welcome = await socket.receive_json_from(timeout=5)
    assert welcome["state"] == State.ABANDONED
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()
