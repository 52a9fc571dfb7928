"""Health check, languages and the pages everyone sees."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_channel_layer() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


def test_chinese_is_the_default_and_english_is_a_click_away() -> None:
    client = Client()
    page = client.get(reverse("signin")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "登录" in page
    switched = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("signin")}, follow=True
    )
    english = switched.content.decode()
    assert '<html lang="en">' in english
    assert "Sign in" in english
    assert "中文" in english  # the switcher offers the way back


def test_every_page_has_the_language_switcher(personas: Personas) -> None:
    client = personas.client_for(personas.coordinator)
    for url in (
        reverse("signin"),
        reverse("account-sessions"),
        reverse("staff-home", args=["line-a"]),
        reverse("hotline-settings", args=["line-a"]),
    ):
        assert b'class="language-switcher' in client.get(url, follow=True).content, url


def test_pages_carry_security_headers_and_no_inline_script(personas: Personas) -> None:
    response = personas.client_for(personas.coordinator).get(reverse("staff-home", args=["line-a"]))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"<script>" not in response.content


def test_the_landing_page_sends_visitors_to_sign_in() -> None:
    response = Client().get("/")
    assert response["Location"] == reverse("signin")
