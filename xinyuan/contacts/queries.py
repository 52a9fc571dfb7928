"""Reads of contacts, always scoped to a hotline and to what the caller may see."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from xinyuan.contacts import intake, routing
from xinyuan.contacts.models import (
    HOLDING_STATES,
    OPEN_STATES,
    Contact,
    CounsellorState,
    Message,
    RiskLevel,
    State,
    Status,
)
from xinyuan.core.models import Hotline, Membership, User
from xinyuan.core.roles import Role

POLICY = routing.Policy()
# Assumed chat length until the hotline has history of its own.
DEFAULT_HANDLE_SECONDS = 15 * 60
CONSOLE_ROLES = (Role.COUNSELLOR, Role.TEAM_LEAD, Role.SUPERVISOR)
SUPERVISOR_SKILL = "supervisor"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def contact_for_token(token: str) -> Contact | None:
    """The seeker's latest contact, so a returning browser resumes its conversation."""
    if not token or len(token) > 200:
        return None
    return (
        Contact.objects.select_related("hotline")
        .filter(seeker__token_hash=token_hash(token))
        .order_by("-created_at")
        .first()
    )


def resumes(hotline: Hotline, token: str) -> bool:
    """Does this token come back to an open conversation of this hotline (not start a new one)?"""
    contact = contact_for_token(token)
    return contact is not None and contact.hotline_id == hotline.pk and contact.state in OPEN_STATES


def routable(now: datetime) -> Q:
    """Queued contacts that may be offered now (call-backs wait for their time)."""
    return Q(state=State.QUEUED) & (Q(deferred_until__isnull=True) | Q(deferred_until__lte=now))


def queued_contacts(hotline_id: int, now: datetime) -> QuerySet[Contact]:
    return Contact.objects.filter(routable(now), hotline_id=hotline_id)


# The columns routing needs: reading only these skips building models and decrypting fields.
ROUTING_COLUMNS = (
    "pk",
    "risk_level",
    "queued_at",
    "created_at",
    "channel",
    "language",
    "specialty",
    "offered_to_supervisors",
    "front",
    "declined_by",
)


def as_routing_contact(contact: Contact) -> routing.QueuedContact:
    return routing_contact_from_row({column: getattr(contact, column) for column in ROUTING_COLUMNS})


def routing_contact_from_row(row: dict[str, Any]) -> routing.QueuedContact:
    # Transferred to the supervisors: only someone with the supervisor role may take it.
    specialty = SUPERVISOR_SKILL if row["offered_to_supervisors"] else (row["specialty"] or None)
    return routing.QueuedContact(
        id=str(row["pk"]),
        risk_level=row["risk_level"],
        queued_at=(row["queued_at"] or row["created_at"]).timestamp(),
        channel=row["channel"],
        language=row["language"],
        specialty=specialty,
        requires_specialty=row["offered_to_supervisors"],
        front=row["front"],
        declined_by=frozenset(str(user_id) for user_id in row["declined_by"]),
    )


def as_routing_counsellor(state: CounsellorState, loads: dict[tuple[int, str], int]) -> routing.Counsellor:
    membership = state.membership
    specialties = set(state.specialties)
    if membership.has_role(Role.SUPERVISOR):
        specialties.add(SUPERVISOR_SKILL)
    user_id = membership.user_id
    return routing.Counsellor(
        id=str(user_id),
        status="available" if state.status == Status.ON_DUTY and state.disconnected_at is None else "paused",
        languages=frozenset(state.languages or membership.hotline.languages),
        idle_since=(state.idle_since or state.status_since or timezone.now()).timestamp(),
        specialties=frozenset(specialties),
        crisis_trained=state.crisis_trained,
        chat_limit=state.chat_limit,
        active_chats=loads.get((user_id, "chat"), 0),
        active_voice=loads.get((user_id, "voice"), 0) + loads.get((user_id, "video"), 0),
    )


def loads_of(hotline_id: int) -> dict[tuple[int, str], int]:
    """Contacts each counsellor holds (offered or active), by channel."""
    rows = (
        Contact.objects.filter(hotline_id=hotline_id, state__in=HOLDING_STATES, counsellor__isnull=False)
        .values("counsellor_id", "channel")
        .annotate(n=Count("pk"))
    )
    return {(row["counsellor_id"], row["channel"]): row["n"] for row in rows}


def counsellors_writing_records(hotline_id: int) -> set[int]:
    return set(
        Contact.objects.filter(hotline_id=hotline_id, state=State.WRAP_UP).values_list(
            "counsellor_id", flat=True
        )
    )


def average_handle_seconds(hotline_id: int) -> float:
    recent = (
        Contact.objects.filter(hotline_id=hotline_id, answered_at__isnull=False, ended_at__isnull=False)
        .order_by("-ended_at")
        .values_list("pk", flat=True)[:50]
    )
    average = (
        Contact.objects.filter(pk__in=list(recent))
        .annotate(handle=F("ended_at") - F("answered_at"))
        .aggregate(value=Avg("handle"))["value"]
    )
    return average.total_seconds() if average else DEFAULT_HANDLE_SECONDS


def routable_states(hotline_id: int) -> QuerySet[CounsellorState]:
    """On-duty, connected counsellors who are still active members with a console role."""
    return CounsellorState.objects.filter(
        membership__hotline_id=hotline_id,
        membership__is_active=True,
        membership__role_grants__role__in=CONSOLE_ROLES,
        status=Status.ON_DUTY,
        disconnected_at__isnull=True,
    ).distinct()


def on_duty_slots(hotline_id: int) -> int:
    states = CounsellorState.objects.filter(
        membership__hotline_id=hotline_id, status=Status.ON_DUTY, disconnected_at__isnull=True
    )
    return sum(states.values_list("chat_limit", flat=True))


def counsellors_on_duty(hotline_id: int) -> int:
    return CounsellorState.objects.filter(
        membership__hotline_id=hotline_id, status=Status.ON_DUTY, disconnected_at__isnull=True
    ).count()


def queue_positions(hotline_id: int, now: datetime) -> dict[str, tuple[int, float | None]]:
    """Every queued contact's position and estimated wait, in one pass."""
    rows = queued_contacts(hotline_id, now).values(*ROUTING_COLUMNS)
    contacts = [routing_contact_from_row(row) for row in rows]
    throughput = routing.throughput_from_handle_time(
        average_handle_seconds(hotline_id), on_duty_slots(hotline_id)
    )
    return routing.queue_positions(contacts, now.timestamp(), POLICY, throughput)


def queue_overview(hotline_id: int, now: datetime) -> dict[str, Any]:
    """Counts by risk level and the longest wait: never the seekers' words."""
    rows = (
        queued_contacts(hotline_id, now).values("risk_level").annotate(n=Count("pk"), first=Min("queued_at"))
    )
    counts = {level: 0 for level in RiskLevel.values}
    oldest: datetime | None = None
    for row in rows:
        counts[row["risk_level"]] = row["n"]
        if row["first"] is not None and (oldest is None or row["first"] < oldest):
            oldest = row["first"]
    return {
        "counts": counts,
        "waiting": sum(counts.values()),
        "longest_wait_seconds": int((now - oldest).total_seconds()) if oldest else 0,
        "counsellors_on_duty": counsellors_on_duty(hotline_id),
        "help_requested": Contact.objects.filter(
            hotline_id=hotline_id, state=State.ACTIVE, help_requested_at__isnull=False
        ).count(),
    }


def console_membership(hotline_slug: str, user: User) -> Membership | None:
    membership = (
        Membership.objects.select_related("hotline", "user")
        .filter(hotline__slug=hotline_slug, user_id=user.pk, is_active=True)
        .first()
    )
    if membership is None or not membership.has_role(*CONSOLE_ROLES):
        return None
    return membership


def held_contact(membership: Membership, contact_id: str | UUID) -> Contact:
    """A contact the counsellor holds now (offered to them or in conversation with them), or 404."""
    try:
        return Contact.objects.select_related("hotline").get(
            pk=contact_id, hotline_id=membership.hotline_id, counsellor_id=membership.user_id
        )
    except (Contact.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


def held_contact_for_update(membership: Membership, contact_id: str | UUID) -> Contact:
    """The held contact, row-locked for the rest of the transaction (for actions that change it)."""
    held = held_contact(membership, contact_id)
    return Contact.objects.select_for_update().select_related("hotline").get(pk=held.pk)


def writable_contact(membership: Membership, contact_id: str | UUID) -> Contact:
    """A contact the member may write in: one they hold, or one they joined as a supervisor."""
    try:
        return Contact.objects.select_related("hotline").get(
            Q(counsellor_id=membership.user_id) | Q(joined_by_id=membership.user_id, state=State.ACTIVE),
            pk=contact_id,
            hotline_id=membership.hotline_id,
        )
    except (Contact.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


def counsellor_contacts(membership: Membership) -> QuerySet[Contact]:
    """Contacts on the member's console: those they hold, and conversations they joined."""
    return Contact.objects.filter(
        Q(counsellor_id=membership.user_id, state__in=[*OPEN_STATES, State.WRAP_UP])
        | Q(joined_by_id=membership.user_id, state=State.ACTIVE),
        hotline_id=membership.hotline_id,
    ).order_by("offered_at")


def messages_after(contact: Contact, last_seq: int, *, staff: bool) -> QuerySet[Message]:
    messages = Message.objects.filter(contact=contact, seq__gt=last_seq).order_by("seq")
    return messages if staff else messages.exclude(staff_only=True)


def hotline_status(hotline: Hotline, now: datetime) -> dict[str, Any]:
    """What the seeker page needs to know before a chat starts."""
    from xinyuan.core import queries as core_queries

    is_open = core_queries.hotline_is_open(hotline, now)
    on_duty = counsellors_on_duty(hotline.pk)
    waiting = queued_contacts(hotline.pk, now).count()
    slots = on_duty_slots(hotline.pk)
    estimate: float | None = None
    if slots:
        throughput = routing.throughput_from_handle_time(average_handle_seconds(hotline.pk), slots)
        estimate = (waiting + 1) / (throughput / 60.0)
        busy_slots = Contact.objects.filter(hotline_id=hotline.pk, state__in=HOLDING_STATES).count()
        if busy_slots < slots and waiting == 0:
            estimate = 0
    too_long = estimate is None or estimate > hotline.max_wait_minutes * 60
    return {
        "open": is_open,
        "counsellors_on_duty": on_duty,
        "waiting": waiting,
        "estimated_wait_seconds": None if estimate is None else int(estimate),
        "busy": is_open and too_long,
        "intake": [question.as_dict() for question in intake.questions_for(hotline.intake_fields)],
    }


def counsellors_of(hotline: Hotline) -> list[tuple[Membership, CounsellorState | None]]:
    """Members who may take contacts, with their availability and skills."""
    memberships = (
        Membership.objects.filter(hotline=hotline, is_active=True, role_grants__role__in=CONSOLE_ROLES)
        .select_related("user")
        .distinct()
        .order_by("user__username")
    )
    states = {s.membership_id: s for s in CounsellorState.objects.filter(membership__hotline=hotline)}
    return [(membership, states.get(membership.pk)) for membership in memberships]
