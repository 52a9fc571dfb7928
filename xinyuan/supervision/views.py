"""Supervision pages: the live monitor, silent monitoring, reviews and feedback, group sessions,
debriefs. Thin: check access, call an action, show the result."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinyuan.contacts.actions import ContactError
from xinyuan.core.models import Membership
from xinyuan.core.permissions import hotline_view
from xinyuan.supervision import actions, queries
from xinyuan.supervision.forms import GroupSessionForm, PolicyForm, ReviewForm, ScheduleForm

MONITOR = queries.MONITOR_ROLES


# The live monitor -----------------------------------------------------------------------------------


@hotline_view(*MONITOR)
def monitor(request: HttpRequest, membership: Membership) -> HttpResponse:
    hotline = membership.hotline
    return render(
        request, "supervision/monitor.html", {"hotline": hotline, **queries.board(hotline, timezone.now())}
    )


@hotline_view(*MONITOR)
def monitor_board(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The board alone, fetched by the page each time the monitor socket says it changed."""
    hotline = membership.hotline
    return render(
        request, "supervision/_board.html", {"hotline": hotline, **queries.board(hotline, timezone.now())}
    )


@hotline_view(*MONITOR)
def watch(request: HttpRequest, membership: Membership, contact_id: str) -> HttpResponse:
    """Silent monitoring: the transcript so far (live on the page), audited; nobody is told."""
    contact = queries.monitored_contact(membership, contact_id, via="monitor page")
    transcript = queries.transcript(contact)
    return render(
        request,
        "supervision/watch.html",
        {
            "hotline": membership.hotline,
            "contact": contact,
            "transcript": transcript,
            "last_seq": transcript[-1].seq if transcript else 0,
            "counsellor": queries.name_of(contact.counsellor),
            "strings": {
                "seeker": _("Seeker"),
                "counsellor": _("Counsellor"),
                "supervisor": _("Supervisor"),
                "system": _("Notice"),
                "staff_note": _("Staff note"),
                "whisper": _("Whisper"),
                "ended": _("The conversation has ended."),
            },
        },
    )


def _live_action(
    request: HttpRequest, membership: Membership, contact_id: str, act: Any, done: str
) -> HttpResponse:
    try:
        act(membership, contact_id)
    except ContactError as problem:
        messages.error(request, problem.message)
        return redirect("supervision-watch", hotline_slug=membership.hotline.slug, contact_id=contact_id)
    messages.success(request, done)
    return redirect("console", hotline_slug=membership.hotline.slug)


@hotline_view(*MONITOR)
@require_POST
def join(request: HttpRequest, membership: Membership, contact_id: str) -> HttpResponse:
    queries.contact_in(membership.hotline, contact_id)  # 404 outside the hotline
    return _live_action(
        request,
        membership,
        contact_id,
        actions.do_join,
        _("You have joined the conversation: it is on your console."),
    )


@hotline_view(*MONITOR)
@require_POST
def take_over(request: HttpRequest, membership: Membership, contact_id: str) -> HttpResponse:
    queries.contact_in(membership.hotline, contact_id)
    return _live_action(
        request,
        membership,
        contact_id,
        actions.do_take_over,
        _("The conversation is yours now: it is on your console."),
    )


# Reviews --------------------------------------------------------------------------------------------


@hotline_view(*queries.REVIEW_ROLES)
def reviews(request: HttpRequest, membership: Membership) -> HttpResponse:
    hotline = membership.hotline
    return render(
        request,
        "supervision/reviews.html",
        {
            "hotline": hotline,
            "queue": queries.review_queue(hotline)[:200],
            "reviews": queries.hotline_reviews(hotline)[:200],
            "policy": queries.policy_for(hotline),
            "may_edit_policy": membership.has_role(*queries.POLICY_ROLES),
        },
    )


@hotline_view(*queries.REVIEW_ROLES)
def review(request: HttpRequest, membership: Membership, contact_id: str) -> HttpResponse:
    from xinyuan.core import audit

    hotline = membership.hotline
    contact = queries.reviewable_contact(membership, contact_id)
    dimensions = queries.policy_for(hotline).dimension_keys()
    existing = queries.hotline_reviews(hotline).filter(contact=contact, reviewer=membership.user).first()
    initial: dict[str, Any] = {}
    if existing is not None:
        initial = {f"score_{k}": str(v) for k, v in existing.scores.items()}
        initial |= {"comment": existing.comment, "share": existing.shared_at is not None}
    form = ReviewForm(request.POST or None, dimensions=dimensions, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.do_write_review(
                    membership,
                    contact.pk,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                    share=form.cleaned_data["share"],
                )
            except ContactError as problem:
                messages.error(request, problem.message)
            else:
                messages.success(request, _("The review is saved."))
                return redirect("supervision-reviews", hotline_slug=hotline.slug)
        status = 400
    audit.log(
        audit.Action.CONTACT_MONITORED, actor=membership.user, hotline=hotline, obj=contact, via="review"
    )
    return render(
        request,
        "supervision/review.html",
        {
            "hotline": hotline,
            "contact": contact,
            "record": getattr(contact, "record", None),
            "transcript": queries.transcript(contact),
            "counsellor": queries.name_of(contact.counsellor),
            "form": form,
            "others": queries.hotline_reviews(hotline)
            .filter(contact=contact)
            .exclude(reviewer=membership.user),
        },
        status=status,
    )


@hotline_view(*queries.REVIEW_ROLES)
@require_POST
def share_review(request: HttpRequest, membership: Membership, review_id: int) -> HttpResponse:
    try:
        actions.do_share_review(membership, review_id)
    except ContactError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, _("The counsellor can see this review now."))
    return redirect("supervision-reviews", hotline_slug=membership.hotline.slug)


@hotline_view(*queries.POLICY_ROLES)
def policy(request: HttpRequest, membership: Membership) -> HttpResponse:
    hotline = membership.hotline
    form = PolicyForm(request.POST or None, instance=queries.policy_for(hotline))
    if request.method == "POST" and form.is_valid():
        actions.do_save_policy(
            membership,
            review_high_risk=form.cleaned_data["review_high_risk"],
            review_low_ratings=form.cleaned_data["review_low_ratings"],
            sample_percent=form.cleaned_data["sample_percent"],
            dimensions=form.cleaned_data["dimensions_text"],
        )
        messages.success(request, _("The review rules are saved."))
        return redirect("supervision-policy", hotline_slug=hotline.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/policy.html", {"hotline": hotline, "form": form}, status=status)


@hotline_view()
def feedback(request: HttpRequest, membership: Membership) -> HttpResponse:
    """My feedback: reviews shared with me about my own contacts, and debriefs offered to me."""
    return render(
        request,
        "supervision/feedback.html",
        {
            "hotline": membership.hotline,
            "reviews": queries.my_feedback(membership),
            "debriefs": queries.debriefs_for(membership).filter(counsellor=membership.user),
        },
    )


# Group supervision ----------------------------------------------------------------------------------


@hotline_view(*queries.GROUP_SESSION_ROLES)
def group_sessions(request: HttpRequest, membership: Membership) -> HttpResponse:
    hotline = membership.hotline
    with timezone.override(hotline.time_zone):  # the times typed are the hotline's
        form = GroupSessionForm(request.POST or None, hotline=hotline)
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            actions.do_record_group_session(
                membership,
                held_at=data["held_at"],
                supervisor=data["supervisor"],
                attendees=list(data["attendees"]),
                topic=data["topic"],
                duration_minutes=data["duration_minutes"],
            )
        except ContactError as problem:
            messages.error(request, problem.message)
        else:
            messages.success(request, _("The group session is recorded."))
            return redirect("supervision-group-sessions", hotline_slug=hotline.slug)
    return render(
        request,
        "supervision/group_sessions.html",
        {"hotline": hotline, "form": form, "sessions": queries.group_sessions(hotline)[:200]},
        status=400 if request.method == "POST" else 200,
    )


# Debriefs -------------------------------------------------------------------------------------------


@hotline_view()
def debriefs(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(
        request,
        "supervision/debriefs.html",
        {
            "hotline": membership.hotline,
            "debriefs": queries.debriefs_for(membership)[:200],
            "is_supervisor": membership.has_role(*queries.DEBRIEF_ROLES),
            "schedule_form": ScheduleForm(auto_id=False),
        },
    )


def _debrief_done(request: HttpRequest, membership: Membership, act: Any, done: str) -> HttpResponse:
    try:
        act()
    except ContactError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, done)
    return redirect("supervision-debriefs", hotline_slug=membership.hotline.slug)


@hotline_view()
@require_POST
def debrief_answer(request: HttpRequest, membership: Membership, debrief_id: int) -> HttpResponse:
    accept = request.POST.get("answer") == "accept"
    return _debrief_done(
        request,
        membership,
        lambda: actions.do_answer_debrief(membership, debrief_id, accept=accept),
        _("Thank you: a supervisor will arrange a time.") if accept else _("Noted. You can ask any time."),
    )


@hotline_view(*queries.DEBRIEF_ROLES)
@require_POST
def debrief_schedule(request: HttpRequest, membership: Membership, debrief_id: int) -> HttpResponse:
    with timezone.override(membership.hotline.time_zone):
        form = ScheduleForm(request.POST)
        valid = form.is_valid()
    if not valid:
        messages.error(request, _("Give the date and time of the debrief."))
        return redirect("supervision-debriefs", hotline_slug=membership.hotline.slug)
    return _debrief_done(
        request,
        membership,
        lambda: actions.do_schedule_debrief(membership, debrief_id, when=form.cleaned_data["when"]),
        _("The debrief is scheduled."),
    )


@hotline_view(*queries.DEBRIEF_ROLES)
@require_POST
def debrief_done(request: HttpRequest, membership: Membership, debrief_id: int) -> HttpResponse:
    return _debrief_done(
        request,
        membership,
        lambda: actions.do_finish_debrief(membership, debrief_id),
        _("The debrief is marked done."),
    )
