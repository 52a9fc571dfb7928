"""The seeker's HTTP API as a client sees it: validation, closed lines, rate limits, quick exit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings

from tests.conftest import Personas
from xinyuan.contacts.models import Contact, State

pytestmark = pytest.mark.django_db


def post(payload: dict[str, Any], slug: str = "line-a", **headers: Any) -> Any:
    payload = {"sensitive_consent": True, **payload}
    return Client(**headers).post(f"/api/hotlines/{slug}/contacts", payload, content_type="application/json")


def test_status_says_what_the_page_needs(personas: Personas) -> None:
    data = Client().get("/api/hotlines/line-a/status").json()
    assert data["open"] is True and data["busy"] is True  # nobody on duty
    assert data["consent_version"] == personas.hotline_a.consent_version
    assert [q["key"] for q in data["intake"]][:2] == ["about", "age_band"]
    assert Client().get("/api/hotlines/nowhere/status").status_code == 404


def test_bad_input_gets_a_clear_error_and_nothing_is_saved(personas: Personas) -> None:
    version = personas.hotline_a.consent_version
    assert post({"consent_version": "old"}).json()["code"] == "consent"
    wrong = post({"consent_version": version, "answers": {"gender": "robot"}})
    assert wrong.status_code == 400 and "gender" in wrong.json()["message"]
    assert post({"consent_version": version, "source": "<script>"}).status_code == 422
    assert post({"consent_version": version, "callback_phone": "call me"}).status_code == 422
    assert not Contact.objects.exists()
    created = post({"consent_version": version, "answers": {"about": "self"}, "source": "partner-app"})
    assert created.status_code == 201 and created.json()["state"] == State.QUEUED


def test_a_closed_line_takes_call_backs_only(personas: Personas) -> None:
    personas.hotline_a.always_open = False
    personas.hotline_a.save()
    version = personas.hotline_a.consent_version
    assert post({"consent_version": version}).status_code == 409
    assert post({"consent_version": version, "callback": True}).status_code == 400  # the message is needed
    left = post({"consent_version": version, "callback": True, "answers": {"what_is_happening": "请回电"}})
    assert left.status_code == 201


@override_settings(XINYUAN_CONTACTS_PER_ADDRESS_HOUR=3)
def test_new_contacts_per_address_are_limited(personas: Personas) -> None:
    cache.clear()
    version = personas.hotline_a.consent_version
    for _ in range(3):
        assert post({"consent_version": version}, REMOTE_ADDR="10.9.8.7").status_code == 201
    refused = post({"consent_version": version}, REMOTE_ADDR="10.9.8.7")
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert post({"consent_version": version}, REMOTE_ADDR="10.9.8.8").status_code == 201  # another address
    assert Contact.objects.count() == 4


def test_quick_exit_ends_the_contact_and_reveals_nothing(personas: Personas) -> None:
    created = post({"consent_version": personas.hotline_a.consent_version}).json()
    client = Client()
    assert (
        client.post(
            "/api/contacts/quick-exit", {"token": "nonsense"}, content_type="application/json"
        ).status_code
        == 204
    )
    assert (
        client.post(
            "/api/contacts/quick-exit", {"token": created["token"]}, content_type="application/json"
        ).status_code
        == 204
    )
    contact = Contact.objects.get()
    assert contact.state == State.ABANDONED and contact.ended_by == "quick_exit"


def test_separate_sensitive_consent_and_the_under_14_rule(personas: Personas) -> None:
    version = personas.hotline_a.consent_version
    refused = post({"consent_version": version, "sensitive_consent": False})
    assert refused.status_code == 400 and refused.json()["code"] == "consent"
    child = post({"consent_version": version, "answers": {"age_band": "under_14"}})
    assert child.status_code == 400 and child.json()["code"] == "guardian"
    allowed = post(
        {"consent_version": version, "answers": {"age_band": "under_14"}, "guardian_consent": True}
    )
    assert allowed.status_code == 201
    contact = Contact.objects.get()
    assert contact.sensitive_consent and contact.guardian_consent and contact.consent_version == version
