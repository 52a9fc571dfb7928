"""WebSocket consumers for the seeker's chat and the counsellor's console (docs/protocol.md).

Thin: parse, check access, call an action, forward announcements. Every message a client gets
carries its `seq`; a consumer never forwards a seq twice, and fills a gap from the database.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from xinyuan.contacts import actions, events, queries
from xinyuan.contacts.models import OPEN_STATES, Contact, Message, Sender, State
from xinyuan.core.models import Membership
from xinyuan.core.permissions import two_factor_required
from xinyuan.core.roles import Role

db = database_sync_to_async
log = logging.getLogger("xinyuan.contacts")

# Per connection: at most this many messages a second on average, in bursts of at most BURST.
RATE = 5.0
BURST = 10.0
SEEN_EVERY = 15.0


class RateLimit:
    def __init__(self) -> None:
        self.tokens = BURST
        self.at = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(BURST, self.tokens + (now - self.at) * RATE)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _seeker_message(message: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", **{k: v for k, v in message.items() if k != "staff_only"}}


def bounded_int(value: Any) -> int:
    """A non-negative integer from a client, or 0 (no huge numbers into the database)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31 else 0


class BaseConsumer(AsyncJsonWebsocketConsumer):
    async def staff_membership(self, lookup: Callable[[str, Any], Membership | None]) -> Membership | None:
        """Admit a staff socket: signed in (else 4401), a member `lookup` accepts (else 4404, as pages
        answer 404), with the one-time code their roles need (else 4401). None once closed."""
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=4401)
            return None
        slug = self.scope["url_route"]["kwargs"]["hotline_slug"]
        membership = await db(lookup)(slug, user)
        if membership is None or await db(_two_factor_missing)(self.scope, membership):
            await self.close(code=4404 if membership is None else 4401)
            return None
        return membership

    async def error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        """A frame that is not JSON text is answered with an error, not by closing the socket."""
        try:
            content = json.loads(text_data) if text_data else None
        except ValueError:
            content = None
        try:
            await self.receive_json(content)
        except Exception:
            # Never the frame itself in the log: it may hold a seeker's words.
            log.exception("frame of type %s failed", type(content).__name__)
            await self.error("server_error", "Something went wrong; please try again.")

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("bad_frame", "Each frame is a JSON object with a 'type'.")
            return
        handler = getattr(self, "on_" + content["type"], None) if content["type"].isidentifier() else None
        if handler is None:
            await self.error("unknown_type", f"Unknown type {content['type']!r}.")
            return
        try:
            await handler(content)
        except actions.ContactError as problem:
            await self.error(
                problem.code, problem.message, key=content.get("key"), contact=content.get("contact")
            )
        except (Http404, Contact.DoesNotExist, ValueError, OverflowError):
            await self.error("not_found", "No such contact for you.", contact=content.get("contact"))


class SeekerConsumer(BaseConsumer):
    """One seeker's conversation. The first frame must be `hello` with the seeker's token."""

    contact_id: str | None = None
    last_seq = 0
    seen_at = 0.0

    async def connect(self) -> None:
        self.limit = RateLimit()
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.contact_id:
            await self.channel_layer.group_discard(events.contact_group(self.contact_id), self.channel_name)

    async def on_hello(self, content: dict[str, Any]) -> None:
        token = content.get("token")
        contact = await db(queries.contact_for_token)(token if isinstance(token, str) else "")
        if contact is None:
            await self.error("unknown_token", "This conversation is not known here.")
            await self.close(code=4404)
            return
        self.contact_id = str(contact.pk)
        await self.channel_layer.group_add(events.contact_group(self.contact_id), self.channel_name)
        await db(actions.do_seeker_seen)(self.contact_id)
        self.seen_at = time.monotonic()
        self.last_seq = bounded_int(content.get("last_seq"))
        welcome = {"type": "welcome", **actions.seeker_state(contact), "hotline": contact.hotline.name}
        if contact.state not in OPEN_STATES:
            # Over: say so, but do not replay the conversation to whoever holds this browser now.
            await self.send_json(welcome)
            return
        if contact.state == State.QUEUED:
            positions = await db(queries.queue_positions)(contact.hotline_id, timezone.now())
            position, wait = positions.get(self.contact_id, (None, None))
            welcome.update(position=position, estimated_wait_seconds=None if wait is None else int(wait))
        await self.send_json(welcome)
        await self.replay(contact)
        for questionnaire in await db(_pending_questionnaires)(contact):
            await self.send_json(questionnaire)
        plan = await db(_safety_plan)(contact)
        if plan:
            await self.send_json({"type": "safety_plan", "text": plan})

    async def replay(self, contact: Contact) -> None:
        messages: list[Message] = await db(
            lambda: list(queries.messages_after(contact, self.last_seq, staff=False))
        )()
        for message in messages:
            await self.send_json(_seeker_message(actions.message_data(message)))
            self.last_seq = max(self.last_seq, message.seq)

    async def require_contact(self) -> str:
        if self.contact_id is None:
            raise actions.ContactError("hello_first", "Send hello with your token first.")
        return self.contact_id

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind not in ("hello", "ping") and not self.limit.allow():
            await self.error(
                "rate_limited", "You are sending too fast. Wait a moment.", key=content.get("key")
            )
            return
        await super().receive_json(content, **kwargs)

    async def on_message(self, content: dict[str, Any]) -> None:
        contact_id = await self.require_contact()
        body, key = content.get("body"), content.get("key")
        message, _created = await db(actions.do_post_message)(
            contact_id, sender=Sender.SEEKER, body=body if isinstance(body, str) else "", key=str(key or "")
        )
        await self.send_json({"type": "ack", "key": message.key, "seq": message.seq})

    async def on_typing(self, content: dict[str, Any]) -> None:
        contact_id = await self.require_contact()
        await self.channel_layer.group_send(
            events.contact_group(contact_id),
            {"type": "contact.typing", "contact": contact_id, "side": "seeker"},
        )

    async def on_end(self, content: dict[str, Any]) -> None:
        contact_id = await self.require_contact()
        await db(actions.do_end_contact)(contact_id, by="seeker")

    async def on_instrument_request(self, content: dict[str, Any]) -> None:
        """The seeker asks for a questionnaire to answer while waiting."""
        from xinyuan.risk import actions as risk_actions

        contact_id = await self.require_contact()
        await db(risk_actions.do_request_instrument)(contact_id, str(content.get("instrument")))

    async def on_assessment(self, content: dict[str, Any]) -> None:
        from xinyuan.risk import actions as risk_actions

        contact_id = await self.require_contact()
        answers = content.get("answers")
        assessment = await db(risk_actions.do_answer_instrument)(
            contact_id, str(content.get("instrument")), answers if isinstance(answers, list) else []
        )
        await self.send_json({"type": "assessment_saved", "instrument": assessment.instrument})

    async def on_ping(self, content: dict[str, Any]) -> None:
        contact_id = await self.require_contact()
        if time.monotonic() - self.seen_at > SEEN_EVERY:
            self.seen_at = time.monotonic()
            await db(actions.do_seeker_seen)(contact_id)
        # A dropped announcement is noticed here at the latest: send what is missing.
        contact = await db(Contact.objects.get)(pk=contact_id)
        if contact.last_seq > self.last_seq:
            await self.replay(contact)
        await self.send_json({"type": "pong"})

    # Announcements from the channel layer.

    async def contact_message(self, event: dict[str, Any]) -> None:
        message = event["message"]
        seq = message["seq"]
        if seq <= self.last_seq:
            return
        if seq > self.last_seq + 1:
            contact = await db(Contact.objects.get)(pk=self.contact_id)
            await self.replay(contact)
            return
        self.last_seq = seq
        if not message["staff_only"]:
            await self.send_json(_seeker_message(message))

    async def contact_state(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "state", **event["seeker"]})

    async def contact_typing(self, event: dict[str, Any]) -> None:
        if event["side"] == "counsellor":
            await self.send_json({"type": "typing"})

    async def contact_queue(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "queue",
                "position": event["position"],
                "estimated_wait_seconds": event["estimated_wait_seconds"],
            }
        )

    async def contact_instrument(self, event: dict[str, Any]) -> None:
        await self.send_json({k: v for k, v in event.items() if k != "type"} | {"type": "instrument"})

    async def contact_safety_plan(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "safety_plan", "text": event["text"]})


def _safety_plan(contact: Contact) -> str:
    from xinyuan.risk.actions import seeker_safety_plan

    return seeker_safety_plan(contact)


def _pending_questionnaires(contact: Contact) -> list[dict[str, Any]]:
    from xinyuan.risk.actions import seeker_questionnaire
    from xinyuan.risk.models import Assessment

    pending = Assessment.objects.filter(contact=contact, completed_at__isnull=True).select_related("contact")
    return [seeker_questionnaire(assessment) for assessment in pending]


def _offers_for(membership: Membership) -> list[dict[str, Any]]:
    offered = queries.counsellor_contacts(membership).filter(state=State.OFFERED)
    return [actions.staff_contact(contact) for contact in offered]


def _two_factor_missing(scope: dict[str, Any], membership: Membership) -> bool:
    return two_factor_required(membership) and not scope["session"].get(DEVICE_ID_SESSION_KEY)


class ConsoleConsumer(BaseConsumer):
    """A counsellor's console in one hotline: status, offers, their conversations, the queue."""

    membership: Membership

    async def connect(self) -> None:
        membership = await self.staff_membership(queries.console_membership)
        if membership is None:
            return
        self.membership = membership
        self.is_supervisor = membership.has_role(Role.SUPERVISOR)
        self.last_seqs: dict[str, int] = {}
        self.limit = RateLimit()
        layer = self.channel_layer
        await layer.group_add(
            events.member_group(membership.hotline_id, membership.user_id), self.channel_name
        )
        await layer.group_add(events.staff_group(membership.hotline_id), self.channel_name)
        await self.accept()
        await db(actions.do_heartbeat)(membership)
        await self.send_json(await db(self.hello)())

    def hello(self) -> dict[str, Any]:
        state = actions.counsellor_state(self.membership)
        contacts = [actions.staff_contact(c) for c in queries.counsellor_contacts(self.membership)]
        return {
            "type": "hello",
            "status": state.status,
            "chat_limit": state.chat_limit,
            "supervisor": self.is_supervisor,
            "contacts": contacts,
            "queue": queries.queue_overview(self.membership.hotline_id, timezone.now()),
        }

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "membership"):
            return
        layer = self.channel_layer
        await layer.group_discard(
            events.member_group(self.membership.hotline_id, self.membership.user_id), self.channel_name
        )
        await layer.group_discard(events.staff_group(self.membership.hotline_id), self.channel_name)
        for contact_id in list(self.last_seqs):
            await layer.group_discard(events.contact_group(contact_id), self.channel_name)

    async def follow(self, contact_id: str, last_seq: int) -> None:
        """Subscribe to a contact on this console and send what it has not seen yet."""
        contact = await db(queries.writable_contact)(self.membership, contact_id)
        if contact_id not in self.last_seqs:
            await self.channel_layer.group_add(events.contact_group(contact_id), self.channel_name)
        self.last_seqs[contact_id] = max(self.last_seqs.get(contact_id, 0), last_seq)
        await self.replay(contact)

    async def replay(self, contact: Contact) -> None:
        contact_id = str(contact.pk)
        after = self.last_seqs.get(contact_id, 0)
        messages: list[Message] = await db(lambda: list(queries.messages_after(contact, after, staff=True)))()
        for message in messages:
            await self.send_json({"type": "message", "contact": contact_id, **actions.message_data(message)})
            self.last_seqs[contact_id] = max(self.last_seqs[contact_id], message.seq)

    async def unfollow(self, contact_id: str) -> None:
        if self.last_seqs.pop(contact_id, None) is not None:
            await self.channel_layer.group_discard(events.contact_group(contact_id), self.channel_name)

    async def on_sync(self, content: dict[str, Any]) -> None:
        """The console says which messages it has; it gets the rest of every contact it holds."""
        known = content.get("contacts")
        if not isinstance(known, dict):
            known = {}
        held = await db(lambda: [str(c.pk) for c in queries.counsellor_contacts(self.membership)])()
        for contact_id in held:
            await self.follow(contact_id, bounded_int(known.get(contact_id, 0)))

    async def on_heartbeat(self, content: dict[str, Any]) -> None:
        still = await db(queries.console_membership)(self.membership.hotline.slug, self.membership.user)
        if still is None:  # removed from the hotline or its console roles since connecting
            await self.close(code=4404)
            return
        await db(actions.do_heartbeat)(self.membership)
        # An open console is activity: keep the staff session alive (wrap-up posts need it).
        session = self.scope.get("session")
        if session is not None and session.session_key:
            if not await db(session.exists)(session.session_key):  # signed out or ended elsewhere
                await self.close(code=4401)
                return
            await db(session.save)()
        for contact_id, last_seq in list(self.last_seqs.items()):
            contact = await db(Contact.objects.get)(pk=contact_id)
            if contact.last_seq > last_seq:
                await self.replay(contact)
        # An offer announced while this console's channel was full is shown now (it ignores repeats).
        for offer in await db(_offers_for)(self.membership):
            await self.send_json({"type": "offer", **offer})
        await self.send_json({"type": "heartbeat"})

    async def on_status(self, content: dict[str, Any]) -> None:
        await db(actions.do_set_status)(self.membership, str(content.get("status")))

    async def on_accept(self, content: dict[str, Any]) -> None:
        contact = await db(actions.do_accept)(self.membership, str(content.get("contact")))
        # Announced before this console joined the contact's group: tell it directly.
        await self.send_json({"type": "contact", **(await db(actions.staff_contact)(contact))})
        await self.follow(str(contact.pk), self.last_seqs.get(str(contact.pk), 0))

    async def on_decline(self, content: dict[str, Any]) -> None:
        await db(actions.do_decline)(self.membership, str(content.get("contact")))

    async def on_message(self, content: dict[str, Any]) -> None:
        if not self.limit.allow():
            raise actions.ContactError("rate_limited", "Sending too fast.")
        contact = await db(queries.writable_contact)(self.membership, str(content.get("contact")))
        body, key = content.get("body"), content.get("key")
        joined = contact.counsellor_id != self.membership.user_id
        message, _created = await db(actions.do_post_message)(
            contact.pk,
            sender=Sender.SUPERVISOR if joined else Sender.COUNSELLOR,
            body=body if isinstance(body, str) else "",
            key=str(key or ""),
            author=self.membership.user,
        )
        await self.send_json(
            {"type": "ack", "contact": str(contact.pk), "key": message.key, "seq": message.seq}
        )

    async def on_typing(self, content: dict[str, Any]) -> None:
        contact = await db(queries.writable_contact)(self.membership, str(content.get("contact")))
        await self.channel_layer.group_send(
            events.contact_group(contact.pk),
            {"type": "contact.typing", "contact": str(contact.pk), "side": "counsellor"},
        )

    async def on_end(self, content: dict[str, Any]) -> None:
        contact = await db(queries.held_contact)(self.membership, str(content.get("contact")))
        if contact.state != State.ACTIVE:
            raise actions.ContactError("not_active", "Only a conversation in progress can be ended here.")
        await db(actions.do_end_contact)(contact.pk, by="counsellor", actor=self.membership.user)

    async def on_transfer(self, content: dict[str, Any]) -> None:
        to = content.get("to")
        note = content.get("note")
        await db(actions.do_transfer)(
            self.membership,
            str(content.get("contact")),
            to_user_id=bounded_int(to) or None,
            note=note if isinstance(note, str) else "",
        )
        await self.unfollow(str(content.get("contact")))

    async def on_help(self, content: dict[str, Any]) -> None:
        await db(actions.do_request_help)(self.membership, str(content.get("contact")))

    async def on_instrument(self, content: dict[str, Any]) -> None:
        """Send a questionnaire (PHQ-9, GAD-7) to the seeker."""
        from xinyuan.risk import actions as risk_actions

        await db(risk_actions.do_request_instrument)(
            str(content.get("contact")), str(content.get("instrument")), by=self.membership
        )

    async def on_assessment(self, content: dict[str, Any]) -> None:
        """The counsellor's own assessment (C-SSRS, the 0–100 ratings)."""
        from xinyuan.risk import actions as risk_actions

        answers, recency = content.get("answers"), content.get("recency")
        await db(risk_actions.do_answer_instrument)(
            str(content.get("contact")),
            str(content.get("instrument")),
            answers if isinstance(answers, list) else [],
            recency=recency if isinstance(recency, str) else "",
            counsellor=self.membership,
        )

    async def on_safety_plan(self, content: dict[str, Any]) -> None:
        """Give the seeker the safety plan built with them."""
        from xinyuan.risk import actions as risk_actions

        sections = content.get("sections")
        await db(risk_actions.do_share_safety_plan)(
            self.membership, str(content.get("contact")), sections if isinstance(sections, dict) else {}
        )

    async def on_crisis(self, content: dict[str, Any]) -> None:
        """The counsellor raises a crisis on a contact they hold."""
        from xinyuan.risk import actions as risk_actions

        contact = await db(queries.held_contact)(self.membership, str(content.get("contact")))
        if contact.state not in (State.ACTIVE, State.WRAP_UP):
            raise actions.ContactError("not_active", "Only a conversation in progress can be escalated.")
        reason = content.get("reason")
        await db(risk_actions.do_raise_crisis)(
            contact.pk, by=self.membership.user, reason=reason if isinstance(reason, str) else ""
        )

    async def on_risk(self, content: dict[str, Any]) -> None:
        """The counsellor sets the risk level, with a reason."""
        from xinyuan.risk import actions as risk_actions

        level, reason = content.get("level"), content.get("reason")
        await db(risk_actions.do_set_risk_level)(
            self.membership,
            str(content.get("contact")),
            level=level if isinstance(level, str) else "",
            reason=reason if isinstance(reason, str) else "",
        )

    # Announcements from the channel layer.

    async def counsellor_offer(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "offer", **event["offer"]})

    async def counsellor_offer_withdrawn(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "offer_withdrawn", "contact": event["contact"]})

    async def counsellor_released(self, event: dict[str, Any]) -> None:
        await self.unfollow(event["contact"])
        await self.send_json({"type": "released", "contact": event["contact"]})

    async def counsellor_joined(self, event: dict[str, Any]) -> None:
        """This supervisor joined a conversation: show it on their console."""
        try:
            contact = await db(queries.writable_contact)(self.membership, event["contact"])
        except Http404:
            return  # the conversation ended meanwhile
        await self.send_json({"type": "contact", **(await db(actions.staff_contact)(contact))})
        await self.follow(event["contact"], 0)

    async def counsellor_status(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "status", "status": event["status"]})

    async def counsellor_taken_over(self, event: dict[str, Any]) -> None:
        """A supervisor took this counsellor's conversation over: it leaves their console."""
        await self.unfollow(event["contact"])
        await self.send_json({"type": "taken_over", "contact": event["contact"], "by": event["by"]})

    async def contact_message(self, event: dict[str, Any]) -> None:
        contact_id = event["contact"]
        if contact_id not in self.last_seqs:
            return
        seq = event["message"]["seq"]
        if seq <= self.last_seqs[contact_id]:
            return
        if seq > self.last_seqs[contact_id] + 1:
            contact = await db(Contact.objects.get)(pk=contact_id)
            await self.replay(contact)
            return
        self.last_seqs[contact_id] = seq
        await self.send_json({"type": "message", "contact": contact_id, **event["message"]})

    async def contact_state(self, event: dict[str, Any]) -> None:
        data = event["staff"]
        joined_only = data["counsellor_id"] != self.membership.user_id
        if joined_only and data["joined_by"] != self.membership.user_id and data["state"] == State.ACTIVE:
            # Someone else holds it now (a supervisor took it over): no longer on this console.
            await self.unfollow(data["contact"])
            await self.send_json({"type": "released", "contact": data["contact"]})
            return
        if joined_only and data["state"] != State.ACTIVE:
            # A supervisor who joined leaves with the conversation; the record is the counsellor's.
            await self.unfollow(data["contact"])
            await self.send_json({"type": "released", "contact": data["contact"]})
            return
        await self.send_json({"type": "contact", **data})
        if data["state"] in (State.QUEUED, State.CLOSED, State.ABANDONED):
            await self.unfollow(data["contact"])

    async def contact_typing(self, event: dict[str, Any]) -> None:
        if event["side"] == "seeker":
            await self.send_json({"type": "typing", "contact": event["contact"]})

    async def contact_queue(self, event: dict[str, Any]) -> None:
        pass  # seekers' positions are for seekers

    async def contact_instrument(self, event: dict[str, Any]) -> None:
        pass  # the questionnaire is for the seeker; its result comes as a contact update

    async def contact_safety_plan(self, event: dict[str, Any]) -> None:
        pass  # the plan is in the transcript already

    async def staff_queue(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "queue", **{k: v for k, v in event.items() if k != "type"}})

    async def crisis_alert(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "crisis", **{k: v for k, v in event.items() if k != "type"}})

    async def staff_risk_raised(self, event: dict[str, Any]) -> None:
        if self.is_supervisor or event["contact"] in self.last_seqs:
            await self.send_json({"type": "risk_raised", **{k: v for k, v in event.items() if k != "type"}})

    async def staff_help_requested(self, event: dict[str, Any]) -> None:
        if self.is_supervisor:
            await self.send_json(
                {"type": "help_requested", **{k: v for k, v in event.items() if k != "type"}}
            )


class CrisisConsumer(BaseConsumer):
    """The crisis board of supervisors and crisis responders: alerts and changes, pushed."""

    async def connect(self) -> None:
        from xinyuan.risk.actions import RESPONDER_ROLES

        def responder(slug: str, user: Any) -> Membership | None:
            membership = (
                Membership.objects.select_related("hotline")
                .filter(hotline__slug=slug, user_id=user.pk, is_active=True)
                .first()
            )
            return membership if membership and membership.has_role(*RESPONDER_ROLES) else None

        membership = await self.staff_membership(responder)
        if membership is None:
            return
        self.groups_joined = [
            events.member_group(membership.hotline_id, membership.user_id),
            events.crisis_group(membership.hotline_id),
        ]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def crisis_alert(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "crisis", **{k: v for k, v in event.items() if k != "type"}})

    async def crisis_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "changed", **{k: v for k, v in event.items() if k != "type"}})

    # Frames also sent to the member group that the board has no use for.
    async def counsellor_offer(self, event: dict[str, Any]) -> None:
        pass

    async def counsellor_offer_withdrawn(self, event: dict[str, Any]) -> None:
        pass

    async def counsellor_released(self, event: dict[str, Any]) -> None:
        pass

    async def counsellor_status(self, event: dict[str, Any]) -> None:
        pass

    async def counsellor_joined(self, event: dict[str, Any]) -> None:
        pass

    async def counsellor_taken_over(self, event: dict[str, Any]) -> None:
        pass
