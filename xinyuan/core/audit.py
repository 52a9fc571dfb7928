"""The one way anything writes to the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from xinyuan.core.models import AuditEvent, Hotline, User


class Action:
    """Audit action names, so the same word is used everywhere."""

    SIGNIN = "signin"
    SIGNIN_FAILED = "signin.failed"
    SIGNIN_LOCKED_OUT = "signin.locked_out"
    SIGNIN_RATE_LIMITED = "signin.rate_limited"
    SIGNOUT = "signout"
    TWO_FACTOR_ENROLLED = "two_factor.enrolled"
    SESSION_ENDED = "session.ended"
    ACCESS_DENIED = "access.denied"
    HOTLINE_SETTINGS_CHANGED = "hotline.settings_changed"
    MEMBERSHIP_CHANGED = "membership.changed"
    PASSWORD_CHANGED = "password.changed"  # noqa: S105 (an action name)
    # Supervision (silent monitoring, whisper, join, take over, reviews, group sessions, debriefs).
    CONTACT_MONITORED = "contact.monitored"
    WHISPER_SENT = "contact.whisper"
    SUPERVISOR_JOINED = "contact.supervisor_joined"
    CONTACT_TAKEN_OVER = "contact.taken_over"
    REVIEW_POLICY_CHANGED = "review.policy_changed"
    REVIEW_SAMPLED = "review.sampled"
    REVIEW_WRITTEN = "review.written"
    REVIEW_SHARED = "review.shared"
    GROUP_SESSION_RECORDED = "group_session.recorded"
    DEBRIEF_OFFERED = "debrief.offered"
    DEBRIEF_ANSWERED = "debrief.answered"
    DEBRIEF_SCHEDULED = "debrief.scheduled"
    DEBRIEF_DONE = "debrief.done"
    # Scheduling (teams, shifts, swaps, hours, roster).
    TEAM_CHANGED = "team.changed"
    SHIFTS_CHANGED = "shifts.changed"
    SHIFT_SIGNED_UP = "shift.signed_up"
    SHIFT_WITHDRAWN = "shift.withdrawn"
    SWAP_CHANGED = "swap.changed"
    CALENDAR_FEED_CHANGED = "calendar_feed.changed"
    HOURS_APPROVED = "hours.approved"
    HOURS_EXPORTED = "hours.exported"
    ROSTER_IMPORTED = "roster.imported"
    ROSTER_EXPORTED = "roster.exported"
    # Volunteers (volunteers app).
    VOLUNTEER_APPLIED = "volunteer.applied"
    VOLUNTEER_APPLY_RATE_LIMITED = "volunteer.apply_rate_limited"
    VOLUNTEER_APPLICATION_READ = "volunteer.application_read"
    VOLUNTEER_STAGE_CHANGED = "volunteer.stage_changed"
    VOLUNTEER_ACTIVATED = "volunteer.activated"
    VOLUNTEER_SIGNIN_SENT = "volunteer.signin_sent"
    VOLUNTEER_PASSWORD_SET = "volunteer.password_set"  # noqa: S105 (an action name)
    CREDENTIAL_VERIFIED = "volunteer.credential_verified"
    CREDENTIAL_OPENED = "volunteer.credential_opened"
    DUTY_REQUIREMENTS_CHANGED = "volunteer.duty_requirements_changed"
    TRAINING_COURSES_ADDED = "training.courses_added"
    TRAINING_ATTEMPTED = "training.attempted"
    TRAINING_REMINDER_SENT = "training.reminder_sent"
    # Cases, returning seekers and flags (records app).
    SEEKER_REMEMBERED = "seeker.remembered"
    SEEKER_FORGOTTEN = "seeker.forgotten"
    SEEKER_VIEWED = "seeker.viewed"
    SEEKER_FLAGGED = "seeker.flagged"
    SEEKER_FLAG_LIFTED = "seeker.flag_lifted"
    CASE_OPENED = "case.opened"
    CASE_LISTED = "cases.listed"
    CASE_VIEWED = "case.viewed"
    CASE_STATUS_CHANGED = "case.status_changed"
    CASE_NOTE_ADDED = "case.note_added"
    CASE_TASK_ADDED = "case.task_added"
    CASE_TASK_DONE = "case.task_done"
    # Reports (satisfaction survey, exports).
    SURVEY_ANSWERED = "survey.answered"
    SURVEY_COMMENTS_VIEWED = "survey.comments_viewed"
    REPORTS_EXPORTED = "reports.exported"


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as the server saw it (uvicorn applies trusted proxy headers)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log(
    action: str,
    *,
    actor: User | Any | None = None,
    hotline: Hotline | None = None,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    reason: str = "",
    actor_name: str = "",
    **details: Any,
) -> AuditEvent:
    """Write one audit event. `actor` may be anonymous (failed sign-ins, seekers)."""
    user = actor if isinstance(actor, User) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=actor_name or (user.get_username() if user else ""),
        hotline=hotline,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=client_ip(request),
        reason=reason,
        details=details,
    )
