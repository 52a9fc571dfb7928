"""Setting up contacts and counsellors through the actions, as the app does."""

from __future__ import annotations

from typing import Any

from xinyuan.contacts import actions
from xinyuan.contacts.models import Contact, CounsellorState, Status
from xinyuan.core.models import Hotline, Membership, User


def open_contact(hotline: Hotline, text: str = "", **answers: Any) -> tuple[Contact, str]:
    opened = actions.do_open_contact(
        hotline,
        answers={"what_is_happening": text, **answers} if text else answers,
        language="zh-hans",
        consent_version=hotline.consent_version,
    )
    return opened.contact, opened.token


def on_duty(user: User, hotline: Hotline, *, chat_limit: int = 2, crisis_trained: bool = True) -> Membership:
    membership = Membership.objects.get(user=user, hotline=hotline)
    state = actions.counsellor_state(membership)
    CounsellorState.objects.filter(pk=state.pk).update(chat_limit=chat_limit, crisis_trained=crisis_trained)
    actions.do_set_status(membership, Status.ON_DUTY)
    return membership


def fresh(contact: Contact) -> Contact:
    return Contact.objects.get(pk=contact.pk)
