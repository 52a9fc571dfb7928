"""Roster import (row-by-row report, all or nothing, progress) and xlsx exports.

bench/roster_import.py times a 5,000-row file."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.conftest import Personas
from tests.factories import english, person
from tests.scheduling.helpers import team_setup
from xinyuan.contacts.models import CounsellorState
from xinyuan.core.models import Membership, User
from xinyuan.core.roles import Role
from xinyuan.scheduling import spreadsheets
from xinyuan.scheduling.jobs import roster_imports
from xinyuan.scheduling.models import RosterDetails, RosterImport, TeamMember

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, tzinfo=UTC)
HEADER = ["name", "username", "email", "phone", "team", "roles", "languages", "specialties"]
# Enough rows for several progress steps; bench/roster_import.py times 5,000.
LARGE = 600


def workbook(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(personas: Personas, data: bytes) -> RosterImport:
    client = personas.client_for(personas.coordinator)
    response = client.post(
        reverse("roster", args=["line-a"]), {"file": SimpleUploadedFile("roster.xlsx", data)}
    )
    assert response.status_code == 302
    return RosterImport.objects.latest("created_at")


def test_a_bad_row_stops_the_whole_import_with_a_report(personas: Personas) -> None:
    team_setup(personas)
    data = workbook(
        [
            ["张三", "zhang3", "z@example.org", "13800000000", "Morning", "counsellor", "zh-hans", "minor"],
            ["", "li4", "not-mail", "12", "Nowhere", "wizard", "fr", "ok"],
            ["王五", "zhang3", "", "", "", "", "", ""],
        ]
    )
    item = upload(personas, data)
    assert item.state == "pending"
    roster_imports(NOW)
    item.refresh_from_db()
    assert item.state == "failed" and item.content == ""
    found = {(e["row"], e["column"]) for e in item.errors}
    assert found == {
        (3, "name"),
        (3, "email"),
        (3, "phone"),
        (3, "team"),
        (3, "roles"),
        (3, "languages"),
        (4, "username"),
    }
    assert not User.objects.filter(username="zhang3").exists()  # nothing half-saved
    page = english(personas.client_for(personas.coordinator)).get(
        reverse("roster-import", args=["line-a", item.pk])
    )
    html = page.content.decode()
    assert "Nothing was saved: 7 problems to fix." in html
    assert "There is no team named Nowhere: create it first." in html
    assert "The same username is already on row 2." in html


def test_a_good_import_creates_people_teams_and_skills(personas: Personas) -> None:
    setup = team_setup(personas)
    data = workbook(
        [
            [
                "张三",
                "zhang3",
                "z@example.org",
                13800000000,
                "Morning",
                "counsellor, team lead",
                "zh-hans",
                "minor、family",
            ],
            ["Counsellor2", "counsellor2-a", "", "", "", "supervisor", "", ""],
        ]
    )
    item = upload(personas, data)
    roster_imports(NOW)
    item.refresh_from_db()
    assert item.state == "done", item.errors
    assert item.summary == {"rows": 2, "created": 1, "updated": 1}
    zhang = Membership.objects.get(user__username="zhang3", hotline=personas.hotline_a)
    assert zhang.roles == {"counsellor", "team_lead"} and not zhang.user.has_usable_password()
    assert TeamMember.objects.get(membership=zhang).team == setup.team and zhang.team_member.is_lead
    assert CounsellorState.objects.get(membership=zhang).specialties == ["minor", "family"]
    assert RosterDetails.objects.get(membership=zhang).phone == "13800000000"
    existing = Membership.objects.get(user__username="counsellor2-a", hotline=personas.hotline_a)
    assert existing.roles == {"counsellor", "supervisor"}  # added, nothing taken away
    html = english(personas.client_for(personas.coordinator)).get(
        reverse("roster-import", args=["line-a", item.pk])
    )
    assert "2 rows imported: 1 new people, 1 already known." in html.content.decode()


def test_the_progress_page_refreshes_while_running(personas: Personas) -> None:
    item = upload(personas, workbook([["A", "a1", "", "", "", "", "", ""]]))
    page = english(personas.client_for(personas.coordinator)).get(
        reverse("roster-import", args=["line-a", item.pk])
    )
    assert '<meta http-equiv="refresh" content="2">' in page.content.decode()


def test_a_large_import_is_processed_in_full_with_progress(personas: Personas) -> None:
    team_setup(personas)
    rows: list[list[object]] = [
        [
            f"志愿者 {n}",
            f"vol{n}",
            f"v{n}@example.org",
            f"1390000{n:04d}",
            "Morning",
            "counsellor",
            "zh-hans",
            "",
        ]
        for n in range(LARGE)
    ]
    item = upload(personas, workbook(rows))
    roster_imports(NOW)
    item.refresh_from_db()
    assert (item.state, item.total_rows, item.processed_rows) == ("done", LARGE, LARGE)
    assert (
        Membership.objects.filter(hotline=personas.hotline_a, user__username__startswith="vol").count()
        == LARGE
    )


def test_export_and_import_again_round_trip(personas: Personas) -> None:
    team_setup(personas)
    item = upload(
        personas,
        workbook(
            [["张三", "zhang3", "z@example.org", "13800000000", "Morning", "counsellor", "zh-hans", "minor"]]
        ),
    )
    roster_imports(NOW)
    client = personas.client_for(personas.coordinator)
    exported = client.get(reverse("roster", args=["line-a"]), {"format": "xlsx"})
    assert exported["Content-Type"] == spreadsheets.XLSX
    rows = spreadsheets.read_rows(exported.content)
    assert list(rows[0]) == HEADER
    zhang = next(row for row in rows if row[1] == "zhang3")
    assert list(zhang) == [
        "张三",
        "zhang3",
        "z@example.org",
        "13800000000",
        "Morning",
        "counsellor",
        "zh-hans",
        "minor",
    ]
    users_before = User.objects.count()
    again = upload(personas, exported.content)
    roster_imports(NOW)
    again.refresh_from_db()
    assert again.state == "done", again.errors
    assert User.objects.count() == users_before
    assert item.pk != again.pk


def test_a_name_that_looks_like_a_formula_is_exported_as_text(personas: Personas) -> None:
    team_setup(personas)
    formula = '=HYPERLINK("http://evil.example","点我")'
    person(personas.hotline_a, "evil", Role.COUNSELLOR, display_name=formula)
    exported = personas.client_for(personas.coordinator).get(
        reverse("roster", args=["line-a"]), {"format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[1].value == "evil")
    assert (cell.value, cell.data_type) == (formula, "s")  # text, never run as a formula


def test_only_coordinators_import_and_export(personas: Personas) -> None:
    for user in (personas.counsellor, personas.supervisor):
        assert (
            personas.client_for(user).get(reverse("roster", args=["line-a"]), {"format": "xlsx"}).status_code
            == 403
        )
    assert personas.client_for(personas.outsider).get(reverse("roster", args=["line-a"])).status_code == 404


def test_a_file_that_is_not_a_workbook_is_refused(personas: Personas) -> None:
    client = english(personas.client_for(personas.coordinator))
    response = client.post(
        reverse("roster", args=["line-a"]), {"file": SimpleUploadedFile("roster.xlsx", b"name,user\n")}
    )
    assert "This is not an Excel (.xlsx) workbook." in response.content.decode()
    assert not RosterImport.objects.exists()


def test_hours_export(personas: Personas) -> None:
    client = personas.client_for(personas.coordinator)
    response = client.get(reverse("service-hours", args=["line-a"]), {"month": "2026-01", "format": "xlsx"})
    rows = spreadsheets.read_rows(response.content)
    assert rows[0][:3] == ("month", "name", "username")
