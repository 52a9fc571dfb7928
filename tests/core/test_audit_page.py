"""The audit page: admins filter, read and export; nobody else sees it; reading it is audited too."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from tests.conftest import Personas
from tests.factories import person
from xinyuan.core import audit
from xinyuan.core.models import AuditEvent
from xinyuan.core.roles import Role

pytestmark = pytest.mark.django_db
URL = reverse("audit-log", args=["line-a"])


def test_admins_filter_and_export_and_others_are_refused(personas: Personas) -> None:
    admin = person(personas.hotline_a, "admin-a", Role.ADMIN)
    audit.log(
        "transcript.viewed", actor=personas.supervisor, hotline=personas.hotline_a, reason="=HYPERLINK(1)"
    )
    audit.log("contact.accepted", actor=personas.counsellor, hotline=personas.hotline_a)
    audit.log("transcript.viewed", actor=personas.outsider, hotline=personas.hotline_b)
    client = personas.client_for(admin)

    page = client.get(URL, {"action": "transcript.viewed"})
    rows = page.content.decode().count('data-testid="audit-row"')
    assert page.status_code == 200 and rows == 1  # hotline B's event is not here
    assert client.get(URL, {"person": "counsellor"}).content.decode().count('data-testid="audit-row"') == 1

    export = client.get(URL, {"action": "transcript.viewed", "format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(export.content.decode())))
    assert table[0][:3] == ["at", "who", "action"]
    assert [row[1:3] for row in table[1:]] == [["supervisor-a", "transcript.viewed"]]
    assert table[1][6] == "'=HYPERLINK(1)"  # not a formula in a spreadsheet
    assert AuditEvent.objects.filter(action="audit.exported", actor=admin).exists()
    assert AuditEvent.objects.filter(action="audit.viewed", actor=admin).exists()

    for other in (personas.coordinator, personas.supervisor, personas.counsellor):
        assert personas.client_for(other).get(URL).status_code == 403
