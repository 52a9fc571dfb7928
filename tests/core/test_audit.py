"""The audit log: one helper writes it, nothing in the app edits or deletes it."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from tests.conftest import Personas
from xinyuan.core import audit
from xinyuan.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_helper_records_who_what_where_when_and_why(personas: Personas) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    event = audit.log(
        "record.viewed",
        actor=personas.supervisor,
        hotline=personas.hotline_a,
        obj=personas.hotline_a,
        request=request,
        reason="quality review",
    )
    saved = AuditEvent.objects.get(pk=event.pk)
    assert saved.actor_name == "supervisor-a"
    assert saved.object_type == "core.hotline"
    assert saved.object_id == str(personas.hotline_a.pk)
    assert saved.ip_address == "10.1.2.3"
    assert saved.reason == "quality review"
    assert saved.at is not None


def test_audit_events_cannot_be_changed_or_deleted(personas: Personas) -> None:
    event = audit.log("signin", actor=personas.counsellor)
    event.action = "nothing happened"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "signin"


def test_the_admin_offers_no_way_to_edit_audit_events(personas: Personas) -> None:
    model_admin = site._registry[AuditEvent]
    request = RequestFactory().get("/admin/")
    request.user = personas.coordinator
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
