"""Contact records: the list, one record with its transcript (a reason asked, audited), export."""

from __future__ import annotations

import csv
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinyuan.contacts import queries as contact_queries
from xinyuan.contacts.actions import ContactError
from xinyuan.contacts.models import Contact
from xinyuan.core import audit, cells, hours
from xinyuan.core.models import Membership
from xinyuan.core.permissions import hotline_view
from xinyuan.core.queries import hotline_today
from xinyuan.records import actions, queries
from xinyuan.records.forms import CaseFilterForm, CaseNoteForm, CaseStatusForm, CaseTaskForm, SeekerFlagForm
from xinyuan.records.models import CallType, Case, CaseStatus


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why you are reading this conversation"), min_length=5, max_length=500)


def _period(
    request: HttpRequest, membership: Membership
) -> tuple[PeriodForm, datetime | None, datetime | None]:
    form = PeriodForm(request.GET or None)
    if not form.is_valid():
        return form, None, None
    since, until = hours.local_day_range(
        form.cleaned_data["since"], form.cleaned_data["until"], membership.hotline.time_zone
    )
    return form, since, until


@hotline_view()
def records(request: HttpRequest, membership: Membership) -> HttpResponse:
    form, since, until = _period(request, membership)
    contacts = queries.records_list(membership, since, until)
    if request.GET.get("format") == "csv":
        if not queries.may_export(membership):
            raise PermissionDenied
        audit.log("records.exported", actor=request.user, hotline=membership.hotline, request=request)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="records-{membership.hotline.slug}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "contact",
                "created_at",
                "counsellor",
                "call_type",
                "issues",
                "final_risk_level",
                "interventions",
                "follow_up_needed",
            ]
        )
        for contact in contacts.iterator(chunk_size=500):
            record = getattr(contact, "record", None)
            writer.writerow(
                [
                    contact.pk,
                    contact.created_at.isoformat(),
                    cells.inert(str(contact.counsellor or "")),
                    record.call_type if record else "",
                    ";".join(c.key for c in record.categories.all()) if record else "",
                    record.final_risk_level if record else contact.risk_level,
                    ";".join(record.interventions) if record else "",
                    record.follow_up_needed if record else "",
                ]
            )
        return response
    audit.log("records.listed", actor=request.user, hotline=membership.hotline, request=request)
    return render(
        request,
        "records/records.html",
        {
            "hotline": membership.hotline,
            "form": form,
            "contacts": contacts[:200],
            "call_types": dict(CallType.choices),
            "may_export": queries.may_export(membership),
            "query": request.GET.urlencode(),
        },
    )


@hotline_view()
def record(request: HttpRequest, membership: Membership, contact_id: str) -> HttpResponse:
    contact = queries.access_record(membership, contact_id)
    audit.log("record.viewed", actor=request.user, hotline=membership.hotline, obj=contact, request=request)
    may_read = queries.may_read_transcript(membership, contact)
    # The reason comes by POST: in a query string it would land in access logs and browser history.
    reason_form = ReasonForm(request.POST if request.method == "POST" else None)
    transcript = None
    if may_read and reason_form.is_valid():
        transcript = list(contact_queries.messages_after(contact, 0, staff=True))
        audit.log(
            "transcript.viewed",
            actor=request.user,
            hotline=membership.hotline,
            obj=contact,
            request=request,
            reason=reason_form.cleaned_data["reason"],
        )
    return render(
        request,
        "records/record.html",
        {
            "hotline": membership.hotline,
            "contact": contact,
            "record": getattr(contact, "record", None),
            "may_read_transcript": may_read,
            "reason_form": reason_form,
            "transcript": transcript,
            "history": queries.earlier_contacts(contact) if queries.may_read_records(membership) else [],
        },
    )


# Returning seekers: flags, earlier contacts, their case ----------------------------------------------


@hotline_view()
def seeker(request: HttpRequest, membership: Membership, contact_id: str) -> HttpResponse:
    """The seeker behind a contact: flags (set and lifted here), and, when the hotline's rules allow,
    their earlier contacts and their case. The console links here."""
    contact = queries.seeker_contact(membership, contact_id)
    history_allowed = queries.may_see_history(membership, contact)
    flag_form = SeekerFlagForm(request.POST if request.POST.get("do") == "flag" else None)
    if request.method == "POST":
        done = _seeker_post(request, membership, contact, flag_form, history_allowed)
        if done is not None:
            return done
    history = list(queries.earlier_contacts(contact)) if history_allowed else []
    audit.log(
        audit.Action.SEEKER_VIEWED,
        actor=request.user,
        hotline=membership.hotline,
        obj=contact,
        request=request,
        history=len(history) if history_allowed else None,
    )
    return render(
        request,
        "records/seeker.html",
        {
            "hotline": membership.hotline,
            "contact": contact,
            "remembered": contact.seeker.remembered,
            "flags": list(queries.seeker_flags(contact)),
            "now": timezone.now(),
            "flag_form": flag_form,
            "history_allowed": history_allowed,
            "history": history,
            "case": queries.case_for(contact) if history_allowed else None,
            "may_read_records": queries.may_read_records(membership),
        },
        status=400 if flag_form.is_bound and flag_form.errors else 200,
    )


def _seeker_post(
    request: HttpRequest,
    membership: Membership,
    contact: Contact,
    flag_form: SeekerFlagForm,
    history_allowed: bool,
) -> HttpResponse | None:
    """A flag set or lifted, or a case opened; None to show the page again with the form's errors."""
    step = request.POST.get("do")
    try:
        if step == "flag":
            if not flag_form.is_valid():
                return None
            actions.do_flag_seeker(membership, contact, **flag_form.cleaned_data)
            messages.success(request, gettext("The flag is set."))
        elif step == "lift":
            actions.do_lift_flag(membership, contact, _int(request.POST.get("flag")))
            messages.success(request, gettext("The flag is lifted."))
        elif step == "open_case":
            if not history_allowed:
                raise PermissionDenied
            case = actions.do_open_case(membership, contact)
            return redirect("case", hotline_slug=membership.hotline.slug, case_id=case.pk)
        else:
            messages.error(request, gettext("Nothing was done: unknown request."))
    except ContactError as problem:
        messages.error(request, problem.message)
    return redirect("seeker-history", hotline_slug=membership.hotline.slug, contact_id=contact.pk)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# Cases ---------------------------------------------------------------------------------------------


@hotline_view()
def cases(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    status, overdue = "", False
    if form.is_valid():
        status, overdue = form.cleaned_data["status"], form.cleaned_data["overdue"]
    today = hotline_today(membership.hotline)
    found = queries.cases_list(membership, status=status, overdue_only=overdue, today=today)
    audit.log(audit.Action.CASE_LISTED, actor=request.user, hotline=membership.hotline, request=request)
    return render(
        request,
        "records/cases.html",
        {
            "hotline": membership.hotline,
            "form": form,
            "cases": found[:200],
            "statuses": dict(CaseStatus.choices),
        },
    )


@hotline_view()
def case(request: HttpRequest, membership: Membership, case_id: int) -> HttpResponse:
    """One case: its contacts (with the records' summaries), notes, tasks and the seeker's flags."""
    found = queries.access_case(membership, case_id)
    do = request.POST.get("do") if request.method == "POST" else None
    status_form = CaseStatusForm(request.POST if do == "status" else None, initial={"status": found.status})
    note_form = CaseNoteForm(request.POST if do == "note" else None)
    task_form = CaseTaskForm(request.POST if do == "task" else None, hotline_id=membership.hotline_id)
    if do is not None:
        done = _case_post(request, membership, found, do, status_form, note_form, task_form)
        if done is not None:
            return done
    audit.log(
        audit.Action.CASE_VIEWED, actor=request.user, hotline=membership.hotline, obj=found, request=request
    )
    today = hotline_today(membership.hotline)
    tasks = list(queries.case_tasks(found))
    invalid = any(f.is_bound and f.errors for f in (status_form, note_form, task_form))
    return render(
        request,
        "records/case.html",
        {
            "hotline": membership.hotline,
            "case": found,
            "contacts": list(queries.case_contacts(found)),
            "notes": list(found.notes.select_related("author")),
            "tasks": [(task, task.is_overdue(today)) for task in tasks],
            "flags": list(queries.case_flags(found)),
            "now": timezone.now(),
            "status_form": status_form,
            "note_form": note_form,
            "task_form": task_form,
        },
        status=400 if invalid else 200,
    )


def _case_post(
    request: HttpRequest,
    membership: Membership,
    found: Case,
    do: str,
    status_form: CaseStatusForm,
    note_form: CaseNoteForm,
    task_form: CaseTaskForm,
) -> HttpResponse | None:
    try:
        if do == "status":
            if not status_form.is_valid():
                return None
            actions.do_set_case_status(membership, found, status_form.cleaned_data["status"])
            messages.success(request, gettext("The case's status is changed."))
        elif do == "note":
            if not note_form.is_valid():
                return None
            actions.do_add_case_note(membership, found, note_form.cleaned_data["body"])
            messages.success(request, gettext("The note is added."))
        elif do == "task":
            if not task_form.is_valid():
                return None
            actions.do_add_case_task(membership, found, **task_form.cleaned_data)
            messages.success(request, gettext("The task is added."))
        elif do in ("task_done", "task_undone"):
            actions.do_set_task_done(membership, found, _int(request.POST.get("task")), do == "task_done")
        else:
            messages.error(request, gettext("Nothing was done: unknown request."))
    except ContactError as problem:
        messages.error(request, problem.message)
    return redirect("case", hotline_slug=membership.hotline.slug, case_id=found.pk)
