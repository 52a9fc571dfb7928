"""Both WebSocket consumers at the protocol level (docs/protocol.md), with Channels' communicator."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from tests.conftest import Personas
from tests.contacts.helpers import open_contact
from xinyuan.asgi import application
from xinyuan.contacts.models import Contact, Message, State
from xinyuan.core.roles import Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
ORIGIN = (b"origin", b"http://127.0.0.1")


async def seeker_socket(token: str, last_seq: int = 0) -> tuple[WebsocketCommunicator, dict[str, Any]]:
    socket = WebsocketCommunicator(application, "/ws/seeker/", headers=[ORIGIN])
    connected, _ = await socket.connect()
    assert connected
    await socket.send_json_to({"type": "hello", "token": token, "last_seq": last_seq})
    return socket, await socket.receive_json_from(timeout=5)


def session_cookie(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def console_socket(user: Any, slug: str = "line-a") -> WebsocketCommunicator:
    cookie = await sync_to_async(session_cookie)(user)
    return WebsocketCommunicator(application, f"/ws/console/{slug}/", headers=[ORIGIN, (b"cookie", cookie)])


async def receive_until(socket: WebsocketCommunicator, kind: str, **match: Any) -> dict[str, Any]:
    """Frames of other kinds (queue updates, state changes …) may come first."""
    for _ in range(50):
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame
    raise AssertionError(f"no {kind} frame")


async def test_an_unknown_token_is_refused(personas: Personas) -> None:
    socket, frame = await seeker_socket("not-a-token")
    assert frame == {"type": "error", "code": "unknown_token", "message": frame["message"]}
    assert (await socket.receive_output(timeout=5))["type"] == "websocket.close"


async def test_seeker_messages_are_acknowledged_once_and_replayed_after_last_seq(personas: Personas) -> None:
    contact, token = await sync_to_async(open_contact)(personas.hotline_a, "想找人说说话")
    socket, welcome = await seeker_socket(token)
    assert welcome["type"] == "welcome" and welcome["state"] == State.QUEUED and welcome["position"] == 1
    await socket.send_json_to({"type": "message", "key": "k1", "body": "<b>你好</b>"})
    ack = await receive_until(socket, "ack")
    assert ack == {"type": "ack", "key": "k1", "seq": 1}
    echoed = await receive_until(socket, "message")
    assert echoed["seq"] == 1 and echoed["body"] == "<b>你好</b>" and "staff_only" not in echoed
    await socket.send_json_to({"type": "message", "key": "k1", "body": "<b>你好</b>"})  # resent after a drop
    assert await receive_until(socket, "ack") == {"type": "ack", "key": "k1", "seq": 1}
    await socket.send_json_to({"type": "message", "key": "k2", "body": "还在吗"})
    assert (await receive_until(socket, "ack"))["seq"] == 2
    await socket.disconnect()
    assert await sync_to_async(Message.objects.filter(contact=contact).count)() == 2

    again, welcome = await seeker_socket(token, last_seq=1)
    assert welcome["type"] == "welcome"
    replayed = await receive_until(again, "message")
    assert (replayed["seq"], replayed["body"]) == (2, "还在吗")
    await again.send_json_to({"type": "message", "key": "k3", "body": "x" * 2001})
    error = await receive_until(again, "error")
    assert error["code"] == "too_long" and error["key"] == "k3"
    await again.disconnect()


async def test_a_console_needs_a_signed_in_member(personas: Personas) -> None:
    anonymous = WebsocketCommunicator(application, "/ws/console/line-a/", headers=[ORIGIN])
    connected, code = await anonymous.connect()
    assert not connected and code == 4401
    outsider = await console_socket(personas.outsider)
    connected, code = await outsider.connect()
    assert not connected and code == 4404
    coordinator = await console_socket(personas.coordinator)  # not a counsellor
    connected, code = await coordinator.connect()
    assert not connected and code == 4404


async def test_a_console_without_the_required_one_time_code_is_refused(personas: Personas) -> None:
    personas.hotline_a.two_factor_roles = [Role.SUPERVISOR]
    await sync_to_async(personas.hotline_a.save)()
    socket = await console_socket(personas.supervisor)
    connected, code = await socket.connect()
    assert not connected and code == 4401


async def test_offer_accept_and_a_conversation_both_ways(personas: Personas) -> None:
    console = await console_socket(personas.counsellor)
    connected, _ = await console.connect()
    assert connected
    hello = await console.receive_json_from(timeout=5)
    assert hello["type"] == "hello" and hello["status"] == "off_duty" and hello["contacts"] == []
    await console.send_json_to({"type": "sync", "contacts": {}})
    await console.send_json_to({"type": "status", "status": "on_duty"})
    assert (await receive_until(console, "status"))["status"] == "on_duty"

    contact, token = await sync_to_async(open_contact)(
        personas.hotline_a, "最近总是失眠", population="student"
    )
    offer = await receive_until(console, "offer")
    assert offer["contact"] == str(contact.pk)
    assert offer["intake"] == {"population": "student"} and offer["intake_text"] == "最近总是失眠"
    assert offer["risk_level"] == "none" and offer["offer_expires_at"]

    seeker, _welcome = await seeker_socket(token)
    await seeker.send_json_to({"type": "message", "key": "s1", "body": "在吗"})
    await receive_until(seeker, "ack")
    await console.send_json_to({"type": "accept", "contact": str(contact.pk)})
    waiting_message = await receive_until(console, "message", contact=str(contact.pk), seq=1)
    assert waiting_message["body"] == "在吗"  # written while waiting, seen on accepting
    joined = await receive_until(console, "message", contact=str(contact.pk), seq=2)
    assert joined["sender"] == "system"

    await console.send_json_to({"type": "typing", "contact": str(contact.pk)})
    assert await receive_until(seeker, "typing") == {"type": "typing"}
    await console.send_json_to(
        {"type": "message", "contact": str(contact.pk), "key": "c1", "body": "我在，请说"}
    )
    assert (await receive_until(console, "ack"))["seq"] == 3
    received = await receive_until(seeker, "message", seq=3)
    assert received["sender"] == "counsellor" and received["body"] == "我在，请说"

    await seeker.send_json_to({"type": "end"})
    state = await receive_until(console, "contact", contact=str(contact.pk))
    while state["state"] != State.WRAP_UP:
        state = await receive_until(console, "contact", contact=str(contact.pk))
    assert (await receive_until(seeker, "state"))["state"] in {State.ACTIVE, State.WRAP_UP}
    saved = await sync_to_async(Contact.objects.get)(pk=contact.pk)
    assert saved.state == State.WRAP_UP and saved.ended_by == "seeker"
    await seeker.disconnect()
    await console.disconnect()


async def test_a_counsellor_cannot_touch_someone_elses_contact(personas: Personas) -> None:
    contact, _token = await sync_to_async(open_contact)(personas.hotline_a, "")
    console = await console_socket(personas.counsellor2)
    await console.connect()
    await console.receive_json_from(timeout=5)
    for frame in (
        {"type": "accept", "contact": str(contact.pk)},
        {"type": "message", "contact": str(contact.pk), "key": "x", "body": "hi"},
        {"type": "end", "contact": str(contact.pk)},
        {"type": "accept", "contact": "not-a-uuid"},
    ):
        await console.send_json_to(frame)
        assert (await receive_until(console, "error"))["code"] == "not_found"
    assert (await sync_to_async(Contact.objects.get)(pk=contact.pk)).state == State.QUEUED
    await console.disconnect()


async def test_websockets_from_another_origin_are_refused(personas: Personas) -> None:
    socket = WebsocketCommunicator(application, "/ws/seeker/", headers=[(b"origin", b"https://evil.example")])
    connected, _ = await socket.connect()
    assert not connected
