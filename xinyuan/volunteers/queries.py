"""Reads for volunteers and training, always scoped to the caller's hotline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from xinyuan.core import hours
from xinyuan.core.models import Hotline, Membership
from xinyuan.core.roles import Role
from xinyuan.volunteers.models import (
    Application,
    Completion,
    Course,
    Credential,
    DutyRequirements,
    Stage,
)

# Who screens volunteers, opens their credentials and sets the duty requirements.
COORDINATOR_ROLES = (Role.COORDINATOR, Role.ADMIN)


def applications(hotline: Hotline, stage: str = "") -> QuerySet[Application]:
    found = Application.objects.filter(hotline=hotline)
    if stage in Stage.values:
        found = found.filter(stage=stage)
    return found


def application_for(hotline: Hotline, application_id: int) -> Application:
    return get_object_or_404(Application, hotline=hotline, pk=application_id)


def credential_for(hotline: Hotline, credential_id: int) -> Credential:
    return get_object_or_404(
        Credential.objects.select_related("application"), application__hotline=hotline, pk=credential_id
    )


def courses(hotline: Hotline) -> QuerySet[Course]:
    return Course.objects.filter(hotline=hotline)


def course_for(hotline: Hotline, course_id: int) -> Course:
    return get_object_or_404(Course, hotline=hotline, pk=course_id)


def requirements(hotline: Hotline) -> DutyRequirements | None:
    return DutyRequirements.objects.filter(hotline=hotline).first()


def latest_completion(membership: Membership, course: Course) -> Completion | None:
    return (
        Completion.objects.filter(membership=membership, course=course)
        .select_related("course")
        .order_by("-completed_at", "-id")
        .first()
    )


def latest_completions(membership: Membership) -> dict[int, Completion]:
    """The member's last pass of each course, by course id, in one query (latest_completion for all)."""
    latest: dict[int, Completion] = {}
    for completion in (
        Completion.objects.filter(membership=membership)
        .select_related("course")
        .order_by("-completed_at", "-id")
    ):
        latest.setdefault(completion.course_id, completion)
    return latest


def joined_through_application(membership: Membership) -> bool:
    return Application.objects.filter(membership=membership, stage=Stage.ACTIVE).exists()


def has_verified_credential(membership: Membership) -> bool:
    return (
        Credential.objects.filter(
            application__membership=membership, application__hotline_id=membership.hotline_id
        )
        .exclude(verified_at=None)
        .exists()
    )


@dataclass(frozen=True)
class CourseStatus:
    course: Course
    required: bool
    completion: Completion | None
    valid: bool
    expires_at: datetime | None


def training_status(membership: Membership, now: datetime) -> list[CourseStatus]:
    """Every course of the member's hotline, whether it is required of them, and their last pass."""
    required = required_course_ids(membership)
    latest = latest_completions(membership)
    rows = []
    for course in courses(membership.hotline):
        completion = latest.get(course.pk)
        rows.append(
            CourseStatus(
                course=course,
                required=course.pk in required,
                completion=completion,
                valid=completion is not None and completion.is_valid(now),
                expires_at=completion.expires_at() if completion else None,
            )
        )
    return rows


def _applies(membership: Membership) -> DutyRequirements | None:
    found = requirements(membership.hotline)
    if found is None or (found.only_applicants and not joined_through_application(membership)):
        return None
    return found


def required_course_ids(membership: Membership) -> set[int]:
    found = _applies(membership)
    return set(found.courses.values_list("pk", flat=True)) if found else set()


def duty_blockers(membership: Membership, now: datetime) -> list[str]:
    """Why this member may not go on duty yet (human sentences), or [] when they may."""
    found = _applies(membership)
    if found is None:
        return []
    reasons = []
    if found.verified_credential and not has_verified_credential(membership):
        reasons.append(_("A coordinator has not verified your credential yet."))
    latest = latest_completions(membership)
    for course in found.courses.all():
        completion = latest.get(course.pk)
        if completion is None:
            reasons.append(_("Pass the course “%(course)s” in My training.") % {"course": course.title})
        elif not completion.is_valid(now):
            reasons.append(
                _("Your pass of “%(course)s” expired on %(date)s; take it again in My training.")
                % {"course": course.title, "date": _local_date(completion.expires_at(), membership.hotline)}
            )
    return reasons


def _local_date(moment: datetime, hotline: Hotline) -> str:
    return hours.local_date(moment, hotline.time_zone).isoformat()
