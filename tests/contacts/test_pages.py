"""The seeker page, the console page and the counsellors page, as people see them."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas
from xinyuan.contacts.models import CounsellorState
from xinyuan.core.models import AuditEvent

pytestmark = pytest.mark.django_db
STATIC = Path(__file__).resolve().parents[2] / "xinyuan" / "contacts" / "static" / "contacts"


def test_the_seeker_page_works_without_signing_in_and_may_be_embedded(personas: Personas) -> None:
    response = Client().get("/h/line-a/?source=<script>")
    assert response.status_code == 200
    page = response.content.decode()
    assert "快速离开" in page
    assert 'data-source=""' in page  # an odd source is dropped, not echoed
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors 'self' https:" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert Client().get("/h/no-such-line/").status_code == 404


def test_the_seeker_script_is_small() -> None:
    size = len(gzip.compress((STATIC / "seeker.js").read_bytes()))
    assert size < 60 * 1024


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_seeker_script_is_plain_es5_for_old_browsers() -> None:
    acorn = Path(__file__).resolve().parents[2] / "node_modules" / "acorn" / "bin" / "acorn"
    result = subprocess.run(
        ["node", str(acorn), "--ecma5", "--silent", str(STATIC / "seeker.js")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_console_is_for_counsellors_of_the_hotline(personas: Personas) -> None:
    url = reverse("console", args=["line-a"])
    assert personas.client_for(personas.counsellor).get(url).status_code == 200
    assert personas.client_for(personas.supervisor).get(url).status_code == 200
    assert personas.client_for(personas.coordinator).get(url).status_code == 403
    assert personas.client_for(personas.outsider).get(url).status_code == 404
    assert personas.client_for(personas.counsellor).get(reverse("console-index"))["Location"] == url


def test_status_buttons_wait_for_the_console_socket(personas: Personas) -> None:
    # Served disabled; console.js enables them on the server's hello, so no click is lost.
    page = personas.client_for(personas.counsellor).get(reverse("console", args=["line-a"])).content.decode()
    for status in ("on_duty", "paused", "off_duty"):
        assert f'data-status="{status}" disabled>' in page


def test_a_coordinator_sets_a_counsellors_chat_limit_and_skills(personas: Personas) -> None:
    membership = personas.hotline_a.memberships.get(user=personas.counsellor)
    client = personas.client_for(personas.coordinator)
    page = client.get(reverse("counsellors", args=["line-a"])).content.decode()
    assert "Counsellor-A" in page and "Coordinator-A" not in page
    prefix = str(membership.pk)
    response = client.post(
        reverse("counsellor-skills", args=["line-a", membership.pk]),
        {
            f"{prefix}-chat_limit": "4",
            f"{prefix}-languages": ["zh-hans"],
            f"{prefix}-specialties": ["minor"],
            f"{prefix}-crisis_trained": "on",
        },
    )
    assert response.status_code == 302
    state = CounsellorState.objects.get(membership=membership)
    assert (state.chat_limit, state.languages, state.specialties, state.crisis_trained) == (
        4,
        ["zh-hans"],
        ["minor"],
        True,
    )
    assert AuditEvent.objects.filter(action="counsellor.skills_changed", actor=personas.coordinator).exists()
    bad = client.post(
        reverse("counsellor-skills", args=["line-a", membership.pk]), {f"{prefix}-chat_limit": "0"}
    )
    assert bad.status_code == 302
    assert CounsellorState.objects.get(membership=membership).chat_limit == 4
    assert (
        personas.client_for(personas.counsellor).get(reverse("counsellors", args=["line-a"])).status_code
        == 403
    )
    outsider_membership = personas.hotline_b.memberships.get(user=personas.outsider)
    other = personas.client_for(personas.coordinator).post(
        reverse("counsellor-skills", args=["line-a", outsider_membership.pk]), {}
    )
    assert other.status_code == 404  # another hotline's counsellor does not exist here
