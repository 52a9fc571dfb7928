"""Reads for supervision, always scoped to a hotline and to what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from xinyuan.contacts import queries as contact_queries
from xinyuan.contacts.models import Contact, Message, RiskLevel, State, Status
from xinyuan.core import audit, hours
from xinyuan.core.models import Hotline, Membership, User
from xinyuan.core.roles import Role
from xinyuan.supervision.models import Debrief, GroupSession, Review, ReviewItem, ReviewPolicy

# Who watches live contacts, whispers, joins and takes over; who reviews.
MONITOR_ROLES = (Role.SUPERVISOR, Role.ADMIN)
REVIEW_ROLES = (Role.SUPERVISOR, Role.ADMIN)
POLICY_ROLES = (Role.SUPERVISOR, Role.COORDINATOR, Role.ADMIN)
GROUP_SESSION_ROLES = (Role.SUPERVISOR, Role.COORDINATOR, Role.ADMIN)
DEBRIEF_ROLES = (Role.SUPERVISOR, Role.ADMIN)
# Today's service level: the share of contacts answered within this many seconds of queueing
# (unless the hotline's report settings say otherwise).
ANSWER_TARGET_SECONDS = 60
LEVELS_HIGH_FIRST = (RiskLevel.IMMINENT, RiskLevel.HIGH, RiskLevel.ELEVATED, RiskLevel.NONE)


def name_of(user: User | None) -> str:
    return str(user) if user is not None else ""  # User.__str__: display name, else username


def policy_for(hotline: Hotline) -> ReviewPolicy:
    """The hotline's review policy (the defaults, unsaved, until someone changes it)."""
    return ReviewPolicy.objects.filter(hotline=hotline).first() or ReviewPolicy(hotline=hotline)


def monitor_membership(hotline_slug: str, user: User) -> Membership | None:
    membership = (
        Membership.objects.select_related("hotline", "user")
        .filter(hotline__slug=hotline_slug, user_id=user.pk, is_active=True)
        .first()
    )
    if membership is None or not membership.has_role(*MONITOR_ROLES):
        return None
    return membership


# The live monitor -----------------------------------------------------------------------------------


@dataclass
class QueueLevel:
    level: str
    label: str
    waiting: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.waiting)

    @property
    def longest_since(self) -> datetime | None:
        return min((row["queued_at"] for row in self.waiting if row["queued_at"]), default=None)


def _counsellors(hotline: Hotline) -> list[dict[str, Any]]:
    held: dict[int, int] = {}
    for (user_id, _channel), count in contact_queries.loads_of(hotline.pk).items():
        held[user_id] = held.get(user_id, 0) + count
    labels = dict(Status.choices)
    groups: dict[str, list[dict[str, Any]]] = {status: [] for status in Status.values}
    for membership, state in contact_queries.counsellors_of(hotline):
        status = state.status if state else Status.OFF_DUTY
        groups[status].append(
            {
                "name": name_of(membership.user),
                "since": state.status_since if state else None,
                "held": held.get(membership.user_id, 0),
                "limit": state.chat_limit if state else 0,
                "disconnected": bool(state and state.disconnected_at),
            }
        )
    return [
        {"status": status, "label": labels[status], "members": groups[status]} for status in Status.values
    ]


def _queue(hotline: Hotline) -> list[QueueLevel]:
    labels = dict(RiskLevel.choices)
    levels: dict[str, QueueLevel] = {
        level: QueueLevel(level, str(labels[level])) for level in LEVELS_HIGH_FIRST
    }
    rows = (
        Contact.objects.filter(hotline=hotline, state=State.QUEUED)
        .order_by("priority_at")
        .values("pk", "risk_level", "queued_at", "channel", "callback", "offered_to_supervisors")
    )
    for row in rows:
        levels[row["risk_level"]].waiting.append(dict(row))
    return list(levels.values())


def answer_target_seconds(hotline: Hotline) -> int:
    """The hotline's service-level wait: the reports app's setting when there is one."""
    try:
        settings_model = apps.get_model("reports", "ReportSettings")
    except LookupError:
        return ANSWER_TARGET_SECONDS
    found = (
        settings_model.objects.filter(hotline=hotline).values_list("service_level_seconds", flat=True).first()
    )
    return int(found) if found is not None else ANSWER_TARGET_SECONDS


def service_level_today(hotline: Hotline, now: datetime) -> dict[str, Any]:
    """Contacts answered today (the hotline's day) and how many within the target wait."""
    target = answer_target_seconds(hotline)
    today = hours.local_date(now, hotline.time_zone)
    start, end = hours.local_day_range(today, today, hotline.time_zone)
    answered = Contact.objects.filter(hotline=hotline, answered_at__gte=start, answered_at__lt=end)
    waits = [
        (answered_at - queued_at).total_seconds()
        for queued_at, answered_at in answered.values_list("queued_at", "answered_at")
        if queued_at is not None and answered_at is not None
    ]
    within = sum(1 for wait in waits if wait <= target)
    return {
        "answered": len(waits),
        "within_target": within,
        "percent": round(100 * within / len(waits)) if waits else None,
        "target_seconds": target,
    }


def board(hotline: Hotline, now: datetime) -> dict[str, Any]:
    """Everything the live monitor shows: never the seekers' words."""
    from xinyuan.risk import queries as risk_queries

    active = (
        Contact.objects.filter(hotline=hotline, state__in=[State.OFFERED, State.ACTIVE])
        .select_related("counsellor", "joined_by")
        .order_by("answered_at", "offered_at")
    )
    return {
        "counsellors": _counsellors(hotline),
        "queue": _queue(hotline),
        "active": [
            {
                "contact": contact,
                "counsellor": name_of(contact.counsellor),
                "joined_by": name_of(contact.joined_by),
                "since": contact.answered_at or contact.offered_at,
            }
            for contact in active
        ],
        "escalations": list(risk_queries.open_escalations(hotline)),
        "service_level": service_level_today(hotline, now),
        "now": now,
    }


def monitor_groups(hotline_id: int) -> set[str]:
    """Channel-layer groups whose announcements change the board: the hotline's staff and crisis
    groups, every console member's own group (status changes) and every open contact's group."""
    from xinyuan.contacts import events

    members = Membership.objects.filter(
        hotline_id=hotline_id, is_active=True, role_grants__role__in=contact_queries.CONSOLE_ROLES
    ).values_list("user_id", flat=True)
    open_contacts = Contact.objects.filter(
        hotline_id=hotline_id, state__in=[State.QUEUED, State.OFFERED, State.ACTIVE]
    ).values_list("pk", flat=True)
    return {
        events.staff_group(hotline_id),
        events.crisis_group(hotline_id),
        *(events.member_group(hotline_id, user_id) for user_id in set(members)),
        *(events.contact_group(contact_id) for contact_id in open_contacts),
    }


def contact_in(hotline: Hotline, contact_id: str | UUID) -> Contact:
    try:
        return Contact.objects.select_related("hotline", "counsellor", "joined_by").get(
            pk=contact_id, hotline=hotline
        )
    except (Contact.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


def monitored_contact(membership: Membership, contact_id: str | UUID, *, via: str) -> Contact:
    """A contact of the hotline opened for silent monitoring: audited each time (the seeker and
    the counsellor are not told)."""
    if not membership.has_role(*MONITOR_ROLES):
        raise Http404
    contact = contact_in(membership.hotline, contact_id)
    audit.log(
        audit.Action.CONTACT_MONITORED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=contact,
        via=via,
    )
    return contact


def transcript(contact: Contact, after: int = 0) -> list[Message]:
    """Every message, staff-only notes and whispers included (for supervisors)."""
    return list(contact_queries.messages_after(contact, after, staff=True).select_related("author"))


# Reviews --------------------------------------------------------------------------------------------


def review_queue(hotline: Hotline) -> QuerySet[ReviewItem]:
    return (
        ReviewItem.objects.filter(hotline=hotline, selected=True, reviewed_at__isnull=True)
        .select_related("contact", "counsellor")
        .order_by("sampled_at")
    )


def hotline_reviews(hotline: Hotline) -> QuerySet[Review]:
    return Review.objects.filter(hotline=hotline).select_related("reviewer", "counsellor", "contact")


def my_feedback(membership: Membership) -> QuerySet[Review]:
    """Reviews shared with the member about their own contacts: nobody else's."""
    return Review.objects.filter(
        hotline_id=membership.hotline_id, counsellor_id=membership.user_id, shared_at__isnull=False
    ).select_related("reviewer", "contact")


def reviewable_contact(membership: Membership, contact_id: str | UUID) -> Contact:
    """An ended, answered contact of the hotline, for a reviewer (404 otherwise)."""
    if not membership.has_role(*REVIEW_ROLES):
        raise Http404
    contact = contact_in(membership.hotline, contact_id)
    if contact.answered_at is None or contact.state not in (State.WRAP_UP, State.CLOSED):
        raise Http404
    return contact


# Group sessions and debriefs ------------------------------------------------------------------------


def group_sessions(hotline: Hotline) -> QuerySet[GroupSession]:
    return (
        GroupSession.objects.filter(hotline=hotline)
        .select_related("supervisor")
        .prefetch_related("attendees")
    )


def hotline_people(hotline: Hotline) -> QuerySet[User]:
    return User.objects.filter(memberships__hotline=hotline, memberships__is_active=True).order_by("username")


def supervisors_of(hotline: Hotline) -> QuerySet[User]:
    return hotline_people(hotline).filter(memberships__role_grants__role=Role.SUPERVISOR).distinct()


def debriefs_for(membership: Membership) -> QuerySet[Debrief]:
    """Supervisors see every debrief of the hotline; anyone else only their own."""
    debriefs = Debrief.objects.filter(hotline_id=membership.hotline_id).select_related(
        "contact", "counsellor", "supervisor"
    )
    if membership.has_role(*DEBRIEF_ROLES):
        return debriefs
    return debriefs.filter(Q(counsellor_id=membership.user_id))
