"""Worker jobs for live contacts: timers claimed by conditional UPDATEs, and the queue's refresh."""

from __future__ import annotations

from datetime import datetime

from xinyuan import worker
from xinyuan.contacts import actions
from xinyuan.contacts.models import Contact, State


def _hotlines_with_waiting_contacts() -> list[int]:
    return list(Contact.objects.filter(state=State.QUEUED).values_list("hotline_id", flat=True).distinct())


@worker.job("contacts.expire_offers", every_seconds=1)
def expire_offers(now: datetime) -> int:
    return actions.expire_offers(now)


@worker.job("contacts.disconnected_counsellors", every_seconds=5)
def disconnected_counsellors(now: datetime) -> int:
    return actions.handle_disconnected_counsellors(now)


@worker.job("contacts.abandoned_seekers", every_seconds=30)
def abandoned_seekers(now: datetime) -> int:
    return actions.abandon_silent_seekers(now)


@worker.job("contacts.dispatch", every_seconds=5)
def dispatch(now: datetime) -> int:
    # A safety net: dispatch also runs after every change that could allow an offer.
    return sum(len(actions.dispatch(hotline_id, now=now)) for hotline_id in _hotlines_with_waiting_contacts())


@worker.job("contacts.refresh_queue", every_seconds=3)
def refresh_queue(now: datetime) -> int:
    return sum(actions.refresh_queue(hotline_id, now=now) for hotline_id in _hotlines_with_waiting_contacts())
