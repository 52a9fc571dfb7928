"""Reads for the core app, always scoped to what the caller may see."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from xinyuan.core import hours
from xinyuan.core.models import Hotline, Membership, SessionRecord, User


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("hotline")
        .prefetch_related("role_grants")
        .order_by("hotline__name")
    )


def members_with_role(hotline: Hotline, role: str) -> QuerySet[Membership]:
    return Membership.objects.filter(hotline=hotline, is_active=True, role_grants__role=role).select_related(
        "user"
    )


def open_sessions_of(user: User) -> QuerySet[SessionRecord]:
    return SessionRecord.objects.filter(user=user, ended_at__isnull=True)


def hotline_is_open(hotline: Hotline, at: datetime | None = None) -> bool:
    return hours.is_open(hotline.schedule(), at or timezone.now())
