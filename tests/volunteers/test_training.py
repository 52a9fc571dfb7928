"""Training: the standard courses, reading and taking a quiz, expiry, and renewal reminders."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.translation import override

from tests.conftest import Personas
from tests.factories import english
from xinyuan.core.models import AuditEvent, Membership
from xinyuan.volunteers import actions, jobs, queries
from xinyuan.volunteers.models import Attempt, Completion, Course

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def membership(personas: Personas) -> Membership:
    return Membership.objects.get(user=personas.counsellor, hotline=personas.hotline_a)


def right_answers(course: Course, wrong: int = 0) -> dict[str, str]:
    data = {}
    for index, question in enumerate(course.questions.all()):
        choices = list(question.choices.all())
        pick = (
            next(c for c in choices if c.is_correct)
            if index >= wrong
            else next(c for c in choices if not c.is_correct)
        )
        data[f"q{question.pk}"] = str(pick.pk)
    return data


def test_the_standard_courses_are_added_once_per_hotline(personas: Personas) -> None:
    assert actions.ensure_courses(personas.hotline_a) == 3
    assert actions.ensure_courses(personas.hotline_a) == 0
    assert [c.key for c in Course.objects.filter(hotline=personas.hotline_a)] == [
        "ethics",
        "crisis",
        "platform",
    ]
    assert not Course.objects.filter(hotline=personas.hotline_b).exists()
    client = english(personas.client_for(personas.outsider))
    url = reverse("training-courses", args=["line-b"])
    assert client.post(url).status_code == 302
    assert "Crisis intervention" in client.get(url).content.decode()
    assert Course.objects.filter(hotline=personas.hotline_b).count() == 3
    assert (
        personas.client_for(personas.counsellor)
        .post(reverse("training-courses", args=["line-a"]))
        .status_code
        == 403
    )


def test_a_volunteer_reads_the_materials_fails_then_passes_the_quiz(personas: Personas) -> None:
    actions.ensure_courses(personas.hotline_a)
    course = Course.objects.get(hotline=personas.hotline_a, key="ethics")
    client = english(personas.client_for(personas.counsellor))
    url = reverse("training-course", args=["line-a", course.pk])
    page = client.get(url).content.decode()
    assert "保密与例外 Confidentiality and its limits" in page
    assert "Answer every question; 80% right passes." in page
    assert page.count('type="radio"') == 6  # two questions, three answers each

    missing = client.post(url, {})
    assert missing.status_code == 400 and "Answer this question." in missing.content.decode()
    assert not Attempt.objects.exists()

    failed = client.post(url, right_answers(course, wrong=1), follow=True)
    assert "50% right; 80% is needed to pass." in failed.content.decode()
    assert not Completion.objects.exists()

    passed = client.post(url, right_answers(course), follow=True)
    assert "Passed with 100%." in passed.content.decode()
    completion = Completion.objects.get()
    assert completion.membership == membership(personas) and completion.course == course
    assert AuditEvent.objects.filter(action="training.attempted").count() == 2
    my_page = client.get(reverse("my-training", args=["line-a"])).content.decode()
    assert "passed" in my_page and "valid until" in my_page


def test_a_course_of_another_hotline_is_404(personas: Personas) -> None:
    actions.ensure_courses(personas.hotline_b)
    course = Course.objects.filter(hotline=personas.hotline_b).first()
    assert course is not None
    client = personas.client_for(personas.counsellor)
    assert client.get(reverse("training-course", args=["line-a", course.pk])).status_code == 404


def test_a_choice_from_another_question_does_not_count(personas: Personas) -> None:
    actions.ensure_courses(personas.hotline_a)
    course = Course.objects.get(hotline=personas.hotline_a, key="crisis")
    first, second = course.questions.all()
    stray = second.choices.first()
    assert stray is not None
    with override("en"), pytest.raises(actions.VolunteerError, match="Answer every question"):
        actions.do_submit_attempt(
            membership(personas), course, {first.pk: stray.pk, second.pk: stray.pk}, now=NOW
        )


def passed_at(member: Membership, course: Course, when: datetime) -> Completion:
    answers = {q.pk: next(c.pk for c in q.choices.all() if c.is_correct) for q in course.questions.all()}
    actions.do_submit_attempt(member, course, answers, now=when)
    return Completion.objects.filter(membership=member, course=course).order_by("-completed_at").first()  # type: ignore[return-value]


def test_a_pass_expires_after_the_course_validity(personas: Personas) -> None:
    actions.ensure_courses(personas.hotline_a)
    course = Course.objects.get(hotline=personas.hotline_a, key="platform")
    completion = passed_at(membership(personas), course, NOW)
    assert completion.is_valid(NOW + timedelta(days=364))
    assert not completion.is_valid(NOW + timedelta(days=365))
    status = {
        row.course.key: row
        for row in queries.training_status(membership(personas), NOW + timedelta(days=400))
    }
    assert status["platform"].completion == completion and not status["platform"].valid


def test_the_renewal_reminder_is_sent_once_before_expiry(personas: Personas) -> None:
    personas.counsellor.email = "li@example.org"
    personas.counsellor.save()
    actions.ensure_courses(personas.hotline_a)
    course = Course.objects.get(hotline=personas.hotline_a, key="ethics")
    completion = passed_at(membership(personas), course, NOW)

    assert jobs.renewal_reminders(NOW + timedelta(days=300)) == 0  # 65 days left: not yet
    assert jobs.renewal_reminders(NOW + timedelta(days=336)) == 1  # 29 days left
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li@example.org"]
    assert "伦理守则 Ethics code" in mail.outbox[0].subject
    assert "2027-03-02" in mail.outbox[0].body
    assert jobs.renewal_reminders(NOW + timedelta(days=340)) == 0  # once per completion
    completion.refresh_from_db()
    assert completion.reminder_sent_at == NOW + timedelta(days=336)
    assert AuditEvent.objects.filter(action="training.reminder_sent").count() == 1

    # Renewed: the new pass gets its own reminder a year on; the old one is never reminded again.
    passed_at(membership(personas), course, NOW + timedelta(days=350))
    assert jobs.renewal_reminders(NOW + timedelta(days=600)) == 0
    assert jobs.renewal_reminders(NOW + timedelta(days=350 + 340)) == 1
    assert len(mail.outbox) == 2


def test_a_superseded_pass_is_not_reminded(personas: Personas) -> None:
    personas.counsellor.email = "li@example.org"
    personas.counsellor.save()
    actions.ensure_courses(personas.hotline_a)
    course = Course.objects.get(hotline=personas.hotline_a, key="crisis")
    passed_at(membership(personas), course, NOW)
    passed_at(membership(personas), course, NOW + timedelta(days=200))
    assert jobs.renewal_reminders(NOW + timedelta(days=340)) == 0
    assert mail.outbox == []
