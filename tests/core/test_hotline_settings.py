"""A coordinator edits hours, holidays, the after-hours message, crisis resources and languages."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import Personas
from xinyuan.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = reverse("hotline-settings", args=["line-a"])


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "甲热线 Line A",
        "time_zone": "Asia/Shanghai",
        "languages": ["zh-hans", "en"],
        "after_hours_message": "<script>alert(1)</script> 明早八点再来",
        "two_factor_roles": ["supervisor"],
        "offer_seconds": "30",
        "max_wait_minutes": "10",
        "counsellor_grace_seconds": "60",
        "seeker_timeout_minutes": "5",
        "intake_fields": ["about", "population", "what_is_happening"],
        "consent_version": "2026-2",
        "consent_text": "本热线保密。",
        "under_14_needs_guardian": "on",
        "quick_exit_url": "https://www.weather.com.cn/",
        "transcript_roles": ["supervisor"],
        "record_roles": ["supervisor", "admin"],
        "export_roles": ["admin"],
        "counsellors_see_history": "on",
        "record_before_next": "on",
        "crisis_ack_seconds": "60",
        "transcript_retention_days": "1095",
        "record_retention_days": "1095",
        "periods-TOTAL_FORMS": "2",
        "periods-INITIAL_FORMS": "0",
        "periods-0-weekday": "0",
        "periods-0-opens": "08:00",
        "periods-0-closes": "20:00",
        "periods-1-weekday": "4",
        "periods-1-opens": "20:00",
        "periods-1-closes": "02:00",
        "holidays-TOTAL_FORMS": "1",
        "holidays-INITIAL_FORMS": "0",
        "holidays-0-date": "2027-02-06",
        "holidays-0-name": "春节",
        "resources-TOTAL_FORMS": "2",
        "resources-INITIAL_FORMS": "0",
        "resources-0-name": "急救",
        "resources-0-number": "120",
        "resources-0-when_to_use": "生命危险",
        "resources-1-name": "",
        "resources-1-number": "",
        "resources-1-when_to_use": "",
    }
    data.update(overrides)
    return data


def test_coordinator_saves_the_settings(personas: Personas) -> None:
    client = personas.client_for(personas.coordinator)
    response = client.post(URL, form_data(), follow=True)
    assert response.status_code == 200
    hotline = personas.hotline_a
    hotline.refresh_from_db()
    assert hotline.two_factor_roles == ["supervisor"]
    assert hotline.intake_fields == ["about", "population", "what_is_happening"]
    assert hotline.consent_version == "2026-2"
    assert [(p.weekday, p.opens, p.closes) for p in hotline.opening_periods.all()] == [
        (0, time(8), time(20)),
        (4, time(20), time(2)),
    ]
    assert [h.name for h in hotline.holidays.all()] == ["春节"]
    assert [(r.name, r.number) for r in hotline.crisis_resources.all()] == [("急救", "120")]
    event = AuditEvent.objects.get(action="hotline.settings_changed")
    assert event.actor == personas.coordinator and event.hotline == hotline
    # The page shows what was saved, escaped.
    page = client.get(URL).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_bad_input_saves_nothing_and_says_what_is_wrong(personas: Personas) -> None:
    client = personas.client_for(personas.coordinator)
    response = client.post(URL, form_data(**{"resources-0-number": "call me", "time_zone": "Mars/Olympus"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Mars/Olympus" in page  # the field keeps what was typed
    assert "不是已知的时区" in page
    assert "只能使用数字" in page
    hotline = personas.hotline_a
    hotline.refresh_from_db()
    assert hotline.time_zone == "Asia/Shanghai"
    assert not hotline.crisis_resources.exists()
    assert not AuditEvent.objects.filter(action="hotline.settings_changed").exists()


def test_a_holiday_date_twice_is_refused(personas: Personas) -> None:
    client = personas.client_for(personas.coordinator)
    data = form_data(
        **{"holidays-TOTAL_FORMS": "2", "holidays-1-date": "2027-02-06", "holidays-1-name": "again"}
    )
    response = client.post(URL, data)
    assert response.status_code == 400
    assert not personas.hotline_a.holidays.exists()


def test_the_settings_page_gives_the_partner_embed_snippet(personas: Personas) -> None:
    page = personas.client_for(personas.coordinator).get(URL).content.decode()
    assert "&lt;iframe src=&quot;http://testserver/h/line-a/?source=PLATFORM&quot;" in page


def test_the_offer_time_cannot_be_set_below_ten_seconds(personas: Personas) -> None:
    response = personas.client_for(personas.coordinator).post(URL, form_data(offer_seconds="3"))
    assert response.status_code == 400
