"""Report metrics: one function per metric, each over one filtered set of contacts (a `Scope`).

The definitions (numerator, denominator, which contacts count, edge cases) are in docs/metrics.md;
keep the two in step. The arithmetic lives in `stats.py`, without Django.

Which contacts: those of the hotline that *arrived* (`queued_at`) between the start of `since`
and the end of `until`, in the hotline's time zone, narrowed by channel and team.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db.models import Count, QuerySet

from xinyuan.contacts.intake import BY_KEY
from xinyuan.contacts.models import RISK_ORDER, Channel, Contact
from xinyuan.core import hours
from xinyuan.core.models import Hotline, Membership
from xinyuan.core.roles import Role
from xinyuan.records.models import ContactRecord, IssueCategory
from xinyuan.reports import stats
from xinyuan.reports.models import ReportSettings, SurveyResponse
from xinyuan.risk.models import Escalation, EscalationState, EscalationStep, StepKind

UNKNOWN = "unknown"
# The crisis steps that count as an outcome of an escalation (what was done), in report order.
OUTCOME_STEPS = (
    StepKind.CALLED_120,
    StepKind.CALLED_110,
    StepKind.CALLED_119,
    StepKind.TEAM_DISPATCHED,
    StepKind.GUARDIAN_CONTACTED,
    StepKind.LOCATION_SHARED,
)


def team_model() -> Any | None:
    """scheduling.Team, once that app has it (reports work without teams)."""
    try:
        return apps.get_model("scheduling", "Team")
    except LookupError:
        return None


@dataclass(frozen=True)
class Filters:
    hotline: Hotline
    since: date | None = None
    until: date | None = None
    team_id: int | None = None
    channel: str = ""
    counsellor_id: int | None = None  # a counsellor's own view


@dataclass(frozen=True)
class Row:
    """The columns of a contact the metrics read (no encrypted field is read)."""

    pk: Any
    channel: str
    source: str
    risk_level: str
    callback: bool
    counsellor_id: int | None
    intake: dict[str, Any]
    queued_at: datetime
    answered_at: datetime | None
    abandoned_at: datetime | None
    ended_at: datetime | None
    wrapped_up_at: datetime | None
    first_response_at: datetime | None

    @property
    def wait_seconds(self) -> float | None:
        """Arrival to answer, or to giving up; None while still waiting."""
        end = self.answered_at or self.abandoned_at
        return (end - self.queued_at).total_seconds() if end else None


ROW_FIELDS = [name for name in Row.__dataclass_fields__]


class Scope:
    """One filtered set of contacts, read once."""

    def __init__(self, filters: Filters) -> None:
        self.filters = filters
        self.hotline = filters.hotline
        self.zone = ZoneInfo(filters.hotline.time_zone)
        self.start, self.end = hours.local_day_range(filters.since, filters.until, filters.hotline.time_zone)

    def contacts(self) -> QuerySet[Contact]:
        f = self.filters
        queryset = Contact.objects.filter(hotline_id=self.hotline.pk, queued_at__isnull=False)
        if self.start is not None:
            queryset = queryset.filter(queued_at__gte=self.start)
        if self.end is not None:
            queryset = queryset.filter(queued_at__lt=self.end)
        if f.channel:
            queryset = queryset.filter(channel=f.channel)
        if f.counsellor_id is not None:
            queryset = queryset.filter(counsellor_id=f.counsellor_id)
        if f.team_id is not None:
            # One membership row must match both conditions: the same filter() call.
            queryset = queryset.filter(
                counsellor__memberships__hotline_id=self.hotline.pk,
                counsellor__memberships__team_member__team_id=f.team_id,
            )
        return queryset

    @cached_property
    def rows(self) -> list[Row]:
        return [Row(**values) for values in self.contacts().values(*ROW_FIELDS).order_by("queued_at")]

    @cached_property
    def records(self) -> QuerySet[ContactRecord]:
        return ContactRecord.objects.filter(contact__in=self.contacts())

    @cached_property
    def settings(self) -> ReportSettings:
        found = ReportSettings.objects.filter(hotline_id=self.hotline.pk).first()
        return found or ReportSettings(hotline=self.hotline)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)


# Volume ---------------------------------------------------------------------------------------------


def offered(scope: Scope) -> int:
    """Contacts that arrived in the period (every state, call-backs included)."""
    return len(scope.rows)


def answered(scope: Scope) -> int:
    """Arrived contacts a counsellor accepted (`answered_at` set)."""
    return sum(1 for row in scope.rows if row.answered_at)


def abandoned(scope: Scope) -> int:
    """Arrived contacts whose seeker left (or timed out) before anyone answered."""
    return sum(1 for row in scope.rows if row.abandoned_at and not row.answered_at)


def answer_rate(scope: Scope) -> float | None:
    """answered / offered."""
    return stats.rate(answered(scope), offered(scope))


def abandon_rate(scope: Scope) -> float | None:
    """abandoned / offered."""
    return stats.rate(abandoned(scope), offered(scope))


# Waiting ---------------------------------------------------------------------------------------------


def _live(scope: Scope) -> list[Row]:
    """Contacts that waited live: call-backs wait for the line to open by design, so they are left out."""
    return [row for row in scope.rows if not row.callback]


def answer_waits(scope: Scope) -> list[float]:
    """Seconds from arrival to answer of answered live contacts."""
    return [(row.answered_at - row.queued_at).total_seconds() for row in _live(scope) if row.answered_at]


def average_speed_of_answer(scope: Scope) -> float | None:
    """Mean seconds from arrival to answer, over answered live contacts."""
    return stats.mean(answer_waits(scope))


def wait_percentiles_by_risk(scope: Scope) -> dict[str, dict[str, float | int | None]]:
    """Per risk level (the contact's level at the end): how many live contacts finished waiting
    (answered or abandoned), their median and 90th percentile wait in seconds, and the mean
    speed of answer."""
    out: dict[str, dict[str, float | int | None]] = {}
    for level in RISK_ORDER:
        rows = [row for row in _live(scope) if row.risk_level == level]
        waits = [wait for row in rows if (wait := row.wait_seconds) is not None]
        answers = [(row.answered_at - row.queued_at).total_seconds() for row in rows if row.answered_at]
        out[str(level)] = {
            "count": len(waits),
            "p50": stats.percentile(waits, 50),
            "p90": stats.percentile(waits, 90),
            "asa": stats.mean(answers),
        }
    return out


def service_level(scope: Scope) -> float | None:
    """Live contacts answered within the hotline's target seconds, divided by live contacts that
    were answered or abandoned. Those still waiting are not counted yet."""
    target = scope.settings.service_level_seconds
    finished = [row for row in _live(scope) if row.answered_at or row.abandoned_at]
    in_time = [
        row
        for row in finished
        if row.answered_at and (row.answered_at - row.queued_at).total_seconds() <= target
    ]
    return stats.rate(len(in_time), len(finished))


# Handling ---------------------------------------------------------------------------------------------


def handle_times(scope: Scope) -> list[float]:
    """Seconds from answer to the end of wrap-up (the record written), or to the end of the
    conversation while the record is still being written."""
    out = []
    for row in scope.rows:
        end = row.wrapped_up_at or row.ended_at
        if row.answered_at and end:
            out.append((end - row.answered_at).total_seconds())
    return out


def average_handle_time(scope: Scope) -> float | None:
    return stats.mean(handle_times(scope))


def first_response_time(scope: Scope) -> float | None:
    """Mean seconds from answer to the counsellor's first message, over answered contacts in which
    the counsellor wrote."""
    return stats.mean(
        [
            (row.first_response_at - row.answered_at).total_seconds()
            for row in scope.rows
            if row.answered_at and row.first_response_at
        ]
    )


# Breakdowns of arrivals ----------------------------------------------------------------------------


def by_channel(scope: Scope) -> dict[str, int]:
    """Offered contacts per channel (every channel listed)."""
    return stats.counts((row.channel for row in scope.rows), order=[str(c) for c in Channel])


def by_source(scope: Scope) -> dict[str, int]:
    """Offered contacts per source platform; no source counts as "unknown"."""
    return stats.counts(row.source or UNKNOWN for row in scope.rows)


def by_hour(scope: Scope) -> dict[str, int]:
    """Offered contacts per local hour of arrival, "0" to "23"."""
    return stats.counts(
        (str(scope.local(row.queued_at).hour) for row in scope.rows), order=[str(h) for h in range(24)]
    )


def by_weekday(scope: Scope) -> dict[str, int]:
    """Offered contacts per local weekday of arrival, "0" (Monday) to "6" (Sunday)."""
    return stats.counts(
        (str(scope.local(row.queued_at).weekday()) for row in scope.rows), order=[str(d) for d in range(7)]
    )


# From the records ---------------------------------------------------------------------------------


def by_category(scope: Scope) -> dict[str, int]:
    """Records naming each issue category (a record with three issues counts once in each),
    by category key, in the hotline's category order."""
    through = ContactRecord.categories.through
    found = {
        row["issuecategory__key"]: row["n"]
        for row in through.objects.filter(contactrecord__in=scope.records)
        .values("issuecategory__key")
        .annotate(n=Count("pk"))
    }
    order = IssueCategory.objects.filter(hotline_id=scope.hotline.pk).values_list("key", flat=True)
    return {key: found.get(key, 0) for key in order}


def by_population(scope: Scope) -> dict[str, int]:
    """Records per population group; a record without one counts as "unknown"."""
    order = [value for value, _label in BY_KEY["population"].choices]
    return stats.counts(
        (population or UNKNOWN for population in scope.records.values_list("population", flat=True)),
        order=order,
    )


def risk_distribution(scope: Scope) -> dict[str, int]:
    """Contacts per final risk level: the record's level when written, else the contact's level."""
    recorded = dict(scope.records.values_list("contact_id", "final_risk_level"))
    return stats.counts(
        (recorded.get(row.pk, row.risk_level) for row in scope.rows), order=[str(r) for r in RISK_ORDER]
    )


# Crises ------------------------------------------------------------------------------------------


def escalations(scope: Scope) -> dict[str, Any]:
    """Crisis escalations of the contacts in scope: how many, by state, the mean seconds to
    acknowledge (acknowledged ones), and how many had each outcome step at least once."""
    found = list(
        Escalation.objects.filter(contact__in=scope.contacts()).values(
            "pk", "state", "raised_at", "acknowledged_at"
        )
    )
    steps = set(
        EscalationStep.objects.filter(
            escalation_id__in=[e["pk"] for e in found], kind__in=OUTCOME_STEPS
        ).values_list("escalation_id", "kind")
    )
    return {
        "count": len(found),
        "by_state": stats.counts((e["state"] for e in found), order=[str(s) for s in EscalationState]),
        "ack_seconds": stats.mean(
            [(e["acknowledged_at"] - e["raised_at"]).total_seconds() for e in found if e["acknowledged_at"]]
        ),
        "outcomes": {str(kind): sum(1 for _e, k in steps if k == kind) for kind in OUTCOME_STEPS},
    }


# Satisfaction ------------------------------------------------------------------------------------


def surveys(scope: Scope) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.filter(contact__in=scope.contacts())


def satisfaction(scope: Scope) -> dict[str, Any]:
    """Survey answers of contacts in scope: the satisfaction rate (share of 4 and 5 among answers),
    the ratings, the share who found it helpful (of those who answered that), and feeling better,
    the same or worse."""
    answers = list(surveys(scope).values_list("rating", "helpful", "change"))
    ratings = [rating for rating, _h, _c in answers]
    helpful = [h for _r, h, _c in answers if h is not None]
    return {
        "answers": len(answers),
        "rate": stats.satisfaction_rate(ratings),
        "ratings": stats.counts((str(r) for r in ratings), order=["1", "2", "3", "4", "5"]),
        "helpful_rate": stats.rate(sum(helpful), len(helpful)),
        "change": stats.counts((c for _r, _h, c in answers if c), order=["better", "same", "worse"]),
        "response_rate": stats.rate(len(answers), answered(scope)),
    }


def satisfaction_by_counsellor(scope: Scope) -> dict[str, dict[str, Any]]:
    """Satisfaction rate and answers per counsellor (by display name) of the contacts in scope."""
    grouped: dict[int, list[int]] = defaultdict(list)
    for counsellor_id, rating in surveys(scope).values_list("contact__counsellor_id", "rating"):
        if counsellor_id is not None:
            grouped[counsellor_id].append(rating)
    names = _names(scope.hotline, grouped)
    return {
        names[user_id]: {"answers": len(ratings), "rate": stats.satisfaction_rate(ratings)}
        for user_id, ratings in sorted(grouped.items(), key=lambda item: names[item[0]])
    }


def satisfaction_by_team(scope: Scope) -> dict[str, dict[str, Any]]:
    """Satisfaction per team of the contact's counsellor (counsellors in no team are left out)."""
    team_of = _team_of_user(scope.hotline)
    grouped: dict[str, list[int]] = defaultdict(list)
    for counsellor_id, rating in surveys(scope).values_list("contact__counsellor_id", "rating"):
        if counsellor_id in team_of:
            grouped[team_of[counsellor_id]].append(rating)
    return {
        team: {"answers": len(ratings), "rate": stats.satisfaction_rate(ratings)}
        for team, ratings in sorted(grouped.items())
    }


def _names(hotline: Hotline, user_ids: Any) -> dict[int, str]:
    from xinyuan.core.models import User

    return {user.pk: str(user) for user in User.objects.filter(pk__in=list(user_ids))}


def _team_of_user(hotline: Hotline) -> dict[int, str]:
    team = team_model()
    if team is None:
        return {}
    return dict(
        team.objects.filter(hotline_id=hotline.pk).values_list("members__membership__user_id", "name")
    )


def teams(hotline: Hotline) -> list[tuple[int, str]]:
    team = team_model()
    if team is None:
        return []
    return list(team.objects.filter(hotline_id=hotline.pk).order_by("name").values_list("pk", "name"))


# Profiles ------------------------------------------------------------------------------------------


def seeker_profile(scope: Scope) -> dict[str, dict[str, int]]:
    """Offered contacts by the intake's gender, age band and region; unanswered counts as "unknown".
    Regions are as the seeker typed them, trimmed."""
    gender = [value for value, _label in BY_KEY["gender"].choices]
    age = [value for value, _label in BY_KEY["age_band"].choices]
    return {
        "gender": stats.counts((row.intake.get("gender") or UNKNOWN for row in scope.rows), order=gender),
        "age_band": stats.counts((row.intake.get("age_band") or UNKNOWN for row in scope.rows), order=age),
        "region": stats.counts(str(row.intake.get("region") or "").strip() or UNKNOWN for row in scope.rows),
    }


def _volunteer_memberships(scope: Scope) -> QuerySet[Membership]:
    memberships = Membership.objects.filter(
        hotline_id=scope.hotline.pk, is_active=True, role_grants__role__in=[Role.COUNSELLOR, Role.TEAM_LEAD]
    ).distinct()
    if scope.filters.team_id is not None:
        memberships = memberships.filter(team_member__team_id=scope.filters.team_id)
    return memberships


def volunteer_profile(scope: Scope, year: int) -> dict[str, Any]:
    """The hotline's active counsellors (and team leads) with a volunteer profile: by gender,
    education and profession, and their average age in `year` (of those who gave a birth year)."""
    try:
        profile = apps.get_model("volunteers", "VolunteerProfile")
    except LookupError:
        return {"count": 0, "gender": {}, "education": {}, "profession": {}, "average_age": None}
    found = list(
        profile.objects.filter(membership__in=_volunteer_memberships(scope)).values(
            "gender", "education", "profession", "birth_year"
        )
    )
    return {
        "count": len(found),
        "gender": stats.counts(p["gender"] or UNKNOWN for p in found),
        "education": stats.counts(p["education"] or UNKNOWN for p in found),
        "profession": stats.counts(p["profession"] or UNKNOWN for p in found),
        "average_age": stats.mean([stats.age(p["birth_year"], year) for p in found if p["birth_year"]]),
    }


def service_hours(scope: Scope) -> list[dict[str, Any]]:
    """Hours on duty, contacts answered and group supervision hours per member in the period
    (scheduling.queries.service_hours), narrowed to the team when one is chosen."""
    try:
        from xinyuan.scheduling import queries as scheduling_queries
    except ImportError:
        return []
    if not hasattr(scheduling_queries, "service_hours"):
        return []
    start = scope.start or datetime(2000, 1, 1, tzinfo=scope.zone)
    end = scope.end or datetime.now(scope.zone)
    rows = [_as_dict(row) for row in scheduling_queries.service_hours(scope.hotline, start, end)]
    if scope.filters.team_id is not None:
        rows = [row for row in rows if row.get("team_id") == scope.filters.team_id]
    return sorted(rows, key=lambda row: (str(row.get("team") or ""), str(row.get("name") or "")))


def service_hours_by_team(scope: Scope) -> dict[str, float]:
    """On-duty hours summed per team ("" for volunteers in no team)."""
    out: dict[str, float] = defaultdict(float)
    for row in service_hours(scope):
        out[str(row.get("team") or "")] += float(row.get("on_duty_hours") or 0)
    return dict(sorted(out.items()))


def _as_dict(row: Any) -> dict[str, Any]:
    if isinstance(row, dict):
        return row
    if hasattr(row, "_asdict"):
        return dict(row._asdict())
    return dict(vars(row))


# Everything at once ---------------------------------------------------------------------------------


def summary(scope: Scope) -> dict[str, Any]:
    """The headline figures."""
    return {
        "offered": offered(scope),
        "answered": answered(scope),
        "abandoned": abandoned(scope),
        "answer_rate": answer_rate(scope),
        "abandon_rate": abandon_rate(scope),
        "average_speed_of_answer": average_speed_of_answer(scope),
        "service_level": service_level(scope),
        "service_level_seconds": scope.settings.service_level_seconds,
        "service_level_target": scope.settings.service_level_target,
        "average_handle_time": average_handle_time(scope),
        "first_response_time": first_response_time(scope),
    }
