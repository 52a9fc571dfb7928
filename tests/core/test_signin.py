"""Sign-in as a user sees it: passwords, lock-out, two-factor, audit."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import Personas
from xinyuan.core import actions
from xinyuan.core.models import AuditEvent, SessionRecord
from xinyuan.core.roles import Role

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str, **extra: str) -> Any:
    return client.post(reverse("signin"), {"username": username, "password": password, **extra})


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_sign_in_with_the_right_password_lands_on_the_hotline(personas: Personas, password: str) -> None:
    client = Client()
    response = sign_in(client, "counsellor-a", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("staff-index")
    home = client.get(response["Location"], follow=True)
    assert home.status_code == 200
    assert personas.hotline_a.name in home.content.decode()
    event = AuditEvent.objects.get(action="signin")
    assert event.actor == personas.counsellor
    assert event.ip_address == "127.0.0.1"
    assert SessionRecord.objects.filter(user=personas.counsellor, ended_at__isnull=True).count() == 1


def test_wrong_password_is_refused_and_logged(personas: Personas) -> None:
    client = Client()
    response = sign_in(client, "counsellor-a", "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert AuditEvent.objects.filter(action="signin.failed", actor_name="counsellor-a").count() == 1
    assert "_auth_user_id" not in client.session


def test_lock_out_after_five_failures_with_a_clear_message(personas: Personas, password: str) -> None:
    client = Client()
    for _ in range(4):
        assert sign_in(client, "counsellor-a", "wrong-password-1").status_code == 200
    fifth = sign_in(client, "counsellor-a", "wrong-password-1")
    assert fifth.status_code == 429
    assert "此账号已被锁定 15 分钟" in fifth.content.decode()
    # Even the right password is refused while locked.
    locked = sign_in(client, "counsellor-a", password)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="signin.locked_out", actor_name="counsellor-a").exists()
    # Another account is not affected.
    assert sign_in(Client(), "supervisor-a", password).status_code == 302


def test_passwords_need_twelve_characters_and_are_hashed_with_argon2() -> None:
    with pytest.raises(ValidationError):
        validate_password("short-pw-1")
    user = actions.do_create_user("newcomer", "a-long-enough-passphrase")
    assert user.password.startswith("argon2")


def test_two_factor_required_for_a_role_asks_for_the_code(personas: Personas, password: str) -> None:
    personas.hotline_a.two_factor_roles = [Role.SUPERVISOR]
    personas.hotline_a.save()
    device = TOTPDevice.objects.create(user=personas.supervisor, name="phone", confirmed=True)
    client = Client()
    response = sign_in(client, "supervisor-a", password)
    assert response["Location"] == reverse("signin-verify")
    assert "_auth_user_id" not in client.session  # not signed in before the code
    wrong = client.post(
        reverse("signin-verify"), {"token": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.content.decode()
    # django-otp slows down guessing after a wrong code; a real user waits a moment.
    device.refresh_from_db()
    assert not device.verify_is_allowed()[0]
    device.throttle_reset()
    right = client.post(reverse("signin-verify"), {"token": code_for(device)})
    assert right.status_code == 302
    home = client.get(reverse("staff-home", args=["line-a"]))
    assert home.status_code == 200


def test_two_factor_enrolment_on_first_sign_in(personas: Personas, password: str) -> None:
    personas.hotline_a.two_factor_roles = [Role.COORDINATOR]
    personas.hotline_a.save()
    client = Client()
    sign_in(client, "coordinator-a", password)
    page = client.get(reverse("signin-verify"))
    assert page.context["enrolling"] is True
    secret = page.context["secret"]
    assert len(secret) >= 32
    device = TOTPDevice.objects.get(user=personas.coordinator)
    assert not device.confirmed
    response = client.post(reverse("signin-verify"), {"token": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="two_factor.enrolled", actor=personas.coordinator).exists()


def test_a_session_signed_in_without_a_code_is_asked_again_when_the_role_needs_one(
    personas: Personas,
) -> None:
    client = personas.client_for(personas.supervisor)
    assert client.get(reverse("staff-home", args=["line-a"])).status_code == 200
    personas.hotline_a.two_factor_roles = [Role.SUPERVISOR]
    personas.hotline_a.save()
    response = client.get(reverse("staff-home", args=["line-a"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("signin"))


def test_open_redirects_are_refused(personas: Personas, password: str) -> None:
    response = sign_in(Client(), "counsellor-a", password, next="https://evil.example/")
    assert response["Location"] == reverse("staff-index")


def test_sign_in_attempts_per_address_are_limited(personas: Personas, password: str, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.XINYUAN_SIGNINS_PER_ADDRESS_HOUR = 3
    office = Client(REMOTE_ADDR="10.20.30.40")
    for username in ("a-1", "a-2", "a-3"):
        assert sign_in(office, username, "wrong-password-1").status_code == 200
    refused = sign_in(office, "counsellor-a", password)
    assert refused.status_code == 429
    assert "来自这个网络的登录尝试太多" in refused.content.decode()
    assert AuditEvent.objects.filter(action="signin.rate_limited").exists()
    assert sign_in(Client(REMOTE_ADDR="10.20.30.41"), "counsellor-a", password).status_code == 302
