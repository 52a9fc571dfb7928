"""The seeker's page and the counsellor's console. Thin: the work happens in actions."""

from __future__ import annotations

from typing import Any, cast

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from xinyuan.contacts import actions, intake, queries
from xinyuan.contacts.forms import CounsellorSkillsForm
from xinyuan.contacts.models import CounsellorState, RiskLevel, State
from xinyuan.core import queries as core_queries
from xinyuan.core.models import Hotline, Membership, User
from xinyuan.core.permissions import hotline_view
from xinyuan.core.roles import Role
from xinyuan.records import actions as record_actions
from xinyuan.records.forms import ContactRecordForm
from xinyuan.risk import instruments, kinds
from xinyuan.risk.models import SAFETY_PLAN_SECTIONS


def seeker_strings() -> dict[str, str]:
    """Texts the seeker's script shows, translated here (the script has no catalogue)."""
    return {
        "position": _("You are number %(position)s in line."),
        "wait": _("Estimated wait: about %(minutes)s minutes."),
        "wait_short": _("A counsellor will be with you shortly."),
        "offered": _("Connecting you to a counsellor…"),
        "active": _("You are talking with a counsellor."),
        "you": _("You"),
        "counsellor": _("Counsellor"),
        "system": _("Notice"),
        "sending": _("sending…"),
        "not_sent": _("not sent yet: will retry"),
        "end_confirm": _("End the chat?"),
        "error": _("Something went wrong. Please try again."),
        "callback_left": _("Your message is saved. A counsellor will answer it here when the line opens."),
        "questionnaire_send": _("Send my answers"),
        "supervisor": _("Supervisor"),
        "download_plan": _("Download my safety plan"),
        "erase_confirm": _("Delete your words and anything that identifies you? This cannot be undone."),
        "questionnaire_incomplete": _("Please answer every question."),
        "questionnaire_thanks": _("Thank you. Your counsellor can see your answers."),
    }


@xframe_options_exempt  # partner platforms embed this page in an iframe …
@csp_replace({"frame-ancestors": ["'self'", "https:"]})  # type: ignore[arg-type]  # … served over https
def seeker_page(request: HttpRequest, slug: str) -> HttpResponse:
    hotline = get_object_or_404(Hotline, slug=slug)
    source = request.GET.get("source", "")[:40]
    status = queries.hotline_status(hotline, timezone.now())
    return render(
        request,
        "contacts/seeker.html",
        {
            "hotline": hotline,
            "status": status,
            "source": source if source.replace("-", "").replace("_", "").replace(".", "").isalnum() else "",
            "resources": hotline.crisis_resources.all(),
            "strings": seeker_strings(),
            "remember_version": record_actions.REMEMBER_CONSENT_VERSION,
        },
    )


def cssrs_questions() -> list[tuple[int, str]]:
    """The C-SSRS screener's questions in the interface language, numbered 1–6."""
    definition = instruments.instrument_definition("cssrs", get_language() or "zh-hans")
    return [(number, item.text) for number, item in enumerate(definition.items, start=1)]


def console_strings() -> dict[str, Any]:
    labels = {question.key: str(question.label) for question in intake.QUESTIONS}
    choices = {
        f"{question.key}.{value}": str(label)
        for question in intake.QUESTIONS
        for value, label in question.choices
    }
    return {
        "statuses": {"on_duty": _("on duty"), "paused": _("paused"), "off_duty": _("off duty")},
        "risk": {level: str(label) for level, label in RiskLevel.choices},
        "kinds": kinds.labels(),
        "where": {"intake": _("intake"), "message": _("message")},
        "states": {state: str(label) for state, label in State.choices},
        "questions": labels,
        "choices": choices,
        "seeker": _("Seeker"),
        "you": _("You"),
        "system": _("Notice"),
        "staff_note": _("Staff note"),
        "new_offer": _("New contact waiting for you"),
        "seconds_left": _("%(seconds)s s"),
        "end_confirm": _("End this conversation?"),
        "help_sent": _("The supervisors have been asked."),
        "no_evidence": _("No risk signs found yet."),
        "saved": _("The record is saved."),
        "callback": _("Call-back message"),
        "record_incomplete": _("Some fields need attention (marked below)."),
        "signed_out": _(
            "You were signed out, so the record was not saved. Sign in again in another tab, then save."
        ),
        "crisis_open": _("Crisis raised: waiting for a supervisor. Stay with the seeker."),
        "crisis_handled": _("A crisis responder (%(name)s) is handling the crisis."),
        "crisis_page": _("Open the crisis"),
        "crisis_reason": _("Why is this a crisis?"),
        "risk_rise": _("Risk rose to %(level)s"),
        "by_seeker": _("answered by the seeker"),
        "supervisor": _("Supervisor"),
        "by_counsellor": _("recorded by the counsellor"),
    }


@login_required
def console_index(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    memberships = [m for m in core_queries.memberships_of(user) if m.has_role(*queries.CONSOLE_ROLES)]
    if len(memberships) == 1:
        return redirect("console", hotline_slug=memberships[0].hotline.slug)
    return render(request, "core/staff_index.html", {"memberships": memberships})


@hotline_view(*queries.CONSOLE_ROLES)
def console(request: HttpRequest, membership: Membership) -> HttpResponse:
    state = actions.counsellor_state(membership)
    record_actions.ensure_categories(membership.hotline)
    colleagues = (
        CounsellorState.objects.filter(membership__hotline=membership.hotline, status="on_duty")
        .exclude(membership=membership)
        .select_related("membership__user")
    )
    return render(
        request,
        "contacts/console.html",
        {
            "hotline": membership.hotline,
            "membership": membership,
            "state": state,
            "colleagues": colleagues,
            "record_form": ContactRecordForm(hotline_id=membership.hotline_id, auto_id=False),
            "risk_levels": RiskLevel.choices,
            "cssrs": cssrs_questions(),
            "safety_plan_sections": SAFETY_PLAN_SECTIONS,
            "strings": console_strings(),
        },
    )


@hotline_view(*queries.CONSOLE_ROLES)
@require_POST
def wrap_up(request: HttpRequest, membership: Membership, contact_id: str) -> HttpResponse:
    """Save the contact's record (the wrap-up). Answers JSON: the console posts it with fetch."""
    form = ContactRecordForm(request.POST, hotline_id=membership.hotline_id)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    try:
        record_actions.do_write_record(membership, contact_id, form.cleaned_data)
    except actions.ContactError as problem:
        return JsonResponse({"errors": {"__all__": [problem.message]}}, status=409)
    return JsonResponse({"ok": True})


MANAGER_ROLES = (Role.COORDINATOR, Role.ADMIN, Role.TEAM_LEAD)


@hotline_view(*MANAGER_ROLES)
def counsellors(request: HttpRequest, membership: Membership) -> HttpResponse:
    rows = [
        (
            member,
            state,
            CounsellorSkillsForm(
                prefix=str(member.pk),
                initial={
                    "chat_limit": state.chat_limit if state else 2,
                    "languages": (state.languages if state else None) or membership.hotline.languages,
                    "specialties": state.specialties if state else [],
                    "crisis_trained": state.crisis_trained if state else False,
                },
            ),
        )
        for member, state in queries.counsellors_of(membership.hotline)
    ]
    return render(request, "contacts/counsellors.html", {"hotline": membership.hotline, "rows": rows})


@hotline_view(*MANAGER_ROLES)
@require_POST
def counsellor_skills(request: HttpRequest, membership: Membership, membership_id: int) -> HttpResponse:
    member = get_object_or_404(Membership, pk=membership_id, hotline=membership.hotline, is_active=True)
    form = CounsellorSkillsForm(request.POST, prefix=str(member.pk))
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: %(errors)s") % {"errors": form.errors.as_text()})
        return redirect("counsellors", hotline_slug=membership.hotline.slug)
    actions.do_update_counsellor_skills(cast(User, request.user), member, **form.cleaned_data)
    messages.success(request, _("Saved for %(name)s.") % {"name": member.user})
    return redirect("counsellors", hotline_slug=membership.hotline.slug)
