"""Reads of crises, scoped to the hotline."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from xinyuan.core.models import Hotline
from xinyuan.risk.models import Escalation, EscalationState, FollowUp


def open_escalations(hotline: Hotline) -> QuerySet[Escalation]:
    return (
        Escalation.objects.filter(hotline=hotline)
        .exclude(state=EscalationState.RESOLVED)
        .select_related("contact", "acknowledged_by", "raised_by")
        .order_by("raised_at")
    )


def recent_resolved(hotline: Hotline) -> QuerySet[Escalation]:
    return (
        Escalation.objects.filter(hotline=hotline, state=EscalationState.RESOLVED)
        .select_related("contact", "acknowledged_by")
        .order_by("-resolved_at")[:20]
    )


def escalation_in(hotline: Hotline, escalation_id: int) -> Escalation:
    try:
        return Escalation.objects.select_related("contact", "acknowledged_by", "raised_by").get(
            pk=escalation_id, hotline=hotline
        )
    except Escalation.DoesNotExist as error:
        raise Http404 from error


def follow_ups_open(hotline: Hotline) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(hotline=hotline, done_at__isnull=True)
        .select_related("contact")
        .order_by("due_at")
    )
