"""Volunteer pages: the public application form, screening, credentials, requirements, training.

Thin: parse, check access, call an action, respond.
"""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xinyuan.core import audit, ratelimit
from xinyuan.core.models import Hotline, Membership, User
from xinyuan.core.permissions import hotline_view
from xinyuan.volunteers import actions, queries
from xinyuan.volunteers.forms import ApplicationForm, MoveForm, QuizForm, RequirementsForm, StageFilterForm

COORDINATORS = queries.COORDINATOR_ROLES
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _applications_per_hour() -> int:
    return int(settings.XINYUAN_APPLICATIONS_PER_ADDRESS_HOUR)


# Public ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    hotline = get_object_or_404(Hotline, slug=slug)
    if request.method != "POST":
        return render(request, "volunteers/apply.html", {"hotline": hotline, "form": ApplicationForm()})
    if not ratelimit.hit(
        "volunteer-apply", f"{hotline.pk}:{audit.client_ip(request) or ''}", _applications_per_hour(), 3600
    ):
        audit.log(audit.Action.VOLUNTEER_APPLY_RATE_LIMITED, hotline=hotline, request=request)
        form = ApplicationForm(request.POST)
        form.is_valid()
        error = _("Too many applications from this network in the last hour. Please try again later.")
        return render(
            request, "volunteers/apply.html", {"hotline": hotline, "form": form, "error": error}, status=429
        )
    form = ApplicationForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "volunteers/apply.html", {"hotline": hotline, "form": form}, status=400)
    data = form.cleaned_data
    upload = data.get("certificate_scan")
    scan = actions.Scan(upload.read(), upload.name or "", form.scan_type) if upload else None
    credential = (data["credential_kind"], data["certificate_number"]) if data["credential_kind"] else None
    actions.do_submit_application(
        hotline,
        {
            key: data[key]
            for key in (
                "name",
                "gender",
                "birth_year",
                "education",
                "profession",
                "experience",
                "languages",
                "specialties",
                "availability",
                "email",
                "phone",
            )
        },
        credential=credential,
        scan=scan,
        language=get_language() or "",
        request=request,
    )
    return redirect("volunteer-applied", slug=hotline.slug)


def applied(request: HttpRequest, slug: str) -> HttpResponse:
    hotline = get_object_or_404(Hotline, slug=slug)
    return render(request, "volunteers/applied.html", {"hotline": hotline})


SET_PASSWORD_STEP = "set-password"  # noqa: S105 (a URL step, not a secret)
SESSION_TOKEN = "volunteer_set_password_token"  # noqa: S105 (a session key name)


@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in the welcome e-mail: choose a password, once.

    As Django's PasswordResetConfirmView does, the token moves into the session and the browser is
    sent to a URL without it, so it stays out of access logs and Referer headers."""
    if token != SET_PASSWORD_STEP:
        request.session[SESSION_TOKEN] = token
        return redirect("volunteer-set-password", uidb64=uidb64, token=SET_PASSWORD_STEP)
    token = request.session.get(SESSION_TOKEN, "")
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "volunteers/set_password.html", {"invalid": True}, status=400)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.save()
        del request.session[SESSION_TOKEN]
        actions.log_password_set(user, request)
        messages.success(
            request, _("Your password is set. Sign in with your user name and the new password.")
        )
        return redirect("signin")
    return render(request, "volunteers/set_password.html", {"form": form, "username": user.get_username()})


# Coordinators ------------------------------------------------------------------------------------


@hotline_view(*COORDINATORS)
def applications(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = StageFilterForm(request.GET or None)
    stage = form.cleaned_data["stage"] if form.is_valid() else ""
    return render(
        request,
        "volunteers/applications.html",
        {
            "hotline": membership.hotline,
            "form": form,
            "applications": queries.applications(membership.hotline, stage),
        },
    )


@hotline_view(*COORDINATORS)
@require_http_methods(["GET", "POST"])
def application(request: HttpRequest, membership: Membership, application_id: int) -> HttpResponse:
    hotline = membership.hotline
    found = queries.application_for(hotline, application_id)
    user = cast(User, request.user)
    form = MoveForm(request.POST if request.method == "POST" else None, application=found)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_move_application(
                user,
                found,
                form.cleaned_data["to_stage"],
                form.cleaned_data["note"],
                site_url=request.build_absolute_uri("/"),
                request=request,
            )
        except actions.VolunteerError as problem:
            form.add_error(None, problem.message)
        except OSError:  # the mail server refused the sign-in e-mail: the activation was undone
            form.add_error(
                None, _("The sign-in e-mail could not be sent, so nothing changed. Try again later.")
            )
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteer-application", hotline_slug=hotline.slug, application_id=found.pk)
    actions.log_application_read(user, found, request)
    return render(
        request,
        "volunteers/application.html",
        {
            "hotline": hotline,
            "application": found,
            "credentials": found.credentials.all(),
            "notes": found.notes.select_related("author"),
            "form": form,
            "specialties": found.specialties,
        },
        status=400 if form.errors else 200,
    )


@hotline_view(*COORDINATORS)
@require_POST
def resend_signin(request: HttpRequest, membership: Membership, application_id: int) -> HttpResponse:
    found = queries.application_for(membership.hotline, application_id)
    try:
        actions.send_signin(
            cast(User, request.user), found, site_url=request.build_absolute_uri("/"), request=request
        )
    except actions.VolunteerError as problem:
        messages.error(request, problem.message)
    except OSError:
        messages.error(request, _("The sign-in e-mail could not be sent. Try again later."))
    else:
        messages.success(request, _("The sign-in e-mail was sent again."))
    return redirect("volunteer-application", hotline_slug=membership.hotline.slug, application_id=found.pk)


@hotline_view(*COORDINATORS)
@require_POST
def verify_credential(request: HttpRequest, membership: Membership, credential_id: int) -> HttpResponse:
    credential = queries.credential_for(membership.hotline, credential_id)
    actions.do_verify_credential(cast(User, request.user), credential, request=request)
    messages.success(request, _("The credential is marked verified."))
    return redirect(
        "volunteer-application",
        hotline_slug=membership.hotline.slug,
        application_id=credential.application_id,
    )


@hotline_view(*COORDINATORS)
def credential_scan(request: HttpRequest, membership: Membership, credential_id: int) -> HttpResponse:
    credential = queries.credential_for(membership.hotline, credential_id)
    try:
        data = actions.do_open_credential(cast(User, request.user), credential, request=request)
    except actions.VolunteerError as problem:
        messages.error(request, problem.message)
        return redirect(
            "volunteer-application",
            hotline_slug=membership.hotline.slug,
            application_id=credential.application_id,
        )
    response = HttpResponse(data, content_type=credential.content_type)
    extension = EXTENSIONS.get(credential.content_type, "bin")
    response["Content-Disposition"] = f'attachment; filename="credential-{credential.pk}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


@hotline_view(*COORDINATORS)
@require_http_methods(["GET", "POST"])
def requirements(request: HttpRequest, membership: Membership) -> HttpResponse:
    hotline = membership.hotline
    current = queries.requirements(hotline)
    initial = (
        {
            "verified_credential": current.verified_credential,
            "courses": list(current.courses.all()),
            "only_applicants": current.only_applicants,
        }
        if current
        else {"only_applicants": True}
    )
    form = RequirementsForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        hotline_courses=queries.courses(hotline),
    )
    if request.method == "POST" and form.is_valid():
        actions.do_set_requirements(
            cast(User, request.user),
            hotline,
            verified_credential=form.cleaned_data["verified_credential"],
            courses=form.cleaned_data["courses"],
            only_applicants=form.cleaned_data["only_applicants"],
            request=request,
        )
        messages.success(request, _("The duty requirements are saved."))
        return redirect("volunteer-requirements", hotline_slug=hotline.slug)
    return render(request, "volunteers/requirements.html", {"hotline": hotline, "form": form})


@hotline_view(*COORDINATORS)
@require_http_methods(["GET", "POST"])
def courses(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The hotline's courses; a button adds the standard three it does not have yet."""
    hotline = membership.hotline
    if request.method == "POST":
        added = actions.ensure_courses(hotline, actor=cast(User, request.user), request=request)
        messages.success(request, _("Courses added: %(count)d.") % {"count": added})
        return redirect("training-courses", hotline_slug=hotline.slug)
    return render(
        request,
        "volunteers/courses.html",
        {
            "hotline": hotline,
            "courses": queries.courses(hotline).prefetch_related("questions", "completions"),
        },
    )


# Every member: their own training ----------------------------------------------------------------


@hotline_view()
def my_training(request: HttpRequest, membership: Membership) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "volunteers/my_training.html",
        {
            "hotline": membership.hotline,
            "rows": queries.training_status(membership, now),
            "blockers": queries.duty_blockers(membership, now),
        },
    )


@hotline_view()
@require_http_methods(["GET", "POST"])
def course(request: HttpRequest, membership: Membership, course_id: int) -> HttpResponse:
    found = queries.course_for(membership.hotline, course_id)
    form = QuizForm(request.POST if request.method == "POST" else None, course=found)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = actions.do_submit_attempt(membership, found, form.answers(), request=request)
        except actions.VolunteerError as problem:
            form.add_error(None, problem.message)
        else:
            if attempt.passed:
                messages.success(request, _("Passed with %(score)d%%. Well done.") % {"score": attempt.score})
                return HttpResponseRedirect(reverse("my-training", args=[membership.hotline.slug]))
            messages.error(
                request,
                _("%(score)d%% right; %(mark)d%% is needed to pass. Read the materials and try again.")
                % {"score": attempt.score, "mark": found.pass_mark},
            )
            return redirect("training-course", hotline_slug=membership.hotline.slug, course_id=found.pk)
    return render(
        request,
        "volunteers/course.html",
        {
            "hotline": membership.hotline,
            "course": found,
            "materials": found.materials.all(),
            "form": form,
            "completion": queries.latest_completion(membership, found),
        },
        status=400 if form.errors else 200,
    )
