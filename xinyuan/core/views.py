"""Sign-in, account and staff pages. Thin: parse, check access, call an action, respond."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinyuan.core import actions, audit, cells, hours, queries, ratelimit
from xinyuan.core.forms import (
    AuditFilterForm,
    CrisisResourceFormSet,
    HolidayFormSet,
    HotlineSettingsForm,
    OpeningPeriodFormSet,
    SigninForm,
    TokenForm,
    kept_rows,
)
from xinyuan.core.models import Membership, SessionRecord, User
from xinyuan.core.permissions import hotline_view, needs_two_factor
from xinyuan.core.roles import SETTINGS_ROLES, Role

PENDING = "signin_pending"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("staff-index")


def _locked_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed sign-ins: this account is locked for %(minutes)d minutes. "
        "Try again later, or ask your coordinator to unlock it."
    ) % {"minutes": minutes}


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this when a sign-in hits the lock-out."""
    form = SigninForm(initial={"username": (credentials or {}).get("username", "")})
    return render(request, "core/signin.html", {"form": form, "error": _locked_message()}, status=429)


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url)
    form = SigninForm(request.POST or None)
    if request.method == "POST" and not ratelimit.hit(
        "signin", audit.client_ip(request) or "", settings.XINYUAN_SIGNINS_PER_ADDRESS_HOUR, 3600
    ):
        audit.log(
            audit.Action.SIGNIN_RATE_LIMITED,
            request=request,
            actor_name=request.POST.get("username", "")[:150],
        )
        message = _("Too many sign-in attempts from this network. Wait a while, then try again.")
        return render(request, "core/signin.html", {"form": SigninForm(), "error": message}, status=429)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return locked_out(request, form.cleaned_data)
        if user is None:
            form.add_error(None, _("The user name or password is not right."))
        elif needs_two_factor(user):
            backend = user.backend  # type: ignore[attr-defined]  # set by authenticate()
            request.session[PENDING] = {"user": user.pk, "backend": backend, "next": next_url}
            return redirect("signin-verify")
        else:
            login(request, user)
            return HttpResponseRedirect(next_url)
    return render(request, "core/signin.html", {"form": form, "next": next_url})


def _qr_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@require_http_methods(["GET", "POST"])
def signin_verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: the one-time code, enrolling an authenticator app on first use."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("signin")
    user = get_object_or_404(User, pk=pending["user"], is_active=True)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if device is None:
        device = actions.do_start_two_factor_enrolment(user)
    form = TokenForm(request.POST or None)
    allowed, _throttle = device.verify_is_allowed()
    if request.method == "POST" and form.is_valid() and not allowed:
        form.add_error("token", _("Too many wrong codes. Wait a few seconds, then enter the current code."))
    elif request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                actions.do_confirm_two_factor(user, device, request=request)
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return HttpResponseRedirect(pending["next"])
        audit.log(audit.Action.SIGNIN_FAILED, actor=user, request=request, step="two_factor")
        form.add_error("token", _("That code is not right or has expired. Try the current one."))
    context: dict[str, Any] = {"form": form, "enrolling": enrolling}
    if enrolling:
        secret = base64.b32encode(device.bin_key).decode("ascii")
        context["secret"] = secret
        context["qr"] = _qr_data_uri(device.config_url)
    return render(request, "core/signin_verify.html", context)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("signin")


@login_required
def account_sessions(request: HttpRequest) -> HttpResponse:
    records = queries.open_sessions_of(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "core/sessions.html",
        {"records": records, "current_key": request.session.session_key},
    )


@login_required
@require_POST
def end_session(request: HttpRequest, record_id: int) -> HttpResponse:
    record = get_object_or_404(SessionRecord, pk=record_id, user_id=request.user.pk, ended_at__isnull=True)
    if record.session_key == request.session.session_key:
        logout(request)
        return redirect("signin")
    actions.do_end_session(request.user, record, request=request)  # type: ignore[arg-type]
    messages.success(request, _("That session has been signed out."))
    return redirect("account-sessions")


@login_required
def staff_index(request: HttpRequest) -> HttpResponse:
    memberships = list(queries.memberships_of(request.user))  # type: ignore[arg-type]
    if len(memberships) == 1:
        return redirect("staff-home", hotline_slug=memberships[0].hotline.slug)
    return render(request, "core/staff_index.html", {"memberships": memberships})


@hotline_view()
def staff_home(request: HttpRequest, membership: Membership) -> HttpResponse:
    hotline = membership.hotline
    return render(
        request,
        "core/staff_home.html",
        {
            "membership": membership,
            "hotline": hotline,
            "roles": [Role(role) for role in sorted(membership.roles)],
            "Role": Role,
            "is_open": queries.hotline_is_open(hotline),
            "can_edit_settings": membership.has_role(*SETTINGS_ROLES),
            "can_manage_counsellors": membership.has_role(*SETTINGS_ROLES, Role.TEAM_LEAD),
        },
    )


@hotline_view(*SETTINGS_ROLES)
def hotline_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    hotline = membership.hotline
    data = request.POST if request.method == "POST" else None
    form = HotlineSettingsForm(data, instance=hotline)
    periods = OpeningPeriodFormSet(
        data,
        prefix="periods",
        initial=[
            {"weekday": p.weekday, "opens": p.opens, "closes": p.closes}
            for p in hotline.opening_periods.all()
        ],
    )
    holidays = HolidayFormSet(
        data, prefix="holidays", initial=[{"date": h.date, "name": h.name} for h in hotline.holidays.all()]
    )
    resources = CrisisResourceFormSet(
        data,
        prefix="resources",
        initial=[
            {"name": r.name, "number": r.number, "when_to_use": r.when_to_use}
            for r in hotline.crisis_resources.all()
        ],
    )
    seeker_url = request.build_absolute_uri(reverse("seeker", args=[hotline.slug]))
    if request.method == "POST":
        if all(part.is_valid() for part in (form, periods, holidays, resources)):
            actions.do_update_hotline_settings(
                request.user,  # type: ignore[arg-type]
                hotline,
                {name: form.cleaned_data[name] for name in form.Meta.fields},
                [(row["weekday"], row["opens"], row["closes"]) for row in kept_rows(periods)],
                [(row["date"], row["name"]) for row in kept_rows(holidays)],
                [(row["name"], row["number"], row["when_to_use"]) for row in kept_rows(resources)],
                request=request,
            )
            messages.success(request, _("The hotline's settings are saved."))
            return redirect("hotline-settings", hotline_slug=hotline.slug)
        messages.error(request, _("Nothing was saved: please correct the fields marked below."))
    return render(
        request,
        "core/hotline_settings.html",
        {
            "hotline": hotline,
            "membership": membership,
            "form": form,
            "periods": periods,
            "holidays": holidays,
            "resources": resources,
            "seeker_url": seeker_url,
            "embed_snippet": (
                f'<iframe src="{seeker_url}?source=PLATFORM" title="xinyuan" '
                'style="width:100%;height:640px;border:0"></iframe>'
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


AUDIT_PAGE = 100


@hotline_view(Role.ADMIN)
def audit_log(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The hotline's audit log for its admins: filter, read, export. Nothing here changes it."""
    hotline = membership.hotline
    form = AuditFilterForm(request.GET or None, actions=queries.audit_actions(hotline))
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        since, until = hours.local_day_range(data["since"], data["until"], hotline.time_zone)
        filters = {
            "person": data["person"],
            "seeker": data["seeker"],
            "action": data["action"],
            "since": since,
            "until": until,
        }
    events = queries.audit_events(hotline, **filters)
    if request.GET.get("format") == "csv":
        audit.log(
            "audit.exported", actor=request.user, hotline=hotline, request=request, filters=str(filters)
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-{hotline.slug}.csv"'
        writer = csv.writer(response)
        writer.writerow(["at", "who", "action", "object_type", "object", "from", "why", "details"])
        for event in events.iterator():
            row = [
                event.at.isoformat(),
                event.actor_name,
                event.action,
                event.object_type,
                event.object_id,
                event.ip_address or "",
                event.reason,
                json.dumps(event.details, ensure_ascii=False),
            ]
            writer.writerow([cells.inert(cell) for cell in map(str, row)])
        return response
    audit.log("audit.viewed", actor=request.user, hotline=hotline, request=request)
    return render(
        request,
        "core/audit_log.html",
        {"hotline": hotline, "form": form, "events": events[:AUDIT_PAGE], "query": request.GET.urlencode()},
    )
