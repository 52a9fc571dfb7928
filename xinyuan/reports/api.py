"""The seeker's survey after a conversation: authenticated by the seeker's token, like the other
seeker endpoints (no cookie, so no CSRF token)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from xinyuan.contacts import queries as contact_queries
from xinyuan.core import ratelimit
from xinyuan.reports import actions

router = Router(tags=["seekers"])


class SurveyIn(Schema):
    token: str = Field(..., min_length=1, max_length=200)
    rating: int = Field(..., ge=1, le=5)
    helpful: bool | None = None
    change: str = Field("", pattern=r"^(|better|same|worse)$")
    comment: str = Field("", max_length=actions.MAX_COMMENT)
    language: str = Field("", max_length=10)


class SurveyOut(Schema):
    rating: int


class SurveyErrorOut(Schema):
    code: str
    message: str


@router.post(
    "/contacts/survey",
    response={201: SurveyOut, 404: SurveyErrorOut, 409: SurveyErrorOut, 429: SurveyErrorOut},
)
def answer_survey(request: HttpRequest, payload: SurveyIn) -> Status[dict[str, Any]]:
    """The seeker rates the conversation their token belongs to, once, after it ended."""
    address = request.META.get("REMOTE_ADDR", "")
    # Answers per address and hour; a shared network (a school, a ward) has many seekers.
    limit = settings.XINYUAN_SURVEYS_PER_ADDRESS_HOUR
    if not ratelimit.hit("survey", address, limit, 3600):
        return Status(429, {"code": "rate_limited", "message": _("Too many answers from this network.")})
    contact = contact_queries.contact_for_token(payload.token)
    if contact is None:
        return Status(404, {"code": "unknown_token", "message": _("This conversation is not known here.")})
    answer = actions.SurveyAnswer(
        rating=payload.rating,
        helpful=payload.helpful,
        change=payload.change,
        comment=payload.comment,
        language=payload.language,
    )
    try:
        response = actions.do_answer_survey(contact, answer)
    except actions.SurveyError as problem:
        return Status(409, {"code": problem.code, "message": problem.message})
    return Status(201, {"rating": response.rating})
