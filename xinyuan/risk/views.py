"""The crisis board and a crisis's page. Thin: check access, call an action, show the result."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyuan.contacts import queries as contact_queries
from xinyuan.contacts.actions import ContactError
from xinyuan.core import audit
from xinyuan.core.models import Membership, User
from xinyuan.core.permissions import hotline_view
from xinyuan.risk import actions, kinds, queries
from xinyuan.risk.forms import FollowUpForm, IdentifiersForm, ResolveForm, StepForm
from xinyuan.risk.models import FollowUp

ROLES = actions.RESPONDER_ROLES


@hotline_view(*ROLES)
def crisis_board(request: HttpRequest, membership: Membership) -> HttpResponse:
    hotline = membership.hotline
    return render(
        request,
        "risk/crisis_board.html",
        {
            "hotline": hotline,
            "escalations": queries.open_escalations(hotline),
            "resolved": queries.recent_resolved(hotline),
            "follow_ups": queries.follow_ups_open(hotline),
            "follow_up_form": FollowUpForm(),
        },
    )


def _detail(
    request: HttpRequest, membership: Membership, escalation_id: int, status: int = 200, **extra: Any
) -> HttpResponse:
    escalation = queries.escalation_in(membership.hotline, escalation_id)
    contact = escalation.contact
    transcript = list(contact_queries.messages_after(contact, 0, staff=True))
    audit.log("transcript.viewed", actor=request.user, hotline=membership.hotline, obj=contact, via="crisis")
    labels = kinds.labels()
    evidence = [
        (item["phrase"], labels.get(item["kind"], item["kind"]), rise["where"])
        for rise in contact.risk_evidence
        for item in rise.get("evidence", [])
    ]
    reasons = [(rise["level"], rise["reason"]) for rise in contact.risk_evidence if rise.get("reason")]
    context = {
        "hotline": membership.hotline,
        "escalation": escalation,
        "evidence": evidence,
        "reasons": reasons,
        "contact": contact,
        "steps": escalation.steps.select_related("actor"),
        "transcript": transcript,
        "step_form": StepForm(),
        "resolve_form": ResolveForm(),
        "identifiers_form": IdentifiersForm(),
        **extra,
    }
    return render(request, "risk/escalation.html", context, status=status)


@hotline_view(*ROLES)
def escalation(request: HttpRequest, membership: Membership, escalation_id: int) -> HttpResponse:
    return _detail(request, membership, escalation_id)


def _act(
    request: HttpRequest, membership: Membership, escalation_id: int, act: Any, done: str
) -> HttpResponse:
    queries.escalation_in(membership.hotline, escalation_id)  # 404 outside the hotline
    try:
        act()
    except ContactError as problem:
        messages.error(request, problem.message)
        return _detail(request, membership, escalation_id, status=400)
    messages.success(request, done)
    return redirect("escalation", hotline_slug=membership.hotline.slug, escalation_id=escalation_id)


@hotline_view(*ROLES)
@require_POST
def acknowledge(request: HttpRequest, membership: Membership, escalation_id: int) -> HttpResponse:
    user = cast(User, request.user)
    return _act(
        request,
        membership,
        escalation_id,
        lambda: actions.do_acknowledge(escalation_id, user),
        _("You have it."),
    )


@hotline_view(*ROLES)
@require_POST
def record_step(request: HttpRequest, membership: Membership, escalation_id: int) -> HttpResponse:
    form = StepForm(request.POST)
    if not form.is_valid():
        return _detail(request, membership, escalation_id, status=400, step_form=form)
    user = cast(User, request.user)
    return _act(
        request,
        membership,
        escalation_id,
        lambda: actions.do_record_step(escalation_id, user, **form.cleaned_data),
        _("Recorded."),
    )


@hotline_view(*ROLES)
@require_POST
def resolve(request: HttpRequest, membership: Membership, escalation_id: int) -> HttpResponse:
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _detail(request, membership, escalation_id, status=400, resolve_form=form)
    user = cast(User, request.user)
    return _act(
        request,
        membership,
        escalation_id,
        lambda: actions.do_resolve(escalation_id, user, outcome=form.cleaned_data["outcome"]),
        _("The crisis is closed."),
    )


@hotline_view(*ROLES)
@require_POST
def open_identifiers(request: HttpRequest, membership: Membership, escalation_id: int) -> HttpResponse:
    queries.escalation_in(membership.hotline, escalation_id)
    form = IdentifiersForm(request.POST)
    if not form.is_valid():
        return _detail(request, membership, escalation_id, status=400, identifiers_form=form)
    try:
        identifiers = actions.do_open_identifiers(
            escalation_id, cast(User, request.user), reason=form.cleaned_data["reason"]
        )
    except ContactError as problem:
        messages.error(request, problem.message)
        return _detail(request, membership, escalation_id, status=400)
    return _detail(request, membership, escalation_id, identifiers=identifiers)


@hotline_view(*ROLES)
@require_POST
def follow_up_done(request: HttpRequest, membership: Membership, follow_up_id: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp, pk=follow_up_id, hotline=membership.hotline, done_at__isnull=True)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        actions.do_complete_follow_up(follow_up.pk, cast(User, request.user), note=form.cleaned_data["note"])
        messages.success(request, _("The call-back is recorded."))
    else:
        messages.error(request, _("Write what happened on the call-back."))
    return redirect("crisis-board", hotline_slug=membership.hotline.slug)


@hotline_view(*ROLES)
@require_POST
def join(request: HttpRequest, membership: Membership, escalation_id: int) -> HttpResponse:
    queries.escalation_in(membership.hotline, escalation_id)
    try:
        actions.do_join_conversation(escalation_id, cast(User, request.user))
    except ContactError as problem:
        messages.error(request, problem.message)
        return redirect("escalation", hotline_slug=membership.hotline.slug, escalation_id=escalation_id)
    messages.success(request, _("You have joined the conversation: it is on your console."))
    return redirect("console", hotline_slug=membership.hotline.slug)
