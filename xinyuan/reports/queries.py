"""Reads of survey answers, scoped to the hotline and to what the caller may see."""

from __future__ import annotations

from xinyuan.core.models import Membership
from xinyuan.reports import metrics
from xinyuan.reports.models import SurveyResponse

MAX_COMMENTS = 50


def own_comments(membership: Membership, filters: metrics.Filters) -> list[SurveyResponse]:
    """The latest survey answers with a comment about the member's own contacts (caller audits)."""
    own = metrics.Filters(
        membership.hotline,
        filters.since,
        filters.until,
        channel=filters.channel,
        counsellor_id=membership.user_id,
    )
    return list(
        SurveyResponse.objects.filter(
            contact__in=metrics.Scope(own).contacts(), contact__counsellor_id=membership.user_id
        )
        .exclude(comment="")
        .order_by("-created_at")[:MAX_COMMENTS]
    )
