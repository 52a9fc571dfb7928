"""Writing contact records, and the hotline's issue taxonomy."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from xinyuan.contacts import actions as contact_actions
from xinyuan.contacts import queries as contact_queries
from xinyuan.contacts.actions import ContactError
from xinyuan.contacts.models import CounsellorState, State
from xinyuan.core import audit
from xinyuan.core.models import Hotline, Membership
from xinyuan.records import retention
from xinyuan.records.models import DEFAULT_CATEGORIES, ContactRecord, IssueCategory
from xinyuan.risk.models import FollowUp

FOLLOW_UP_AFTER = timedelta(hours=24)


def ensure_categories(hotline: Hotline) -> None:
    """A hotline without a taxonomy gets the default one (idempotent)."""
    if IssueCategory.objects.filter(hotline=hotline).exists():
        return
    with override((hotline.languages or [settings.LANGUAGE_CODE])[0]):  # labels in the hotline's language
        _create_default_categories(hotline)


def _create_default_categories(hotline: Hotline) -> None:
    IssueCategory.objects.bulk_create(
        [
            IssueCategory(hotline=hotline, key=key, label=str(label), position=index)
            for index, (key, label) in enumerate(DEFAULT_CATEGORIES)
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def do_write_record(membership: Membership, contact_id: UUID | str, data: dict[str, Any]) -> ContactRecord:
    """The counsellor's record of an ended contact; the contact is closed with it."""
    contact = contact_queries.held_contact_for_update(membership, contact_id)
    if contact.state == State.ACTIVE:
        raise ContactError("still_active", _("End the conversation before writing the record."))
    if contact.state != State.WRAP_UP:
        raise ContactError("not_wrap_up", _("This contact has no record to write."))
    record = ContactRecord.objects.create(
        contact=contact,
        call_type=data["call_type"],
        population=data.get("population") or "",
        final_risk_level=data["final_risk_level"],
        interventions=list(data.get("interventions") or []),
        referral_target=(data.get("referral_target") or "").strip(),
        follow_up_needed=bool(data.get("follow_up_needed")),
        summary=(data.get("summary") or "").strip(),
        author=membership.user,
    )
    record.categories.set(data.get("categories") or [])
    now = timezone.now()
    if record.follow_up_needed:
        FollowUp.objects.get_or_create(
            contact=contact, defaults={"hotline": contact.hotline, "due_at": now + FOLLOW_UP_AFTER}
        )
    contact.state = State.CLOSED
    contact.wrapped_up_at = now
    contact.save(update_fields=["state", "wrapped_up_at"])
    if contact.hotline.transcript_retention_days == 0:  # this hotline keeps no transcripts
        retention.erase_words(contact)
    CounsellorState.objects.filter(membership=membership).update(idle_since=now)
    audit.log("record.written", actor=membership.user, hotline=membership.hotline, obj=contact)
    contact_actions.announce_contact(contact)
    transaction.on_commit(partial(contact_actions.dispatch, contact.hotline_id))
    return record
