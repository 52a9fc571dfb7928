"""Contacts through their life: queue, offers, timers, messages, transfers, risk. Real database."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.conftest import Personas
from tests.contacts.helpers import fresh, on_duty, open_contact
from xinyuan.contacts import actions
from xinyuan.contacts.models import Contact, CounsellorState, Message, Sender, State, Status
from xinyuan.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_intake_is_checked_and_nothing_half_saved(personas: Personas) -> None:
    hotline = personas.hotline_a
    with pytest.raises(actions.ContactError) as problem:
        actions.do_open_contact(
            hotline,
            answers={"age_band": "ancient", "shoe_size": "42"},
            language="zh-hans",
            consent_version=hotline.consent_version,
        )
    assert problem.value.code == "intake"
    assert "age_band" in problem.value.message and "shoe_size" in problem.value.message
    with pytest.raises(actions.ContactError) as unconsented:
        actions.do_open_contact(hotline, answers={}, language="zh-hans", consent_version="old")
    assert unconsented.value.code == "consent"
    assert not Contact.objects.exists()


def test_a_returning_token_resumes_the_open_contact(personas: Personas) -> None:
    contact, token = open_contact(personas.hotline_a, "想聊聊", population="student")
    again = actions.do_open_contact(
        personas.hotline_a, answers={}, language="zh-hans", consent_version="x", token=token
    )
    assert again.resumed and again.contact.pk == contact.pk
    assert Contact.objects.count() == 1
    assert contact.intake == {"population": "student"}
    assert contact.intake_text == "想聊聊"


def test_the_most_at_risk_is_offered_first(personas: Personas) -> None:
    calm, _ = open_contact(personas.hotline_a, "最近有点累")
    urgent, _ = open_contact(personas.hotline_a, "药已经准备好了，今晚就吃下去")
    assert fresh(urgent).risk_level == "imminent"
    assert fresh(urgent).risk_evidence  # the evidence behind the level is kept
    on_duty(personas.counsellor, personas.hotline_a, chat_limit=1)
    assert fresh(urgent).state == State.OFFERED and fresh(urgent).counsellor == personas.counsellor
    assert fresh(calm).state == State.QUEUED


def test_capacity_and_crisis_training_are_respected(personas: Personas) -> None:
    contacts = [open_contact(personas.hotline_a, "")[0] for _ in range(3)]
    high, _ = open_contact(personas.hotline_a, "我想自杀")
    assert fresh(high).risk_level in {"high", "imminent"}
    on_duty(personas.counsellor2, personas.hotline_a, chat_limit=2, crisis_trained=False)
    states = [fresh(c).state for c in contacts]
    assert states.count(State.OFFERED) == 2
    assert fresh(high).state == State.QUEUED  # only crisis-trained counsellors take high risk
    on_duty(personas.counsellor, personas.hotline_a, chat_limit=1, crisis_trained=True)
    assert fresh(high).counsellor == personas.counsellor


def test_an_offer_not_accepted_in_time_returns_and_pauses_the_counsellor(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a)
    membership = on_duty(personas.counsellor, personas.hotline_a)
    offered = fresh(contact)
    assert offered.state == State.OFFERED and offered.offer_expires_at is not None
    later = offered.offer_expires_at + timedelta(seconds=1)
    assert actions.expire_offers(later) == 1
    assert actions.expire_offers(later) == 0  # claimed once only
    returned = fresh(contact)
    assert returned.state == State.QUEUED and returned.counsellor is None
    assert CounsellorState.objects.get(membership=membership).status == Status.PAUSED
    # Another counsellor gets it; the one who let it expire is not offered it again.
    on_duty(personas.counsellor2, personas.hotline_a)
    assert fresh(contact).counsellor == personas.counsellor2


def test_decline_sends_the_contact_to_someone_else(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a)
    first = on_duty(personas.counsellor, personas.hotline_a)
    on_duty(personas.counsellor2, personas.hotline_a)
    holder = fresh(contact).counsellor
    membership = first if holder == personas.counsellor else on_duty(personas.counsellor2, personas.hotline_a)
    actions.do_decline(membership, contact.pk)
    assert fresh(contact).state == State.OFFERED
    assert fresh(contact).counsellor != holder
    assert AuditEvent.objects.filter(action="contact.declined").count() == 1


def test_messages_are_numbered_and_a_resent_key_is_stored_once(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a)
    first, created = actions.do_post_message(contact.pk, sender=Sender.SEEKER, body="你好", key="k1")
    again, created_again = actions.do_post_message(contact.pk, sender=Sender.SEEKER, body="你好", key="k1")
    second, _ = actions.do_post_message(contact.pk, sender=Sender.SEEKER, body="在吗", key="k2")
    assert created and not created_again
    assert again.pk == first.pk
    assert [first.seq, second.seq] == [1, 2]
    assert list(Message.objects.filter(contact=contact).values_list("body", flat=True)) == ["你好", "在吗"]
    with pytest.raises(actions.ContactError):
        actions.do_post_message(contact.pk, sender=Sender.SEEKER, body="x" * 2001)
    with pytest.raises(actions.ContactError):
        actions.do_post_message(contact.pk, sender=Sender.COUNSELLOR, body="not yet accepted")


def test_a_rise_in_risk_from_a_message_moves_the_contact_up(personas: Personas) -> None:
    earlier, _ = open_contact(personas.hotline_a)
    later, _ = open_contact(personas.hotline_a)
    actions.do_post_message(later.pk, sender=Sender.SEEKER, body="我现在就在天台上，准备跳下去")
    assert fresh(later).risk_level == "imminent"
    actions.do_post_message(later.pk, sender=Sender.SEEKER, body="其实还好")  # never lowered by the machine
    assert fresh(later).risk_level == "imminent"
    on_duty(personas.counsellor, personas.hotline_a, chat_limit=1)
    assert fresh(later).state == State.OFFERED
    assert fresh(earlier).state == State.QUEUED


def test_seeker_leaving_the_queue_is_recorded_as_abandoned_with_the_wait(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a)
    ended = actions.do_end_contact(contact.pk, by="seeker", now=timezone.now() + timedelta(minutes=3))
    assert ended.state == State.ABANDONED
    assert ended.waited_seconds is not None and ended.waited_seconds >= 180


def test_silent_waiting_seekers_are_abandoned_after_the_timeout(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a)
    assert actions.abandon_silent_seekers(timezone.now() + timedelta(minutes=4)) == 0
    assert actions.abandon_silent_seekers(timezone.now() + timedelta(minutes=6)) == 1
    assert fresh(contact).state == State.ABANDONED


def test_a_dropped_counsellor_gets_a_grace_period_then_contacts_go_to_the_front(personas: Personas) -> None:
    waiting, _ = open_contact(personas.hotline_a)
    contact, _ = open_contact(personas.hotline_a)
    membership = on_duty(personas.counsellor, personas.hotline_a, chat_limit=1)
    held = Contact.objects.get(counsellor=personas.counsellor)
    actions.do_accept(membership, held.pk)
    now = timezone.now()
    actions.handle_disconnected_counsellors(now + timedelta(seconds=31))  # heartbeat stale
    assert fresh(held).state == State.ACTIVE  # still within the grace period
    assert actions.handle_disconnected_counsellors(now + timedelta(seconds=120)) == 1
    back = fresh(held)
    assert back.state == State.QUEUED and back.front
    notes = Message.objects.filter(contact=held, sender=Sender.SYSTEM)
    assert notes.filter(staff_only=True).exists() and notes.filter(staff_only=False).exists()
    assert CounsellorState.objects.get(membership=membership).status == Status.PAUSED
    # At the front: the next counsellor gets it before the contact that was waiting.
    on_duty(personas.counsellor2, personas.hotline_a, chat_limit=1)
    assert fresh(held).counsellor == personas.counsellor2
    assert {fresh(waiting).state, fresh(contact).state} >= {State.QUEUED}


def test_warm_transfer_to_a_colleague_and_cold_transfer_to_supervisors(personas: Personas) -> None:
    contact, _ = open_contact(personas.hotline_a)
    first = on_duty(personas.counsellor, personas.hotline_a, chat_limit=1)
    actions.do_accept(first, contact.pk)
    on_duty(personas.counsellor2, personas.hotline_a, chat_limit=1)
    actions.do_transfer(
        first, contact.pk, to_user_id=personas.counsellor2.pk, note="学业压力，已评估无自杀风险"
    )
    moved = fresh(contact)
    assert moved.state == State.OFFERED and moved.counsellor == personas.counsellor2
    note = Message.objects.get(contact=contact, staff_only=True)
    assert note.body == "学业压力，已评估无自杀风险" and note.author == personas.counsellor
    second = first.__class__.objects.get(user=personas.counsellor2, hotline=personas.hotline_a)
    actions.do_accept(second, contact.pk)
    actions.do_transfer(second, contact.pk, to_user_id=None)
    queued = fresh(contact)
    assert queued.state == State.QUEUED and queued.offered_to_supervisors
    on_duty(personas.supervisor, personas.hotline_a)
    assert fresh(contact).counsellor == personas.supervisor


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_dispatch_from_several_processes_never_double_offers_or_overloads(personas: Personas) -> None:
    for _ in range(30):
        open_contact(personas.hotline_a)
    for user in (personas.counsellor, personas.counsellor2, personas.supervisor):
        membership = personas.hotline_a.memberships.get(user=user)
        state = actions.counsellor_state(membership)
        CounsellorState.objects.filter(pk=state.pk).update(
            status=Status.ON_DUTY, chat_limit=3, crisis_trained=True
        )
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                actions.dispatch(personas.hotline_a.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    offered = Contact.objects.filter(state=State.OFFERED)
    assert offered.count() == 9
    for user in (personas.counsellor, personas.counsellor2, personas.supervisor):
        assert offered.filter(counsellor=user).count() == 3
