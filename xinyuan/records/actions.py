"""Writing contact records, and the hotline's issue taxonomy."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
from xinyuan.contacts.models import Contact, CounsellorState, Seeker, State
from xinyuan.core import audit
from xinyuan.core.models import Hotline, Membership, User
from xinyuan.records import queries, retention
from xinyuan.records.models import (
    DEFAULT_CATEGORIES,
    Case,
    CaseNote,
    CaseStatus,
    CaseTask,
    ContactRecord,
    IssueCategory,
    SeekerFlag,
)
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


# Returning seekers: consent to be remembered --------------------------------------------------------

# The version of the "remember me on this device" text on the seeker's page; change it with the text.
REMEMBER_CONSENT_VERSION = "2026-1"


def _token_seeker(token: str) -> tuple[Seeker, Contact] | None:
    contact = contact_queries.contact_for_token(token)
    if contact is None:
        return None
    return Seeker.objects.select_for_update().get(pk=contact.seeker_id), contact


@transaction.atomic
def do_remember_seeker(token: str, consent_version: str, *, now: datetime | None = None) -> bool:
    """The seeker agrees to be remembered on their device: their next contacts join this one, and
    a case the seeker is linked to through a phone number takes them in. False for an unknown token."""
    if consent_version != REMEMBER_CONSENT_VERSION:
        raise ContactError("consent", _("Please read the text about being remembered again."))
    found = _token_seeker(token)
    if found is None:
        return False
    seeker, contact = found
    seeker.remembered_at = now or timezone.now()
    seeker.remember_consent_version = consent_version
    seeker.save(update_fields=["remembered_at", "remember_consent_version"])
    case = queries.case_for(contact)
    if case is not None:
        case.seekers.add(seeker)
    audit.log(
        audit.Action.SEEKER_REMEMBERED,
        actor_name="seeker",
        hotline=contact.hotline,
        obj=contact,
        version=consent_version,
    )
    return True


@transaction.atomic
def do_forget_seeker(token: str, *, now: datetime | None = None) -> bool:
    """The seeker withdraws: their next contacts start afresh, unlinked (earlier ones stay as they
    are, the hotline's record). The page forgets the token. False for an unknown token."""
    found = _token_seeker(token)
    if found is None:
        return False
    seeker, contact = found
    seeker.forgotten_at = now or timezone.now()
    seeker.save(update_fields=["forgotten_at"])
    audit.log(audit.Action.SEEKER_FORGOTTEN, actor_name="seeker", hotline=contact.hotline, obj=contact)
    return True


# Flags ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_flag_seeker(
    membership: Membership,
    contact: Contact,
    *,
    kind: str,
    hours: int,
    reason: str,
    now: datetime | None = None,
) -> SeekerFlag:
    now = now or timezone.now()
    flag = SeekerFlag.objects.create(
        hotline=membership.hotline,
        seeker_id=contact.seeker_id,
        contact=contact,
        kind=kind,
        reason=reason.strip(),
        set_by=membership.user,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    audit.log(
        audit.Action.SEEKER_FLAGGED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=contact,
        reason=reason.strip(),
        kind=kind,
        hours=hours,
        flag=flag.pk,
    )
    return flag


@transaction.atomic
def do_lift_flag(
    membership: Membership, contact: Contact, flag_id: int, *, now: datetime | None = None
) -> None:
    """End a flag before its time (only a flag on this contact's seeker or a seeker linked to them)."""
    flag = queries.seeker_flags(contact).select_for_update(of=("self",)).filter(pk=flag_id).first()
    if flag is None or flag.lifted_at is not None:
        raise ContactError("no_flag", _("This flag is not on this seeker, or was lifted already."))
    flag.lifted_at = now or timezone.now()
    flag.lifted_by = membership.user
    flag.save(update_fields=["lifted_at", "lifted_by"])
    audit.log(
        audit.Action.SEEKER_FLAG_LIFTED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=contact,
        flag=flag.pk,
    )


# Cases ---------------------------------------------------------------------------------------------


@transaction.atomic
def do_open_case(membership: Membership, contact: Contact, *, now: datetime | None = None) -> Case:
    """A case for the contact's seeker, who must have agreed to be remembered. A case not yet
    closed for them or a linked seeker is returned instead of a second one."""
    Seeker.objects.select_for_update().get(pk=contact.seeker_id)  # one opening at a time per seeker
    contact.seeker.refresh_from_db()
    if not contact.seeker.remembered:
        raise ContactError(
            "no_consent",
            _("This seeker has not agreed to be remembered, so their contacts cannot be linked."),
        )
    existing = queries.case_for(contact)
    if existing is not None:
        existing.seekers.add(contact.seeker)
        return existing
    now = now or timezone.now()
    case = Case.objects.create(
        hotline=membership.hotline, opened_by=membership.user, created_at=now, updated_at=now
    )
    case.seekers.set(queries.linked_seeker_ids(contact.seeker))
    audit.log(
        audit.Action.CASE_OPENED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=case,
        contact=str(contact.pk),
    )
    return case


def _touch(case: Case, now: datetime) -> None:
    case.updated_at = now
    case.save(update_fields=["updated_at"])


@transaction.atomic
def do_set_case_status(
    membership: Membership, case: Case, status: str, *, now: datetime | None = None
) -> Case:
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if status not in CaseStatus.values:
        raise ContactError("bad_status", _("Unknown status."))
    if status == CaseStatus.CLOSED and case.tasks.filter(done_at__isnull=True).exists():
        raise ContactError("open_tasks", _("Mark the open tasks done before closing the case."))
    if (
        status != CaseStatus.CLOSED
        and Case.objects.filter(seekers__in=case.seekers.all(), hotline_id=case.hotline_id)
        .exclude(pk=case.pk)
        .exclude(status=CaseStatus.CLOSED)
        .exists()
    ):
        raise ContactError("other_open", _("This seeker has another open case."))
    previous = case.status
    case.status = status
    case.closed_at = now if status == CaseStatus.CLOSED else None
    case.updated_at = now
    case.save(update_fields=["status", "closed_at", "updated_at"])
    audit.log(
        audit.Action.CASE_STATUS_CHANGED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=case,
        status=status,
        previous=previous,
    )
    return case


@transaction.atomic
def do_add_case_note(
    membership: Membership, case: Case, body: str, *, now: datetime | None = None
) -> CaseNote:
    now = now or timezone.now()
    note = CaseNote.objects.create(case=case, author=membership.user, body=body.strip(), created_at=now)
    _touch(case, now)
    audit.log(
        audit.Action.CASE_NOTE_ADDED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=case,
        note=note.pk,
    )
    return note


@transaction.atomic
def do_add_case_task(
    membership: Membership,
    case: Case,
    *,
    title: str,
    due_on: date,
    assignee: User | None,
    now: datetime | None = None,
) -> CaseTask:
    now = now or timezone.now()
    task = CaseTask.objects.create(
        case=case,
        title=title.strip(),
        due_on=due_on,
        assignee=assignee,
        created_by=membership.user,
        created_at=now,
    )
    _touch(case, now)
    audit.log(
        audit.Action.CASE_TASK_ADDED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=case,
        task=task.pk,
        due_on=due_on.isoformat(),
        assignee=assignee.pk if assignee else None,
    )
    return task


@transaction.atomic
def do_set_task_done(
    membership: Membership, case: Case, task_id: int, done: bool, *, now: datetime | None = None
) -> CaseTask:
    now = now or timezone.now()
    task = CaseTask.objects.select_for_update().filter(pk=task_id, case=case).first()
    if task is None:
        raise ContactError("no_task", _("This task is not in this case."))
    task.done_at = now if done else None
    task.done_by = membership.user if done else None
    task.save(update_fields=["done_at", "done_by"])
    _touch(case, now)
    audit.log(
        audit.Action.CASE_TASK_DONE,
        actor=membership.user,
        hotline=membership.hotline,
        obj=case,
        task=task.pk,
        done=done,
    )
    return task
