"""The live monitor's WebSocket (docs/protocol.md, "Monitor"): a doorbell that the board changed,
and, for a contact being watched, its messages (whispers and staff notes included) as they come.

Thin: it listens to the groups whose announcements change the board and tells the page to fetch
the board again (the server renders it); the database stays the source of truth.
"""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name
from django.http import Http404

from xinyuan.contacts import actions as contact_actions
from xinyuan.contacts.consumers import BaseConsumer, RateLimit, bounded_int, db
from xinyuan.contacts.models import Contact, Message
from xinyuan.core.models import Membership
from xinyuan.supervision import actions, queries

# Announcements after which the set of groups to listen to may have changed.
REGROUP_ON = {"staff.queue", "contact.state", "counsellor.joined", "counsellor.taken_over"}


class MonitorConsumer(BaseConsumer):
    """A supervisor's live monitor of one hotline (supervisors and admins only)."""

    membership: Membership

    async def connect(self) -> None:
        membership = await self.staff_membership(queries.monitor_membership)
        if membership is None:
            return
        self.membership = membership
        self.groups_joined: set[str] = set()
        self.watched: dict[str, int] = {}  # contact id -> last seq sent
        self.limit = RateLimit()
        await self.regroup()
        await self.accept()
        await self.send_json({"type": "hello"})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", set()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def regroup(self) -> None:
        from xinyuan.contacts import events

        wanted = await db(queries.monitor_groups)(self.membership.hotline_id)
        wanted |= {events.contact_group(contact_id) for contact_id in self.watched}
        for group in wanted - self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        for group in self.groups_joined - wanted:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = wanted

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Announcements this consumer has no handler for (there are many kinds, and new ones come)
        all mean the same here: the board may have changed."""
        kind = message.get("type", "")
        if kind.startswith("websocket.") or hasattr(self, get_handler_name(message)):
            await super().dispatch(message)
            return
        await self.changed(kind)

    async def changed(self, kind: str) -> None:
        if kind in REGROUP_ON:
            await self.regroup()
        await self.send_json({"type": "changed"})

    # Client frames.

    async def on_ping(self, content: dict[str, Any]) -> None:
        for contact_id in list(self.watched):
            await self.replay(contact_id)
        await self.send_json({"type": "pong"})

    async def on_watch(self, content: dict[str, Any]) -> None:
        """Watch a contact silently: its messages after `last_seq`, then each new one (audited)."""
        contact: Contact = await db(queries.monitored_contact)(
            self.membership, str(content.get("contact")), via="monitor socket"
        )
        contact_id = str(contact.pk)
        self.watched[contact_id] = max(self.watched.get(contact_id, 0), bounded_int(content.get("last_seq")))
        await self.regroup()
        await self.replay(contact_id)

    async def on_whisper(self, content: dict[str, Any]) -> None:
        if not self.limit.allow():
            raise contact_actions.ContactError("rate_limited", "Sending too fast.")
        body, key = content.get("body"), content.get("key")
        message: Message = await db(actions.do_whisper)(
            self.membership,
            str(content.get("contact")),
            body if isinstance(body, str) else "",
            key=str(key or "")[:64],
        )
        await self.send_json(
            {"type": "ack", "contact": str(message.contact_id), "key": message.key, "seq": message.seq}
        )

    async def replay(self, contact_id: str) -> None:
        try:
            contact = await db(queries.contact_in)(self.membership.hotline, contact_id)
        except Http404:
            return
        for message in await db(queries.transcript)(contact, self.watched[contact_id]):
            await self.send_json(
                {"type": "message", "contact": contact_id, **contact_actions.message_data(message)}
            )
            self.watched[contact_id] = max(self.watched[contact_id], message.seq)

    # Announcements.

    async def contact_message(self, event: dict[str, Any]) -> None:
        contact_id = event["contact"]
        if contact_id not in self.watched:
            return  # another contact's words: not for the board
        seq = event["message"]["seq"]
        if seq <= self.watched[contact_id]:
            return
        if seq > self.watched[contact_id] + 1:
            await self.replay(contact_id)
            return
        self.watched[contact_id] = seq
        await self.send_json({"type": "message", "contact": contact_id, **event["message"]})

    async def contact_state(self, event: dict[str, Any]) -> None:
        data = event["staff"]
        if data["contact"] in self.watched:
            await self.send_json({"type": "contact", **data})
        await self.changed("contact.state")

    async def contact_typing(self, event: dict[str, Any]) -> None:
        if event["contact"] in self.watched:
            await self.send_json({"type": "typing", "contact": event["contact"], "side": event["side"]})

    async def contact_queue(self, event: dict[str, Any]) -> None:
        pass  # a seeker's own place in line; the board hears of the queue from `staff.queue`

    async def contact_instrument(self, event: dict[str, Any]) -> None:
        pass

    async def contact_safety_plan(self, event: dict[str, Any]) -> None:
        pass
