"""ASVS level 2 controls as a browser or API client sees them (docs/security.md maps each one here)."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import include, path, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import Personas
from tests.factories import english
from xinyuan import config
from xinyuan.core.models import AuditEvent, SessionRecord
from xinyuan.core.roles import Role
from xinyuan.web.middleware import SIGNED_IN_AT

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SECRET_IN_ERROR = "seeker-said-something-private"


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_IN_ERROR)


# The site's routes plus one that fails, for the 500 page (used with pytest.mark.urls).
urlpatterns = [path("boom/", boom), path("", include("xinyuan.urls"))]


def sign_in(client: Client, username: str, password: str) -> Any:
    return client.post(reverse("signin"), {"username": username, "password": password})


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# V8.1.1, V8.2.1: nothing dynamic is cached.


def test_pages_and_api_answers_are_never_cached(personas: Personas) -> None:
    staff = personas.client_for(personas.coordinator)
    answers = {
        "staff page": staff.get(reverse("staff-home", args=["line-a"])),
        "sessions": staff.get(reverse("account-sessions")),
        "sign-in": Client().get(reverse("signin")),
        "seeker page": Client().get(reverse("seeker", args=["line-a"])),
        "api": Client().get("/api/hotlines/line-a/status"),
        "api error": Client().post(
            "/api/contacts/my-data", {"token": "unknown"}, content_type="application/json"
        ),
        "not found": staff.get("/no-such-page/"),
    }
    for name, response in answers.items():
        control = response["Cache-Control"]
        assert "no-store" in control and "private" in control, name


def test_static_files_stay_cacheable() -> None:
    response = Client().get("/static/web/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# V14.4: headers.


def test_every_kind_of_answer_carries_the_security_headers(personas: Personas) -> None:
    staff = personas.client_for(personas.coordinator)
    for response in (
        staff.get(reverse("staff-home", args=["line-a"])),
        Client().get(reverse("signin")),
        Client().get("/api/hotlines/line-a/status"),
        Client().get("/no-such-page/"),
    ):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "charset=utf-8" in response["Content-Type"]


def test_partners_may_frame_only_the_seeker_page_and_only_over_https(personas: Personas) -> None:
    policy = Client().get(reverse("seeker", args=["line-a"]))["Content-Security-Policy"]
    assert "frame-ancestors 'self' https:" in policy
    assert "unsafe-inline" not in policy


def test_no_cross_origin_reads_of_the_api(personas: Personas) -> None:
    response = Client().get("/api/hotlines/line-a/status", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


# V3.4: cookies.


def test_session_and_csrf_cookies_are_httponly_and_samesite(personas: Personas, password: str) -> None:
    client = Client()
    client.get(reverse("signin"))
    assert sign_in(client, "counsellor-a", password).status_code == 302
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]
    assert session["max-age"] == ""  # ends with the browser, and after 30 idle minutes on the server
    csrf = client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


def test_behind_tls_cookies_are_secure_with_the_host_prefix(tmp_path: Path) -> None:
    env = {**os.environ, "XINYUAN_VAR_DIR": str(tmp_path), "XINYUAN_HTTPS": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    script = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'xinyuan.settings';"
        "from django.conf import settings as s;"
        "print(json.dumps([s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT]))"
    )
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["__Host-sessionid", "__Host-csrftoken", True, True, 31536000, True]


# V3.2.1, V3.3.1: session keys change at sign-in and die at sign-out.


def test_sign_in_gives_a_new_session_key(personas: Personas, password: str) -> None:
    client = Client()
    planted = SessionStore()
    planted["planted"] = True
    planted.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key or ""
    assert sign_in(client, "counsellor-a", password).status_code == 302
    assert session_key(client) != planted.session_key
    assert not SessionStore().exists(planted.session_key or "")


def test_the_one_time_code_step_gives_a_new_session_key(personas: Personas, password: str) -> None:
    personas.hotline_a.two_factor_roles = [Role.SUPERVISOR]
    personas.hotline_a.save()
    device = TOTPDevice.objects.create(user=personas.supervisor, name="phone", confirmed=True)
    client = Client()
    assert sign_in(client, "supervisor-a", password)["Location"] == reverse("signin-verify")
    half_way = session_key(client)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("signin-verify"), {"token": code}).status_code == 302
    assert session_key(client) != half_way
    assert not SessionStore().exists(half_way)
    assert client.get(reverse("staff-home", args=["line-a"])).status_code == 200


def test_sign_out_ends_the_session_on_the_server(personas: Personas, password: str) -> None:
    client = Client()
    sign_in(client, "counsellor-a", password)
    key = session_key(client)
    assert client.get(reverse("signout")).status_code == 405  # only a POST with its CSRF token
    client.post(reverse("signout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    response = replay.get(reverse("staff-home", args=["line-a"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("signin"))


def test_a_busy_session_still_ends_after_twelve_hours(personas: Personas, password: str) -> None:
    client = english(Client())
    sign_in(client, "counsellor-a", password)
    assert client.get(reverse("staff-home", args=["line-a"])).status_code == 200
    session = client.session
    started = session[SIGNED_IN_AT]
    session[SIGNED_IN_AT] = started - 11.9 * 3600  # used all along: still fine
    session.save()
    assert client.get(reverse("staff-home", args=["line-a"])).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = started - 12.1 * 3600
    session.save()
    response = client.get(reverse("staff-home", args=["line-a"]), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("signin"))
    assert "Your session reached its time limit" in response.content.decode()
    assert AuditEvent.objects.filter(action="signout", actor=personas.counsellor).exists()
    assert not SessionRecord.objects.filter(user=personas.counsellor, ended_at__isnull=True).exists()


# V2.1.5, V3.7.1, V3.3.3: changing the password needs the current one and signs out the others.


def test_changing_the_password_needs_the_current_one(personas: Personas, password: str) -> None:
    client = english(personas.client_for(personas.counsellor))
    page = client.get(reverse("staff-home", args=["line-a"]))
    assert reverse("account-password").encode() in page.content
    wrong = client.post(
        reverse("account-password"),
        {
            "old_password": "not-the-password",
            "new_password1": "a-new-long-pass",
            "new_password2": "a-new-long-pass",
        },
    )
    assert wrong.status_code == 400
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    short = client.post(
        reverse("account-password"),
        {"old_password": password, "new_password1": "short-1", "new_password2": "short-1"},
    )
    assert short.status_code == 400
    assert "at least 12 characters" in short.content.decode()
    personas.counsellor.refresh_from_db()
    assert personas.counsellor.check_password(password)
    assert not AuditEvent.objects.filter(action="password.changed").exists()


def test_a_new_password_keeps_this_browser_and_signs_out_the_others(
    personas: Personas, password: str
) -> None:
    personas.counsellor.email = "counsellor@example.org"
    personas.counsellor.save()
    here, elsewhere = english(Client()), Client()
    sign_in(here, "counsellor-a", password)
    sign_in(elsewhere, "counsellor-a", password)
    before = session_key(here)
    new = "a-brand-new-passphrase"
    response = here.post(
        reverse("account-password"),
        {"old_password": password, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Your password is changed" in response.content.decode()
    assert session_key(here) != before
    assert here.get(reverse("staff-home", args=["line-a"])).status_code == 200
    gone = elsewhere.get(reverse("staff-home", args=["line-a"]))
    assert gone.status_code == 302 and gone["Location"].startswith(reverse("signin"))
    open_records = SessionRecord.objects.filter(user=personas.counsellor, ended_at__isnull=True)
    assert list(open_records.values_list("session_key", flat=True)) == [session_key(here)]
    assert AuditEvent.objects.filter(action="password.changed", actor=personas.counsellor).count() == 1
    assert [message.to for message in mail.outbox] == [["counsellor@example.org"]]
    assert "was just changed" in mail.outbox[0].body and new not in mail.outbox[0].body
    assert sign_in(Client(), "counsellor-a", new).status_code == 302
    assert sign_in(Client(), "counsellor-a", password).status_code == 200


def test_guessing_the_current_password_is_limited(personas: Personas, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    client = english(personas.client_for(personas.counsellor))
    guess = {
        "old_password": "guess-0",
        "new_password1": "a-new-long-pass",
        "new_password2": "a-new-long-pass",
    }
    for _ in range(10):
        assert client.post(reverse("account-password"), guess).status_code == 400
    refused = client.post(reverse("account-password"), guess)
    assert refused.status_code == 429
    assert "Too many tries" in refused.content.decode()
    assert "incorrectly" not in refused.content.decode()  # the guess is not checked


def test_the_password_page_is_for_signed_in_people() -> None:
    response = Client().get(reverse("account-password"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("signin"))


# V7.4.1, V14.3: error pages say nothing about the error or the server.


def test_not_found_looks_the_same_for_a_missing_page_and_another_hotline(personas: Personas) -> None:
    client = english(personas.client_for(personas.counsellor))
    missing = client.get("/no-such-page/")
    other_hotline = client.get(reverse("staff-home", args=["line-b"]))
    unknown_hotline = client.get(reverse("staff-home", args=["no-such-line"]))
    for response in (missing, other_hotline, unknown_hotline):
        assert response.status_code == 404
        page = response.content.decode()
        assert "Page not found" in page and 'data-error="404"' in page
        assert "Line B" not in page

    # Apart from the path (in the language switcher) and the CSRF token, not a byte differs.
    def masked(response: Any, path: str) -> str:
        page = response.content.decode().replace(path, "PATH")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    assert masked(other_hotline, "/staff/line-b/") == masked(unknown_hotline, "/staff/no-such-line/")


def test_error_pages_are_chinese_first(personas: Personas) -> None:
    page = Client().get("/no-such-page/").content.decode()
    assert '<html lang="zh-hans">' in page


def test_a_missing_role_gets_a_plain_refusal(personas: Personas) -> None:
    response = english(personas.client_for(personas.counsellor)).get(
        reverse("hotline-settings", args=["line-a"])
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "Not allowed" in page and 'data-error="403"' in page


@pytest.mark.urls("tests.core.test_security")
def test_a_server_error_shows_a_plain_page_and_no_details() -> None:
    response = english(Client(raise_request_exception=False)).get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page and '<html lang="en">' in page
    for leak in (SECRET_IN_ERROR, "RuntimeError", "Traceback", "boom", "Django", "Python"):
        assert leak not in page
    assert "<script" not in page and "style=" not in page


def test_an_expired_form_says_so(personas: Personas) -> None:
    client = english(Client(enforce_csrf_checks=True))
    response = client.post(reverse("signin"), {"username": "counsellor-a", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "The form has expired" in page
    assert "CSRF" not in page and "<style" not in page


# V14.5.3 (host header), V14.3.2 (debug off).


def test_a_forged_host_header_is_refused_without_echo() -> None:
    response = english(Client()).get(reverse("signin"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Bad request" in page
    assert "evil.example" not in page and "ALLOWED_HOSTS" not in page
    assert "*" not in settings.ALLOWED_HOSTS


def test_a_forged_host_cannot_poison_the_partner_link(personas: Personas) -> None:
    client = personas.client_for(personas.coordinator)
    response = client.get(reverse("hotline-settings", args=["line-a"]), HTTP_HOST="evil.example")
    assert response.status_code == 400


# V13.1, V13.2: the API takes JSON, with the right methods, and nothing sensitive in its URLs.


def test_the_api_refuses_bodies_that_are_not_json() -> None:
    for url in ("/api/hotlines/line-a/contacts", "/api/contacts/my-data", "/api/contacts/erase"):
        for kind in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"):
            response = english(Client()).post(url, '{"token": "x"}', content_type=kind)
            assert response.status_code == 415, (url, kind)
            assert response.json()["code"] == "unsupported_media_type"
            assert "JSON" in response.json()["message"]
            assert response["Content-Disposition"] == 'attachment; filename="api.json"'
    response = Client().post("/api/contacts/my-data", '{"token": "x"}', content_type="application/json")
    assert response.status_code == 404


def test_the_quick_exit_beacon_may_be_plain_text(personas: Personas) -> None:
    beacon = Client().post("/api/contacts/quick-exit", '{"token": "x"}', content_type="text/plain")
    assert beacon.status_code == 204
    form = Client().post(
        "/api/contacts/quick-exit", "token=x", content_type="application/x-www-form-urlencoded"
    )
    assert form.status_code == 415


def test_api_answers_are_downloads_never_pages(personas: Personas) -> None:
    for response in (
        Client().get("/api/hotlines/line-a/status"),
        Client().post("/api/contacts/my-data", {"token": "x"}, content_type="application/json"),
    ):
        assert response["Content-Type"].startswith("application/json")
        assert response["Content-Disposition"] == 'attachment; filename="api.json"'


def test_api_operations_allow_only_their_methods() -> None:
    assert Client().get("/api/contacts/my-data").status_code == 405
    assert Client().delete("/api/hotlines/line-a/status").status_code == 405


def test_no_api_url_carries_a_token_or_the_seekers_words() -> None:
    schema = Client().get("/api/openapi.json").json()
    in_urls = {
        parameter["name"]
        for operations in schema["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] in ("query", "path")
    }
    assert in_urls <= {"slug"}


def test_tokens_do_not_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    token = "token-that-must-stay-private"
    with caplog.at_level("DEBUG"):
        Client().post("/api/contacts/my-data", {"token": token}, content_type="application/json")
        Client().post("/api/contacts/erase", {"token": token}, content_type="application/json")
    assert caplog.records  # the 404 is logged …
    assert token not in caplog.text  # … by its path only


# V1.14 / V6.4: secrets generated on first run are the owner's alone and never in the repository.


def test_generated_secrets_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    config.read_or_create_secret(tmp_path / "secret_key", config.new_secret_key)
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert "var/" in (ROOT / ".gitignore").read_text().splitlines()


# V10.3.2, V14.2: every pinned dependency is installed by hash.


def test_every_locked_dependency_has_a_hash() -> None:
    for name in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / name).read_text()
        pins = re.findall(r"^([A-Za-z0-9_.\-]+)==\S+((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})*)", text, re.M)
        assert pins, name
        unhashed = [package for package, hashes in pins if "--hash=sha256:" not in hashes]
        assert unhashed == [], name
    assert "--require-hashes" in (ROOT / "Makefile").read_text()
