"""The one way anything writes to the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from xinyuan.core.models import AuditEvent, Hotline, User


class Action:
    """Audit action names, so the same word is used everywhere."""

    SIGNIN = "signin"
    SIGNIN_FAILED = "signin.failed"
    SIGNIN_LOCKED_OUT = "signin.locked_out"
    SIGNIN_RATE_LIMITED = "signin.rate_limited"
    SIGNOUT = "signout"
    TWO_FACTOR_ENROLLED = "two_factor.enrolled"
    SESSION_ENDED = "session.ended"
    ACCESS_DENIED = "access.denied"
    HOTLINE_SETTINGS_CHANGED = "hotline.settings_changed"
    MEMBERSHIP_CHANGED = "membership.changed"


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as the server saw it (uvicorn applies trusted proxy headers)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log(
    action: str,
    *,
    actor: User | Any | None = None,
    hotline: Hotline | None = None,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    reason: str = "",
    actor_name: str = "",
    **details: Any,
) -> AuditEvent:
    """Write one audit event. `actor` may be anonymous (failed sign-ins, seekers)."""
    user = actor if isinstance(actor, User) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=actor_name or (user.get_username() if user else ""),
        hotline=hotline,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=client_ip(request),
        reason=reason,
        details=details,
    )
