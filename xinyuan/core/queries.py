"""Reads for the core app, always scoped to what the caller may see."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from xinyuan.core import hours
from xinyuan.core.models import AuditEvent, Hotline, Membership, SessionRecord, User


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("hotline")
        .prefetch_related("role_grants")
        .order_by("hotline__name")
    )


def open_sessions_of(user: User) -> QuerySet[SessionRecord]:
    return SessionRecord.objects.filter(user=user, ended_at__isnull=True)


def hotline_is_open(hotline: Hotline, at: datetime | None = None) -> bool:
    return hours.is_open(hotline.schedule(), at or timezone.now())


def hotline_today(hotline: Hotline, at: datetime | None = None) -> date:
    """The hotline's local date now (or at `at`)."""
    return hours.local_date(at or timezone.now(), hotline.time_zone)


def audit_events(
    hotline: Hotline,
    *,
    person: str = "",
    seeker: str = "",
    action: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The hotline's audit events, newest first, filtered. `seeker` matches a contact id or seeker id
    among the objects and details."""
    events = AuditEvent.objects.filter(hotline=hotline).select_related("actor")
    if person:
        events = events.filter(actor_name__icontains=person)
    if seeker:
        events = events.filter(Q(object_id=seeker) | Q(details__contact=seeker))
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__gte=since)
    if until:
        events = events.filter(at__lt=until)
    return events.order_by("-at", "-id")


def audit_actions(hotline: Hotline) -> list[str]:
    return sorted(set(AuditEvent.objects.filter(hotline=hotline).values_list("action", flat=True)))
