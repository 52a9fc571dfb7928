"""The seeker's consent to be remembered on their device, given and withdrawn with their token
(docs/records.md). Cookie-free like the rest of the seeker's API: the token is the proof."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xinyuan.contacts.actions import ContactError
from xinyuan.records import actions

router = Router(tags=["seekers"])


class RememberIn(Schema):
    token: str = Field(..., min_length=1, max_length=200)
    consent_version: str = Field(..., max_length=20)


class ForgetIn(Schema):
    token: str = Field(..., min_length=1, max_length=200)


class ErrorOut(Schema):
    code: str
    message: str


@router.post("/seekers/remember", response={204: None, 400: ErrorOut})
def remember(request: HttpRequest, payload: RememberIn) -> Status[dict[str, str] | None]:
    """Remember me on this device, so counsellors see our earlier conversations. 204 whether or
    not the token is known: the answer reveals nothing."""
    try:
        actions.do_remember_seeker(payload.token, payload.consent_version)
    except ContactError as problem:
        return Status(400, {"code": problem.code, "message": problem.message})
    return Status(204, None)


@router.post("/seekers/forget", response={204: None})
def forget(request: HttpRequest, payload: ForgetIn) -> Status[None]:
    """Withdraw that consent: the next contacts start afresh. Always 204."""
    actions.do_forget_seeker(payload.token)
    return Status(204, None)
