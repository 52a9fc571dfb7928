"""Supervision pages: who may open what (deny by default), reviews and feedback, group sessions,
debriefs - asserted on what each person sees."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import Personas
from tests.factories import english as english_ui
from tests.factories import person
from tests.supervision.helpers import past_contact
from xinyuan.contacts.models import State
from xinyuan.core.models import AuditEvent, User
from xinyuan.core.roles import Role
from xinyuan.supervision import actions
from xinyuan.supervision.models import Debrief, DebriefState, GroupSession, Review, ReviewItem

pytestmark = pytest.mark.django_db


def english(personas: Personas, user: User) -> Client:
    return english_ui(personas.client_for(user))


def page(personas: Personas, name: str, **extra: str) -> str:
    from django.urls import reverse

    return reverse(name, kwargs={"hotline_slug": personas.hotline_a.slug, **extra})


def test_only_supervisors_and_admins_of_the_hotline_open_the_monitor(personas: Personas) -> None:
    admin = person(personas.hotline_a, "admin-a", Role.ADMIN)
    for name in ("supervision-monitor", "supervision-board", "supervision-reviews"):
        url = page(personas, name)
        assert english(personas, personas.supervisor).get(url).status_code == 200
        assert english(personas, admin).get(url).status_code == 200
        assert english(personas, personas.counsellor).get(url).status_code == 403
        assert english(personas, personas.coordinator).get(url).status_code == 403
        assert english(personas, personas.outsider).get(url).status_code == 404  # another hotline's page
        assert Client().get(url).status_code == 302  # sign in first


def test_the_monitor_shows_the_queue_active_contacts_and_counsellors(personas: Personas) -> None:
    now = timezone.now()
    past_contact(personas.hotline_a, None, risk_level="high", ended_at=now, state=State.QUEUED)
    active = past_contact(personas.hotline_a, personas.counsellor, ended_at=now, state=State.ACTIVE)
    response = english(personas, personas.supervisor).get(page(personas, "supervision-monitor"))
    html = response.content.decode()
    assert "Live monitor" in html and "Today's service level" in html
    assert 'data-testid="queue-high"' in html
    high_row = html.split('data-testid="queue-high"')[1].split("</li>")[0]
    assert '<strong data-field="count">1</strong>' in high_row
    assert f'data-contact="{active.pk}"' in html
    assert page(personas, "supervision-watch", contact_id=str(active.pk)) in html
    assert "Counsellor-A" in html  # the counsellor's display name, in the counsellors' list
    assert "supervision/monitor.js" in html and "<script>" not in html  # no inline script (CSP)


def test_silent_monitoring_is_audited_and_for_this_hotlines_supervisors_only(personas: Personas) -> None:
    contact = past_contact(
        personas.hotline_a, personas.counsellor, ended_at=timezone.now(), state=State.ACTIVE
    )
    url = page(personas, "supervision-watch", contact_id=str(contact.pk))
    response = english(personas, personas.supervisor).get(url)
    assert response.status_code == 200 and "Silent monitoring" in response.content.decode()
    assert (
        AuditEvent.objects.filter(
            action="contact.monitored", actor=personas.supervisor, object_id=str(contact.pk)
        ).count()
        == 1
    )
    english(personas, personas.supervisor).get(url)
    assert AuditEvent.objects.filter(action="contact.monitored", object_id=str(contact.pk)).count() == 2
    assert english(personas, personas.counsellor).get(url).status_code == 403
    assert english(personas, personas.outsider).get(url).status_code == 404
    # The outsider's own hotline does not reach hotline A's contact either.
    from django.urls import reverse

    theirs = reverse("supervision-watch", kwargs={"hotline_slug": "line-b", "contact_id": contact.pk})
    assert english(personas, personas.outsider).get(theirs).status_code == 404


def test_the_staff_home_links_each_person_to_their_pages(personas: Personas) -> None:
    home = f"/staff/{personas.hotline_a.slug}/"
    supervisor = english(personas, personas.supervisor).get(home).content.decode()
    counsellor = english(personas, personas.counsellor).get(home).content.decode()
    assert page(personas, "supervision-monitor") in supervisor
    assert page(personas, "supervision-monitor") not in counsellor
    assert page(personas, "supervision-feedback") in counsellor


def review_post(
    scores: int = 4, comment: str = "Warm and clear; ask about sleep earlier.", share: bool = True
) -> dict[str, str]:
    data = {
        f"score_{key}": str(scores)
        for key in ("psychiatry", "counselling", "social_work", "volunteer_service", "administration")
    }
    data["comment"] = comment
    if share:
        data["share"] = "on"
    return data


def test_a_review_goes_back_to_its_counsellor_only(personas: Personas) -> None:
    contact = past_contact(personas.hotline_a, personas.counsellor, ended_at=timezone.now())
    ReviewItem.objects.create(
        hotline=personas.hotline_a,
        contact=contact,
        counsellor=personas.counsellor,
        selected=True,
        reasons=["random"],
        sampled_at=timezone.now(),
    )
    supervisor = english(personas, personas.supervisor)
    queue = supervisor.get(page(personas, "supervision-reviews")).content.decode()
    assert queue.count('data-testid="review-item"') == 1 and "random sample" in queue

    url = page(personas, "supervision-review", contact_id=str(contact.pk))
    form = supervisor.get(url).content.decode()
    for label in (
        "Mental health and psychiatry",
        "Psychological counselling",
        "Social work",
        "Volunteer service",
        "Administration",
    ):
        assert label in form
    incomplete = supervisor.post(url, {"score_psychiatry": "9"})
    assert incomplete.status_code == 400 and not Review.objects.exists()  # nothing half-saved
    assert supervisor.post(url, review_post()).status_code == 302
    review = Review.objects.get()
    assert review.scores == {
        k: 4 for k in ("psychiatry", "counselling", "social_work", "volunteer_service", "administration")
    }
    assert review.counsellor == personas.counsellor and review.shared_at is not None
    assert ReviewItem.objects.get().reviewed_at is not None
    assert AuditEvent.objects.filter(action="review.written", actor=personas.supervisor).exists()

    mine = english(personas, personas.counsellor).get(page(personas, "supervision-feedback")).content.decode()
    assert "ask about sleep earlier" in mine and mine.count('data-testid="feedback"') == 1
    other = (
        english(personas, personas.counsellor2).get(page(personas, "supervision-feedback")).content.decode()
    )
    assert "ask about sleep earlier" not in other and "No feedback shared with you yet." in other
    # Counsellors cannot open the reviews, theirs or anyone's.
    assert english(personas, personas.counsellor).get(url).status_code == 403
    assert (
        english(personas, personas.counsellor2).get(page(personas, "supervision-reviews")).status_code == 403
    )
    assert english(personas, personas.outsider).get(url).status_code == 404


def test_an_unshared_review_stays_with_the_supervisors_until_shared(personas: Personas) -> None:
    contact = past_contact(personas.hotline_a, personas.counsellor, ended_at=timezone.now())
    supervisor = english(personas, personas.supervisor)
    supervisor.post(
        page(personas, "supervision-review", contact_id=str(contact.pk)), review_post(share=False)
    )
    review = Review.objects.get()
    assert review.shared_at is None
    feedback = page(personas, "supervision-feedback")
    assert "ask about sleep" not in english(personas, personas.counsellor).get(feedback).content.decode()
    supervisor.post(page(personas, "supervision-review-share", review_id=str(review.pk)))
    assert "ask about sleep" in english(personas, personas.counsellor).get(feedback).content.decode()
    assert AuditEvent.objects.filter(action="review.shared").count() == 1


def test_the_hotline_chooses_its_review_dimensions_and_share(personas: Personas) -> None:
    supervisor = english(personas, personas.supervisor)
    rules = page(personas, "supervision-policy")
    bad = supervisor.post(rules, {"sample_percent": "150", "dimensions_text": ""})
    assert bad.status_code == 400
    supervisor.post(
        rules,
        {
            "review_high_risk": "on",
            "sample_percent": "25",
            "dimensions_text": "Empathy\nAdministration\n\nEmpathy",
        },
    )
    policy = personas.hotline_a.review_policy
    assert policy.sample_percent == 25 and not policy.review_low_ratings
    assert policy.dimensions == ["Empathy", "administration"]  # a standard name keeps its key
    contact = past_contact(personas.hotline_a, personas.counsellor, ended_at=timezone.now())
    form = supervisor.get(page(personas, "supervision-review", contact_id=str(contact.pk))).content.decode()
    assert "Empathy" in form and "Social work" not in form
    assert AuditEvent.objects.filter(action="review.policy_changed").exists()
    assert english(personas, personas.counsellor).get(rules).status_code == 403


def test_a_supervisor_cannot_review_their_own_contact(personas: Personas) -> None:
    contact = past_contact(personas.hotline_a, personas.supervisor, ended_at=timezone.now())
    response = english(personas, personas.supervisor).post(
        page(personas, "supervision-review", contact_id=str(contact.pk)), review_post()
    )
    assert response.status_code == 400 and "cannot review your own contact" in response.content.decode()


def test_group_sessions_are_recorded_and_listed(personas: Personas) -> None:
    coordinator = english(personas, personas.coordinator)
    url = page(personas, "supervision-group-sessions")
    assert english(personas, personas.counsellor).get(url).status_code == 403
    data = {
        "held_at": "2026-03-02T19:30",
        "topic": "Talking about suicide safely",
        "duration_minutes": "90",
        "supervisor": str(personas.supervisor.pk),
        "attendees": [str(personas.counsellor.pk), str(personas.counsellor2.pk)],
    }
    outsider_attends = coordinator.post(url, {**data, "attendees": [str(personas.outsider.pk)]})
    assert outsider_attends.status_code == 400 and not GroupSession.objects.exists()
    assert coordinator.post(url, data).status_code == 302
    session = GroupSession.objects.get()
    assert session.held_at == datetime(2026, 3, 2, 19, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert set(session.attendees.all()) == {personas.counsellor, personas.counsellor2}
    assert session.duration_minutes == 90 and session.supervisor == personas.supervisor
    listed = coordinator.get(url).content.decode()
    assert "Talking about suicide safely" in listed and listed.count('data-testid="group-session"') == 1
    assert AuditEvent.objects.filter(action="group_session.recorded", actor=personas.coordinator).exists()


def test_a_debrief_is_offered_after_a_crisis_contact_and_followed_through(personas: Personas) -> None:
    now = timezone.now()
    crisis = past_contact(
        personas.hotline_a, personas.counsellor, risk_level="imminent", ended_at=now, state=State.WRAP_UP
    )
    past_contact(personas.hotline_a, personas.counsellor, risk_level="elevated", ended_at=now)
    assert actions.offer_debriefs(now + timedelta(seconds=5)) == 1
    assert actions.offer_debriefs(now + timedelta(seconds=15)) == 0  # once per contact
    debrief = Debrief.objects.get()
    assert debrief.contact == crisis and debrief.counsellor == personas.counsellor
    assert debrief.reason == "imminent" and debrief.state == DebriefState.OFFERED

    url = page(personas, "supervision-debriefs")
    mine = english(personas, personas.counsellor).get(url).content.decode()
    assert "Yes, I'd like a debrief" in mine
    assert 'data-testid="debrief"' not in english(personas, personas.counsellor2).get(url).content.decode()
    answer = page(personas, "supervision-debrief-answer", debrief_id=str(debrief.pk))
    english(personas, personas.counsellor2).post(answer, {"answer": "accept"})  # not theirs
    assert Debrief.objects.get().state == DebriefState.OFFERED
    english(personas, personas.counsellor).post(answer, {"answer": "accept"})
    assert Debrief.objects.get().state == DebriefState.ACCEPTED

    schedule = page(personas, "supervision-debrief-schedule", debrief_id=str(debrief.pk))
    assert (
        english(personas, personas.counsellor).post(schedule, {"when": "2026-03-03T10:00"}).status_code == 403
    )
    supervisor = english(personas, personas.supervisor)
    assert "Schedule" in supervisor.get(url).content.decode()
    supervisor.post(schedule, {"when": "2026-03-03T10:00"})
    scheduled = Debrief.objects.get()
    assert scheduled.state == DebriefState.SCHEDULED and scheduled.supervisor == personas.supervisor
    assert scheduled.scheduled_for == datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    supervisor.post(page(personas, "supervision-debrief-done", debrief_id=str(debrief.pk)))
    assert Debrief.objects.get().state == DebriefState.DONE
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="debrief.").order_by("pk")] == [
        "debrief.offered",
        "debrief.answered",
        "debrief.scheduled",
        "debrief.done",
    ]


def test_a_crisis_raised_on_a_calm_contact_also_offers_a_debrief(personas: Personas) -> None:
    from xinyuan.risk.models import Escalation

    now = timezone.now()
    contact = past_contact(personas.hotline_a, personas.counsellor, ended_at=now)
    Escalation.objects.create(
        hotline=personas.hotline_a, contact=contact, reason="the counsellor was worried"
    )
    assert actions.offer_debriefs(now) == 1
    assert Debrief.objects.get().reason == "escalation"


def test_the_demo_has_review_rules_and_group_sessions_once() -> None:
    from xinyuan.core import demo
    from xinyuan.core.models import Hotline
    from xinyuan.supervision import demo as supervision_demo

    demo.load()
    hotlines = {hotline.slug: hotline for hotline in Hotline.objects.all()}
    supervision_demo.load(hotlines)
    supervision_demo.load(hotlines)
    sessions = GroupSession.objects.filter(hotline=hotlines["demo"])
    assert sessions.count() == 2 and all(s.attendees.count() == 3 for s in sessions)
