"""Report pages as staff see them: who may open them, what they show, and the exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.conftest import Personas
from tests.factories import english
from tests.reports import dataset
from xinyuan.core.models import AuditEvent

pytestmark = pytest.mark.django_db
MONDAY = "since=2026-03-02&until=2026-03-02"


def test_anonymous_visitors_are_sent_to_sign_in(personas: Personas) -> None:
    for url in (
        "/staff/line-a/reports/",
        "/staff/line-a/reports/brief/",
        "/staff/line-a/reports/my-satisfaction/",
    ):
        response = Client().get(url)
        assert response.status_code == 302 and "/signin/" in response["Location"]


def test_outsiders_get_404_and_counsellors_403(personas: Personas) -> None:
    outsider = personas.client_for(personas.outsider)
    for url in (
        "/staff/line-a/reports/",
        "/staff/line-a/reports/?format=csv",
        "/staff/line-a/reports/brief/",
    ):
        assert outsider.get(url).status_code == 404
        assert personas.client_for(personas.counsellor).get(url).status_code == 403
    assert outsider.get("/staff/line-a/reports/my-satisfaction/").status_code == 404
    assert (
        personas.client_for(personas.coordinator).get("/staff/line-a/reports/my-satisfaction/").status_code
        == 403
    )


def test_the_dashboard_shows_the_figures_with_charts_and_tables(personas: Personas) -> None:
    dataset.build(personas)
    for user in (personas.coordinator, personas.supervisor):
        page = english(personas.client_for(user)).get(f"/staff/line-a/reports/?{MONDAY}")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Contacts offered</th><td>6</td>" in html
        assert "Satisfaction rate (4 or 5 of 5)</th><td>66.7%</td>" in html
        assert 'id="chart-by_hour"' in html and 'id="report-charts"' in html
        assert "vendor/echarts/dist/echarts.min.js" in html and "<script>" not in html


def test_bad_filters_say_why_and_fall_back(personas: Personas) -> None:
    client = english(personas.client_for(personas.coordinator))
    page = client.get("/staff/line-a/reports/?since=2026-03-05&until=2026-03-01")
    assert page.status_code == 200
    assert "The start date must not be after the end date." in page.content.decode()


def test_a_counsellor_sees_only_their_own_ratings(personas: Personas) -> None:
    dataset.build(personas)
    client = english(personas.client_for(personas.counsellor2))
    html = client.get(f"/staff/line-a/reports/my-satisfaction/?{MONDAY}").content.decode()
    # counsellor2's one answer (c2: rated 2, "not for me"); not counsellor's 5 and 4 nor their comment.
    assert "Survey answers</th><td>1</td>" in html
    assert "Satisfaction rate (4 or 5 of 5)</th><td>0.0%</td>" in html
    assert "not for me" in html and "谢谢你" not in html
    assert str(personas.counsellor) not in html
    assert AuditEvent.objects.filter(action="survey.comments_viewed", actor=personas.counsellor2).exists()
    mine = english(personas.client_for(personas.counsellor)).get(
        f"/staff/line-a/reports/my-satisfaction/?{MONDAY}"
    )
    assert "谢谢你" in mine.content.decode() and "not for me" not in mine.content.decode()


def test_csv_export_carries_the_figures_and_is_audited(personas: Personas) -> None:
    dataset.build(personas)
    client = english(personas.client_for(personas.coordinator))
    response = client.get(f"/staff/line-a/reports/?{MONDAY}&channel=chat&format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["Channel", "chat"] in rows
    assert ["Contacts offered", "5"] in rows  # c1 c2 c4 c5 c7
    assert ["Average speed of answer (s)", "43"] in rows  # c1 30, c2 90, c5 10
    assert ["wechat", "1", "20.0"] in rows  # source wechat: 1 of 5, as a percentage
    event = AuditEvent.objects.get(action="reports.exported")
    assert event.actor == personas.coordinator and event.details["format"] == "csv"
    assert event.details["channel"] == "chat"


def test_excel_export_has_a_sheet_per_figure(personas: Personas) -> None:
    dataset.build(personas)
    client = english(personas.client_for(personas.supervisor))
    response = client.get(f"/staff/line-a/reports/?{MONDAY}&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert {"info", "summary", "by_hour", "ratings", "satisfaction_counsellor"} <= set(book.sheetnames)
    ratings = [list(row) for row in book["ratings"].iter_rows(values_only=True)]
    assert ratings[1] == ["Rating", "Answers"]
    assert ["5", 1] in ratings and ["2", 1] in ratings
    by_counsellor = [list(row) for row in book["satisfaction_counsellor"].iter_rows(values_only=True)]
    assert [str(personas.counsellor), 2, 100.0] in by_counsellor
    assert AuditEvent.objects.filter(action="reports.exported", details__format="xlsx").count() == 1


def test_the_weekly_brief_compares_with_the_week_before(personas: Personas) -> None:
    dataset.build(personas)
    client = english(personas.client_for(personas.coordinator))
    html = client.get("/staff/line-a/reports/brief/?week=2026-03-04").content.decode()
    assert "2026-03-02 – 2026-03-08" in html
    assert "Contacts offered</th><td>7</td><td>0</td>" in html  # Monday's six and Tuesday's c6
    assert 'id="chart-by_category"' in html and "reports/reports.css" in html


def test_staff_home_links_the_reports_by_role(personas: Personas) -> None:
    coordinator = personas.client_for(personas.coordinator).get("/staff/line-a/").content.decode()
    counsellor = personas.client_for(personas.counsellor).get("/staff/line-a/").content.decode()
    assert 'data-place="reports"' in coordinator and "/staff/line-a/reports/" in coordinator
    assert 'data-place="reports"' not in counsellor
    assert 'data-place="my-satisfaction"' in counsellor
