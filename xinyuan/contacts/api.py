"""The seeker's HTTP API: the line's status, starting a contact, the quick exit (docs/protocol.md).

Anonymous and cookie-free: a seeker proves who they are with the token they were given, never with
a cookie, so these endpoints need no CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from xinyuan.contacts import actions, queries
from xinyuan.core import ratelimit
from xinyuan.core.models import Hotline

router = Router(tags=["seekers"])


class CrisisResourceOut(Schema):
    name: str
    number: str
    when_to_use: str


class ChoiceOut(Schema):
    value: str
    label: str


class QuestionOut(Schema):
    key: str
    label: str
    kind: str
    choices: list[ChoiceOut]


class StatusOut(Schema):
    hotline: str
    name: str
    open: bool
    busy: bool
    counsellors_on_duty: int
    waiting: int
    estimated_wait_seconds: int | None
    after_hours_message: str
    crisis_resources: list[CrisisResourceOut]
    consent_version: str
    intake: list[QuestionOut]
    languages: list[str]


class ContactIn(Schema):
    consent_version: str = Field(..., max_length=20)
    sensitive_consent: bool = False
    guardian_consent: bool = False
    answers: dict[str, str | None] = Field(default_factory=dict)
    language: str = Field("zh-hans", max_length=10)
    source: str = Field("", max_length=40, pattern=r"^[A-Za-z0-9_.-]*$")
    token: str = Field("", max_length=200)
    callback: bool = False
    callback_phone: str = Field("", max_length=40, pattern=r"^[0-9+\- ()]*$")


class ContactOut(Schema):
    contact: str
    token: str
    state: str
    resumed: bool


class TokenIn(Schema):
    token: str = Field(..., min_length=1, max_length=200)


class ErrorOut(Schema):
    code: str
    message: str


def _hotline(slug: str) -> Hotline:
    return get_object_or_404(Hotline, slug=slug)


@router.get("/hotlines/{slug}/status", response=StatusOut)
def hotline_status(request: HttpRequest, slug: str) -> dict[str, Any]:
    hotline = _hotline(slug)
    status = queries.hotline_status(hotline, timezone.now())
    return {
        "hotline": hotline.slug,
        "name": hotline.name,
        "after_hours_message": hotline.after_hours_message,
        "crisis_resources": list(hotline.crisis_resources.values("name", "number", "when_to_use")),
        "consent_version": hotline.consent_version,
        "languages": hotline.languages,
        **status,
    }


@router.post(
    "/hotlines/{slug}/contacts",
    response={201: ContactOut, 200: ContactOut, 400: ErrorOut, 409: ErrorOut, 429: ErrorOut},
)
def open_contact(request: HttpRequest, slug: str, payload: ContactIn) -> Status[dict[str, Any]]:
    hotline = _hotline(slug)
    address = request.META.get("REMOTE_ADDR", "")
    if not queries.resumes(hotline, payload.token) and not ratelimit.hit(
        "open-contact", f"{hotline.pk}:{address}", settings.XINYUAN_CONTACTS_PER_ADDRESS_HOUR, 3600
    ):
        message = _(
            "Too many new conversations from this network. If you are in danger, call a number below."
        )
        return Status(429, {"code": "rate_limited", "message": message})
    try:
        opened = actions.do_open_contact(
            hotline,
            answers=payload.answers,
            language=payload.language,
            consent_version=payload.consent_version,
            source=payload.source,
            token=payload.token,
            callback=payload.callback,
            callback_phone=payload.callback_phone,
            sensitive_consent=payload.sensitive_consent,
            guardian_consent=payload.guardian_consent,
        )
    except actions.ContactError as problem:
        return Status(
            409 if problem.code == "closed" else 400, {"code": problem.code, "message": problem.message}
        )
    body = {
        "contact": str(opened.contact.pk),
        "token": opened.token,
        "state": opened.contact.state,
        "resumed": opened.resumed,
    }
    return Status(200 if opened.resumed else 201, body)


@router.post("/contacts/quick-exit", response={204: None})
def quick_exit(request: HttpRequest, payload: TokenIn) -> Status[None]:
    """The seeker left in a hurry: end their conversation, tell the counsellor. Always 204, so
    the answer reveals nothing about the token."""
    contact = queries.contact_for_token(payload.token)
    if contact is not None:
        actions.do_end_contact(contact.pk, by="quick_exit")
    return Status(204, None)


@router.post("/contacts/my-data", response={200: dict[str, Any], 404: ErrorOut})
def my_data(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """The seeker's own conversations, as they saw them (their right to a copy)."""
    from xinyuan.records import retention

    contact = queries.contact_for_token(payload.token)
    if contact is None:
        return Status(404, {"code": "unknown_token", "message": _("This conversation is not known here.")})
    return Status(200, retention.seeker_export(contact))


@router.post("/contacts/erase", response={204: None})
def erase(request: HttpRequest, payload: TokenIn) -> Status[None]:
    """The seeker asks to have their data deleted. Always 204: the answer reveals nothing."""
    from xinyuan.records import retention

    contact = queries.contact_for_token(payload.token)
    if contact is not None:
        retention.do_erase_seeker(contact)
    return Status(204, None)
