"""Coordinators screen applications: stages, notes, credentials and their scans, activation."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas
from tests.factories import english, person
from tests.volunteers.helpers import PNG, application, walk_to
from xinyuan.contacts.models import CounsellorState
from xinyuan.core.models import AuditEvent, Membership, User
from xinyuan.core.roles import Role
from xinyuan.volunteers.models import Application, ApplicationNote, Stage, VolunteerProfile

pytestmark = pytest.mark.django_db


def detail_url(found: Application) -> str:
    return reverse("volunteer-application", args=[found.hotline.slug, found.pk])


def coordinator_client(personas: Personas) -> Client:
    return english(personas.client_for(personas.coordinator))


def test_the_list_filters_by_stage_and_only_coordinators_see_it(personas: Personas) -> None:
    first = application(personas.hotline_a, email="one@example.org")
    second = application(personas.hotline_a, email="two@example.org")
    walk_to(personas.coordinator, second, Stage.SCREENING)
    application(personas.hotline_b, email="elsewhere@example.org")
    client = coordinator_client(personas)
    url = reverse("volunteer-applications", args=["line-a"])
    assert len(re.findall('data-testid="application-row"', client.get(url).content.decode())) == 2
    screening = client.get(url, {"stage": "screening"}).content.decode()
    assert screening.count('data-testid="application-row"') == 1
    assert detail_url(second) in screening and detail_url(first) not in screening
    assert personas.client_for(personas.counsellor).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_reading_an_application_is_audited(personas: Personas) -> None:
    found = application(personas.hotline_a)
    page = coordinator_client(personas).get(detail_url(found)).content.decode()
    assert "13912345678" in page and "CN-2024-0001" in page and "not verified" in page
    event = AuditEvent.objects.get(action="volunteer.application_read")
    assert (event.actor, event.object_id) == (personas.coordinator, str(found.pk))


def test_stages_move_one_step_at_a_time_with_notes(personas: Personas) -> None:
    found = application(personas.hotline_a)
    client = coordinator_client(personas)
    response = client.post(detail_url(found), {"to_stage": "screening", "note": "证书看起来齐全"})
    assert response.status_code == 302
    found.refresh_from_db()
    assert found.stage == Stage.SCREENING
    note = ApplicationNote.objects.get()
    assert (note.from_stage, note.to_stage, note.text, note.author) == (
        "submitted",
        "screening",
        "证书看起来齐全",
        personas.coordinator,
    )
    event = AuditEvent.objects.get(action="volunteer.stage_changed")
    assert event.details == {"from_stage": "submitted", "to_stage": "screening"}
    page = client.get(detail_url(found)).content.decode()
    assert "证书看起来齐全" in page and "Submitted → Screening" in page

    # Skipping ahead is refused, with a reason, and nothing changes.
    refused = client.post(detail_url(found), {"to_stage": "active", "note": ""})
    assert refused.status_code == 400
    assert "Select a valid choice." in refused.content.decode()
    found.refresh_from_db()
    assert found.stage == Stage.SCREENING and ApplicationNote.objects.count() == 1

    # A note alone keeps the stage.
    assert client.post(detail_url(found), {"to_stage": "", "note": "约了周五面谈"}).status_code == 302
    latest = ApplicationNote.objects.last()
    assert latest is not None and (latest.text, latest.from_stage, latest.to_stage) == (
        "约了周五面谈",
        "screening",
        "screening",
    )
    empty = client.post(detail_url(found), {"to_stage": "", "note": ""})
    assert "Write a note, or choose a stage to move to." in empty.content.decode()


def test_rejected_is_final(personas: Personas) -> None:
    from xinyuan.volunteers import actions

    found = application(personas.hotline_a)
    actions.do_move_application(personas.coordinator, found, Stage.REJECTED, "不适合")
    with pytest.raises(actions.VolunteerError, match="cannot move"):
        actions.do_move_application(personas.coordinator, found, Stage.SCREENING)
    page = coordinator_client(personas).get(detail_url(found)).content.decode()
    assert 'name="to_stage" value=""' in page  # no stage to offer


def scan_url(found: Application) -> str:
    return reverse("volunteer-credential-scan", args=[found.hotline.slug, found.credentials.get().pk])


def test_only_coordinators_open_the_scan_and_each_opening_is_audited(personas: Personas) -> None:
    found = application(personas.hotline_a)
    response = personas.client_for(personas.coordinator).get(scan_url(found))
    assert response.status_code == 200
    assert response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="volunteer.credential_opened")
    assert event.actor == personas.coordinator and event.hotline == personas.hotline_a

    assert personas.client_for(personas.counsellor).get(scan_url(found)).status_code == 403
    assert personas.client_for(personas.supervisor).get(scan_url(found)).status_code == 403
    assert personas.client_for(personas.outsider).get(scan_url(found)).status_code == 404
    # Even through the outsider's own hotline, another hotline's credential does not exist.
    own_line = reverse("volunteer-credential-scan", args=["line-b", found.credentials.get().pk])
    assert personas.client_for(personas.outsider).get(own_line).status_code == 404
    anonymous = Client().get(scan_url(found))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("signin"))
    assert AuditEvent.objects.filter(action="volunteer.credential_opened").count() == 1


def test_a_coordinator_verifies_a_credential(personas: Personas) -> None:
    found = application(personas.hotline_a)
    credential = found.credentials.get()
    url = reverse("volunteer-credential-verify", args=["line-a", credential.pk])
    assert personas.client_for(personas.counsellor).post(url).status_code == 403
    assert coordinator_client(personas).post(url).status_code == 302
    credential.refresh_from_db()
    assert credential.verified_by == personas.coordinator and credential.verified_at is not None
    assert AuditEvent.objects.filter(action="volunteer.credential_verified").count() == 1
    assert "verified" in coordinator_client(personas).get(detail_url(found)).content.decode()


def test_activation_creates_the_account_and_e_mails_a_one_time_link(personas: Personas) -> None:
    found = walk_to(personas.coordinator, application(personas.hotline_a), Stage.TRAINING)
    client = coordinator_client(personas)
    assert client.post(detail_url(found), {"to_stage": "active", "note": "欢迎"}).status_code == 302
    found.refresh_from_db()
    user = User.objects.get(email="lin.yi@example.org")
    membership = Membership.objects.get(user=user, hotline=personas.hotline_a)
    assert found.membership == membership and membership.is_active
    assert membership.roles == {Role.COUNSELLOR}
    profile = VolunteerProfile.objects.get(membership=membership)
    assert (profile.gender, profile.birth_year, profile.education, profile.profession) == (
        "female",
        1995,
        "master",
        "counsellor",
    )
    # Routing knows the languages they gave.
    state = CounsellorState.objects.get(membership=membership)
    assert (state.languages, state.specialties) == (["zh-hans"], [])
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lin.yi@example.org"] and "甲热线 Line A" in message.subject
    link = re.search(r"http://testserver(/volunteer/welcome/\S+/)", str(message.body))
    assert link and "Your user name: lin.yi@example.org" in message.body

    browser = english(Client())
    opened = browser.get(link.group(1))
    # The token leaves the address at once (kept in the session), as Django's reset view does.
    step = opened["Location"]
    assert opened.status_code == 302 and step.endswith("/set-password/") and link.group(1) != step
    page = browser.get(step).content.decode()
    assert "Set your password" in page and "lin.yi@example.org" in page
    assert english(Client()).get(step).status_code == 400  # another browser has no token
    weak = browser.post(step, {"new_password1": "short", "new_password2": "short"})
    assert weak.status_code == 200 and "too short" in weak.content.decode()
    password = "a-long-volunteer-passphrase"
    done = browser.post(step, {"new_password1": password, "new_password2": password})
    assert done.status_code == 302 and done["Location"] == reverse("signin")
    user.refresh_from_db()
    assert user.check_password(password)
    assert AuditEvent.objects.filter(action="volunteer.password_set", actor=user).exists()
    used = english(Client()).get(link.group(1), follow=True)
    assert used.status_code == 400 and "This link has been used or has expired" in used.content.decode()
    assert (
        Client().post(reverse("signin"), {"username": user.username, "password": password}).status_code == 302
    )


def test_activation_reuses_an_existing_account_and_keeps_its_roles(personas: Personas) -> None:
    existing = person(
        personas.hotline_a, "wang", Role.SUPERVISOR, email="Wang@Example.org", password=make_password("x")
    )
    found = walk_to(
        personas.coordinator, application(personas.hotline_a, email="wang@example.org"), Stage.ACTIVE
    )
    assert found.membership is not None and found.membership.user == existing
    assert found.membership.roles == {Role.SUPERVISOR, Role.COUNSELLOR}
    assert User.objects.filter(email__iexact="wang@example.org").count() == 1


def test_the_sign_in_mail_can_be_sent_again(personas: Personas) -> None:
    found = walk_to(personas.coordinator, application(personas.hotline_a), Stage.ACTIVE)
    url = reverse("volunteer-resend-signin", args=["line-a", found.pk])
    assert coordinator_client(personas).post(url).status_code == 302
    assert len(mail.outbox) == 2
    early = walk_to(
        personas.coordinator, application(personas.hotline_a, email="x@example.org"), Stage.SCREENING
    )
    assert (
        coordinator_client(personas)
        .post(reverse("volunteer-resend-signin", args=["line-a", early.pk]))
        .status_code
        == 302
    )
    assert len(mail.outbox) == 2


def test_when_the_mail_server_refuses_the_activation_is_undone(personas: Personas, settings: Any) -> None:
    with socket.socket() as probe:  # a local port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    found = walk_to(personas.coordinator, application(personas.hotline_a), Stage.TRAINING)
    response = coordinator_client(personas).post(detail_url(found), {"to_stage": "active", "note": ""})
    assert response.status_code == 400
    assert "The sign-in e-mail could not be sent, so nothing changed." in response.content.decode()
    found.refresh_from_db()
    assert found.stage == Stage.TRAINING and found.membership is None
    assert not User.objects.filter(email="lin.yi@example.org").exists()
    assert not VolunteerProfile.objects.exists()
