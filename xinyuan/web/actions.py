"""State changes of the account pages the whole site shares: one transaction each, audit-logged."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from xinyuan.core import actions as core_actions
from xinyuan.core import audit
from xinyuan.core.models import SessionRecord, User


@transaction.atomic
def do_change_password(user: User, new_password: str, *, request: HttpRequest) -> None:
    """Set a new (already validated) password; this browser stays signed in, every other one is
    signed out (ASVS V3.3.3), this session gets a new key (V3.2.1), and the owner is told (V2.2.3)."""
    old_key = request.session.session_key
    user.set_password(new_password)
    user.save(update_fields=["password"])
    update_session_auth_hash(request, user)  # cycles this session's key
    new_key = request.session.session_key
    if old_key and new_key:
        SessionRecord.objects.filter(session_key=old_key).update(session_key=new_key)
    others = SessionRecord.objects.filter(user=user, ended_at__isnull=True).exclude(session_key=new_key)
    for record in others:
        core_actions.do_end_session(user, record, request=request)
    audit.log(audit.Action.PASSWORD_CHANGED, actor=user, request=request)
    if user.email:
        # Best effort: a mail server that is down must not undo the change.
        send_mail(
            _("Your xinyuan password was changed"),
            _(
                "The password of your xinyuan account %(username)s was just changed, and your other "
                "sessions were signed out. If this was not you, tell your coordinator at once."
            )
            % {"username": user.get_username()},
            None,
            [user.email],
            fail_silently=True,
        )
