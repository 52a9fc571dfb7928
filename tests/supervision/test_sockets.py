"""The monitor socket, whispers and take-overs at the protocol level (docs/protocol.md), with
Channels' communicator: a whisper reaches the counsellor's console and never the seeker's socket."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from tests.conftest import Personas
from tests.contacts.helpers import open_contact
from tests.supervision.helpers import active_contact
from xinyuan.asgi import application
from xinyuan.contacts import actions as contact_actions
from xinyuan.contacts.models import Contact
from xinyuan.core.models import AuditEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
ORIGIN = (b"origin", b"http://127.0.0.1")
WHISPER = "问问她身边有没有人陪着"


def session_cookie(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def staff_socket(user: Any, kind: str, slug: str = "line-a") -> WebsocketCommunicator:
    cookie = await sync_to_async(session_cookie)(user)
    return WebsocketCommunicator(application, f"/ws/{kind}/{slug}/", headers=[ORIGIN, (b"cookie", cookie)])


async def connected(user: Any, kind: str) -> WebsocketCommunicator:
    socket = await staff_socket(user, kind)
    ok, _code = await socket.connect()
    assert ok
    assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
    return socket


async def seeker_socket(token: str) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, "/ws/seeker/", headers=[ORIGIN])
    ok, _ = await socket.connect()
    assert ok
    await socket.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    assert (await socket.receive_json_from(timeout=5))["type"] == "welcome"
    return socket


async def receive_until(socket: WebsocketCommunicator, kind: str, **match: Any) -> dict[str, Any]:
    for _ in range(60):
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame
    raise AssertionError(f"no {kind} frame")


async def frames_until_pong(socket: WebsocketCommunicator) -> list[dict[str, Any]]:
    await socket.send_json_to({"type": "ping"})
    frames: list[dict[str, Any]] = []
    while True:
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == "pong":
            return frames
        frames.append(frame)


async def test_only_the_hotlines_supervisors_and_admins_open_the_monitor_socket(personas: Personas) -> None:
    anonymous = WebsocketCommunicator(application, "/ws/monitor/line-a/", headers=[ORIGIN])
    ok, code = await anonymous.connect()
    assert not ok and code == 4401
    for user in (personas.counsellor, personas.coordinator, personas.outsider):
        socket = await staff_socket(user, "monitor")
        ok, code = await socket.connect()
        assert not ok and code == 4404
    monitor = await connected(personas.supervisor, "monitor")
    await monitor.disconnect()


async def test_the_monitor_hears_when_a_contact_arrives(personas: Personas) -> None:
    contact_actions._refreshed_at.clear()  # the queue refresh is throttled per process
    monitor = await connected(personas.supervisor, "monitor")
    await sync_to_async(open_contact)(personas.hotline_a, "我最近睡不着")
    assert (await receive_until(monitor, "changed")) == {"type": "changed"}
    await monitor.disconnect()


async def test_a_whisper_reaches_the_counsellor_and_never_the_seeker(personas: Personas) -> None:
    contact, token = await sync_to_async(active_contact)(personas.hotline_a, personas.counsellor)
    contact_id = str(contact.pk)
    console = await connected(personas.counsellor, "console")
    await console.send_json_to({"type": "sync", "contacts": {}})
    await receive_until(console, "message", contact=contact_id, seq=contact.last_seq)
    seeker = await seeker_socket(token)
    await frames_until_pong(seeker)  # the seeker has everything so far

    monitor = await connected(personas.supervisor, "monitor")
    await monitor.send_json_to({"type": "watch", "contact": contact_id, "last_seq": 0})
    replayed = await receive_until(monitor, "message", contact=contact_id, seq=contact.last_seq)
    assert replayed["sender"] == "system"
    await monitor.send_json_to({"type": "whisper", "contact": contact_id, "key": "w1", "body": WHISPER})
    ack = await receive_until(monitor, "ack")
    whisper_seq = ack["seq"]
    assert ack == {"type": "ack", "contact": contact_id, "key": "w1", "seq": whisper_seq}

    shown = await receive_until(console, "message", contact=contact_id, seq=whisper_seq)
    assert shown["body"] == WHISPER and shown["staff_only"] is True and shown["sender"] == "supervisor"
    watched = await receive_until(monitor, "message", contact=contact_id, seq=whisper_seq)
    assert watched["body"] == WHISPER

    # The seeker: nothing of the whisper, not even after asking for what was missed.
    assert all(WHISPER not in str(frame) for frame in await frames_until_pong(seeker))
    await console.send_json_to({"type": "message", "contact": contact_id, "key": "c1", "body": "我在听"})
    after = await receive_until(seeker, "message")
    assert after["seq"] == whisper_seq + 1 and after["body"] == "我在听"  # the whisper's seq was skipped
    again = WebsocketCommunicator(application, "/ws/seeker/", headers=[ORIGIN])  # a reload replays all
    await again.connect()
    await again.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    assert all(WHISPER not in str(frame) for frame in await frames_until_pong(again))

    watched_events = await sync_to_async(
        lambda: list(AuditEvent.objects.filter(actor=personas.supervisor).values_list("action", flat=True))
    )()
    assert "contact.monitored" in watched_events and "contact.whisper" in watched_events
    for socket in (again, seeker, console, monitor):
        await socket.disconnect()


async def test_watching_another_hotlines_contact_is_refused(personas: Personas) -> None:
    contact, _token = await sync_to_async(active_contact)(personas.hotline_a, personas.counsellor)
    outsider = await staff_socket(personas.outsider, "monitor", slug="line-b")
    ok, _ = await outsider.connect()
    assert ok
    await outsider.receive_json_from(timeout=5)
    for frame in (
        {"type": "watch", "contact": str(contact.pk), "last_seq": 0},
        {"type": "whisper", "contact": str(contact.pk), "key": "x", "body": "hi"},
        {"type": "watch", "contact": "not-a-uuid"},
    ):
        await outsider.send_json_to(frame)
        assert (await receive_until(outsider, "error"))["code"] == "not_found"
    await outsider.disconnect()


async def test_take_over_moves_the_conversation_between_consoles(personas: Personas) -> None:
    from xinyuan.core.models import Membership
    from xinyuan.supervision import actions

    contact, token = await sync_to_async(active_contact)(personas.hotline_a, personas.counsellor)
    contact_id = str(contact.pk)
    console = await connected(personas.counsellor, "console")
    await console.send_json_to({"type": "sync", "contacts": {}})
    await receive_until(console, "message", contact=contact_id, seq=contact.last_seq)
    supervisor_console = await connected(personas.supervisor, "console")
    seeker = await seeker_socket(token)

    membership = await sync_to_async(
        lambda: Membership.objects.select_related("hotline", "user").get(
            user=personas.supervisor, hotline=personas.hotline_a
        )
    )()
    await sync_to_async(actions.do_take_over)(membership, contact_id)

    told = await receive_until(console, "taken_over")
    assert told == {"type": "taken_over", "contact": contact_id, "by": "Supervisor-A"}
    await receive_until(console, "released", contact=contact_id)
    mine = await receive_until(supervisor_console, "contact", contact=contact_id)
    assert mine["counsellor_id"] == personas.supervisor.pk and mine["state"] == "active"
    notice = await receive_until(seeker, "message")
    assert notice["sender"] == "system" and "Supervisor-A" not in notice["body"]  # neutral for the seeker

    await supervisor_console.send_json_to(
        {"type": "message", "contact": contact_id, "key": "s1", "body": "你好，我接着陪你聊"}
    )
    await receive_until(supervisor_console, "ack", contact=contact_id)
    reply = await receive_until(seeker, "message", body="你好，我接着陪你聊")
    assert reply["sender"] == "counsellor"
    await console.send_json_to({"type": "message", "contact": contact_id, "key": "c9", "body": "还在吗"})
    assert (await receive_until(console, "error"))["code"] == "not_found"  # no longer theirs
    saved = await sync_to_async(Contact.objects.get)(pk=contact.pk)
    assert saved.counsellor_id == personas.supervisor.pk
    for socket in (seeker, supervisor_console, console):
        await socket.disconnect()
