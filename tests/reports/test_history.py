"""The demo history: realistic in shape, the same every time, and added once."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import Personas
from xinyuan.contacts.models import Contact, State
from xinyuan.reports import history, metrics
from xinyuan.reports.models import SurveyResponse
from xinyuan.risk.models import Escalation
from xinyuan.scheduling.models import DutyPeriod

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, tzinfo=ZoneInfo("Asia/Shanghai"))


def summary_of(personas: Personas) -> list[tuple[object, ...]]:
    return sorted(
        (c.queued_at, c.channel, c.risk_level, c.state, c.answered_at, c.source)
        for c in Contact.objects.filter(hotline=personas.hotline_a)
    )


def test_history_has_the_promised_shape(personas: Personas) -> None:
    made = history.generate(personas.hotline_a, 14, now=NOW)
    contacts = Contact.objects.filter(hotline=personas.hotline_a)
    assert contacts.count() == made.contacts > 14 * 20
    assert made.answered + made.abandoned == made.contacts
    assert contacts.filter(state=State.CLOSED).count() == made.answered == made.records
    assert SurveyResponse.objects.count() == made.surveys > 0
    assert Escalation.objects.filter(hotline=personas.hotline_a).count() == made.escalations > 0
    assert DutyPeriod.objects.count() == made.duty_periods > 0
    # Every contact arrived in the 14 days before today (local), and created_at follows it.
    first = datetime(2026, 2, 24, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert not contacts.filter(queued_at__lt=first).exists()
    assert not contacts.filter(queued_at__gte=first + timedelta(days=14)).exists()
    assert all(c.created_at == c.queued_at for c in contacts[:50])
    # Evenings and nights are busier than mornings.
    scope = metrics.Scope(
        metrics.Filters(personas.hotline_a, first.date(), (first + timedelta(days=13)).date())
    )
    hours = metrics.by_hour(scope)
    assert hours["21"] > 2 * hours["5"] and hours["22"] > hours["10"]
    # The figures look like a hotline's: most are answered, most are satisfied.
    assert 0.7 < (metrics.answer_rate(scope) or 0) < 0.99
    assert 0.7 < (metrics.satisfaction(scope)["rate"] or 0) <= 1


def test_history_is_deterministic(personas: Personas) -> None:
    history.generate(personas.hotline_a, 5, now=NOW)
    first = summary_of(personas)
    Escalation.objects.all().delete()
    Contact.objects.filter(hotline=personas.hotline_a).delete()
    history.generate(personas.hotline_a, 5, now=NOW)
    assert summary_of(personas) == first


def test_the_demo_command_adds_history_once(db: None) -> None:
    out = StringIO()
    call_command("demo", "--history", "3", stdout=out)
    assert "History:" in out.getvalue() and Contact.objects.filter(hotline__slug="demo").exists()
    with pytest.raises(CommandError, match="already has past contacts"):
        call_command("demo", "--history", "3", stdout=StringIO())
    with pytest.raises(CommandError, match="already loaded"):
        call_command("demo", stdout=StringIO())
