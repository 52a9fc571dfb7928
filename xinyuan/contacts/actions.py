"""Every state change of a contact: one transaction each, audited where a person acts, announced
on the channel layer only after commit."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from xinyuan.contacts import events, intake, queries, routing
from xinyuan.contacts.models import (
    HOLDING_STATES,
    RISK_ORDER,
    Contact,
    CounsellorState,
    Message,
    RiskLevel,
    Seeker,
    Sender,
    State,
    Status,
)
from xinyuan.core import audit
from xinyuan.core.models import Hotline, Membership, User
from xinyuan.scheduling import duty
from xinyuan.volunteers.queries import duty_blockers

MAX_MESSAGE = 2000
# A counsellor whose console has not sent a heartbeat for this long is treated as disconnected.
HEARTBEAT_STALE = timedelta(seconds=30)
DISPATCH_BATCH = 500


class ContactError(Exception):
    """A request that cannot be carried out, with a message for the person who made it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Serialising for clients -------------------------------------------------------------------------


def message_data(message: Message) -> dict[str, Any]:
    return {
        "seq": message.seq,
        "sender": message.sender,
        "body": message.body,
        "at": message.created_at.isoformat(),
        "staff_only": message.staff_only,
        "key": message.key,
    }


def seeker_state(contact: Contact) -> dict[str, Any]:
    """The contact as the seeker may see it (no risk level, no staff notes)."""
    return {"contact": str(contact.pk), "state": contact.state, "ended_by": contact.ended_by}


def staff_contact(contact: Contact) -> dict[str, Any]:
    """The contact as its counsellor sees it: intake, risk and its evidence, assessments, timers."""
    from xinyuan.risk.models import Assessment

    return {
        "assessments": [
            a.as_dict() for a in Assessment.objects.filter(contact=contact, completed_at__isnull=False)
        ],
        "contact": str(contact.pk),
        "state": contact.state,
        "channel": contact.channel,
        "language": contact.language,
        "source": contact.source,
        "risk_level": contact.risk_level,
        "risk_evidence": contact.risk_evidence,
        "intake": contact.intake,
        "intake_text": contact.intake_text,
        "callback": contact.callback,
        "queued_at": contact.queued_at.isoformat() if contact.queued_at else None,
        "offer_expires_at": contact.offer_expires_at.isoformat() if contact.offer_expires_at else None,
        "help_requested": contact.help_requested_at is not None,
        "counsellor_id": contact.counsellor_id,
        "joined_by": contact.joined_by_id,
        "last_seq": contact.last_seq,
    }


def announce_contact(contact: Contact) -> None:
    """Tell the seeker and the counsellor what changed about the contact."""
    events.announce(
        events.contact_group(contact.pk),
        {"type": "contact.state", "seeker": seeker_state(contact), "staff": staff_contact(contact)},
    )


# When each hotline's queue was last refreshed in this process.
_refreshed_at: dict[int, float] = {}
REFRESH_EVERY = 1.0


def _announce_queue_changed(hotline_id: int) -> None:
    """Refresh waiting seekers' positions after a change, at most once a second per hotline (the
    worker refreshes every few seconds anyway); a burst of changes must not flood the consoles."""

    def refresh() -> None:
        now = time.monotonic()
        if now - _refreshed_at.get(hotline_id, float("-inf")) >= REFRESH_EVERY:
            _refreshed_at[hotline_id] = now
            refresh_queue(hotline_id)

    transaction.on_commit(refresh, robust=True)


# Risk ----------------------------------------------------------------------------------------------


def _assess(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The triage engine's level and evidence for `text` (none when the engine is not installed)."""
    try:
        from xinyuan.risk import triage
    except ImportError:
        return RiskLevel.NONE, []
    result = triage.classify(text)
    return result.level, [evidence.to_dict() for evidence in result.evidence]


def _raise_risk(contact: Contact, text: str, where: str) -> bool:
    """Raise (never lower) the contact's risk level from what the seeker wrote. After the caller's
    commit, supervisors on duty hear of the rise, and at `imminent` a crisis is raised."""
    if not text:
        return False
    level, evidence = _assess(text)
    if RISK_ORDER.index(RiskLevel(level)) <= RISK_ORDER.index(RiskLevel(contact.risk_level)):
        return False
    contact.risk_level = level
    contact.risk_evidence = [*contact.risk_evidence, {"where": where, "level": level, "evidence": evidence}]
    contact.priority_at = _priority_at(contact)
    events.announce(
        events.staff_group(contact.hotline_id),
        {
            "type": "staff.risk_raised",
            "contact": str(contact.pk),
            "risk_level": level,
            "evidence": evidence,
            "where": where,
        },
    )
    return True


def _engine_crisis(contact: Contact) -> None:
    """At `imminent` the engine raises a crisis in the same transaction as the rise, so it can
    never be lost between the two (called after the contact is saved)."""
    from xinyuan.risk import actions as risk_actions

    if contact.risk_level == RiskLevel.IMMINENT:
        where = contact.risk_evidence[-1]["where"] if contact.risk_evidence else "intake"
        risk_actions.do_raise_crisis(contact.pk, by=None, reason=f"triage engine: imminent ({where})")


def note_assessment(contact: Contact, result: dict[str, Any], *, author: User | None) -> None:
    """A scored questionnaire: a staff-only note in the transcript, and its level raises the contact's
    (called inside the transaction that stored it)."""
    flags = ", ".join(result["flags"])
    score = f"{result['score']}/{result['max_score']} " if result["score"] is not None else ""
    system_message(
        contact,
        f"{result['instrument'].upper()}: {score}{result['band']}" + (f" ({flags})" if flags else ""),
        staff_only=True,
        author=author,
    )
    level = result["risk_level"]
    if level and RISK_ORDER.index(RiskLevel(level)) > RISK_ORDER.index(RiskLevel(contact.risk_level)):
        contact.risk_level = level
        contact.risk_evidence = [
            *contact.risk_evidence,
            {"where": result["instrument"], "level": level, "evidence": []},
        ]
        contact.priority_at = _priority_at(contact)
        contact.save(update_fields=["risk_level", "risk_evidence", "priority_at"])
    announce_contact(contact)


def _priority_at(contact: Contact) -> datetime:
    queued = contact.queued_at or timezone.now()
    return queued - timedelta(seconds=queries.POLICY.head_start(contact.risk_level))  # type: ignore[arg-type]


# Seekers -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Opened:
    contact: Contact
    token: str
    resumed: bool


@transaction.atomic
def do_open_contact(
    hotline: Hotline,
    *,
    answers: dict[str, Any],
    language: str,
    consent_version: str,
    source: str = "",
    token: str = "",
    callback: bool = False,
    callback_phone: str = "",
    sensitive_consent: bool = True,
    guardian_consent: bool = False,
    now: datetime | None = None,
) -> Opened:
    """A seeker starts a conversation (or, with their token, comes back to their open one)."""
    now = now or timezone.now()
    if token:
        existing = queries.contact_for_token(token)
        if (
            existing
            and existing.hotline_id == hotline.pk
            and existing.state in (*HOLDING_STATES, State.QUEUED)
        ):
            return Opened(existing, token, resumed=True)
    from xinyuan.records import queries as record_queries  # records builds on contacts

    phone_hashes = record_queries.phone_hashes(callback_phone[:40]) if callback_phone else []
    block = record_queries.active_block(hotline, token=token, hashes=phone_hashes, now=now)
    if block is not None:
        raise ContactError("blocked", _blocked_message(hotline))
    if consent_version != hotline.consent_version:
        raise ContactError("consent", _("Please read and accept the consent notice first."))
    if not sensitive_consent:
        raise ContactError("consent", _("Please agree to the use of your sensitive personal information."))
    values, text, errors = intake.clean_answers(hotline.intake_fields, answers)
    if errors:
        raise ContactError(
            "intake", "; ".join(f"{key}: {message}" for key, message in sorted(errors.items()))
        )
    if values.get("age_band") == "under_14" and hotline.under_14_needs_guardian and not guardian_consent:
        raise ContactError(
            "guardian", _("If you are under 14, please ask a parent or guardian to agree, then tick the box.")
        )
    from xinyuan.core import queries as core_queries

    is_open = core_queries.hotline_is_open(hotline, now)
    if not is_open and not callback:
        raise ContactError("closed", _("The line is closed now. You can leave a message for a call-back."))
    if callback and not text:
        raise ContactError("intake", _("Please write a message for the call-back."))
    # A seeker who agreed to be remembered comes back as themselves; anyone else is new each time.
    seeker = record_queries.remembered_seeker(hotline, token)
    if seeker is None:
        token = secrets.token_urlsafe(32)
        seeker = Seeker.objects.create(hotline=hotline, token_hash=queries.token_hash(token))
    deferred = None
    if not is_open:
        from xinyuan.core.hours import next_opening

        # Waits for the next opening (a year if the hotline has no hours at all yet).
        deferred = next_opening(hotline.schedule(), now) or now + timedelta(days=365)
    contact = Contact(
        hotline=hotline,
        seeker=seeker,
        language=language if language in (hotline.languages or [language]) else hotline.languages[0],
        source=source[:40],
        intake=values,
        intake_text=text,
        specialty=intake.specialty_for(values),
        consent_version=consent_version,
        sensitive_consent=sensitive_consent,
        guardian_consent=guardian_consent,
        callback=callback,
        callback_phone=callback_phone[:40],
        callback_phone_hash=phone_hashes[0] if phone_hashes else "",
        deferred_until=deferred,
        queued_at=now,
        seeker_seen_at=now,
    )
    _raise_risk(contact, text, "intake")
    contact.priority_at = _priority_at(contact)
    contact.save()
    _engine_crisis(contact)
    _announce_queue_changed(hotline.pk)
    transaction.on_commit(lambda: dispatch(hotline.pk))
    return Opened(contact, token, resumed=False)


def _blocked_message(hotline: Hotline) -> str:
    """Kind and clear: we cannot chat now, and where help is."""
    resources = "; ".join(f"{r.name} {r.number}" for r in hotline.crisis_resources.all())
    message = _(
        "We cannot start a new conversation with you here for now. "
        "If you are in danger or need help now, please call one of these numbers."
    )
    return f"{message} {resources}".strip()


def do_seeker_seen(contact_id: UUID | str, now: datetime | None = None) -> None:
    Contact.objects.filter(pk=contact_id).update(seeker_seen_at=now or timezone.now())


# Messages ------------------------------------------------------------------------------------------


@transaction.atomic
def do_post_message(
    contact_id: UUID | str,
    *,
    sender: str,
    body: str,
    key: str = "",
    author: User | None = None,
    staff_only: bool = False,
) -> tuple[Message, bool]:
    """Store a message with the contact's next `seq`, then announce it. Returns (message, created).

    Re-sending with the same `key` returns the stored message and stores nothing new.
    """
    body = body.strip() if isinstance(body, str) else ""
    if not body:
        raise ContactError("empty", _("The message is empty."))
    if len(body) > MAX_MESSAGE:
        raise ContactError(
            "too_long", _("Messages can be at most %(count)d characters.") % {"count": MAX_MESSAGE}
        )
    if len(key) > 64:
        raise ContactError("bad_key", _("The message key is too long."))
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    if key:
        existing = Message.objects.filter(contact=contact, sender=sender, key=key).first()
        if existing is not None:
            return existing, False
    if contact.state not in (State.QUEUED, State.OFFERED, State.ACTIVE):
        raise ContactError("ended", _("This conversation has ended."))
    if sender == Sender.COUNSELLOR and contact.state != State.ACTIVE:
        raise ContactError("not_active", _("Accept the contact before writing."))
    contact.last_seq += 1
    message = Message.objects.create(
        contact=contact,
        seq=contact.last_seq,
        sender=sender,
        author=author,
        body=body,
        key=key,
        staff_only=staff_only,
    )
    fields = ["last_seq"]
    if sender == Sender.COUNSELLOR and contact.first_response_at is None:
        contact.first_response_at = message.created_at
        fields.append("first_response_at")
    risk_raised = sender == Sender.SEEKER and _raise_risk(contact, body, f"message {message.seq}")
    if risk_raised:
        fields += ["risk_level", "risk_evidence", "priority_at"]
    contact.save(update_fields=fields)
    if risk_raised:
        _engine_crisis(contact)
    events.announce(
        events.contact_group(contact.pk),
        {"type": "contact.message", "contact": str(contact.pk), "message": message_data(message)},
    )
    if risk_raised:
        announce_contact(contact)
        if contact.state == State.QUEUED:
            _announce_queue_changed(contact.hotline_id)
    return message, True


def system_message(
    contact: Contact, body: str, *, staff_only: bool = False, author: User | None = None
) -> None:
    """A notice in the transcript, in the contact's language (called inside a transaction)."""
    contact.last_seq += 1
    contact.save(update_fields=["last_seq"])
    message = Message.objects.create(
        contact=contact,
        seq=contact.last_seq,
        sender=Sender.SYSTEM,
        body=body,
        staff_only=staff_only,
        author=author,
    )
    events.announce(
        events.contact_group(contact.pk),
        {"type": "contact.message", "contact": str(contact.pk), "message": message_data(message)},
    )


# Counsellors ---------------------------------------------------------------------------------------


def counsellor_state(membership: Membership) -> CounsellorState:
    state, _created = CounsellorState.objects.get_or_create(
        membership=membership, defaults={"languages": list(membership.hotline.languages)}
    )
    return state


@transaction.atomic
def do_set_status(membership: Membership, status: str, *, now: datetime | None = None) -> CounsellorState:
    now = now or timezone.now()
    if status not in Status.values:
        raise ContactError("bad_status", _("Unknown status."))
    if status == Status.ON_DUTY and (blockers := duty_blockers(membership, now)):
        raise ContactError("duty_blocked", " ".join(blockers))  # the hotline's duty requirements
    state = counsellor_state(membership)
    state = CounsellorState.objects.select_for_update().get(pk=state.pk)
    if state.status != status:
        state.status = status
        state.status_since = now
        if status == Status.ON_DUTY:
            state.idle_since = now
    state.heartbeat_at = now
    state.disconnected_at = None
    state.save()
    audit.log("counsellor.status", actor=membership.user, hotline=membership.hotline, status=status)
    _announce_status(membership, state)
    if status == Status.ON_DUTY:
        transaction.on_commit(lambda: dispatch(membership.hotline_id))
    duty.record_status(membership, state.status, now)
    return state


def _announce_status(membership: Membership, state: CounsellorState) -> None:
    events.announce(
        events.member_group(membership.hotline_id, membership.user_id),
        {"type": "counsellor.status", "status": state.status},
    )


def do_heartbeat(membership: Membership, *, now: datetime | None = None) -> None:
    """The console is alive. A counsellor coming back within the grace period keeps their contacts."""
    now = now or timezone.now()
    updated = CounsellorState.objects.filter(membership=membership).update(
        heartbeat_at=now, disconnected_at=None
    )
    if not updated:
        counsellor_state(membership)


@transaction.atomic
def do_accept(membership: Membership, contact_id: UUID | str, *, now: datetime | None = None) -> Contact:
    now = now or timezone.now()
    contact = queries.held_contact_for_update(membership, contact_id)
    if contact.state != State.OFFERED:
        raise ContactError("not_offered", _("This contact is no longer offered to you."))
    contact.state = State.ACTIVE
    contact.answered_at = contact.answered_at or now
    contact.offer_expires_at = None
    contact.front = False
    contact.offered_to_supervisors = False
    contact.save()
    name = membership.user.display_name or membership.user.get_username()
    with override(contact.language):
        system_message(contact, _("A counsellor (%(name)s) has joined the conversation.") % {"name": name})
    audit.log("contact.accepted", actor=membership.user, hotline=contact.hotline, obj=contact)
    announce_contact(contact)
    _announce_queue_changed(contact.hotline_id)
    return contact


def _requeue(contact: Contact, *, front: bool, declined_by: int | None = None) -> None:
    """Back to the queue (inside a transaction); its original queued_at keeps its place by waiting time."""
    contact.state = State.QUEUED
    contact.counsellor = None
    contact.offered_at = None
    contact.offer_expires_at = None
    contact.front = contact.front or front
    if declined_by is not None and declined_by not in contact.declined_by:
        contact.declined_by = [*contact.declined_by, declined_by]
    contact.save()


@transaction.atomic
def do_decline(membership: Membership, contact_id: UUID | str) -> None:
    contact = queries.held_contact_for_update(membership, contact_id)
    if contact.state != State.OFFERED:
        raise ContactError("not_offered", _("This contact is no longer offered to you."))
    _withdraw_offer(contact, membership.user_id)
    _requeue(contact, front=False, declined_by=membership.user_id)
    audit.log("contact.declined", actor=membership.user, hotline=membership.hotline, obj=contact)
    announce_contact(contact)
    _announce_queue_changed(contact.hotline_id)
    transaction.on_commit(lambda: dispatch(contact.hotline_id))


def _withdraw_offer(contact: Contact, user_id: int) -> None:
    events.announce(
        events.member_group(contact.hotline_id, user_id),
        {"type": "counsellor.offer_withdrawn", "contact": str(contact.pk)},
    )


@transaction.atomic
def do_end_contact(
    contact_id: UUID | str, *, by: str, actor: User | None = None, now: datetime | None = None
) -> Contact:
    """End a conversation: a waiting seeker who leaves has abandoned; an active one goes to wrap-up."""
    now = now or timezone.now()
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    if contact.state in (State.QUEUED, State.OFFERED):
        if contact.counsellor_id:
            _withdraw_offer(contact, contact.counsellor_id)
        contact.state = State.ABANDONED
        contact.abandoned_at = now
        contact.counsellor = None
        contact.offer_expires_at = None
        _announce_queue_changed(contact.hotline_id)
    elif contact.state == State.ACTIVE:
        from xinyuan.risk import actions as risk_actions

        contact.state = State.WRAP_UP
        risk_actions.ensure_follow_up(contact, now)
        with override(contact.language):
            notice = {
                "seeker": _("The seeker has ended the conversation."),
                "quick_exit": _("The seeker left with the quick exit button."),
            }.get(by, _("The counsellor has ended the conversation."))
        system_message(contact, notice)
        transaction.on_commit(lambda: dispatch(contact.hotline_id))
    else:
        return contact
    contact.ended_at = now
    contact.ended_by = by
    contact.save()
    if actor is not None:
        audit.log("contact.ended", actor=actor, hotline=contact.hotline, obj=contact)
    announce_contact(contact)
    return contact


@transaction.atomic
def do_transfer(
    membership: Membership,
    contact_id: UUID | str,
    *,
    to_user_id: int | None,
    note: str = "",
    now: datetime | None = None,
) -> Contact:
    """Hand an active contact to another counsellor (offered to them) or to the supervisors (queued
    for them). A note makes it a warm transfer: the next counsellor reads it first."""
    now = now or timezone.now()
    contact = queries.held_contact_for_update(membership, contact_id)
    if contact.state != State.ACTIVE:
        raise ContactError("not_active", _("Only a contact in conversation can be transferred."))
    target: Membership | None = None
    if to_user_id is not None:
        candidates = queries.routable_states(contact.hotline_id).filter(membership__user_id=to_user_id)
        found = (
            candidates.exclude(membership__user_id=membership.user_id).values_list("pk", flat=True).first()
        )
        if found is None:
            raise ContactError("target", _("That counsellor is not on duty."))
        target_state = (
            CounsellorState.objects.select_for_update()
            .select_related("membership__hotline", "membership__user")
            .prefetch_related("membership__role_grants")
            .get(pk=found)
        )
        target = target_state.membership
        candidate = queries.as_routing_counsellor(target_state, queries.loads_of(contact.hotline_id))
        if routing.why_not(queries.as_routing_contact(contact), candidate) is not None:
            raise ContactError(
                "target",
                _("That counsellor cannot take this contact now (busy, or without the skills it needs)."),
            )
    if note.strip():
        system_message(contact, note.strip()[:MAX_MESSAGE], staff_only=True, author=membership.user)
    with override(contact.language):
        system_message(contact, _("You are being connected to another counsellor. Please stay."))
    if target is not None:
        contact.state = State.OFFERED
        contact.counsellor = target.user
        contact.offered_at = now
        contact.offer_expires_at = now + timedelta(seconds=contact.hotline.offer_seconds)
        contact.front = True
        contact.save()
        _offer_announce(contact, target.user_id)
    else:
        contact.offered_to_supervisors = True
        _requeue(contact, front=True)
        transaction.on_commit(lambda: dispatch(contact.hotline_id))
    audit.log(
        "contact.transferred",
        actor=membership.user,
        hotline=contact.hotline,
        obj=contact,
        to=to_user_id or "supervisors",
        warm=bool(note.strip()),
    )
    events.announce(
        events.member_group(contact.hotline_id, membership.user_id),
        {"type": "counsellor.released", "contact": str(contact.pk)},
    )
    announce_contact(contact)
    return contact


@transaction.atomic
def do_request_help(
    membership: Membership, contact_id: UUID | str, *, now: datetime | None = None
) -> Contact:
    contact = queries.held_contact_for_update(membership, contact_id)
    if contact.state != State.ACTIVE:
        raise ContactError("not_active", _("The conversation is not in progress."))
    contact.help_requested_at = now or timezone.now()
    contact.save(update_fields=["help_requested_at"])
    audit.log("contact.help_requested", actor=membership.user, hotline=membership.hotline, obj=contact)
    events.announce(
        events.staff_group(contact.hotline_id),
        {
            "type": "staff.help_requested",
            "contact": str(contact.pk),
            "counsellor": membership.user.display_name or membership.user.get_username(),
            "risk_level": contact.risk_level,
        },
    )
    _announce_queue_changed(contact.hotline_id)
    return contact


# Routing -------------------------------------------------------------------------------------------


def _offer_announce(contact: Contact, user_id: int) -> None:
    events.announce(
        events.member_group(contact.hotline_id, user_id),
        {"type": "counsellor.offer", "offer": staff_contact(contact)},
    )


def dispatch(hotline_id: int, *, now: datetime | None = None) -> list[tuple[str, str]]:
    """Offer waiting contacts to available counsellors by the routing policy.

    Rows are locked with FOR UPDATE SKIP LOCKED (PostgreSQL), so several processes may dispatch at
    once: a contact another process is offering, or a counsellor it is offering to, is skipped here.
    """
    now = now or timezone.now()
    if not queries.queued_contacts(hotline_id, now).exists():
        return []  # nobody waiting: nothing to lock or load
    with transaction.atomic():
        hotline = Hotline.objects.get(pk=hotline_id)
        routable_ids = list(queries.routable_states(hotline_id).values_list("pk", flat=True))
        states = list(
            CounsellorState.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("membership__hotline")
            .prefetch_related("membership__role_grants")
            .filter(pk__in=routable_ids, status=Status.ON_DUTY, disconnected_at__isnull=True)
        )
        if not states:
            return []
        waiting = list(
            queries.queued_contacts(hotline_id, now)
            .select_for_update(skip_locked=True, of=("self",))
            .annotate(
                tier=Case(
                    When(risk_level=RiskLevel.IMMINENT, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("tier", "-front", "priority_at")[:DISPATCH_BATCH]
        )
        if not waiting:
            return []
        loads = queries.loads_of(hotline_id)
        if hotline.record_before_next:
            # Counsellors with a record still to write take nothing new until it is written.
            writing = queries.counsellors_writing_records(hotline_id)
            states = [state for state in states if state.membership.user_id not in writing]
        counsellors = [queries.as_routing_counsellor(state, loads) for state in states]
        pairs = routing.assign(
            [queries.as_routing_contact(c) for c in waiting], counsellors, now.timestamp(), queries.POLICY
        )
        by_id = {str(c.pk): c for c in waiting}
        state_by_user = {str(s.membership.user_id): s for s in states}
        for contact_id, user_id in pairs:
            contact = by_id[contact_id]
            contact.state = State.OFFERED
            contact.counsellor_id = int(user_id)
            contact.offered_at = now
            contact.offer_expires_at = now + timedelta(seconds=hotline.offer_seconds)
            contact.save(update_fields=["state", "counsellor", "offered_at", "offer_expires_at"])
            state_by_user[user_id].idle_since = now
            state_by_user[user_id].save(update_fields=["idle_since"])
            _offer_announce(contact, int(user_id))
            announce_contact(contact)
        if pairs:
            _announce_queue_changed(hotline_id)
    return pairs


_last_sent: dict[str, tuple[int, int | None]] = {}


def refresh_queue(hotline_id: int, *, now: datetime | None = None) -> int:
    """Tell every waiting seeker their position and estimated wait (only those that changed), and
    the consoles the queue overview. One pass over the queue, not one per seeker."""
    now = now or timezone.now()
    positions = queries.queue_positions(hotline_id, now)
    for gone in [key for key in _last_sent if key not in positions]:
        del _last_sent[gone]  # answered or gone: if it comes back, it is told its place again
    updates: list[tuple[str, dict[str, Any]]] = []
    for contact_id, (position, wait) in positions.items():
        value = (position, None if wait is None else int(wait))
        if _last_sent.get(contact_id) == value:
            continue
        _last_sent[contact_id] = value
        updates.append(
            (
                events.contact_group(contact_id),
                {"type": "contact.queue", "position": position, "estimated_wait_seconds": value[1]},
            )
        )
    overview = {"type": "staff.queue", **queries.queue_overview(hotline_id, now)}
    events.send_many([*updates, (events.staff_group(hotline_id), overview)])
    sent = len(updates)
    return sent


# Timers (worker) -----------------------------------------------------------------------------------


def expire_offers(now: datetime | None = None) -> int:
    """Offers not accepted in time go back to the queue; their counsellor is paused."""
    now = now or timezone.now()
    count = 0
    for contact_id, user_id, hotline_id in Contact.objects.filter(
        state=State.OFFERED, offer_expires_at__lte=now
    ).values_list("pk", "counsellor_id", "hotline_id"):
        with transaction.atomic():
            # The conditional update claims the timer: only one worker wins it.
            claimed = Contact.objects.filter(
                pk=contact_id, state=State.OFFERED, offer_expires_at__lte=now
            ).update(state=State.QUEUED, counsellor=None, offered_at=None, offer_expires_at=None)
            if not claimed:
                continue
            count += 1
            contact = Contact.objects.get(pk=contact_id)
            if user_id is not None:
                contact.declined_by = [*contact.declined_by, user_id]
                contact.save(update_fields=["declined_by"])
                _withdraw_offer(contact, user_id)
                membership = Membership.objects.filter(hotline_id=hotline_id, user_id=user_id).first()
                state = CounsellorState.objects.filter(membership=membership, status=Status.ON_DUTY)
                if membership is not None and state.update(status=Status.PAUSED, status_since=now):
                    _announce_status(membership, CounsellorState.objects.get(membership=membership))
                    duty.close(membership, now)
            announce_contact(contact)
            transaction.on_commit(partial(dispatch, hotline_id))
    return count


def handle_disconnected_counsellors(now: datetime | None = None) -> int:
    """Counsellors whose console went silent: offers return at once; after the hotline's grace
    period, their conversations go back to the front of the queue with a note."""
    now = now or timezone.now()
    # Whatever their status: someone off duty may still be finishing a conversation.
    stale = CounsellorState.objects.filter(
        disconnected_at__isnull=True, heartbeat_at__lt=now - HEARTBEAT_STALE
    )
    for state in stale.select_related("membership"):
        if not CounsellorState.objects.filter(pk=state.pk, disconnected_at__isnull=True).update(
            disconnected_at=now
        ):
            continue
        membership = state.membership
        with transaction.atomic():
            for contact in Contact.objects.select_for_update().filter(
                hotline_id=membership.hotline_id, counsellor_id=membership.user_id, state=State.OFFERED
            ):
                _requeue(contact, front=False)
                announce_contact(contact)
            transaction.on_commit(partial(dispatch, membership.hotline_id))
    moved = 0
    for state in CounsellorState.objects.select_related("membership__hotline").filter(
        disconnected_at__isnull=False
    ):
        hotline = state.membership.hotline
        if state.disconnected_at and state.disconnected_at > now - timedelta(
            seconds=hotline.counsellor_grace_seconds
        ):
            continue
        with transaction.atomic():
            for contact in Contact.objects.select_for_update().filter(
                hotline=hotline, counsellor_id=state.membership.user_id, state=State.ACTIVE
            ):
                with override(contact.language):
                    system_message(
                        contact,
                        _(
                            "Your counsellor lost their connection. "
                            "You are first in line for the next counsellor."
                        ),
                    )
                system_message(
                    contact,
                    _("Returned to the queue: the previous counsellor's connection dropped."),
                    staff_only=True,
                )
                _requeue(contact, front=True)
                announce_contact(contact)
                moved += 1
            if CounsellorState.objects.filter(pk=state.pk, status=Status.ON_DUTY).update(
                status=Status.PAUSED, status_since=now
            ):
                _announce_status(state.membership, CounsellorState.objects.get(pk=state.pk))
                duty.close(state.membership, state.disconnected_at or now)
            transaction.on_commit(partial(dispatch, hotline.pk))
    return moved


def abandon_silent_seekers(now: datetime | None = None) -> int:
    """Waiting seekers whose page has been gone longer than the hotline allows have abandoned."""
    now = now or timezone.now()
    count = 0
    for hotline in Hotline.objects.filter(contacts__state=State.QUEUED).distinct():
        cutoff = now - timedelta(minutes=hotline.seeker_timeout_minutes)
        for contact_id in Contact.objects.filter(
            hotline=hotline, state=State.QUEUED, callback=False, seeker_seen_at__lt=cutoff
        ).values_list("pk", flat=True):
            do_end_contact(contact_id, by="timeout", now=now)
            count += 1
    return count


@transaction.atomic
def do_update_counsellor_skills(
    actor: User,
    membership: Membership,
    *,
    chat_limit: int,
    languages: list[str],
    specialties: list[str],
    crisis_trained: bool,
) -> CounsellorState:
    state = CounsellorState.objects.select_for_update().get(pk=counsellor_state(membership).pk)
    state.chat_limit = chat_limit
    state.languages = languages
    state.specialties = specialties
    state.crisis_trained = crisis_trained
    state.save()
    audit.log(
        "counsellor.skills_changed",
        actor=actor,
        hotline=membership.hotline,
        obj=membership,
        chat_limit=chat_limit,
        languages=languages,
        specialties=specialties,
        crisis_trained=crisis_trained,
    )
    transaction.on_commit(partial(dispatch, membership.hotline_id))
    return state
