"""Reads for scheduling, always scoped to the hotline, and who may do what with teams and shifts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404

from xinyuan.contacts.models import Contact, CounsellorState
from xinyuan.core import hours as core_hours
from xinyuan.core.models import Hotline, Membership
from xinyuan.core.roles import Role
from xinyuan.scheduling import erlang, hours
from xinyuan.scheduling.models import (
    CalendarFeed,
    DutyPeriod,
    HoursApproval,
    SchedulingSettings,
    Shift,
    ShiftTemplate,
    SignUp,
    SwapRequest,
    Team,
    TeamMember,
)

MANAGER_ROLES = (Role.COORDINATOR, Role.ADMIN)
SHIFT_ROLES = (Role.COUNSELLOR, Role.TEAM_LEAD)


def settings_for(hotline: Hotline) -> SchedulingSettings:
    found, _created = SchedulingSettings.objects.get_or_create(hotline=hotline)
    return found


# Who may do what -----------------------------------------------------------------------------------


def is_manager(membership: Membership) -> bool:
    """Coordinators and admins manage every team of their hotline."""
    return membership.has_role(*MANAGER_ROLES)


def team_of(membership: Membership) -> TeamMember | None:
    return TeamMember.objects.select_related("team").filter(membership=membership).first()


def led_team(membership: Membership) -> Team | None:
    member = team_of(membership)
    return member.team if member is not None and member.is_lead else None


def may_manage_team(membership: Membership, team: Team | None) -> bool:
    if is_manager(membership):
        return True
    lead = led_team(membership)
    return team is not None and lead is not None and lead.pk == team.pk


def may_view_team(membership: Membership, team: Team) -> bool:
    member = team_of(membership)
    return may_manage_team(membership, team) or (member is not None and member.team_id == team.pk)


def may_manage_shifts(membership: Membership) -> bool:
    return is_manager(membership) or led_team(membership) is not None


def may_sign_up(membership: Membership, shift: Shift) -> bool:
    if not membership.has_role(*SHIFT_ROLES):
        return False
    if shift.team_id is None:
        return True
    member = team_of(membership)
    return member is not None and member.team_id == shift.team_id


def may_decide_swap(membership: Membership, swap: SwapRequest) -> bool:
    """The lead of the shift's team (or, for a shift of no team, the offerer's), or a coordinator."""
    team = swap.signup.shift.team
    if team is None:
        offerer = team_of(swap.offered_by)
        team = offerer.team if offerer is not None else None
    return may_manage_team(membership, team)


# Lookups that 404 outside the hotline --------------------------------------------------------------


def _get(queryset: QuerySet[Any], pk: object) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def access_team(membership: Membership, team_id: object) -> Team:
    return _get(Team.objects.filter(hotline_id=membership.hotline_id), team_id)


def access_shift(membership: Membership, shift_id: object) -> Shift:
    return _get(Shift.objects.select_related("team").filter(hotline_id=membership.hotline_id), shift_id)


def access_template(membership: Membership, template_id: object) -> ShiftTemplate:
    return _get(ShiftTemplate.objects.filter(hotline_id=membership.hotline_id), template_id)


def access_swap(membership: Membership, swap_id: object) -> SwapRequest:
    return _get(
        SwapRequest.objects.select_related(
            "signup__shift__team", "offered_by__user", "taken_by__user", "in_return__shift"
        ).filter(hotline_id=membership.hotline_id),
        swap_id,
    )


def access_member(membership: Membership, membership_id: object) -> Membership:
    return _get(
        Membership.objects.select_related("user").filter(hotline_id=membership.hotline_id), membership_id
    )


def own_signup(membership: Membership, signup_id: object) -> SignUp:
    return _get(SignUp.objects.select_related("shift").filter(membership=membership), signup_id)


# Teams and shifts ----------------------------------------------------------------------------------


def teams(hotline: Hotline) -> QuerySet[Team]:
    return Team.objects.filter(hotline=hotline).annotate(size=Count("members"))


def team_members(team: Team) -> QuerySet[TeamMember]:
    return team.members.select_related("membership__user").order_by("-is_lead", "membership__user__username")


def members_without_team(hotline: Hotline) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(hotline=hotline, is_active=True, team_member__isnull=True)
        .select_related("user")
        .order_by("user__username")
    )


def templates(hotline: Hotline, membership: Membership) -> QuerySet[ShiftTemplate]:
    found = ShiftTemplate.objects.filter(hotline=hotline).select_related("team")
    if is_manager(membership):
        return found
    lead = led_team(membership)
    return found.filter(team=lead) if lead else found.none()


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_range(monday: date, time_zone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(time_zone)
    start = datetime.combine(monday, datetime.min.time(), zone)
    return start, datetime.combine(monday + timedelta(days=7), datetime.min.time(), zone)


@dataclass
class Day:
    day: date
    shifts: list[Shift]


def calendar_week(membership: Membership, monday: date) -> list[Day]:
    """The week's shifts by local day, each with `mine` (the member's sign-up or None) and `names`."""
    hotline = membership.hotline
    start, end = week_range(monday, hotline.time_zone)
    zone = ZoneInfo(hotline.time_zone)
    shifts = list(
        Shift.objects.filter(hotline=hotline, starts_at__gte=start, starts_at__lt=end)
        .select_related("team")
        .prefetch_related("signups__membership__user")
    )
    days = [Day(monday + timedelta(days=offset), []) for offset in range(7)]
    for shift in shifts:
        signups = list(shift.signups.all())
        shift.mine = next((s for s in signups if s.membership_id == membership.pk), None)  # type: ignore[attr-defined]
        shift.names = [str(s.membership.user) for s in signups]  # type: ignore[attr-defined]
        shift.may_sign_up = may_sign_up(membership, shift)  # type: ignore[attr-defined]
        days[(shift.starts_at.astimezone(zone).date() - monday).days].shifts.append(shift)
    return days


def my_signups(membership: Membership, since: datetime) -> QuerySet[SignUp]:
    return (
        SignUp.objects.filter(membership=membership, shift__ends_at__gt=since)
        .select_related("shift__team", "shift__hotline")
        .order_by("shift__starts_at")
    )


def open_swaps(membership: Membership, now: datetime) -> QuerySet[SwapRequest]:
    return SwapRequest.objects.filter(
        hotline_id=membership.hotline_id, state="open", signup__shift__starts_at__gt=now
    ).select_related("signup__shift__team", "offered_by__user")


def swaps_to_decide(membership: Membership) -> list[SwapRequest]:
    waiting = SwapRequest.objects.filter(hotline_id=membership.hotline_id, state="taken").select_related(
        "signup__shift__team", "offered_by__user", "taken_by__user", "in_return__shift"
    )
    return [swap for swap in waiting if may_decide_swap(membership, swap)]


def my_swaps(membership: Membership) -> QuerySet[SwapRequest]:
    return SwapRequest.objects.filter(
        Q(offered_by=membership) | Q(taken_by=membership), hotline_id=membership.hotline_id
    ).select_related("signup__shift", "offered_by__user", "taken_by__user")[:20]


def feed_by_token(token: str) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.select_related("membership__hotline", "membership__user")
        .filter(token=token, membership__is_active=True)
        .first()
    )


# Forecast and coverage -----------------------------------------------------------------------------


def arrivals_forecast(hotline: Hotline, today: date, weeks: int) -> list[list[float]]:
    """Average contacts per weekday × hour over the `weeks` full weeks of days before `today`."""
    first_day = today - timedelta(weeks=weeks)
    last_day = today - timedelta(days=1)
    since, until = core_hours.local_day_range(first_day, last_day, hotline.time_zone)
    arrivals = Contact.objects.filter(
        hotline=hotline, created_at__gte=since, created_at__lt=until
    ).values_list("created_at", flat=True)
    return erlang.arrivals_by_weekday_hour(
        arrivals.iterator(), tz=ZoneInfo(hotline.time_zone), first_day=first_day, last_day=last_day
    )


def concurrency(hotline: Hotline, chosen: int | None) -> int:
    """The setting, or the average chat limit of the hotline's counsellors (rounded, at least 1)."""
    if chosen:
        return chosen
    average = CounsellorState.objects.filter(
        membership__hotline=hotline, membership__is_active=True
    ).aggregate(limit=Avg("chat_limit"))["limit"]
    return max(1, round(average)) if average else 1


@dataclass(frozen=True)
class Hour:
    starts_at: datetime  # local
    forecast: float
    needed: int
    scheduled: int

    @property
    def gap(self) -> int:
        return max(0, self.needed - self.scheduled)


def coverage(hotline: Hotline, monday: date, today: date) -> tuple[list[Hour], SchedulingSettings, int]:
    """For each hour of the week: the forecast, counsellors needed (Erlang C) and scheduled."""
    config = settings_for(hotline)
    forecast = arrivals_forecast(hotline, today, config.forecast_weeks)
    slots = concurrency(hotline, config.concurrency)
    zone = ZoneInfo(hotline.time_zone)
    start, end = week_range(monday, hotline.time_zone)
    signed = list(
        SignUp.objects.filter(
            shift__hotline=hotline, shift__starts_at__lt=end, shift__ends_at__gt=start
        ).values_list("shift__starts_at", "shift__ends_at")
    )
    needed_cache: dict[float, int] = {}
    rows: list[Hour] = []
    moment = start.astimezone(ZoneInfo("UTC"))
    while moment < end:  # UTC steps: a week with a clock change has 167 or 169 hours
        local = moment.astimezone(zone)
        expected = forecast[local.weekday()][local.hour]
        if expected not in needed_cache:
            needed_cache[expected] = erlang.required_staff(
                contacts=expected,
                interval_minutes=60,
                aht_minutes=config.aht_minutes,
                target_seconds=config.target_seconds,
                service_level=config.service_level,
                shrinkage=config.shrinkage,
                concurrency=slots,
            ).positions
        middle = moment + timedelta(minutes=30)
        scheduled = sum(1 for begins, ends in signed if begins <= middle < ends)
        rows.append(Hour(local, expected, needed_cache[expected], scheduled))
        moment += timedelta(hours=1)
    return rows, config, slots


# Service hours -------------------------------------------------------------------------------------


@dataclass
class HoursRow:
    membership: Membership
    name: str
    team: str
    team_id: int | None
    on_duty_hours: float
    contacts_handled: int
    group_supervision_hours: float

    @property
    def total_hours(self) -> float:
        return self.on_duty_hours + self.group_supervision_hours


def _group_session_hours(hotline: Hotline, start: datetime, end: datetime) -> dict[int, float]:
    """Hours of group supervision per user, when the supervision app has its GroupSession."""
    try:
        model = apps.get_model("supervision", "GroupSession")
    except LookupError:
        return {}
    result: dict[int, float] = defaultdict(float)
    sessions = model.objects.filter(hotline=hotline, held_at__gte=start, held_at__lt=end).prefetch_related(
        "attendees"
    )
    for session in sessions:
        for user in session.attendees.all():
            result[user.pk] += session.duration_minutes / 60
    return result


def service_hours(
    hotline: Hotline, start: datetime, end: datetime, now: datetime | None = None, team: Team | None = None
) -> list[HoursRow]:
    """Per member of the hotline: on-duty hours clipped to [start, end), contacts answered in it,
    group supervision hours, and team name. Members with nothing in the period are left out."""
    from django.utils import timezone

    now = now or timezone.now()
    members = Membership.objects.filter(hotline=hotline).select_related("user", "team_member__team")
    if team is not None:
        members = members.filter(team_member__team=team)
    periods: dict[int, list[hours.Period]] = defaultdict(list)
    for membership_id, started, ended in (
        DutyPeriod.objects.filter(membership__in=members, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .values_list("membership_id", "started_at", "ended_at")
    ):
        periods[membership_id].append((started, ended))
    handled = dict(
        Contact.objects.filter(
            hotline=hotline, answered_at__gte=start, answered_at__lt=end, counsellor__isnull=False
        )
        .values_list("counsellor_id")
        .annotate(n=Count("pk"))
        .values_list("counsellor_id", "n")
    )
    group = _group_session_hours(hotline, start, end)
    rows = []
    for membership in members:
        on_duty = hours.clipped_hours(periods.get(membership.pk, []), start, end, now)
        contacts = handled.get(membership.user_id, 0)
        supervision = group.get(membership.user_id, 0.0)
        if not (on_duty or contacts or supervision):
            continue
        member = getattr(membership, "team_member", None)
        rows.append(
            HoursRow(
                membership=membership,
                name=str(membership.user),
                team=member.team.name if member else "",
                team_id=member.team_id if member else None,
                on_duty_hours=on_duty,
                contacts_handled=contacts,
                group_supervision_hours=supervision,
            )
        )
    return sorted(rows, key=lambda row: (row.team, row.name))


def team_totals(rows: list[HoursRow]) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = totals.setdefault(
            row.team, {"team": row.team, "team_id": row.team_id, "hours": 0.0, "contacts": 0, "people": 0}
        )
        entry["hours"] += row.total_hours
        entry["contacts"] += row.contacts_handled
        entry["people"] += 1
    return sorted(totals.values(), key=lambda entry: str(entry["team"]))


def approvals(hotline: Hotline, month: date) -> dict[int, HoursApproval]:
    return {
        approval.team_id: approval
        for approval in HoursApproval.objects.filter(hotline=hotline, month=month).select_related(
            "approved_by"
        )
    }


def certificate_months(membership: Membership, year: int, now: datetime) -> list[dict[str, Any]]:
    """A member's hours per month of `year`, and whether their team's month was approved."""
    hotline = membership.hotline
    periods: list[hours.Period] = list(
        DutyPeriod.objects.filter(membership=membership).values_list("started_at", "ended_at")
    )
    by_month = hours.hours_by_month(periods, date(year, 1, 1), date(year, 12, 1), hotline.time_zone, now)
    member = team_of(membership)
    approved = (
        set(
            HoursApproval.objects.filter(team_id=member.team_id, month__year=year).values_list(
                "month", flat=True
            )
        )
        if member
        else set()
    )
    result = []
    for month, duty_hours in by_month.items():
        start, end = hours.month_range(month, hotline.time_zone)
        group = _group_session_hours(hotline, start, end).get(membership.user_id, 0.0)
        total = duty_hours + group
        if total:
            result.append({"month": month, "hours": total, "approved": month in approved})
    return result
