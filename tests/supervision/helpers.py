"""Contacts in the states supervision works on, set up through the actions."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from tests.contacts.helpers import fresh, on_duty, open_contact
from xinyuan.contacts import actions
from xinyuan.contacts.models import Contact, Seeker, State
from xinyuan.core.models import Hotline, User


def active_contact(hotline: Hotline, counsellor: User, text: str = "") -> tuple[Contact, str]:
    """A contact the counsellor has accepted and is talking in."""
    contact, token = open_contact(hotline, text)
    membership = on_duty(counsellor, hotline, chat_limit=4)
    assert fresh(contact).counsellor == counsellor, "the contact should be offered to the counsellor"
    actions.do_accept(membership, contact.pk)
    return fresh(contact), token


def ended_contact(hotline: Hotline, counsellor: User, text: str = "") -> Contact:
    """A conversation the counsellor has ended (now in wrap-up)."""
    contact, _token = active_contact(hotline, counsellor, text)
    actions.do_end_contact(contact.pk, by="counsellor", actor=counsellor)
    ended = fresh(contact)
    assert ended.state == State.WRAP_UP
    return ended


def past_contact(
    hotline: Hotline,
    counsellor: User | None,
    *,
    risk_level: str = "none",
    ended_at: datetime,
    state: str = State.CLOSED,
) -> Contact:
    """A factory for an answered contact that ended at `ended_at` (many at once, for sampling)."""
    seeker = Seeker.objects.create(hotline=hotline, token_hash=secrets.token_hex(32))
    return Contact.objects.create(
        hotline=hotline,
        seeker=seeker,
        counsellor=counsellor,
        state=state,
        risk_level=risk_level,
        queued_at=ended_at - timedelta(minutes=30),
        answered_at=ended_at - timedelta(minutes=29),
        ended_at=ended_at,
    )
