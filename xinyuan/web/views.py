"""Pages shared by every part of the site: the landing redirect, the health check, the password."""

from __future__ import annotations

import asyncio
from typing import cast

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from xinyuan.core import ratelimit
from xinyuan.core.models import User
from xinyuan.web import actions

# Tries at the current password per account and hour: a session left open is not a guessing oracle.
PASSWORD_TRIES_PER_HOUR = 10


def landing(request: HttpRequest) -> HttpResponse:
    return redirect("staff-index" if request.user.is_authenticated else "signin")


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


async def _channel_layer_round_trip() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("unexpected message")


def _channel_layer_status() -> str:
    try:
        async_to_sync(_channel_layer_round_trip)()
    except Exception as error:
        return f"error: {type(error).__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _database_status()
    channel_layer = _channel_layer_status()
    healthy = database == "ok" and channel_layer == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "channel_layer": channel_layer},
        status=200 if healthy else 503,
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    """Change one's password, proving it is you with the current one first (ASVS V2.1.5, V3.7.1)."""
    user = cast(User, request.user)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST":
        if not ratelimit.hit("password-change", str(user.pk), PASSWORD_TRIES_PER_HOUR, 3600):
            message = _("Too many tries. Wait an hour, or ask your coordinator for help.")
            # A fresh form: checking this guess, even to show errors, would answer it.
            context = {"form": PasswordChangeForm(user), "error": message}
            return render(request, "web/password_change.html", context, status=429)
        if form.is_valid():
            actions.do_change_password(user, form.cleaned_data["new_password1"], request=request)
            messages.success(request, _("Your password is changed. Your other sessions are signed out."))
            return redirect("account-sessions")
    return render(
        request, "web/password_change.html", {"form": form}, status=400 if request.method == "POST" else 200
    )
