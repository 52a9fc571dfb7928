"""Retention and seekers' rights: what is deleted, what is pseudonymised, and when.

Past a hotline's transcript retention, a closed contact's words go: messages, the intake's free
text, the call-back phone, the risk evidence's quoted phrases, the safety plan, addresses and
notes of crisis steps. Past its record retention, the record is pseudonymised: the narrative and
referral are cleared and the contact is cut from its seeker. What reports count stays: dates,
call type, issues, population, risk levels, interventions, timestamps.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from xinyuan.contacts.models import OPEN_STATES, Contact, Message, Seeker, State
from xinyuan.core import audit
from xinyuan.core.models import Hotline
from xinyuan.records.models import Case, CaseNote, CaseStatus, CaseTask, ContactRecord, SeekerFlag
from xinyuan.reports.models import SurveyResponse
from xinyuan.risk.models import EscalationStep, SafetyPlan


def erase_words(contact: Contact) -> None:
    """Delete everything the seeker said or that identifies them, keeping what reports count
    (inside a transaction)."""
    Message.objects.filter(contact=contact).delete()
    SafetyPlan.objects.filter(contact=contact).delete()
    EscalationStep.objects.filter(escalation__contact=contact).update(address="", note="")
    # The rating stays for the satisfaction rate; the comment is the seeker's own words.
    SurveyResponse.objects.filter(contact=contact).update(comment="")
    contact.intake_text = ""
    contact.callback_phone = ""
    contact.callback_phone_hash = ""
    contact.risk_evidence = [
        {"where": rise.get("where", ""), "level": rise.get("level", "")} for rise in contact.risk_evidence
    ]
    contact.save(update_fields=["intake_text", "callback_phone", "callback_phone_hash", "risk_evidence"])


def pseudonymise(contact: Contact) -> None:
    """Cut the contact from its seeker and clear the record's narrative (inside a transaction)."""
    ContactRecord.objects.filter(contact=contact).update(summary="", referral_target="")
    anonymous = Seeker.objects.create(hotline_id=contact.hotline_id, token_hash=secrets.token_hex(32))
    contact.seeker = anonymous
    contact.save(update_fields=["seeker"])


def purge(now: datetime | None = None) -> dict[str, int]:
    """The daily purge over every hotline. Returns counts; safe to run again (idempotent)."""
    now = now or timezone.now()
    counts = {"transcripts": 0, "records": 0, "cases": 0}
    for hotline in Hotline.objects.all():
        transcript_cutoff = now - timedelta(days=hotline.transcript_retention_days)
        record_cutoff = now - timedelta(days=hotline.record_retention_days)
        closed = Contact.objects.filter(hotline=hotline, state__in=[State.CLOSED, State.ABANDONED])
        transcripts = records = 0
        for contact in closed.filter(_has_words(), created_at__lt=transcript_cutoff):
            with transaction.atomic():
                erase_words(contact)
            transcripts += 1
        for contact in closed.filter(created_at__lt=record_cutoff, record__summary__gt=""):
            with transaction.atomic():
                pseudonymise(contact)
            records += 1
        if transcripts or records:
            audit.log(
                "retention.purged",
                actor_name="worker",
                hotline=hotline,
                transcripts=transcripts,
                records=records,
            )
        counts["transcripts"] += transcripts
        counts["records"] += records
        counts["cases"] += purge_cases(hotline, record_cutoff)
    return counts


def purge_cases(hotline: Hotline, cutoff: datetime) -> int:
    """Cases closed before the record cutoff lose their notes and tasks' words; flags that ended
    before it go. Returns the number of cases cleared."""
    with transaction.atomic():
        old_cases = Case.objects.filter(hotline=hotline, status=CaseStatus.CLOSED, closed_at__lt=cutoff)
        cleared = old_cases.filter(Exists(CaseNote.objects.filter(case=OuterRef("pk")))).count()
        CaseNote.objects.filter(case__in=old_cases).delete()
        CaseTask.objects.filter(case__in=old_cases).exclude(title="").update(title="")
        SeekerFlag.objects.filter(hotline=hotline, expires_at__lt=cutoff).delete()
    return cleared


def _has_words() -> Q:
    return (
        Q(Exists(Message.objects.filter(contact=OuterRef("pk")))) | ~Q(intake_text="") | ~Q(callback_phone="")
    )


@transaction.atomic
def do_erase_seeker(token_contact: Contact) -> int:
    """A seeker's request to delete their data: open conversations end, and every contact's words
    and identifiers are deleted now. The record (the hotline's legal record) stays, pseudonymised,
    until the hotline's retention ends."""
    from xinyuan.contacts.actions import do_end_contact

    contacts = list(Contact.objects.filter(seeker_id=token_contact.seeker_id))
    _forget_in_cases(token_contact.seeker)
    for contact in contacts:
        if contact.state in OPEN_STATES:
            do_end_contact(contact.pk, by="seeker")
            contact.refresh_from_db()
        erase_words(contact)
        pseudonymise(contact)
    audit.log(
        "seeker.erased",
        actor_name="seeker",
        hotline=token_contact.hotline,
        obj=token_contact,
        contacts=len(contacts),
    )
    return len(contacts)


def _forget_in_cases(seeker: Seeker) -> None:
    """Erasure reaches cases too: the consent ends, the seeker leaves their cases, whose notes go,
    and flag reasons are cleared (a running block stays: it protects counsellors)."""
    Seeker.objects.filter(pk=seeker.pk).update(forgotten_at=timezone.now())
    for case in Case.objects.filter(seekers=seeker):
        CaseNote.objects.filter(case=case).delete()
        CaseTask.objects.filter(case=case).update(title="")
        case.seekers.remove(seeker)
    SeekerFlag.objects.filter(seeker=seeker).update(reason="")


def seeker_export(token_contact: Contact) -> dict[str, Any]:
    """What the seeker asked for about themselves: their conversations as they saw them."""
    contacts = Contact.objects.filter(seeker_id=token_contact.seeker_id).order_by("created_at")
    audit.log("seeker.exported", actor_name="seeker", hotline=token_contact.hotline, obj=token_contact)
    return {
        "hotline": token_contact.hotline.name,
        "contacts": [
            {
                "started": contact.created_at.isoformat(),
                "intake": contact.intake,
                "what_is_happening": contact.intake_text,
                "messages": [
                    {"at": m.created_at.isoformat(), "from": m.sender, "text": m.body}
                    for m in contact.messages.filter(staff_only=False).order_by("seq")
                ],
            }
            for contact in contacts
        ],
    }
