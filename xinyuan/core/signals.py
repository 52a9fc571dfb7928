"""Sign-ins, failed sign-ins and lock-outs go to the audit log as they happen."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from xinyuan.core import actions, audit
from xinyuan.core.models import SessionRecord, User


@receiver(user_logged_in)
def on_signin(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit.log(audit.Action.SIGNIN, actor=user, request=request)
    if request is not None:
        actions.do_record_session(user, request)


@receiver(user_logged_out)
def on_signout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.log(audit.Action.SIGNOUT, actor=user, request=request)
    if request is not None and request.session.session_key:
        SessionRecord.objects.filter(session_key=request.session.session_key).update(ended_at=timezone.now())


@receiver(user_login_failed)
def on_signin_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    name = str(credentials.get("username", ""))[:150]
    audit.log(audit.Action.SIGNIN_FAILED, actor_name=name, request=request)


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any) -> None:
    audit.log(audit.Action.SIGNIN_LOCKED_OUT, actor_name=(username or "")[:150], request=request)
