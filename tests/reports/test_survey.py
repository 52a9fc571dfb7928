"""The seeker's survey endpoint: only their own ended conversation, once, validated, rate limited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings

from tests.conftest import Personas
from tests.contacts.helpers import fresh, on_duty, open_contact
from xinyuan.contacts import actions
from xinyuan.core.models import AuditEvent
from xinyuan.reports.models import SurveyResponse

pytestmark = pytest.mark.django_db
URL = "/api/contacts/survey"


def post(payload: dict[str, Any], **headers: Any) -> Any:
    return Client(**headers).post(URL, payload, content_type="application/json")


def ended(personas: Personas) -> tuple[Any, str]:
    """A conversation that took place and was ended by the seeker."""
    contact, token = open_contact(personas.hotline_a)
    membership = on_duty(personas.counsellor, personas.hotline_a)
    actions.dispatch(personas.hotline_a.pk)
    actions.do_accept(membership, contact.pk)
    actions.do_end_contact(contact.pk, by="seeker")
    return fresh(contact), token


def test_a_seeker_rates_their_ended_conversation_once(personas: Personas) -> None:
    cache.clear()
    contact, token = ended(personas)
    answer = {
        "token": token,
        "rating": 5,
        "helpful": True,
        "change": "better",
        "comment": " 谢谢 ",
        "language": "en",
    }
    response = post(answer)
    assert response.status_code == 201 and response.json() == {"rating": 5}
    saved = SurveyResponse.objects.get(contact=contact)
    assert (saved.rating, saved.helpful, saved.change, saved.comment, saved.language) == (
        5,
        True,
        "better",
        "谢谢",
        "en",
    )
    again = post({**answer, "rating": 1})
    assert again.status_code == 409 and again.json()["code"] == "answered"
    assert SurveyResponse.objects.get(contact=contact).rating == 5
    assert AuditEvent.objects.filter(action="survey.answered", object_id=str(contact.pk)).count() == 1


def test_only_a_conversation_that_took_place_and_ended(personas: Personas) -> None:
    cache.clear()
    waiting, token = open_contact(personas.hotline_a)
    refused = post({"token": token, "rating": 4})
    assert refused.status_code == 409 and refused.json()["code"] == "not_ended"
    actions.do_end_contact(waiting.pk, by="seeker")  # left the queue: abandoned, never answered
    assert post({"token": token, "rating": 4}).json()["code"] == "not_ended"
    assert post({"token": "someone-else", "rating": 4}).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_answers_are_validated(personas: Personas) -> None:
    cache.clear()
    _contact, token = ended(personas)
    for bad in (
        {"rating": 0},
        {"rating": 6},
        {"rating": "five"},
        {"rating": 3, "change": "much better"},
        {"rating": 3, "comment": "x" * 1001},
        {"rating": 3, "helpful": "maybe"},
    ):
        assert post({"token": token, **bad}).status_code == 422, bad
    assert not SurveyResponse.objects.exists()
    # Everything but the rating is optional.
    assert post({"token": token, "rating": 3}).status_code == 201
    saved = SurveyResponse.objects.get()
    assert (saved.helpful, saved.change, saved.comment, saved.language) == (None, "", "", "zh-hans")


@override_settings(XINYUAN_SURVEYS_PER_ADDRESS_HOUR=2)
def test_answers_per_address_are_limited(personas: Personas) -> None:
    cache.clear()
    for _n in range(2):
        assert post({"token": "unknown", "rating": 3}, REMOTE_ADDR="10.1.1.1").status_code == 404
    assert post({"token": "unknown", "rating": 3}, REMOTE_ADDR="10.1.1.1").status_code == 429
    assert post({"token": "unknown", "rating": 3}, REMOTE_ADDR="10.1.1.2").status_code == 404


def test_the_seeker_page_carries_the_survey_in_the_chosen_language(personas: Personas) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get("/h/line-a/").content.decode()
    assert 'id="survey-form"' in page and 'data-survey-api="/api/contacts/survey"' in page
    assert "How was this conversation for you?" in page
