"""Report pages: the dashboard (with CSV and Excel export), the weekly brief, and a counsellor's
own satisfaction. Thin: parse the filters, ask metrics/figures, render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xinyuan.core import audit
from xinyuan.core.models import Membership
from xinyuan.core.permissions import hotline_view
from xinyuan.core.queries import hotline_today
from xinyuan.core.roles import Role
from xinyuan.reports import export, figures, metrics, queries
from xinyuan.reports.forms import ReportFilterForm, WeekForm

# Who reads the hotline's reports. Counsellors see only their own satisfaction (my_satisfaction).
REPORT_ROLES = (Role.SUPERVISOR, Role.COORDINATOR, Role.ADMIN)
OWN_ROLES = (Role.COUNSELLOR, Role.TEAM_LEAD)


def _filters(request: HttpRequest, membership: Membership) -> tuple[ReportFilterForm, metrics.Filters]:
    today = hotline_today(membership.hotline)
    form = ReportFilterForm(request.GET, teams=metrics.teams(membership.hotline), today=today)
    if form.is_valid():
        data = form.cleaned_data
        filters = metrics.Filters(
            membership.hotline, data["since"], data["until"], team_id=data["team"], channel=data["channel"]
        )
    else:
        filters = metrics.Filters(membership.hotline, today - timedelta(days=27), today)
    return form, filters


def _charts(tables: list[figures.Table]) -> list[dict[str, Any]]:
    return [table.chart_data() for table in tables if table.chart and table.rows]


def _preamble(filters: metrics.Filters) -> list[list[str]]:
    return [
        [_("Hotline"), filters.hotline.name],
        [_("From"), str(filters.since or "")],
        [_("Until"), str(filters.until or "")],
        [_("Channel"), filters.channel or _("All channels")],
        [_("Team"), dict(metrics.teams(filters.hotline)).get(filters.team_id or 0, _("All teams"))],
    ]


@hotline_view(*REPORT_ROLES)
def dashboard(request: HttpRequest, membership: Membership) -> HttpResponse:
    form, filters = _filters(request, membership)
    scope = metrics.Scope(filters)
    tables = figures.tables(scope, year=hotline_today(membership.hotline).year)
    kind = request.GET.get("format")
    if kind in ("csv", "xlsx"):
        audit.log(
            audit.Action.REPORTS_EXPORTED,
            actor=request.user,
            hotline=membership.hotline,
            request=request,
            format=kind,
            since=str(filters.since),
            until=str(filters.until),
            team=filters.team_id,
            channel=filters.channel,
        )
        name = f"report-{membership.hotline.slug}-{filters.since}-{filters.until}"
        if kind == "csv":
            response = HttpResponse(
                export.to_csv(tables, _preamble(filters)), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        response = HttpResponse(
            export.to_xlsx(tables, _preamble(filters)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "reports/dashboard.html",
        {
            "hotline": membership.hotline,
            "form": form,
            "filters": filters,
            "tables": tables,
            "charts": _charts(tables),
            "query": query.urlencode(),
        },
    )


@hotline_view(*REPORT_ROLES)
def brief(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The weekly data brief: Monday to Sunday of a week (the last full week by default)."""
    form = WeekForm(request.GET or None)
    today = hotline_today(membership.hotline)
    chosen = form.cleaned_data.get("week") if form.is_valid() else None
    day = chosen or today - timedelta(days=7)
    monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    scope = metrics.Scope(metrics.Filters(membership.hotline, monday, sunday))
    before = metrics.Scope(
        metrics.Filters(membership.hotline, monday - timedelta(days=7), sunday - timedelta(days=7))
    )
    keys = {
        "by_hour",
        "by_weekday",
        "by_category",
        "risk",
        "by_population",
        "ratings",
        "change",
        "escalations",
    }
    tables = [t for t in figures.tables(scope, year=today.year, with_people=False) if t.key in keys]
    satisfaction = metrics.satisfaction(scope)
    this_week, last_week = metrics.summary(scope), metrics.summary(before)
    rows = [
        (_("Contacts offered"), this_week["offered"], last_week["offered"], figures.COUNT),
        (_("Answered"), this_week["answered"], last_week["answered"], figures.COUNT),
        (_("Answer rate"), this_week["answer_rate"], last_week["answer_rate"], figures.PERCENT),
        (_("Abandon rate"), this_week["abandon_rate"], last_week["abandon_rate"], figures.PERCENT),
        (_("Service level"), this_week["service_level"], last_week["service_level"], figures.PERCENT),
        (
            _("Average speed of answer (s)"),
            this_week["average_speed_of_answer"],
            last_week["average_speed_of_answer"],
            figures.SECONDS,
        ),
        (
            _("Average handle time (s)"),
            this_week["average_handle_time"],
            last_week["average_handle_time"],
            figures.SECONDS,
        ),
        (
            _("Satisfaction rate"),
            satisfaction["rate"],
            metrics.satisfaction(before)["rate"],
            figures.PERCENT,
        ),
    ]
    summary = [(label, figures.display(a, kind), figures.display(b, kind)) for label, a, b, kind in rows]
    return render(
        request,
        "reports/brief.html",
        {
            "hotline": membership.hotline,
            "form": form,
            "monday": monday,
            "sunday": sunday,
            "summary": summary,
            "tables": tables,
            "charts": _charts(tables),
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7) if monday + timedelta(days=7) <= today else None,
        },
    )


@hotline_view(*OWN_ROLES)
def my_satisfaction(request: HttpRequest, membership: Membership) -> HttpResponse:
    """A counsellor's own ratings and comments; nobody else's."""
    form, filters = _filters(request, membership)
    own = metrics.Filters(
        membership.hotline,
        filters.since,
        filters.until,
        channel=filters.channel,
        counsellor_id=membership.user_id,
    )
    scope = metrics.Scope(own)
    tables = figures.satisfaction_tables(scope, per_counsellor=False)
    comments = queries.own_comments(membership, own)
    if comments:
        audit.log(
            audit.Action.SURVEY_COMMENTS_VIEWED,
            actor=request.user,
            hotline=membership.hotline,
            request=request,
            count=len(comments),
        )
    return render(
        request,
        "reports/my_satisfaction.html",
        {
            "hotline": membership.hotline,
            "form": form,
            "tables": tables,
            "charts": _charts(tables),
            "comments": comments,
        },
    )
