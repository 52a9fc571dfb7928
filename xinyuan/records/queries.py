"""Who may read which contact, record and transcript: the hotline's access rules, deny by default."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404

from xinyuan.contacts.models import Contact, State
from xinyuan.core.models import Membership


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
    """The same seeker's earlier, recorded contacts with this hotline."""
    return (
        Contact.objects.filter(hotline_id=contact.hotline_id, seeker_id=contact.seeker_id, state=State.CLOSED)
        .exclude(pk=contact.pk)
        .select_related("record")
        .order_by("-created_at")
    )
