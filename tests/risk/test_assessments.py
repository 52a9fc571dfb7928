"""Screening instruments in a conversation: sent to the seeker or filled by the counsellor, scored,
stored, shown to the counsellor, and raising the risk level."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from tests.conftest import Personas
from tests.contacts.helpers import fresh, on_duty, open_contact
from tests.contacts.test_consumers import console_socket, receive_until, seeker_socket
from xinyuan.contacts import actions as contact_actions
from xinyuan.contacts.actions import ContactError
from xinyuan.contacts.models import Message
from xinyuan.risk import actions
from xinyuan.risk.models import Assessment

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_seeker_phq9_is_scored_and_raises_the_level(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a)
    actions.do_request_instrument(contact.pk, "phq9")
    with pytest.raises(ContactError) as wrong:
        actions.do_answer_instrument(contact.pk, "phq9", ["1", "2"])
    assert "9" in wrong.value.message
    assessment = actions.do_answer_instrument(
        contact.pk, "phq9", ["1", "1", "1", "1", "1", "1", "1", "1", "1"]
    )
    assert (assessment.score, assessment.band, assessment.flags) == (9, "mild", ["suicidal_thoughts"])
    assert assessment.answered_by_seeker
    assert Assessment.objects.filter(contact=contact).count() == 1  # the request was completed
    assert fresh(contact).risk_level == "elevated"  # item 9 above 0
    note = Message.objects.get(contact=contact, staff_only=True)
    assert note.body == "PHQ9: 9/27 mild (suicidal_thoughts)"
    with pytest.raises(ContactError):
        actions.do_answer_instrument(
            contact.pk, "cssrs", ["yes", "no", "-", "-", "-", "no"]
        )  # not for seekers


def test_the_counsellor_records_a_cssrs_and_ratings(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a)
    membership = on_duty(personas.counsellor, personas.hotline_a)
    contact_actions.do_accept(membership, contact.pk)
    actions.do_answer_instrument(
        contact.pk, "cssrs", ["yes", "yes", "yes", "yes", "no", "no"], counsellor=membership
    )
    assert fresh(contact).risk_level == "high"
    actions.do_answer_instrument(contact.pk, "ideation", ["80"], counsellor=membership)
    assert [a.instrument for a in Assessment.objects.filter(contact=contact)] == ["cssrs", "ideation"]
    other = on_duty(personas.counsellor2, personas.hotline_a)
    with pytest.raises(Exception):  # noqa: B017, PT011  (not their contact: 404)
        actions.do_answer_instrument(contact.pk, "ideation", ["10"], counsellor=other)


@pytest.mark.asyncio
async def test_a_questionnaire_sent_by_the_counsellor_reaches_the_seeker(personas: Personas) -> None:
    contact, token = await sync_to_async(open_contact)(personas.hotline_a)
    membership = await sync_to_async(on_duty)(personas.counsellor, personas.hotline_a)
    await sync_to_async(contact_actions.do_accept)(membership, contact.pk)
    console = await console_socket(personas.counsellor)
    await console.connect()
    await receive_until(console, "hello")
    await console.send_json_to({"type": "sync", "contacts": {}})
    seeker, _welcome = await seeker_socket(token)
    await console.send_json_to({"type": "instrument", "contact": str(contact.pk), "instrument": "gad7"})
    questionnaire = await receive_until(seeker, "instrument")
    assert questionnaire["name"] == "gad7" and len(questionnaire["items"]) == 7
    assert questionnaire["items"][0]["options"][0]["label"] == "完全不会"
    await seeker.send_json_to({"type": "assessment", "instrument": "gad7", "answers": [3, 3, 3, 3, 2, 2, 2]})
    assert await receive_until(seeker, "assessment_saved") == {
        "type": "assessment_saved",
        "instrument": "gad7",
    }
    update = await receive_until(console, "contact", contact=str(contact.pk))
    while not update["assessments"]:
        update = await receive_until(console, "contact", contact=str(contact.pk))
    assert update["assessments"][0]["score"] == 18 and update["assessments"][0]["band"] == "severe"
    await seeker.disconnect()
    await console.disconnect()
