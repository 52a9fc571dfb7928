"""Who may read which contact, record and transcript: the hotline's access rules, deny by default."""

from __future__ import annotations

import base64
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Min, Q, QuerySet
from django.http import Http404

from xinyuan.contacts import queries as contact_queries
from xinyuan.contacts.models import Contact, Seeker, State
from xinyuan.core import crypto
from xinyuan.core.models import Hotline, Membership
from xinyuan.records import phones
from xinyuan.records.models import Case, CaseStatus, CaseTask, FlagKind, SeekerFlag


def may_read_records(membership: Membership) -> bool:
    return membership.has_role(*membership.hotline.record_roles)


def may_read_transcript(membership: Membership, contact: Contact) -> bool:
    own = contact.counsellor_id == membership.user_id
    return own or membership.has_role(*membership.hotline.transcript_roles)


def may_export(membership: Membership) -> bool:
    return membership.has_role(*membership.hotline.export_roles)


def visible_contacts(membership: Membership) -> QuerySet[Contact]:
    """Ended contacts the member may see the record of: all of the hotline's for record roles,
    otherwise only their own."""
    contacts = Contact.objects.filter(hotline_id=membership.hotline_id, state=State.CLOSED)
    if not may_read_records(membership):
        contacts = contacts.filter(counsellor_id=membership.user_id)
    return contacts


def records_list(
    membership: Membership, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[Contact]:
    contacts = visible_contacts(membership).select_related("record", "counsellor")
    if since:
        contacts = contacts.filter(created_at__gte=since)
    if until:
        contacts = contacts.filter(created_at__lt=until)
    return contacts.prefetch_related("record__categories").order_by("-created_at")


def access_record(membership: Membership, contact_id: str) -> Contact:
    """A contact whose record the member may read: 404 outside the hotline, 403 without the right."""
    try:
        contact = Contact.objects.select_related("record", "counsellor").get(
            pk=contact_id, hotline_id=membership.hotline_id
        )
    except (Contact.DoesNotExist, ValidationError, ValueError) as error:
        raise Http404 from error
    if not visible_contacts(membership).filter(pk=contact.pk).exists():
        raise PermissionDenied
    return contact


def earlier_contacts(contact: Contact) -> QuerySet[Contact]:
    """The same seeker's earlier, recorded contacts with this hotline: through their token, and,
    when they agreed to be remembered, through a phone number another remembered seeker gave."""
    return (
        Contact.objects.filter(
            hotline_id=contact.hotline_id,
            seeker_id__in=linked_seeker_ids(contact.seeker),
            state=State.CLOSED,
            created_at__lt=contact.created_at,
        )
        .select_related("record", "counsellor")
        .order_by("-created_at")
    )


# Returning seekers --------------------------------------------------------------------------------


def remembered_q(prefix: str = "") -> Q:
    """Seekers whose consent to be remembered stands (given, not withdrawn since)."""
    given = f"{prefix}remembered_at"
    return Q(**{f"{given}__isnull": False}) & (
        Q(**{f"{prefix}forgotten_at__isnull": True}) | Q(**{f"{prefix}forgotten_at__lt": F(given)})
    )


def phone_hashes(number: str) -> list[str]:
    """The number's keyed hash under every key of the ring, newest first (stored: the first;
    looked up: all, so a key rotation does not lose returning seekers)."""
    hashes = [phones.keyed_hash(_raw_key(text), number) for text in crypto.key_ring_strings()]
    return [value for value in hashes if value]


def _raw_key(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def linked_seeker_ids(seeker: Seeker) -> set[int]:
    """The seeker, and, if they agreed to be remembered, the other remembered seekers of the same
    hotline who gave the same phone number."""
    ids = {seeker.pk}
    if not seeker.remembered:
        return ids
    hashes = set(
        Contact.objects.filter(seeker=seeker)
        .exclude(callback_phone_hash="")
        .values_list("callback_phone_hash", flat=True)
    )
    if hashes:
        ids |= set(
            Seeker.objects.filter(
                remembered_q(), hotline_id=seeker.hotline_id, contacts__callback_phone_hash__in=hashes
            ).values_list("pk", flat=True)
        )
    return ids


def remembered_seeker(hotline: Hotline, token: str) -> Seeker | None:
    """The seeker this token belongs to, if they agreed to be remembered by this hotline."""
    if not token or len(token) > 200:
        return None
    return Seeker.objects.filter(
        remembered_q(), hotline=hotline, token_hash=contact_queries.token_hash(token)
    ).first()


def active_block(hotline: Hotline, *, token: str, hashes: list[str], now: datetime) -> SeekerFlag | None:
    """A blocking flag, still running, on the seeker with this token or on a seeker who gave this
    phone number (recognised for a block whether or not they agreed to be remembered)."""
    who = Q()
    if token and len(token) <= 200:
        who |= Q(seeker__token_hash=contact_queries.token_hash(token))
    if hashes:
        who |= Q(seeker__contacts__callback_phone_hash__in=hashes)
    if not who:
        return None
    return (
        SeekerFlag.objects.filter(
            who, hotline=hotline, kind=FlagKind.BLOCKED, lifted_at__isnull=True, expires_at__gt=now
        )
        .order_by("-expires_at")
        .first()
    )


def may_see_history(membership: Membership, contact: Contact) -> bool:
    """A returning seeker's earlier contacts: record roles always; the counsellor answering (or the
    supervisor who joined) when the hotline lets counsellors see history."""
    if may_read_records(membership):
        return True
    answering = membership.user_id in (contact.counsellor_id, contact.joined_by_id)
    return answering and membership.hotline.counsellors_see_history


def seeker_contact(membership: Membership, contact_id: str) -> Contact:
    """A contact whose seeker (flags, history, case) the member may look at: the counsellor who
    answers or answered it, a supervisor who joined it, record roles. 404 outside, 403 otherwise."""
    try:
        contact = Contact.objects.select_related("seeker", "hotline", "record").get(
            pk=contact_id, hotline_id=membership.hotline_id
        )
    except (Contact.DoesNotExist, ValidationError, ValueError) as error:
        raise Http404 from error
    answering = membership.user_id in (contact.counsellor_id, contact.joined_by_id)
    if not (answering or may_read_records(membership)):
        raise PermissionDenied
    return contact


def seeker_flags(contact: Contact) -> QuerySet[SeekerFlag]:
    """Every flag, running or expired, on the contact's seeker and the seekers linked to them."""
    return (
        SeekerFlag.objects.filter(
            hotline_id=contact.hotline_id, seeker_id__in=linked_seeker_ids(contact.seeker)
        )
        .select_related("set_by", "lifted_by")
        .order_by("-created_at", "-pk")
    )


# Cases ---------------------------------------------------------------------------------------------


def visible_cases(membership: Membership) -> QuerySet[Case]:
    """Cases the member may read: all of the hotline's for record roles; for others, when the
    hotline lets counsellors see history, cases of seekers they talked with or with a task of
    theirs. Nothing otherwise."""
    cases = Case.objects.filter(hotline_id=membership.hotline_id)
    if may_read_records(membership):
        return cases
    if not membership.hotline.counsellors_see_history:
        return cases.none()
    mine = Q(seekers__contacts__counsellor_id=membership.user_id) | Q(tasks__assignee_id=membership.user_id)
    return cases.filter(pk__in=Case.objects.filter(mine, hotline_id=membership.hotline_id).values("pk"))


def access_case(membership: Membership, case_id: int) -> Case:
    """A case the member may read: 404 outside the hotline, 403 without the right."""
    case = Case.objects.filter(pk=case_id, hotline_id=membership.hotline_id).first()
    if case is None:
        raise Http404
    if not visible_cases(membership).filter(pk=case.pk).exists():
        raise PermissionDenied
    return case


def cases_list(
    membership: Membership, *, status: str = "", overdue_only: bool = False, today: date
) -> QuerySet[Case]:
    open_tasks = Q(tasks__done_at__isnull=True)
    cases = visible_cases(membership).annotate(
        contact_count=Count("seekers__contacts", distinct=True),
        open_tasks=Count("tasks", filter=open_tasks, distinct=True),
        overdue_tasks=Count("tasks", filter=open_tasks & Q(tasks__due_on__lt=today), distinct=True),
        next_due=Min("tasks__due_on", filter=open_tasks),
    )
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    if overdue_only:
        cases = cases.filter(overdue_tasks__gt=0)
    return cases.order_by("-updated_at", "-pk")


def case_contacts(case: Case) -> QuerySet[Contact]:
    return (
        Contact.objects.filter(hotline_id=case.hotline_id, seeker__in=case.seekers.all())
        .select_related("record", "counsellor")
        .order_by("-created_at")
    )


def case_tasks(case: Case) -> QuerySet[CaseTask]:
    return case.tasks.select_related("assignee", "done_by", "created_by")


def case_for(contact: Contact) -> Case | None:
    """The case, not closed, of the contact's seeker or of a seeker linked to them."""
    return (
        Case.objects.filter(hotline_id=contact.hotline_id, seekers__in=linked_seeker_ids(contact.seeker))
        .exclude(status=CaseStatus.CLOSED)
        .order_by("-created_at")
        .first()
    )


def case_flags(case: Case) -> QuerySet[SeekerFlag]:
    return SeekerFlag.objects.filter(
        hotline_id=case.hotline_id, seeker__in=case.seekers.all()
    ).select_related("set_by", "lifted_by")
