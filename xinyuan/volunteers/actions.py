"""Every state change of volunteers and training: one transaction each, audit-logged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from xinyuan.contacts.actions import counsellor_state
from xinyuan.contacts.forms import SPECIALTIES as ROUTING_SPECIALTIES
from xinyuan.core import actions as core_actions
from xinyuan.core import audit, hours
from xinyuan.core.models import Hotline, Membership, User
from xinyuan.core.roles import Role
from xinyuan.volunteers import files, standard_courses
from xinyuan.volunteers.models import (
    NEXT_STAGES,
    Application,
    ApplicationNote,
    Attempt,
    Choice,
    Completion,
    Course,
    Credential,
    DutyRequirements,
    Material,
    Question,
    Stage,
    VolunteerProfile,
)

# Days before a pass expires that the volunteer is reminded to renew it.
REMINDER_DAYS_BEFORE = 30


class VolunteerError(Exception):
    """A request that cannot be carried out, with a message for the person who made it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Scan:
    data: bytes
    file_name: str
    content_type: str


# Applications ------------------------------------------------------------------------------------


def do_submit_application(
    hotline: Hotline,
    fields: Mapping[str, Any],
    *,
    credential: tuple[str, str] | None = None,
    scan: Scan | None = None,
    language: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Application:
    """Store an application (and its credential and scan) whole, or nothing at all."""
    now = now or timezone.now()
    stored_as = files.store(scan.data) if scan else ""
    try:
        with transaction.atomic():
            application = Application.objects.create(
                hotline=hotline, consent_at=now, language=language, **fields
            )
            if credential:
                kind, number = credential
                Credential.objects.create(
                    application=application,
                    kind=kind,
                    number=number,
                    file_name=scan.file_name[:120] if scan else "",
                    stored_as=stored_as,
                    content_type=scan.content_type if scan else "",
                    size=len(scan.data) if scan else 0,
                )
            audit.log(audit.Action.VOLUNTEER_APPLIED, hotline=hotline, obj=application, request=request)
    except BaseException:
        if stored_as:
            files.delete(stored_as)
        raise
    return application


def log_application_read(actor: User, application: Application, request: HttpRequest | None = None) -> None:
    audit.log(
        audit.Action.VOLUNTEER_APPLICATION_READ,
        actor=actor,
        hotline=application.hotline,
        obj=application,
        request=request,
    )


@transaction.atomic
def do_move_application(
    actor: User,
    application: Application,
    to_stage: str,
    note: str = "",
    *,
    site_url: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Application:
    """Move an application to its next stage (or only add a note when `to_stage` is empty)."""
    now = now or timezone.now()
    application = Application.objects.select_for_update().get(pk=application.pk)
    note = note.strip()
    if not to_stage:
        if not note:
            raise VolunteerError(_("Write a note, or choose a stage to move to."))
        ApplicationNote.objects.create(
            application=application,
            author=actor,
            from_stage=application.stage,
            to_stage=application.stage,
            text=note,
        )
        return application
    if to_stage not in NEXT_STAGES.get(application.stage, ()):
        raise VolunteerError(
            _("An application in “%(stage)s” cannot move to “%(to)s”.")
            % {
                "stage": application.get_stage_display(),
                "to": Stage(to_stage).label if to_stage in Stage.values else to_stage,
            }
        )
    from_stage = application.stage
    ApplicationNote.objects.create(
        application=application, author=actor, from_stage=from_stage, to_stage=to_stage, text=note
    )
    application.stage = to_stage
    application.stage_changed_at = now
    application.save(update_fields=["stage", "stage_changed_at"])
    audit.log(
        audit.Action.VOLUNTEER_STAGE_CHANGED,
        actor=actor,
        hotline=application.hotline,
        obj=application,
        request=request,
        from_stage=from_stage,
        to_stage=to_stage,
    )
    if to_stage == Stage.ACTIVE:
        _activate(actor, application, site_url=site_url, request=request)
    return application


def _user_for(application: Application) -> User:
    """The account with the applicant's e-mail (or that user name), or a new one without a password."""
    email = application.email.strip()
    found = list(User.objects.filter(email__iexact=email)[:2])
    if len(found) == 1:
        return found[0]
    by_name = User.objects.filter(username__iexact=email).first()
    if by_name is not None:
        return by_name
    user = User(username=email[:150], email=email, display_name=application.name[:80])
    user.set_unusable_password()
    user.save()
    return user


def _activate(actor: User, application: Application, *, site_url: str, request: HttpRequest | None) -> None:
    user = _user_for(application)
    hotline = application.hotline
    existing = Membership.objects.filter(user=user, hotline=hotline, is_active=True).first()
    roles = set(existing.roles) if existing else set()
    membership = core_actions.do_set_roles(
        hotline, user, roles | {Role.COUNSELLOR}, actor=actor, request=request
    )
    VolunteerProfile.objects.update_or_create(
        membership=membership,
        defaults={
            "gender": application.gender,
            "birth_year": application.birth_year,
            "education": application.education,
            "profession": application.profession,
            "application": application,
        },
    )
    # Routing uses the languages and specialties it knows; the rest stay on the profile.
    state = counsellor_state(membership)
    state.languages = [code for code, _label in settings.LANGUAGES if code in application.languages] or list(
        hotline.languages
    )
    state.specialties = [code for code, _label in ROUTING_SPECIALTIES if code in application.specialties]
    state.save(update_fields=["languages", "specialties"])
    application.membership = membership
    application.save(update_fields=["membership"])
    audit.log(
        audit.Action.VOLUNTEER_ACTIVATED,
        actor=actor,
        hotline=hotline,
        obj=membership,
        request=request,
        application=application.pk,
    )
    send_signin(actor, application, site_url=site_url, request=request)


def signin_link(user: User, site_url: str) -> str:
    """A one-time link to set a password (Django's password-reset token: void once the password changes)."""
    path = reverse(
        "volunteer-set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return site_url.rstrip("/") + path


def send_signin(
    actor: User | None, application: Application, *, site_url: str, request: HttpRequest | None = None
) -> None:
    """E-mail the volunteer their user name and the link to set a password. A failure undoes the caller."""
    membership = application.membership
    if membership is None:
        raise VolunteerError(_("This application has no account yet."))
    user = membership.user
    with override(application.language or settings.LANGUAGE_CODE):
        subject = _("Welcome to %(hotline)s") % {"hotline": application.hotline.name}
        body = _(
            "Hello %(name)s,\n\nYou are now a volunteer of %(hotline)s.\n\n"
            "Your user name: %(username)s\n"
            "Set your password with this link (it works once, for a few days):\n%(link)s\n\n"
            "Then sign in and open “My training” to complete the courses required before your first duty.\n"
        ) % {
            "name": application.name,
            "hotline": application.hotline.name,
            "username": user.get_username(),
            "link": signin_link(user, site_url),
        }
    send_mail(subject, body, None, [application.email])
    audit.log(
        audit.Action.VOLUNTEER_SIGNIN_SENT,
        actor=actor,
        hotline=application.hotline,
        obj=application,
        request=request,
    )


def log_password_set(user: User, request: HttpRequest | None = None) -> None:
    audit.log(audit.Action.VOLUNTEER_PASSWORD_SET, actor=user, request=request)


# Credentials -------------------------------------------------------------------------------------


@transaction.atomic
def do_verify_credential(
    actor: User, credential: Credential, *, request: HttpRequest | None = None, now: datetime | None = None
) -> Credential:
    credential = (
        Credential.objects.select_for_update().select_related("application__hotline").get(pk=credential.pk)
    )
    if credential.verified_at is None:
        credential.verified_at = now or timezone.now()
        credential.verified_by = actor
        credential.save(update_fields=["verified_at", "verified_by"])
        audit.log(
            audit.Action.CREDENTIAL_VERIFIED,
            actor=actor,
            hotline=credential.application.hotline,
            obj=credential,
            request=request,
        )
    return credential


def do_open_credential(actor: User, credential: Credential, *, request: HttpRequest | None = None) -> bytes:
    """The decrypted scan, with the reading written to the audit log first."""
    if not credential.stored_as:
        raise VolunteerError(_("No scan was uploaded for this credential."))
    audit.log(
        audit.Action.CREDENTIAL_OPENED,
        actor=actor,
        hotline=credential.application.hotline,
        obj=credential,
        request=request,
    )
    return files.read(credential.stored_as)


# Duty requirements -------------------------------------------------------------------------------


@transaction.atomic
def do_set_requirements(
    actor: User,
    hotline: Hotline,
    *,
    verified_credential: bool,
    courses: Iterable[Course],
    only_applicants: bool,
    request: HttpRequest | None = None,
) -> DutyRequirements:
    chosen = [course for course in courses if course.hotline_id == hotline.pk]
    found, _created = DutyRequirements.objects.update_or_create(
        hotline=hotline,
        defaults={"verified_credential": verified_credential, "only_applicants": only_applicants},
    )
    found.courses.set(chosen)
    audit.log(
        audit.Action.DUTY_REQUIREMENTS_CHANGED,
        actor=actor,
        hotline=hotline,
        obj=found,
        request=request,
        verified_credential=verified_credential,
        courses=[course.pk for course in chosen],
        only_applicants=only_applicants,
    )
    return found


# Training ----------------------------------------------------------------------------------------


@transaction.atomic
def ensure_courses(hotline: Hotline, *, actor: User | None = None, request: HttpRequest | None = None) -> int:
    """Add the standard courses the hotline does not have yet; returns how many were added."""
    have = set(Course.objects.filter(hotline=hotline).values_list("key", flat=True))
    added = 0
    for position, standard in enumerate(standard_courses.COURSES):
        if standard.key in have:
            continue
        course = Course.objects.create(
            hotline=hotline,
            key=standard.key,
            title=standard.title,
            summary=standard.summary,
            position=position,
        )
        for index, (title, body, url) in enumerate(standard.materials):
            Material.objects.create(course=course, title=title, body=body, url=url, position=index)
        for index, (text, answers, right) in enumerate(standard.questions):
            question = Question.objects.create(course=course, text=text, position=index)
            for number, answer in enumerate(answers):
                Choice.objects.create(
                    question=question, text=answer, is_correct=number == right, position=number
                )
        added += 1
    if added:
        audit.log(
            audit.Action.TRAINING_COURSES_ADDED, actor=actor, hotline=hotline, request=request, added=added
        )
    return added


@transaction.atomic
def do_submit_attempt(
    membership: Membership,
    course: Course,
    answers: Mapping[int, int],
    *,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Attempt:
    """Mark the quiz; a pass records a completion dated now. Every question must be answered."""
    now = now or timezone.now()
    questions = list(course.questions.prefetch_related("choices"))
    if not questions:
        raise VolunteerError(_("This course has no quiz yet."))
    right = 0
    for question in questions:
        chosen = answers.get(question.pk)
        valid = {choice.pk: choice.is_correct for choice in question.choices.all()}
        if chosen not in valid:
            raise VolunteerError(_("Answer every question."))
        right += bool(valid[chosen])
    score = round(100 * right / len(questions))
    attempt = Attempt.objects.create(
        course=course,
        membership=membership,
        answers={str(k): v for k, v in answers.items()},
        score=score,
        passed=score >= course.pass_mark,
        created_at=now,
    )
    if attempt.passed:
        Completion.objects.create(course=course, membership=membership, attempt=attempt, completed_at=now)
    audit.log(
        audit.Action.TRAINING_ATTEMPTED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=attempt,
        request=request,
        course=course.pk,
        score=score,
        passed=attempt.passed,
    )
    return attempt


def send_renewal_reminders(now: datetime, days_before: int = REMINDER_DAYS_BEFORE) -> int:
    """E-mail each volunteer whose latest pass of a course expires within `days_before` days, once.

    Each completion is claimed with a conditional UPDATE, so several workers never send twice.
    """
    sent = 0
    for course in Course.objects.select_related("hotline"):
        due_before = now - timedelta(days=max(course.validity_days - days_before, 0))
        candidates = (
            Completion.objects.filter(
                course=course,
                reminder_sent_at=None,
                completed_at__lte=due_before,
                membership__is_active=True,
            )
            .exclude(membership__user__email="")
            .select_related("membership__user", "course__hotline")
        )
        for completion in candidates:
            newer = Completion.objects.filter(
                course=course, membership=completion.membership, completed_at__gt=completion.completed_at
            ).exists()
            # Claim and send together: if the mail fails, the claim is undone and retried next run.
            with transaction.atomic():
                claimed = Completion.objects.filter(pk=completion.pk, reminder_sent_at=None).update(
                    reminder_sent_at=now
                )
                if newer or not claimed:
                    continue  # a later pass supersedes it; marked so it is not looked at again
                _send_reminder(completion)
                sent += 1
    return sent


def _send_reminder(completion: Completion) -> None:
    user = completion.membership.user
    hotline = completion.course.hotline
    expires = hours.local_date(completion.expires_at(), hotline.time_zone)
    with override(user.language or settings.LANGUAGE_CODE):
        subject = _("Renew your training: %(course)s") % {"course": completion.course.title}
        body = _(
            "Hello %(name)s,\n\nYour pass of “%(course)s” at %(hotline)s is valid until %(date)s. "
            "Take the course again in “My training” before then to stay able to go on duty.\n"
        ) % {"name": str(user), "course": completion.course.title, "hotline": hotline.name, "date": expires}
    send_mail(subject, body, None, [user.email])
    audit.log(
        audit.Action.TRAINING_REMINDER_SENT,
        hotline=hotline,
        obj=completion,
        actor_name="worker",
        user=user.pk,
    )
