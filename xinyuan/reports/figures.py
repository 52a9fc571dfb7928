"""The report's figures as labelled tables: one source for the dashboard (charts and their
table fallbacks), the weekly brief and the CSV and Excel exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from xinyuan.contacts.intake import BY_KEY
from xinyuan.contacts.models import Channel, RiskLevel
from xinyuan.core.models import Weekday
from xinyuan.records.models import IssueCategory
from xinyuan.reports import metrics
from xinyuan.reports.models import Change
from xinyuan.risk.models import EscalationState, StepKind

# Column kinds: how a value is shown and exported.
TEXT, COUNT, PERCENT, SECONDS, NUMBER = "text", "count", "percent", "seconds", "number"


@dataclass
class Table:
    key: str
    title: str
    columns: list[tuple[str, str]]  # (heading, kind)
    rows: list[list[Any]] = field(default_factory=list)
    chart: str = "bar"  # bar, line, pie, or "" for a table only

    def display_rows(self) -> list[list[str]]:
        return [[display(v, k) for v, (_h, k) in zip(row, self.columns, strict=True)] for row in self.rows]

    def chart_data(self) -> dict[str, Any]:
        """What dashboard.js needs to draw the chart: categories and numeric series."""
        series = [
            {"name": heading, "kind": kind, "data": [row[i] for row in self.rows]}
            for i, (heading, kind) in enumerate(self.columns)
            if i > 0 and kind != TEXT
        ]
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.chart,
            "categories": [str(row[0]) for row in self.rows],
            "series": series,
        }


def display(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == PERCENT:
        return f"{value * 100:.1f}%"
    if kind == SECONDS:
        return f"{value:.0f}"
    if kind == NUMBER:
        return f"{value:.1f}"
    return str(value)


def _labelled(counted: dict[str, int], labels: dict[str, str], title: str, key: str, chart: str) -> Table:
    total = sum(counted.values())
    table = Table(
        key, title, [(_("Group"), TEXT), (_("Contacts"), COUNT), (_("Share"), PERCENT)], chart=chart
    )
    for value, count in counted.items():
        table.rows.append([labels.get(value, value), count, count / total if total else None])
    return table


def _choice_labels(key: str) -> dict[str, str]:
    return {value: str(label) for value, label in BY_KEY[key].choices} | {metrics.UNKNOWN: _("unknown")}


def headline(scope: metrics.Scope) -> Table:
    figures = metrics.summary(scope)
    table = Table("summary", _("Summary"), [(_("Figure"), TEXT), (_("Value"), TEXT)], chart="")
    target = figures["service_level_seconds"]
    table.rows = [
        [_("Contacts offered"), display(figures["offered"], COUNT)],
        [_("Answered"), display(figures["answered"], COUNT)],
        [_("Abandoned"), display(figures["abandoned"], COUNT)],
        [_("Answer rate"), display(figures["answer_rate"], PERCENT)],
        [_("Abandon rate"), display(figures["abandon_rate"], PERCENT)],
        [_("Average speed of answer (s)"), display(figures["average_speed_of_answer"], SECONDS)],
        [
            _("Service level (answered within %(seconds)s s; target %(target)s%%)")
            % {"seconds": target, "target": figures["service_level_target"]},
            display(figures["service_level"], PERCENT),
        ],
        [_("Average handle time (s)"), display(figures["average_handle_time"], SECONDS)],
        [_("First response time (s)"), display(figures["first_response_time"], SECONDS)],
    ]
    return table


def tables(scope: metrics.Scope, *, year: int, with_people: bool = True) -> list[Table]:
    """Every figure of the dashboard, in page order."""
    out = [headline(scope)]
    hours = metrics.by_hour(scope)
    out.append(
        Table(
            "by_hour",
            _("Contacts by hour of the day"),
            [(_("Hour"), TEXT), (_("Contacts"), COUNT)],
            [[f"{int(hour):02d}:00", count] for hour, count in hours.items()],
            chart="line",
        )
    )
    weekday_labels = {str(value): str(label) for value, label in Weekday.choices}
    out.append(
        Table(
            "by_weekday",
            _("Contacts by weekday"),
            [(_("Weekday"), TEXT), (_("Contacts"), COUNT)],
            [[weekday_labels[day], count] for day, count in metrics.by_weekday(scope).items()],
        )
    )
    waits = metrics.wait_percentiles_by_risk(scope)
    risk_labels = {str(value): str(label) for value, label in RiskLevel.choices}
    out.append(
        Table(
            "waits",
            _("Waiting by risk level"),
            [
                (_("Risk level"), TEXT),
                (_("Contacts"), COUNT),
                (_("Average speed of answer (s)"), SECONDS),
                (_("Median wait (s)"), SECONDS),
                (_("90th percentile wait (s)"), SECONDS),
            ],
            [
                [risk_labels[level], row["count"], row["asa"], row["p50"], row["p90"]]
                for level, row in waits.items()
            ],
        )
    )
    channel_labels = {str(value): str(label) for value, label in Channel.choices}
    out.append(
        _labelled(metrics.by_channel(scope), channel_labels, _("Contacts by channel"), "by_channel", "pie")
    )
    out.append(
        _labelled(
            metrics.by_source(scope),
            {metrics.UNKNOWN: _("unknown")},
            _("Contacts by source platform"),
            "by_source",
            "pie",
        )
    )
    category_labels = dict(
        IssueCategory.objects.filter(hotline_id=scope.hotline.pk).values_list("key", "label")
    )
    categories = metrics.by_category(scope)
    table = Table(
        "by_category", _("Issues in the records"), [(_("Issue"), TEXT), (_("Records"), COUNT)], chart="bar"
    )
    table.rows = [[category_labels.get(key, key), count] for key, count in categories.items()]
    out.append(table)
    out.append(
        _labelled(
            metrics.by_population(scope),
            _choice_labels("population"),
            _("Population groups"),
            "by_population",
            "pie",
        )
    )
    out.append(
        _labelled(metrics.risk_distribution(scope), risk_labels, _("Final risk levels"), "risk", "bar")
    )
    crises = metrics.escalations(scope)
    state_labels = {str(value): str(label) for value, label in EscalationState.choices}
    step_labels = {str(value): str(label) for value, label in StepKind.choices}
    table = Table(
        "escalations",
        _("Crisis escalations and outcomes"),
        [(_("Escalations"), TEXT), (_("Count"), COUNT)],
    )
    table.rows = [[_("Escalations"), crises["count"]]]
    table.rows += [[state_labels[state], count] for state, count in crises["by_state"].items()]
    table.rows += [[step_labels[kind], count] for kind, count in crises["outcomes"].items()]
    out.append(table)
    out.append(
        Table(
            "escalation_ack",
            _("Crisis acknowledgement"),
            [(_("Figure"), TEXT), (_("Value"), TEXT)],
            [[_("Average seconds to acknowledge"), display(crises["ack_seconds"], SECONDS)]],
            chart="",
        )
    )
    out += satisfaction_tables(scope)
    profile = metrics.seeker_profile(scope)
    out.append(
        _labelled(profile["gender"], _choice_labels("gender"), _("Seekers by gender"), "seeker_gender", "pie")
    )
    out.append(
        _labelled(profile["age_band"], _choice_labels("age_band"), _("Seekers by age"), "seeker_age", "bar")
    )
    region = dict(list(profile["region"].items())[:15])
    out.append(
        _labelled(
            region, {metrics.UNKNOWN: _("unknown")}, _("Seekers by region (top 15)"), "seeker_region", "bar"
        )
    )
    if with_people:
        out += people_tables(scope, year=year)
    return out


def satisfaction_tables(scope: metrics.Scope, *, per_counsellor: bool = True) -> list[Table]:
    figures = metrics.satisfaction(scope)
    summary = Table(
        "satisfaction",
        _("Satisfaction"),
        [(_("Figure"), TEXT), (_("Value"), TEXT)],
        [
            [_("Survey answers"), display(figures["answers"], COUNT)],
            [_("Satisfaction rate (4 or 5 of 5)"), display(figures["rate"], PERCENT)],
            [_("Found it helpful"), display(figures["helpful_rate"], PERCENT)],
            [_("Answered contacts who answered the survey"), display(figures["response_rate"], PERCENT)],
        ],
        chart="",
    )
    ratings = Table(
        "ratings",
        _("Ratings"),
        [(_("Rating"), TEXT), (_("Answers"), COUNT)],
        [[rating, count] for rating, count in figures["ratings"].items()],
    )
    change_labels = {str(value): str(label) for value, label in Change.choices}
    change = _labelled(figures["change"], change_labels, _("Feeling compared with before"), "change", "pie")
    out = [summary, ratings, change]
    if per_counsellor:
        for key, title, grouped in (
            ("satisfaction_team", _("Satisfaction by team"), metrics.satisfaction_by_team(scope)),
            (
                "satisfaction_counsellor",
                _("Satisfaction by counsellor"),
                metrics.satisfaction_by_counsellor(scope),
            ),
        ):
            out.append(
                Table(
                    key,
                    title,
                    [(_("Name"), TEXT), (_("Answers"), COUNT), (_("Satisfaction rate"), PERCENT)],
                    [[name, row["answers"], row["rate"]] for name, row in grouped.items()],
                )
            )
    return out


def people_tables(scope: metrics.Scope, *, year: int) -> list[Table]:
    profile = metrics.volunteer_profile(scope, year)
    out = [
        Table(
            "volunteers",
            _("Volunteers"),
            [(_("Figure"), TEXT), (_("Value"), TEXT)],
            [
                [_("Volunteers with a profile"), display(profile["count"], COUNT)],
                [_("Average age"), display(profile["average_age"], NUMBER)],
            ],
            chart="",
        )
    ]
    for key, title in (
        ("gender", _("Volunteers by gender")),
        ("education", _("Volunteers by education")),
        ("profession", _("Volunteers by profession")),
    ):
        out.append(_labelled(profile[key], _volunteer_labels(key), title, f"volunteer_{key}", "pie"))
    hours = metrics.service_hours(scope)
    out.append(
        Table(
            "service_hours",
            _("Service hours by volunteer"),
            [
                (_("Volunteer"), TEXT),
                (_("Team"), TEXT),
                (_("Hours on duty"), NUMBER),
                (_("Contacts handled"), COUNT),
                (_("Group supervision hours"), NUMBER),
            ],
            [
                [
                    str(row.get("name") or row.get("volunteer") or row.get("membership") or ""),
                    str(row.get("team") or ""),
                    float(row.get("on_duty_hours") or 0),
                    int(row.get("contacts_handled") or 0),
                    float(row.get("group_supervision_hours") or 0),
                ]
                for row in hours
            ],
        )
    )
    out.append(
        Table(
            "service_hours_team",
            _("Service hours by team"),
            [(_("Team"), TEXT), (_("Hours on duty"), NUMBER)],
            [[team or _("no team"), value] for team, value in metrics.service_hours_by_team(scope).items()],
        )
    )
    return out


def _volunteer_labels(key: str) -> dict[str, str]:
    from django.apps import apps

    labels = {metrics.UNKNOWN: _("unknown")}
    try:
        model = apps.get_model("volunteers", "VolunteerProfile")
    except LookupError:
        return labels
    return labels | {str(value): str(label) for value, label in model._meta.get_field(key).choices or []}
