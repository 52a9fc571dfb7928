"""The public application form: validation, the certificate scan's checks, privacy, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas
from tests.factories import english
from tests.volunteers.helpers import PDF, PNG, answers
from xinyuan.core.models import AuditEvent
from xinyuan.volunteers import files
from xinyuan.volunteers.models import Application, Credential, Stage

pytestmark = pytest.mark.django_db


def url() -> str:
    return reverse("volunteer-apply", args=["line-a"])


def post(data: dict[str, Any]) -> Any:
    return english(Client()).post(url(), data)


def test_the_form_is_public_and_fits_a_phone(personas: Personas) -> None:
    page = english(Client()).get(url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Volunteer with 甲热线 Line A" in html
    assert 'name="viewport"' in html and 'enctype="multipart/form-data"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'type="tel"' in html and "<script>" not in html
    assert Client().get(reverse("volunteer-apply", args=["no-such-line"])).status_code == 404


def test_a_complete_application_is_stored_with_the_phone_encrypted(personas: Personas) -> None:
    response = post(answers())
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteer-applied", args=["line-a"])
    found = Application.objects.get()
    assert (found.hotline, found.stage, found.name, found.languages) == (
        personas.hotline_a,
        Stage.SUBMITTED,
        "林一 Lin Yi",
        ["zh-hans", "en"],
    )
    assert found.phone == "+86 139 1234 5678" and found.language == "en"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM volunteers_application")
        stored = cursor.fetchone()[0]
    assert stored.startswith("v1:") and "1234" not in stored
    assert AuditEvent.objects.filter(action="volunteer.applied", hotline=personas.hotline_a).count() == 1
    thanks = english(Client()).get(response["Location"])
    assert "Your application is sent" in thanks.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"birth_year": "1900"}, "birth_year", "Volunteers are 16 to 90 years old"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"phone": "call me"}, "phone", "Enter a phone number"),
        ({"consent": None}, "consent", "This field is required."),
        ({"languages": None}, "languages", "This field is required."),
        ({"profession": "astronaut"}, "profession", "Select a valid choice."),
        ({"profession": "counsellor"}, "certificate_number", "Give the certificate number."),
        ({"certificate_number": "123"}, "credential_kind", "Name the certificate."),
    ],
)
def test_errors_are_clear_and_nothing_is_saved(
    personas: Personas, overrides: dict[str, Any], field: str, message: str
) -> None:
    response = post(answers(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please correct the marked fields. Nothing was saved" in html
    assert message in html
    assert f'data-field="{field}"' in html
    assert not Application.objects.exists()


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def with_certificate(scan: SimpleUploadedFile) -> dict[str, Any]:
    return answers(
        profession="counsellor",
        credential_kind="心理咨询师三级 Counsellor level 3",
        certificate_number="CN-3-2020-77",
        certificate_scan=scan,
    )


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00 not a picture", "cert.png"),  # a program renamed
        (PNG, "cert.exe"),  # right bytes, wrong name
        (b"<html><script>alert(1)</script>", "cert.pdf"),
        (PDF, "cert.jpg"),  # bytes and name disagree
    ],
)
def test_scans_are_checked_by_their_bytes_not_only_their_name(
    personas: Personas, content: bytes, name: str, tmp_path: Path
) -> None:
    response = post(with_certificate(upload(content, name)))
    assert response.status_code == 400
    assert "Upload a PDF, JPEG or PNG file." in response.content.decode()
    assert not Application.objects.exists() and not Credential.objects.exists()
    assert not files.upload_dir().exists() or not any(files.upload_dir().iterdir())


def test_a_scan_over_5_mb_is_refused(personas: Personas) -> None:
    response = post(with_certificate(upload(PDF + b"0" * (5 * 1024 * 1024), "big.pdf")))
    assert response.status_code == 400
    assert "The file is larger than 5 MB." in response.content.decode()
    assert not Application.objects.exists()


def test_a_certified_profession_must_upload_the_scan(personas: Personas) -> None:
    data = with_certificate(upload(PNG, "x.png"))
    del data["certificate_scan"]
    response = post(data)
    assert response.status_code == 400
    assert "Upload a scan or photo of the certificate." in response.content.decode()


def test_the_scan_is_stored_encrypted_outside_the_web_root(personas: Personas, tmp_path: Path) -> None:
    assert post(with_certificate(upload(PDF, "证书.pdf"))).status_code == 302
    credential = Credential.objects.get()
    assert (credential.content_type, credential.file_name, credential.size) == (
        "application/pdf",
        "证书.pdf",
        len(PDF),
    )
    assert credential.number == "CN-3-2020-77"
    stored = tmp_path / "uploads" / "credentials" / credential.stored_as
    on_disk = stored.read_bytes()
    assert PDF not in on_disk and b"%PDF" not in on_disk
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert files.read(credential.stored_as) == PDF


def test_the_form_needs_its_csrf_token(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(url(), answers()).status_code == 403
    assert not Application.objects.exists()


def test_applications_from_one_address_are_rate_limited(personas: Personas, settings: Any) -> None:
    settings.XINYUAN_APPLICATIONS_PER_ADDRESS_HOUR = 2
    assert post(answers(email="a@example.org")).status_code == 302
    assert post(answers(email="b@example.org")).status_code == 302
    refused = post(answers(email="c@example.org"))
    assert refused.status_code == 429
    assert "Too many applications from this network" in refused.content.decode()
    assert Application.objects.count() == 2
    assert AuditEvent.objects.filter(action="volunteer.apply_rate_limited").count() == 1
