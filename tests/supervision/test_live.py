"""Whisper, join and take over through the actions; the review sampling job; today's service level."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.translation import gettext, override

from tests.conftest import Personas
from tests.contacts.helpers import fresh
from tests.factories import person
from tests.supervision.helpers import active_contact, past_contact
from xinyuan.contacts import queries as contact_queries
from xinyuan.contacts.actions import ContactError
from xinyuan.contacts.models import Contact, Message, Sender, State
from xinyuan.core.models import AuditEvent, Membership, User
from xinyuan.core.roles import Role
from xinyuan.supervision import actions, queries, sampling
from xinyuan.supervision.models import ReviewItem, ReviewPolicy

pytestmark = pytest.mark.django_db(transaction=True)


def member(user: User, personas: Personas) -> Membership:
    return Membership.objects.select_related("hotline", "user").get(user=user, hotline=personas.hotline_a)


def seeker_view(contact: Contact) -> list[str]:
    """What the seeker's socket would be sent: never staff-only messages."""
    return [m.body for m in contact_queries.messages_after(contact, 0, staff=False)]


def test_a_whisper_is_for_the_counsellor_only(personas: Personas) -> None:
    contact, _token = active_contact(personas.hotline_a, personas.counsellor)
    message = actions.do_whisper(
        member(personas.supervisor, personas), contact.pk, "问问她今晚和谁在一起", key="w1"
    )
    assert (
        message.staff_only and message.sender == Sender.SUPERVISOR and message.author == personas.supervisor
    )
    again = actions.do_whisper(
        member(personas.supervisor, personas), contact.pk, "问问她今晚和谁在一起", key="w1"
    )
    assert again.pk == message.pk  # the same key stores nothing new
    assert "问问她今晚和谁在一起" not in seeker_view(contact)
    staff = [m.body for m in contact_queries.messages_after(contact, 0, staff=True)]
    assert "问问她今晚和谁在一起" in staff
    assert AuditEvent.objects.filter(action="contact.whisper", actor=personas.supervisor).count() == 1
    with pytest.raises(ContactError):
        actions.do_whisper(member(personas.counsellor2, personas), contact.pk, "hi")  # not a supervisor


def test_joining_tells_the_seeker_and_taking_over_moves_the_contact(personas: Personas) -> None:
    contact, _token = active_contact(personas.hotline_a, personas.counsellor)
    supervisor = member(personas.supervisor, personas)
    actions.do_join(supervisor, contact.pk)
    assert fresh(contact).joined_by == personas.supervisor
    assert any("Supervisor-A" in body for body in seeker_view(contact))

    actions.do_take_over(supervisor, contact.pk)
    taken = fresh(contact)
    assert taken.counsellor == personas.supervisor and taken.joined_by is None and taken.state == State.ACTIVE
    seen = seeker_view(contact)
    with override(contact.language):
        assert seen[-1] == gettext("Another counsellor is continuing this conversation with you.")
    notes = Message.objects.filter(contact=contact, staff_only=True).values_list("body", flat=True)
    assert any("Supervisor-A" in note for note in notes)  # the staff note names who took it
    event = AuditEvent.objects.get(action="contact.taken_over")
    assert event.actor == personas.supervisor and event.details["previous"] == personas.counsellor.pk
    # The supervisor now holds it like any counsellor: it is on their console and theirs to end.
    assert contact.pk in [c.pk for c in contact_queries.counsellor_contacts(supervisor)]
    assert contact.pk not in [
        c.pk for c in contact_queries.counsellor_contacts(member(personas.counsellor, personas))
    ]
    with pytest.raises(ContactError):
        actions.do_take_over(supervisor, contact.pk)  # already theirs


def test_admins_watch_and_whisper_but_only_supervisors_join_or_take_over(personas: Personas) -> None:
    admin = person(personas.hotline_a, "admin-a", Role.ADMIN)
    contact, _token = active_contact(personas.hotline_a, personas.counsellor)
    actions.do_whisper(member(admin, personas), contact.pk, "slow down a little")
    for act in (actions.do_join, actions.do_take_over):
        with pytest.raises(ContactError):
            act(member(admin, personas), contact.pk)
        with pytest.raises(ContactError):
            act(member(personas.counsellor2, personas), contact.pk)
    assert fresh(contact).counsellor == personas.counsellor


def test_a_supervisor_of_another_hotline_cannot_reach_the_contact(personas: Personas) -> None:
    from django.http import Http404

    contact, _token = active_contact(personas.hotline_a, personas.counsellor)
    theirs = Membership.objects.get(user=personas.outsider, hotline=personas.hotline_b)
    for act in (actions.do_join, actions.do_take_over):
        with pytest.raises(Http404):
            act(theirs, contact.pk)
    with pytest.raises(Http404):
        actions.do_whisper(theirs, contact.pk, "hello")


def test_sampling_takes_every_high_risk_contact_and_a_steady_share_of_the_rest(personas: Personas) -> None:
    now = timezone.now()
    ReviewPolicy.objects.create(hotline=personas.hotline_a, sample_percent=20)
    calm = [past_contact(personas.hotline_a, personas.counsellor, ended_at=now) for _ in range(60)]
    risky = [
        past_contact(personas.hotline_a, personas.counsellor2, risk_level=level, ended_at=now)
        for level in ("high", "imminent", "high")
    ]
    old = past_contact(
        personas.hotline_a, personas.counsellor, risk_level="imminent", ended_at=now - timedelta(days=30)
    )
    waiting = past_contact(personas.hotline_a, None, risk_level="high", ended_at=now, state=State.QUEUED)
    expected_random = {c.pk for c in calm if sampling.draw(str(c.pk)) < 0.2}
    selected = actions.sample_reviews(now)
    assert selected == len(expected_random) + 3
    queue = {item.contact_id: item for item in queries.review_queue(personas.hotline_a)}
    assert {c.pk for c in risky} <= set(queue)
    assert all(queue[c.pk].reasons == ["high_risk"] for c in risky)
    assert {pk for pk, item in queue.items() if item.reasons == ["random"]} == expected_random
    assert old.pk not in queue and waiting.pk not in queue
    assert ReviewItem.objects.count() == 63  # every answered, recently ended contact got one decision
    assert actions.sample_reviews(now + timedelta(minutes=1)) == 0  # a re-run agrees
    assert AuditEvent.objects.filter(action="review.sampled").count() == selected


def test_a_low_rating_or_a_later_risk_brings_a_contact_to_review(personas: Personas) -> None:
    from xinyuan.reports.models import SurveyResponse

    now = timezone.now()
    ReviewPolicy.objects.create(hotline=personas.hotline_a, sample_percent=0)
    rated = past_contact(personas.hotline_a, personas.counsellor, ended_at=now)
    raised = past_contact(personas.hotline_a, personas.counsellor, ended_at=now, state=State.WRAP_UP)
    happy = past_contact(personas.hotline_a, personas.counsellor, ended_at=now)
    SurveyResponse.objects.create(contact=happy, rating=5)
    assert actions.sample_reviews(now) == 0
    SurveyResponse.objects.create(contact=rated, rating=2)  # the survey comes after the sampling
    raised.risk_level = "high"  # raised in the wrap-up
    raised.save(update_fields=["risk_level"])
    assert actions.sample_reviews(now + timedelta(minutes=1)) == 2
    queue = {item.contact_id: item.reasons for item in queries.review_queue(personas.hotline_a)}
    assert queue == {rated.pk: ["low_rating"], raised.pk: ["high_risk"]}


def test_todays_service_level_counts_the_hotlines_day(personas: Personas) -> None:
    zone = ZoneInfo(personas.hotline_a.time_zone)
    now = datetime(2026, 3, 2, 10, 0, tzinfo=zone)
    for waited, day in ((30, now), (59, now), (200, now), (10, now - timedelta(days=1))):
        contact = past_contact(personas.hotline_a, personas.counsellor, ended_at=day)
        contact.queued_at = day - timedelta(hours=1)
        contact.answered_at = contact.queued_at + timedelta(seconds=waited)
        contact.save()
    level = queries.service_level_today(personas.hotline_a, now)
    assert level == {"answered": 3, "within_target": 2, "percent": 67, "target_seconds": 60}
    # Just after local midnight the day has started again.
    assert (
        queries.service_level_today(personas.hotline_a, datetime(2026, 3, 3, 0, 5, tzinfo=zone))["answered"]
        == 0
    )
