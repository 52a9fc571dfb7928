"""Returning seekers: consent to be remembered, given and withdrawn; the token and a phone number
recognise them; the counsellor sees their history as the hotline's rules allow."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas
from tests.factories import english
from tests.records.helpers import answer, finish, forget, raw_rows, remember, start
from xinyuan.contacts.actions import Opened
from xinyuan.contacts.models import Contact, Seeker
from xinyuan.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)
EARLIER = "第一次来：考试前失眠"


def seeker_page(client: Client, contact: Contact) -> tuple[int, str]:
    page = client.get(reverse("seeker-history", args=["line-a", contact.pk]))
    return page.status_code, page.content.decode()


def test_a_remembered_seeker_comes_back_as_themselves_and_the_counsellor_sees_their_history(
    personas: Personas,
) -> None:
    first = start(personas.hotline_a)
    finish(personas.supervisor, answer(personas.supervisor, first), EARLIER)
    assert remember(first.token).status_code == 204
    seeker = Seeker.objects.get(pk=first.contact.seeker_id)
    assert seeker.remembered and seeker.remember_consent_version == "2026-1" and seeker.remembered_at
    assert AuditEvent.objects.filter(action="seeker.remembered", object_id=str(first.contact.pk)).exists()

    # The page sends its kept token: the same seeker, the same token, a new conversation.
    again = Client().post(
        "/api/hotlines/line-a/contacts",
        {
            "consent_version": personas.hotline_a.consent_version,
            "sensitive_consent": True,
            "token": first.token,
        },
        content_type="application/json",
    )
    assert again.status_code == 201 and again.json()["token"] == first.token
    second = Contact.objects.get(pk=again.json()["contact"])
    assert second.seeker_id == first.contact.seeker_id
    answer(personas.counsellor, Opened(second, first.token, resumed=False))

    status, html = seeker_page(english(personas.client_for(personas.counsellor)), second)
    assert status == 200 and EARLIER in html and "high" in html
    event = AuditEvent.objects.filter(action="seeker.viewed", object_id=str(second.pk)).last()
    assert event is not None and event.actor == personas.counsellor and event.details["history"] == 1

    # The hotline can keep counsellors from seeing history; supervisors still do (record roles).
    personas.hotline_a.counsellors_see_history = False
    personas.hotline_a.save()
    status, html = seeker_page(english(personas.client_for(personas.counsellor)), second)
    assert status == 200 and EARLIER not in html and 'data-testid="history-denied"' in html
    status, html = seeker_page(personas.client_for(personas.supervisor), second)
    assert status == 200 and EARLIER in html


def test_without_consent_each_contact_stands_alone(personas: Personas) -> None:
    first = start(personas.hotline_a)
    finish(personas.supervisor, answer(personas.supervisor, first), EARLIER)
    second = start(personas.hotline_a, token=first.token)  # the token was kept, but no consent
    assert second.token != first.token and second.contact.seeker_id != first.contact.seeker_id
    answer(personas.counsellor, second)
    status, html = seeker_page(personas.client_for(personas.counsellor), second.contact)
    assert status == 200 and EARLIER not in html


def test_withdrawing_consent_unlinks_future_contacts_and_keeps_the_past(personas: Personas) -> None:
    first = start(personas.hotline_a)
    finish(personas.supervisor, answer(personas.supervisor, first), EARLIER)
    remember(first.token)
    second = start(personas.hotline_a, token=first.token)
    assert second.contact.seeker_id == first.contact.seeker_id
    finish(personas.counsellor, answer(personas.counsellor, second), "第二次：好一些了")

    assert forget(first.token).status_code == 204
    assert not Seeker.objects.get(pk=first.contact.seeker_id).remembered
    assert AuditEvent.objects.filter(action="seeker.forgotten").exists()
    third = start(personas.hotline_a, token=first.token)
    assert third.token != first.token and third.contact.seeker_id != first.contact.seeker_id
    answer(personas.counsellor, third)
    supervisor = personas.client_for(personas.supervisor)
    assert EARLIER not in seeker_page(supervisor, third.contact)[1]
    assert EARLIER in seeker_page(supervisor, second.contact)[1]  # what was linked stays linked


def test_consent_needs_the_current_text_and_an_unknown_token_reveals_nothing(personas: Personas) -> None:
    first = start(personas.hotline_a)
    refused = remember(first.token, version="old")
    assert refused.status_code == 400 and refused.json()["code"] == "consent"
    assert not Seeker.objects.get(pk=first.contact.seeker_id).remembered
    assert remember("no-such-token").status_code == 204
    assert forget("no-such-token").status_code == 204


def test_a_phone_number_links_remembered_seekers_and_is_never_stored_in_clear(personas: Personas) -> None:
    first = start(personas.hotline_a, phone="+86 138 0013 8000")
    finish(personas.supervisor, answer(personas.supervisor, first), EARLIER)
    remember(first.token)
    # Another browser, the same number written differently, and consent: linked.
    second = start(personas.hotline_a, phone="138-0013-8000")
    remember(second.token)
    assert second.contact.seeker_id != first.contact.seeker_id  # the new browser gets no access to the old
    answer(personas.counsellor, second)
    assert EARLIER in seeker_page(personas.client_for(personas.counsellor), second.contact)[1]
    # The same number without consent: not linked.
    third = start(personas.hotline_a, phone="13800138000")
    answer(personas.counsellor, third)
    assert EARLIER not in seeker_page(personas.client_for(personas.counsellor), third.contact)[1]

    stored = Contact.objects.get(pk=first.contact.pk)
    assert stored.callback_phone_hash == Contact.objects.get(pk=third.contact.pk).callback_phone_hash
    rows = raw_rows("contacts_contact")
    assert "13800138000" not in rows and "138 0013 8000" not in rows
