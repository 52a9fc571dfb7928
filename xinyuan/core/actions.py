"""Every state change of the core app: one transaction each, audit-logged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, time, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinyuan.core import audit
from xinyuan.core.models import (
    CrisisResource,
    Holiday,
    Hotline,
    Membership,
    MembershipRole,
    OpeningPeriod,
    SessionRecord,
    User,
)


@transaction.atomic
def do_create_user(username: str, password: str, *, display_name: str = "", email: str = "") -> User:
    user = User(username=username, display_name=display_name, email=email)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def do_create_hotline(slug: str, name: str, **fields: Any) -> Hotline:
    hotline = Hotline(slug=slug, name=name, **fields)
    hotline.full_clean()
    hotline.save()
    return hotline


@transaction.atomic
def do_set_roles(
    hotline: Hotline,
    user: User,
    roles: Iterable[str],
    *,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    """Make `user` a member of `hotline` with exactly `roles` (none: the membership is deactivated)."""
    wanted = sorted(set(roles))
    membership, _ = Membership.objects.get_or_create(user=user, hotline=hotline)
    membership.is_active = bool(wanted)
    membership.save(update_fields=["is_active"])
    membership.role_grants.exclude(role__in=wanted).delete()
    for role in wanted:
        MembershipRole.objects.get_or_create(membership=membership, role=role)
    membership.__dict__.pop("_roles", None)
    audit.log(
        audit.Action.MEMBERSHIP_CHANGED,
        actor=actor,
        hotline=hotline,
        obj=membership,
        request=request,
        roles=wanted,
    )
    return membership


@transaction.atomic
def do_update_hotline_settings(
    actor: User | None,
    hotline: Hotline,
    fields: Mapping[str, Any],
    periods: Iterable[tuple[int, time, time]],
    holidays: Iterable[tuple[date, str]],
    resources: Iterable[tuple[str, str, str]],
    *,
    request: HttpRequest | None = None,
) -> Hotline:
    """Replace a hotline's settings, hours, holidays and crisis resources in one go."""
    for name, value in fields.items():
        setattr(hotline, name, value)
    hotline.full_clean()
    hotline.save()
    hotline.opening_periods.all().delete()
    OpeningPeriod.objects.bulk_create(
        OpeningPeriod(hotline=hotline, weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in periods
    )
    hotline.holidays.all().delete()
    Holiday.objects.bulk_create(Holiday(hotline=hotline, date=day, name=name) for day, name in holidays)
    hotline.crisis_resources.all().delete()
    CrisisResource.objects.bulk_create(
        CrisisResource(hotline=hotline, name=name, number=number, when_to_use=when, position=index)
        for index, (name, number, when) in enumerate(resources)
    )
    audit.log(
        audit.Action.HOTLINE_SETTINGS_CHANGED,
        actor=actor,
        hotline=hotline,
        obj=hotline,
        request=request,
        fields=sorted(fields),
    )
    return hotline


def do_record_session(user: User, request: HttpRequest) -> None:
    """Remember the session just signed in, so its owner can see and end it."""
    key = request.session.session_key
    if not key:
        return
    SessionRecord.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "last_seen_at": timezone.now(),
            "ip_address": audit.client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ended_at": None,
        },
    )


def do_touch_session(record_id: int) -> None:
    SessionRecord.objects.filter(pk=record_id).update(last_seen_at=timezone.now())


@transaction.atomic
def do_end_session(user: User, record: SessionRecord, *, request: HttpRequest | None = None) -> None:
    """Sign a session out: its browser is asked to sign in again at its next request."""
    if record.user_id != user.pk:
        raise PermissionError("not your session")
    session_store: type[SessionBase] = _session_store()
    session_store(session_key=record.session_key).delete()
    record.ended_at = timezone.now()
    record.save(update_fields=["ended_at"])
    audit.log(audit.Action.SESSION_ENDED, actor=user, obj=record, request=request)


def do_end_expired_sessions(now: Any = None) -> int:
    """Mark sessions whose idle time ran out as ended and clear the session store."""
    now = now or timezone.now()
    store = _session_store()
    store.clear_expired()
    from django.conf import settings

    cutoff = now - timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return SessionRecord.objects.filter(ended_at__isnull=True, last_seen_at__lt=cutoff).update(ended_at=now)


@transaction.atomic
def do_confirm_two_factor(user: User, device: TOTPDevice, *, request: HttpRequest | None = None) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.log(audit.Action.TWO_FACTOR_ENROLLED, actor=user, obj=device, request=request)


def _session_store() -> type[SessionBase]:
    from importlib import import_module

    from django.conf import settings

    return import_module(settings.SESSION_ENGINE).SessionStore


def do_start_two_factor_enrolment(user: User) -> TOTPDevice:
    """An unconfirmed authenticator for `user`, reused until they confirm it with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device
