"""A small dataset whose every metric is worked out by hand in test_metrics.py.

Monday 2 March 2026 in hotline A (Asia/Shanghai):

- c1 09:00 chat, wechat, none: answered after 30 s, first reply 40 s later, ended 20 min later,
  record 5 min after that.
- c2 09:30 chat, weibo, high, counsellor2: answered after 90 s, first reply 10 s later, ended
  30 min later, no record yet.
- c3 21:00 voice, none: abandoned after 120 s.
- c4 21:10 chat, elevated, a call-back: answered after an hour, ended 10 min later, record 2 min
  after that.
- c5 23:59:30 chat, imminent: answered after 10 s, ended 15 min later, record at once; a crisis
  acknowledged in 20 s, with an ambulance called.
- c7 10:00 chat, elevated: still waiting.

Outside the day: c6 on Tuesday 00:00:30, and one contact of hotline B on Monday.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import Personas
from xinyuan.contacts.models import Contact, RiskLevel, Seeker, State
from xinyuan.core.models import Hotline, User
from xinyuan.records.actions import ensure_categories
from xinyuan.records.models import CallType, ContactRecord, IssueCategory
from xinyuan.reports.models import SurveyResponse
from xinyuan.risk.models import Escalation, EscalationState, EscalationStep, StepKind

ZONE = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=ZONE)


def contact(hotline: Hotline, queued_at: datetime, **fields: Any) -> Contact:
    seeker = Seeker.objects.create(hotline=hotline, token_hash=secrets.token_hex(32))
    fields.setdefault("state", State.CLOSED if fields.get("answered_at") else State.QUEUED)
    return Contact.objects.create(hotline=hotline, seeker=seeker, queued_at=queued_at, **fields)


def record(c: Contact, author: User, final: str, population: str, *keys: str) -> ContactRecord:
    made = ContactRecord.objects.create(
        contact=c,
        call_type=CallType.COUNSELLING,
        final_risk_level=final,
        population=population,
        author=author,
    )
    made.categories.set(IssueCategory.objects.filter(hotline_id=c.hotline_id, key__in=keys))
    return made


def survey(c: Contact, rating: int, helpful: bool | None, change: str, comment: str = "") -> SurveyResponse:
    return SurveyResponse.objects.create(
        contact=c, rating=rating, helpful=helpful, change=change, comment=comment
    )


@dataclass
class Known:
    c1: Contact
    c2: Contact
    c3: Contact
    c4: Contact
    c5: Contact
    c6: Contact
    c7: Contact


def build(personas: Personas) -> Known:
    line = personas.hotline_a
    ensure_categories(line)
    a, a2 = personas.counsellor, personas.counsellor2
    t1 = local(2, 9)
    c1 = contact(
        line,
        t1,
        source="wechat",
        counsellor=a,
        answered_at=t1 + timedelta(seconds=30),
        first_response_at=t1 + timedelta(seconds=70),
        ended_at=t1 + timedelta(seconds=30, minutes=20),
        wrapped_up_at=t1 + timedelta(seconds=30, minutes=25),
        intake={"gender": "female", "age_band": "18_24", "region": "湖北"},
    )
    t2 = local(2, 9, 30)
    c2 = contact(
        line,
        t2,
        source="weibo",
        risk_level=RiskLevel.HIGH,
        counsellor=a2,
        answered_at=t2 + timedelta(seconds=90),
        first_response_at=t2 + timedelta(seconds=100),
        ended_at=t2 + timedelta(seconds=90, minutes=30),
        state=State.WRAP_UP,
        intake={"gender": "male", "age_band": "14_17", "region": " 北京 "},
    )
    t3 = local(2, 21)
    c3 = contact(
        line,
        t3,
        channel="voice",
        abandoned_at=t3 + timedelta(seconds=120),
        ended_at=t3 + timedelta(seconds=120),
        state=State.ABANDONED,
    )
    t4 = local(2, 21, 10)
    c4 = contact(
        line,
        t4,
        callback=True,
        risk_level=RiskLevel.ELEVATED,
        counsellor=a,
        answered_at=t4 + timedelta(hours=1),
        ended_at=t4 + timedelta(hours=1, minutes=10),
        wrapped_up_at=t4 + timedelta(hours=1, minutes=12),
    )
    t5 = local(2, 23, 59, 30)
    c5 = contact(
        line,
        t5,
        risk_level=RiskLevel.IMMINENT,
        counsellor=a,
        answered_at=t5 + timedelta(seconds=10),
        ended_at=t5 + timedelta(seconds=10, minutes=15),
        wrapped_up_at=t5 + timedelta(seconds=10, minutes=15),
    )
    c6 = contact(line, local(3, 0, 0, 30), counsellor=a, answered_at=local(3, 0, 1))
    c7 = contact(line, local(2, 10), risk_level=RiskLevel.ELEVATED)
    contact(personas.hotline_b, local(2, 12))

    record(c1, a, RiskLevel.ELEVATED, "student", "family")
    record(c4, a, RiskLevel.NONE, "", "family", "sleep")
    record(c5, a, RiskLevel.IMMINENT, "medical_worker", "self_harm_suicide")
    record(c6, a, RiskLevel.NONE, "student", "grief")

    survey(c1, 5, True, "better", "谢谢你")
    survey(c2, 2, False, "same", "not for me")
    survey(c4, 4, None, "")
    survey(c6, 1, False, "worse")

    escalation = Escalation.objects.create(
        hotline=line,
        contact=c5,
        state=EscalationState.RESOLVED,
        acknowledged_by=personas.supervisor,
        resolved_at=t5 + timedelta(minutes=20),
    )
    Escalation.objects.filter(pk=escalation.pk).update(
        raised_at=t5 + timedelta(seconds=40), acknowledged_at=t5 + timedelta(seconds=60)
    )
    for kind in (StepKind.ACKNOWLEDGED, StepKind.CALLED_120, StepKind.CALLED_120, StepKind.RESOLVED):
        EscalationStep.objects.create(escalation=escalation, kind=kind, actor=personas.supervisor)
    return Known(c1, c2, c3, c4, c5, c6, c7)
