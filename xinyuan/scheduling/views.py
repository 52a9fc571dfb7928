"""Scheduling pages: shifts calendar, my shifts and swaps, teams, templates, coverage, hours,
certificate, roster import/export, and the calendar feed. Thin: parse, check access, call an action."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyuan.core import audit
from xinyuan.core.models import Membership, User
from xinyuan.core.permissions import hotline_view
from xinyuan.core.queries import hotline_today
from xinyuan.scheduling import actions, hours, ics, queries, spreadsheets
from xinyuan.scheduling.forms import (
    GenerateForm,
    ImportForm,
    MemberForm,
    MonthForm,
    OfferForm,
    SettingsForm,
    TeamForm,
    TemplateForm,
)
from xinyuan.scheduling.models import RosterImport, SignUp

FEED_PAST = timedelta(days=31)
FEED_AHEAD = timedelta(days=180)


def _week(request: HttpRequest, membership: Membership) -> date:
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = hotline_today(membership.hotline)
    return queries.week_start(day)


def _done(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Back to the calendar week the form was on."""
    url = reverse("shifts", args=[membership.hotline.slug])
    try:
        return redirect(f"{url}?week={date.fromisoformat(request.POST.get('week', '')).isoformat()}")
    except ValueError:
        return redirect(url)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # hotline_view lets only signed-in users in
    return user


def _act(request: HttpRequest, success: str, call: Any, /, *args: Any, **kwargs: Any) -> bool:
    try:
        call(*args, **kwargs)
    except actions.ScheduleError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


# Shifts ----------------------------------------------------------------------------------------------


@hotline_view()
def shifts(request: HttpRequest, membership: Membership) -> HttpResponse:
    monday = _week(request, membership)
    return render(
        request,
        "scheduling/shifts.html",
        {
            "hotline": membership.hotline,
            "membership": membership,
            "days": queries.calendar_week(membership, monday),
            "monday": monday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "now": timezone.now(),
            "may_manage": queries.may_manage_shifts(membership),
            "is_manager": queries.is_manager(membership),
            "team": queries.team_of(membership),
        },
    )


def volunteer_profile(membership: Membership) -> dict[str, Any]:
    """The hotline's volunteer profile, by the one definition the reports use (docs/metrics.md)."""
    from xinyuan.reports import metrics

    scope = metrics.Scope(metrics.Filters(hotline=membership.hotline))
    return metrics.volunteer_profile(scope, hotline_today(membership.hotline).year)


@hotline_view()
@require_POST
def sign_up(request: HttpRequest, membership: Membership, shift_id: int) -> HttpResponse:
    shift = queries.access_shift(membership, shift_id)
    _act(request, _("You are signed up."), actions.do_sign_up, membership, shift, request=request)
    return _done(request, membership)


@hotline_view()
@require_POST
def withdraw(request: HttpRequest, membership: Membership, signup_id: int) -> HttpResponse:
    signup = queries.own_signup(membership, signup_id)
    _act(request, _("You are no longer signed up."), actions.do_withdraw, membership, signup, request=request)
    return _done(request, membership)


@hotline_view()
def my_shifts(request: HttpRequest, membership: Membership) -> HttpResponse:
    now = timezone.now()
    feed = getattr(membership, "calendar_feed", None)
    mine = list(queries.my_signups(membership, now))
    return render(
        request,
        "scheduling/my_shifts.html",
        {
            "hotline": membership.hotline,
            "membership": membership,
            "signups": mine,
            "open_swaps": [
                s for s in queries.open_swaps(membership, now) if s.offered_by_id != membership.pk
            ],
            "my_swaps": queries.my_swaps(membership),
            "to_decide": queries.swaps_to_decide(membership),
            "feed_url": request.build_absolute_uri(reverse("shift-calendar-feed", args=[feed.token]))
            if feed
            else "",
            "offer_form": OfferForm(),
            "now": now,
        },
    )


@hotline_view()
@require_POST
def offer(request: HttpRequest, membership: Membership, signup_id: int) -> HttpResponse:
    signup = queries.own_signup(membership, signup_id)
    form = OfferForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    _act(
        request,
        _("Your shift is offered to the others."),
        actions.do_offer_swap,
        membership,
        signup,
        note,
        request=request,
    )
    return redirect("my-shifts", membership.hotline.slug)


@hotline_view()
@require_POST
def take(request: HttpRequest, membership: Membership, swap_id: int) -> HttpResponse:
    swap = queries.access_swap(membership, swap_id)
    in_return: SignUp | None = None
    if request.POST.get("in_return"):
        in_return = queries.own_signup(membership, request.POST["in_return"])
    _act(
        request,
        _("Taken: the team lead will confirm."),
        actions.do_take_swap,
        membership,
        swap,
        in_return,
        request=request,
    )
    return redirect("my-shifts", membership.hotline.slug)


@hotline_view()
@require_POST
def cancel_swap(request: HttpRequest, membership: Membership, swap_id: int) -> HttpResponse:
    swap = queries.access_swap(membership, swap_id)
    _act(request, _("Your offer is withdrawn."), actions.do_cancel_swap, membership, swap, request=request)
    return redirect("my-shifts", membership.hotline.slug)


@hotline_view()
@require_POST
def decide_swap(request: HttpRequest, membership: Membership, swap_id: int) -> HttpResponse:
    swap = queries.access_swap(membership, swap_id)
    if not queries.may_decide_swap(membership, swap):
        raise PermissionDenied
    approve = request.POST.get("decision") == "approve"
    _act(
        request,
        _("Approved: the shift has moved.") if approve else _("Refused: nothing has changed."),
        actions.do_decide_swap,
        membership,
        swap,
        approve=approve,
        request=request,
    )
    return redirect("my-shifts", membership.hotline.slug)


@hotline_view()
@require_POST
def calendar_feed_settings(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.POST.get("action") == "revoke":
        actions.do_revoke_calendar_feed(membership, request=request)
        messages.success(request, _("The calendar address no longer works."))
    else:
        actions.do_new_calendar_feed(membership, request=request)
        messages.success(request, _("Your calendar address is ready; an earlier one no longer works."))
    return redirect("my-shifts", membership.hotline.slug)


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed: no sign-in, the secret address is the key (revocable)."""
    feed = queries.feed_by_token(token)
    if feed is None:
        raise Http404
    membership = feed.membership
    now = timezone.now()
    signups = (
        SignUp.objects.filter(
            membership=membership, shift__ends_at__gt=now - FEED_PAST, shift__starts_at__lt=now + FEED_AHEAD
        )
        .select_related("shift__team", "shift__hotline")
        .order_by("shift__starts_at")
    )
    host = request.get_host().split(":")[0]
    events = [
        ics.Event(
            uid=f"shift-{signup.shift_id}-{membership.pk}@{host}",
            starts_at=signup.shift.starts_at,
            ends_at=signup.shift.ends_at,
            summary=_("Shift: %(hotline)s") % {"hotline": signup.shift.hotline.name}
            + (f" ({signup.shift.team.name})" if signup.shift.team else ""),
            description=_("On duty at %(hotline)s.") % {"hotline": signup.shift.hotline.name},
        )
        for signup in signups
    ]
    body = ics.calendar(f"{membership.hotline.name} · {membership.user}", events, now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="shifts.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# Teams -----------------------------------------------------------------------------------------------


@hotline_view()
def teams(request: HttpRequest, membership: Membership) -> HttpResponse:
    if not queries.is_manager(membership):
        member = queries.team_of(membership)
        if member is None:
            return render(request, "scheduling/no_team.html", {"hotline": membership.hotline})
        return redirect("team", membership.hotline.slug, member.team_id)
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _act(
            request,
            _("The team is created."),
            actions.do_create_team,
            _user(request),
            membership.hotline,
            form.cleaned_data["name"],
            request=request,
        )
        if created:
            return redirect("teams", membership.hotline.slug)
    return render(
        request,
        "scheduling/teams.html",
        {"hotline": membership.hotline, "teams": queries.teams(membership.hotline), "form": form},
    )


@hotline_view()
def team(request: HttpRequest, membership: Membership, team_id: int) -> HttpResponse:
    found = queries.access_team(membership, team_id)
    if not queries.may_view_team(membership, found):
        raise PermissionDenied
    manage = queries.may_manage_team(membership, found)
    manager = queries.is_manager(membership)
    choices = [
        (m.pk, f"{m.user} ({m.user.username})") for m in queries.members_without_team(membership.hotline)
    ]
    if manager:  # coordinators may also move people between teams
        choices = [
            (m.pk, f"{m.user} ({m.user.username})")
            for m in Membership.objects.filter(hotline=membership.hotline, is_active=True)
            .select_related("user")
            .order_by("user__username")
        ]
    form = MemberForm(request.POST or None, choices=choices, allow_lead=manager)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if request.POST.get("remove"):
            target = queries.access_member(membership, request.POST["remove"])
            if target.pk == membership.pk and not manager:
                messages.error(request, _("Ask a coordinator to take you out of the team."))
            else:
                actions.do_remove_team_member(_user(request), found, target, request=request)
                messages.success(request, _("Removed from the team."))
            return redirect("team", membership.hotline.slug, found.pk)
        if form.is_valid():
            target = queries.access_member(membership, form.cleaned_data["membership"])
            _act(
                request,
                _("The team is updated."),
                actions.do_set_team_member,
                _user(request),
                found,
                target,
                is_lead=bool(form.cleaned_data.get("is_lead")),
                request=request,
            )
            return redirect("team", membership.hotline.slug, found.pk)
    return render(
        request,
        "scheduling/team.html",
        {
            "hotline": membership.hotline,
            "team": found,
            "members": queries.team_members(found),
            "manage": manage,
            "is_manager": manager,
            "form": form,
            "membership": membership,
        },
    )


# Templates -------------------------------------------------------------------------------------------


def _template_scope(membership: Membership) -> Any:
    if queries.is_manager(membership):
        return None
    lead = queries.led_team(membership)
    if lead is None:
        raise PermissionDenied
    return lead


@hotline_view()
def templates(request: HttpRequest, membership: Membership) -> HttpResponse:
    scope = _template_scope(membership)
    form = TemplateForm(request.POST or None, hotline=membership.hotline, team=scope)
    if request.method == "POST" and form.is_valid():
        template = actions.do_save_template(
            _user(request), membership.hotline, form.cleaned_data, request=request
        )
        messages.success(request, _("The template is saved. Now generate its shifts."))
        return redirect("shift-template", membership.hotline.slug, template.pk)
    return render(
        request,
        "scheduling/templates.html",
        {
            "hotline": membership.hotline,
            "templates": queries.templates(membership.hotline, membership),
            "form": form,
        },
    )


@hotline_view()
def template(request: HttpRequest, membership: Membership, template_id: int) -> HttpResponse:
    scope = _template_scope(membership)
    found = queries.access_template(membership, template_id)
    if scope is not None and found.team_id != scope.pk:
        raise PermissionDenied
    edit = TemplateForm(
        request.POST if "save" in request.POST else None,
        instance=found,
        hotline=membership.hotline,
        team=scope,
    )
    today = hotline_today(membership.hotline)
    generate = GenerateForm(
        request.POST if "generate" in request.POST else None,
        initial={"first_day": today, "last_day": today + timedelta(days=13)},
    )
    if request.method == "POST":
        if "save" in request.POST and edit.is_valid():
            actions.do_save_template(
                _user(request), membership.hotline, edit.cleaned_data, found, request=request
            )
            messages.success(request, _("The template is saved."))
            return redirect("shift-template", membership.hotline.slug, found.pk)
        if "generate" in request.POST and generate.is_valid():
            try:
                count = actions.do_generate_shifts(
                    _user(request),
                    found,
                    generate.cleaned_data["first_day"],
                    generate.cleaned_data["last_day"],
                    request=request,
                )
            except actions.ScheduleError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("%(count)s new shifts.") % {"count": count})
                return redirect(
                    reverse("shifts", args=[membership.hotline.slug])
                    + f"?week={generate.cleaned_data['first_day'].isoformat()}"
                )
    return render(
        request,
        "scheduling/template.html",
        {"hotline": membership.hotline, "template": found, "form": edit, "generate": generate},
    )


# Coverage --------------------------------------------------------------------------------------------


@hotline_view()
def coverage(request: HttpRequest, membership: Membership) -> HttpResponse:
    if not queries.may_manage_shifts(membership) and not membership.has_role("supervisor"):
        raise PermissionDenied
    manager = queries.is_manager(membership)
    settings_form = SettingsForm(
        request.POST if manager and request.method == "POST" else None,
        instance=queries.settings_for(membership.hotline),
    )
    if request.method == "POST":
        if not manager:
            raise PermissionDenied
        if settings_form.is_valid():
            actions.do_update_settings(
                _user(request),
                membership.hotline,
                settings_form.cleaned_data,
                request=request,
            )
            messages.success(request, _("The staffing targets are saved."))
            return redirect("coverage", membership.hotline.slug)
    monday = _week(request, membership)
    rows, config, slots = queries.coverage(membership.hotline, monday, hotline_today(membership.hotline))
    days: list[list[queries.Hour]] = []
    for row in rows:
        if not days or days[-1][0].starts_at.date() != row.starts_at.date():
            days.append([])
        days[-1].append(row)
    return render(
        request,
        "scheduling/coverage.html",
        {
            "hotline": membership.hotline,
            "days": days,
            "gaps": sum(1 for row in rows if row.gap),
            "config": config,
            "concurrency": slots,
            "monday": monday,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
            "settings_form": settings_form if manager else None,
        },
    )


# Service hours ---------------------------------------------------------------------------------------


def _month(request: HttpRequest, membership: Membership) -> tuple[MonthForm, date]:
    form = MonthForm(request.GET or None)
    if form.is_valid():
        return form, hours.month_start(form.cleaned_data["month"])
    previous = hours.month_start(hotline_today(membership.hotline)) - timedelta(days=1)
    return MonthForm(initial={"month": hours.month_start(previous)}), hours.month_start(previous)


@hotline_view()
def service_hours(request: HttpRequest, membership: Membership) -> HttpResponse:
    manager = queries.is_manager(membership)
    lead = queries.led_team(membership)
    if not manager and lead is None:
        return redirect("service-certificate", membership.hotline.slug, membership.pk)
    form, month = _month(request, membership)
    start, end = hours.month_range(month, membership.hotline.time_zone)
    now = timezone.now()
    rows = queries.service_hours(membership.hotline, start, end, now=now, team=None if manager else lead)
    approvals = queries.approvals(membership.hotline, month)
    if request.method == "POST":
        target = queries.access_team(membership, request.POST.get("team"))
        if not queries.may_manage_team(membership, target):
            raise PermissionDenied
        _act(
            request,
            _("The team's hours are approved."),
            actions.do_approve_hours,
            _user(request),
            target,
            month,
            request=request,
        )
        return redirect(reverse("service-hours", args=[membership.hotline.slug]) + f"?month={month:%Y-%m}")
    if request.GET.get("format") == "xlsx":
        data = spreadsheets.hours_xlsx(
            membership.hotline,
            rows,
            set(approvals),
            f"{month:%Y-%m}",
            _user(request),
            request,
        )
        response = HttpResponse(data, content_type=spreadsheets.XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="hours-{membership.hotline.slug}-{month:%Y-%m}.xlsx"'
        )
        return response
    totals = queries.team_totals(rows)
    for total in totals:
        total["approval"] = approvals.get(total["team_id"])
    return render(
        request,
        "scheduling/hours.html",
        {
            "hotline": membership.hotline,
            "form": form,
            "month": month,
            "rows": rows,
            "totals": totals,
            "month_over": end <= now,
            "figures": volunteer_profile(membership) if manager else None,
        },
    )


@hotline_view()
def certificate(request: HttpRequest, membership: Membership, membership_id: int) -> HttpResponse:
    volunteer = queries.access_member(membership, membership_id)
    if volunteer.pk != membership.pk:
        member = queries.team_of(volunteer)
        if not queries.may_manage_team(membership, member.team if member else None):
            raise PermissionDenied
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = hotline_today(membership.hotline).year
    year = min(max(year, 2000), 2100)
    months = queries.certificate_months(volunteer, year, timezone.now())
    approved = sum(m["hours"] for m in months if m["approved"])
    audit.log(
        "hours.certificate_viewed",
        actor=_user(request),
        hotline=membership.hotline,
        obj=volunteer,
        request=request,
    )
    return render(
        request,
        "scheduling/certificate.html",
        {
            "hotline": membership.hotline,
            "volunteer": volunteer,
            "year": year,
            "months": months,
            "approved_hours": approved,
            "pending": any(not m["approved"] for m in months),
            "issued": hotline_today(membership.hotline),
        },
    )


# Roster import and export ----------------------------------------------------------------------------


@hotline_view("coordinator", "admin")
def roster(request: HttpRequest, membership: Membership) -> HttpResponse:
    if request.GET.get("format") == "xlsx":
        data = spreadsheets.roster_xlsx(membership.hotline, _user(request), request)
        response = HttpResponse(data, content_type=spreadsheets.XLSX)
        response["Content-Disposition"] = f'attachment; filename="roster-{membership.hotline.slug}.xlsx"'
        return response
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        item = spreadsheets.do_start_import(_user(request), membership.hotline, upload.name, upload.read())
        return redirect("roster-import", membership.hotline.slug, item.pk)
    return render(
        request,
        "scheduling/roster.html",
        {
            "hotline": membership.hotline,
            "form": form,
            "imports": RosterImport.objects.filter(hotline=membership.hotline)[:10],
        },
    )


@hotline_view("coordinator", "admin")
def roster_import(request: HttpRequest, membership: Membership, import_id: int) -> HttpResponse:
    item = queries._get(RosterImport.objects.filter(hotline=membership.hotline), import_id)
    errors = [{**problem, "text": spreadsheets.problem_text(problem)} for problem in item.errors]
    return render(
        request,
        "scheduling/roster_import.html",
        {
            "hotline": membership.hotline,
            "item": item,
            "errors": errors,
            "running": item.state in ("pending", "running"),
        },
    )
