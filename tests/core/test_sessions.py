"""Staff sessions: idle expiry, and seeing and ending one's other sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Personas
from xinyuan.core import actions
from xinyuan.core.models import AuditEvent, SessionRecord

pytestmark = pytest.mark.django_db


def signed_in(username: str, password: str, agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    assert client.post(reverse("signin"), {"username": username, "password": password}).status_code == 302
    return client


def test_sessions_expire_after_thirty_idle_minutes(personas: Personas, password: str) -> None:
    assert settings.SESSION_IDLE_MINUTES == 30
    client = signed_in("counsellor-a", password, "Firefox")
    home = reverse("staff-home", args=["line-a"])
    assert client.get(home).status_code == 200
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    assert timedelta(minutes=29) < expiry - timezone.now() <= timedelta(minutes=30)
    # Thirty minutes without a request later, the session is gone.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("signin"))


def test_a_user_sees_and_ends_their_other_sessions(personas: Personas, password: str) -> None:
    phone = signed_in("counsellor-a", password, "Phone browser")
    laptop = signed_in("counsellor-a", password, "Laptop browser")
    signed_in("counsellor2-a", password, "Someone else")
    page = laptop.get(reverse("account-sessions"))
    rows = page.content.decode()
    assert "Phone browser" in rows and "Laptop browser" in rows
    assert "Someone else" not in rows
    phone_record = SessionRecord.objects.get(user_agent="Phone browser")
    ended = laptop.post(reverse("account-session-end", args=[phone_record.pk]), follow=True)
    assert ended.status_code == 200
    assert "Phone browser" not in ended.content.decode()
    # The phone is signed out at its next request; the laptop is not.
    assert phone.get(reverse("staff-index"))["Location"].startswith(reverse("signin"))
    assert laptop.get(reverse("staff-index")).status_code == 302  # one hotline: redirected to its home
    assert laptop.get(reverse("staff-home", args=["line-a"])).status_code == 200
    assert AuditEvent.objects.filter(action="session.ended", actor=personas.counsellor).exists()


def test_nobody_ends_another_users_session(personas: Personas, password: str) -> None:
    signed_in("counsellor-a", password, "Victim browser")
    attacker = signed_in("counsellor2-a", password, "Attacker")
    record = SessionRecord.objects.get(user_agent="Victim browser")
    assert attacker.post(reverse("account-session-end", args=[record.pk])).status_code == 404
    with pytest.raises(PermissionError):
        actions.do_end_session(personas.counsellor2, record)
    record.refresh_from_db()
    assert record.ended_at is None


def test_the_worker_marks_idle_sessions_ended(personas: Personas, password: str) -> None:
    signed_in("counsellor-a", password, "Old browser")
    SessionRecord.objects.update(last_seen_at=timezone.now() - timedelta(hours=2))
    assert actions.do_end_expired_sessions() == 1
    assert SessionRecord.objects.get().ended_at is not None
