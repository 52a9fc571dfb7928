"""Contact records: the list, one record with its transcript (a reason asked, audited), export."""

from __future__ import annotations

import csv
from datetime import datetime

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from xinyuan.contacts import queries as contact_queries
from xinyuan.core import audit, hours
from xinyuan.core.models import Membership
from xinyuan.core.permissions import hotline_view
from xinyuan.records import queries
from xinyuan.records.models import CallType


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
                    contact.counsellor or "",
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
    reason_form = ReasonForm(request.GET if "reason" in request.GET else None)
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
