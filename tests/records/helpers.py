"""Contacts that ended with a record, and seekers who agreed to be remembered, made as the app does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.test import Client

from tests.contacts.helpers import on_duty
from xinyuan.contacts import actions
from xinyuan.contacts.models import Contact, Status
from xinyuan.core.models import User
from xinyuan.records.actions import REMEMBER_CONSENT_VERSION, do_write_record, ensure_categories


def start(hotline: Any, *, token: str = "", phone: str = "", now: datetime | None = None) -> actions.Opened:
    """A seeker opens a contact (with a phone number: a message for a call-back)."""
    return actions.do_open_contact(
        hotline,
        answers={"what_is_happening": "请给我回电话"} if phone else {},
        language="zh-hans",
        consent_version=hotline.consent_version,
        token=token,
        callback=bool(phone),
        callback_phone=phone,
        now=now,
    )


def answer(user: User, opened: actions.Opened) -> Contact:
    """`user` goes on duty, takes the contact, then goes off duty (so the next one goes to whoever
    is on duty then)."""
    hotline = opened.contact.hotline
    membership = on_duty(user, hotline)
    actions.do_accept(membership, opened.contact.pk)
    actions.do_set_status(membership, Status.OFF_DUTY)
    return Contact.objects.get(pk=opened.contact.pk)


def finish(user: User, contact: Contact, summary: str, risk: str = "high") -> Contact:
    """End the conversation and write its record."""
    hotline = contact.hotline
    ensure_categories(hotline)
    actions.do_end_contact(contact.pk, by="counsellor", actor=user)
    membership = user.memberships.get(hotline=hotline)
    do_write_record(
        membership,
        contact.pk,
        {
            "call_type": "counselling",
            "final_risk_level": risk,
            "summary": summary,
            "interventions": ["listening"],
            "categories": list(hotline.issue_categories.filter(key="study_stress")),
        },
    )
    return Contact.objects.get(pk=contact.pk)


def remember(token: str, version: str = REMEMBER_CONSENT_VERSION) -> Any:
    return Client().post(
        "/api/seekers/remember", {"token": token, "consent_version": version}, content_type="application/json"
    )


def forget(token: str) -> Any:
    return Client().post("/api/seekers/forget", {"token": token}, content_type="application/json")


def raw_rows(table: str) -> str:
    """Every value of every row of a table, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return " ".join(str(value) for row in cursor.fetchall() for value in row)
