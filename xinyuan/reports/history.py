"""Made-up past contacts for the demo hotline (`xinyuan demo --history 90`), so the dashboards and
the staffing forecast have something to show.

Deterministic: the same `days`, `seed` and `now` give the same history. Fast: rows are written with
bulk_create, no messages (no transcripts), no audit events (nothing happened to real people).
Arrivals peak in the evening and at night; higher risk waits less; long waits are abandoned more.
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from xinyuan.contacts.models import Channel, Contact, RiskLevel, Seeker, State
from xinyuan.core import hours
from xinyuan.core.models import Hotline, Membership, User
from xinyuan.core.roles import Role
from xinyuan.records.models import CallType, ContactRecord, Intervention, IssueCategory
from xinyuan.reports.models import SurveyResponse
from xinyuan.risk.models import Escalation, EscalationState, EscalationStep, Stage, StepKind

# Relative arrivals per local hour 0–23: quiet mornings, a rise after work, the peak 20:00–01:00.
HOUR_WEIGHTS = (6, 4, 3, 2, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 6, 6, 7, 8, 10, 12, 13, 13, 10)
# Weekends a little busier.
WEEKDAY_FACTOR = (1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 1.15)
RISKS = ((RiskLevel.NONE, 66), (RiskLevel.ELEVATED, 20), (RiskLevel.HIGH, 10), (RiskLevel.IMMINENT, 4))
CHANNELS = ((Channel.CHAT, 78), (Channel.VOICE, 17), (Channel.VIDEO, 5))
SOURCES = (("", 30), ("wechat", 35), ("weibo", 10), ("campus-app", 15), ("partner-app", 10))
GENDERS = (("female", 55), ("male", 35), ("other", 3), ("unsaid", 7), ("", 10))
AGES = (("under_14", 3), ("14_17", 14), ("18_24", 30), ("25_44", 32), ("45_64", 12), ("65_plus", 4), ("", 10))
REGIONS = (("湖北", 18), ("北京", 12), ("上海", 10), ("广东", 14), ("四川", 8), ("浙江", 8), ("", 30))
POPULATIONS = (
    ("student", 28),
    ("parent", 14),
    ("medical_worker", 10),
    ("quarantined", 10),
    ("patient_family", 8),
    ("worker", 18),
    ("elderly", 6),
    ("other", 6),
)
CATEGORY_WEIGHTS = {
    "epidemic_anxiety": 14,
    "family": 12,
    "online_classes": 6,
    "study_stress": 10,
    "work_stress": 9,
    "relationships": 9,
    "grief": 4,
    "sleep": 8,
    "psychiatric_diagnosis": 4,
    "medical_burnout": 4,
    "loneliness": 5,
    "money": 5,
    "self_harm_suicide": 2,
}
# Mean seconds before an answer, by risk level (higher risk is routed first).
MEAN_WAIT = {RiskLevel.NONE: 75, RiskLevel.ELEVATED: 55, RiskLevel.HIGH: 25, RiskLevel.IMMINENT: 10}


@dataclass(frozen=True)
class Generated:
    contacts: int
    answered: int
    abandoned: int
    records: int
    surveys: int
    escalations: int
    duty_periods: int


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    values = [value for value, _weight in weighted]
    return rng.choices(values, weights=[weight for _value, weight in weighted])[0]


def _counsellors(hotline: Hotline) -> list[Membership]:
    return list(
        Membership.objects.filter(
            hotline=hotline, is_active=True, role_grants__role__in=[Role.COUNSELLOR, Role.TEAM_LEAD]
        )
        .select_related("user")
        .distinct()
        .order_by("pk")
    )


def has_history(hotline: Hotline, now: datetime) -> bool:
    """Contacts that arrived before today mean history is there already."""
    today = hours.local_date(now, hotline.time_zone)
    start, _end = hours.local_day_range(today, today, hotline.time_zone)
    return Contact.objects.filter(hotline=hotline, queued_at__lt=start).exists()


@transaction.atomic
def generate(
    hotline: Hotline, days: int = 90, *, seed: int = 2020, now: datetime | None = None, per_day: int = 36
) -> Generated:
    """Write `days` days of past contacts ending yesterday (local time) for `hotline`."""
    now = now or timezone.now()
    rng = random.Random(f"{seed}:{hotline.slug}:{days}")
    zone = ZoneInfo(hotline.time_zone)
    counsellors = _counsellors(hotline)
    if not counsellors:
        raise ValueError("the hotline needs counsellors before it can have history")
    categories = {c.key: c for c in IssueCategory.objects.filter(hotline=hotline, active=True)}
    category_weights = tuple((key, CATEGORY_WEIGHTS.get(key, 3)) for key in categories)
    responders = list(
        User.objects.filter(
            memberships__hotline=hotline,
            memberships__role_grants__role__in=[Role.SUPERVISOR, Role.CRISIS_RESPONDER],
        ).distinct()
    ) or [m.user for m in counsellors]
    today = now.astimezone(zone).date()
    # Every token hash is fresh per run: a second hotline or a re-run never collides.
    salt = uuid.uuid4().hex

    seekers: list[Seeker] = []
    contacts: list[Contact] = []
    plans: list[dict[str, Any]] = []
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        expected = per_day * WEEKDAY_FACTOR[day.weekday()] * rng.uniform(0.85, 1.15)
        total = sum(HOUR_WEIGHTS)
        for hour, weight in enumerate(HOUR_WEIGHTS):
            arrivals = _poisson(rng, expected * weight / total)
            for _n in range(arrivals):
                queued_at = datetime.combine(day, time(hour), zone) + timedelta(seconds=rng.randrange(3600))
                plan = _plan(rng, queued_at, hour, weight)
                seeker = Seeker(
                    hotline=hotline,
                    token_hash=hashlib.sha256(f"{salt}:{len(seekers)}".encode()).hexdigest(),
                )
                seekers.append(seeker)
                counsellor = rng.choice(counsellors).user if plan["answered_at"] else None
                contacts.append(
                    Contact(
                        id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        hotline=hotline,
                        seeker=seeker,
                        channel=_pick(rng, CHANNELS),
                        state=State.CLOSED if plan["answered_at"] else State.ABANDONED,
                        language="zh-hans" if rng.random() < 0.9 else "en",
                        source=_pick(rng, SOURCES),
                        risk_level=plan["risk"],
                        intake=_intake(rng),
                        consent_version=hotline.consent_version,
                        sensitive_consent=True,
                        counsellor=counsellor,
                        queued_at=queued_at,
                        priority_at=queued_at,
                        seeker_seen_at=plan["ended_at"],
                        offered_at=plan["answered_at"],
                        answered_at=plan["answered_at"],
                        first_response_at=plan["first_response_at"],
                        ended_at=plan["ended_at"],
                        wrapped_up_at=plan["wrapped_up_at"],
                        abandoned_at=plan["abandoned_at"],
                        ended_by="seeker" if plan["answered_at"] else "timeout",
                    )
                )
                plans.append(plan)
    Seeker.objects.bulk_create(seekers, batch_size=1000)
    for contact, seeker in zip(contacts, seekers, strict=True):
        contact.seeker = seeker
    Contact.objects.bulk_create(contacts, batch_size=500)
    # created_at is auto_now_add, which bulk_create fills with now: set the arrival time instead.
    for contact, plan in zip(contacts, plans, strict=True):
        contact.created_at = plan["queued_at"]
    Contact.objects.bulk_update(contacts, ["created_at"], batch_size=500)

    records, surveys, escalations = _records_surveys_escalations(
        rng, contacts, plans, category_weights, categories, responders
    )
    periods = _duty_periods(rng, hotline, counsellors, today, days, zone)
    return Generated(
        contacts=len(contacts),
        answered=sum(1 for c in contacts if c.answered_at),
        abandoned=sum(1 for c in contacts if c.abandoned_at),
        records=records,
        surveys=surveys,
        escalations=escalations,
        duty_periods=periods,
    )


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method; fine for the small means of one hour."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _plan(rng: random.Random, queued_at: datetime, hour: int, weight: int) -> dict[str, Any]:
    risk = _pick(rng, RISKS)
    # Busy hours wait longer.
    wait = rng.expovariate(1 / (MEAN_WAIT[risk] * (0.6 + weight / 10)))
    patience = rng.expovariate(1 / 420) + (600 if risk in (RiskLevel.HIGH, RiskLevel.IMMINENT) else 20)
    plan: dict[str, Any] = {
        "queued_at": queued_at,
        "risk": risk,
        "answered_at": None,
        "first_response_at": None,
        "ended_at": None,
        "wrapped_up_at": None,
        "abandoned_at": None,
    }
    if wait > patience:
        plan["abandoned_at"] = plan["ended_at"] = queued_at + timedelta(seconds=round(patience))
        return plan
    answered_at = queued_at + timedelta(seconds=round(wait))
    talk = rng.uniform(10, 45) * 60 * (1.5 if risk in (RiskLevel.HIGH, RiskLevel.IMMINENT) else 1)
    ended_at = answered_at + timedelta(seconds=round(talk))
    plan.update(
        answered_at=answered_at,
        first_response_at=answered_at + timedelta(seconds=rng.randint(5, 90)),
        ended_at=ended_at,
        wrapped_up_at=ended_at + timedelta(seconds=rng.randint(60, 600)),
    )
    return plan


def _intake(rng: random.Random) -> dict[str, str]:
    values = {
        "about": "self" if rng.random() < 0.85 else "other",
        "gender": _pick(rng, GENDERS),
        "age_band": _pick(rng, AGES),
        "region": _pick(rng, REGIONS),
        "population": _pick(rng, POPULATIONS),
    }
    return {key: value for key, value in values.items() if value}


def _records_surveys_escalations(
    rng: random.Random,
    contacts: list[Contact],
    plans: list[dict[str, Any]],
    category_weights: tuple[tuple[str, int], ...],
    categories: dict[str, IssueCategory],
    responders: list[User],
) -> tuple[int, int, int]:
    records: list[ContactRecord] = []
    chosen: list[list[str]] = []
    surveys: list[SurveyResponse] = []
    crises: list[tuple[Escalation, list[str]]] = []
    raised: dict[int, datetime] = {}
    for contact, plan in zip(contacts, plans, strict=True):
        if not contact.answered_at or contact.counsellor is None:
            continue
        risk = plan["risk"]
        call_type = (
            CallType.SUICIDE_RISK if risk in (RiskLevel.HIGH, RiskLevel.IMMINENT) else CallType.COUNSELLING
        )
        keys: list[str] = []
        if category_weights:
            keys = sorted({_pick(rng, category_weights) for _n in range(rng.choice((1, 1, 2, 2, 3)))})
            if call_type == CallType.SUICIDE_RISK and "self_harm_suicide" in categories:
                keys = sorted({*keys, "self_harm_suicide"})
        interventions = [Intervention.LISTENING] + (
            [Intervention.CRISIS] if call_type == CallType.SUICIDE_RISK else []
        )
        if rng.random() < 0.2:
            interventions.append(Intervention.REFERRAL)
        records.append(
            ContactRecord(
                contact=contact,
                call_type=call_type,
                population=contact.intake.get("population", ""),
                final_risk_level=risk,
                interventions=[str(i) for i in interventions],
                follow_up_needed=risk != RiskLevel.NONE and rng.random() < 0.5,
                author=contact.counsellor,
            )
        )
        chosen.append(keys)
        if rng.random() < 0.42:
            # Seeds: about 86% satisfied.
            rating = _pick(rng, ((5, 55), (4, 31), (3, 8), (2, 4), (1, 2)))
            surveys.append(
                SurveyResponse(
                    contact=contact,
                    rating=rating,
                    helpful=None if rng.random() < 0.1 else rating >= 3,
                    change=_pick(rng, (("better", 62), ("same", 28), ("worse", 4), ("", 6))),
                    language=contact.language,
                    created_at=plan["ended_at"] + timedelta(seconds=rng.randint(20, 300)),
                )
            )
        if risk == RiskLevel.IMMINENT or (risk == RiskLevel.HIGH and rng.random() < 0.2):
            escalation, kinds = _escalation(rng, contact, plan, responders)
            crises.append((escalation, kinds))
            raised[id(escalation)] = plan["raised_at"]
    ContactRecord.objects.bulk_create(records, batch_size=500)
    through = ContactRecord.categories.through
    links = [
        through(contactrecord_id=record.pk, issuecategory_id=categories[key].pk)
        for record, keys in zip(records, chosen, strict=True)
        for key in keys
    ]
    through.objects.bulk_create(links, batch_size=1000)
    SurveyResponse.objects.bulk_create(surveys, batch_size=500)
    escalations = [escalation for escalation, _kinds in crises]
    Escalation.objects.bulk_create(escalations, batch_size=500)
    for escalation, _kinds in crises:
        # raised_at is auto_now_add, so bulk_create wrote now: put back the moment it was raised.
        escalation.raised_at = raised[id(escalation)]
    Escalation.objects.bulk_update(escalations, ["raised_at"], batch_size=500)
    steps = []
    for escalation, kinds in crises:
        actor = escalation.acknowledged_by
        assert actor is not None and escalation.acknowledged_at is not None
        for index, kind in enumerate(kinds):
            steps.append(EscalationStep(escalation=escalation, kind=kind, actor=actor, team=""))
            steps[-1].at = escalation.acknowledged_at + timedelta(minutes=index * 4)
    EscalationStep.objects.bulk_create(steps, batch_size=500)
    EscalationStep.objects.bulk_update(steps, ["at"], batch_size=500)
    return len(records), len(surveys), len(escalations)


def _escalation(
    rng: random.Random, contact: Contact, plan: dict[str, Any], responders: list[User]
) -> tuple[Escalation, list[str]]:
    raised_at = plan["answered_at"] + timedelta(seconds=rng.randint(30, 600))
    plan["raised_at"] = raised_at
    acknowledged_at = raised_at + timedelta(seconds=rng.randint(5, 90))
    responder = rng.choice(responders)
    kinds = [str(StepKind.ACKNOWLEDGED)]
    kinds += [
        str(kind)
        for kind, chance in (
            (StepKind.GUARDIAN_CONTACTED, 0.35),
            (StepKind.CALLED_120, 0.15),
            (StepKind.CALLED_110, 0.1),
            (StepKind.TEAM_DISPATCHED, 0.1),
            (StepKind.LOCATION_SHARED, 0.1),
        )
        if rng.random() < chance
    ]
    kinds.append(str(StepKind.RESOLVED))
    escalation = Escalation(
        hotline_id=contact.hotline_id,
        contact=contact,
        reason="demo history",
        state=EscalationState.RESOLVED,
        stage=Stage.SUPERVISORS_ON_DUTY,
        acknowledged_by=responder,
        acknowledged_at=acknowledged_at,
        resolved_at=acknowledged_at + timedelta(minutes=len(kinds) * 4),
        outcome="demo",
    )
    return escalation, kinds


def _duty_periods(
    rng: random.Random, hotline: Hotline, counsellors: list[Membership], today: Any, days: int, zone: ZoneInfo
) -> int:
    """Evening and night shifts, if the scheduling app records duty periods."""
    try:
        model = apps.get_model("scheduling", "DutyPeriod")
    except LookupError:
        return 0
    periods = []
    shifts = ((time(8), 5), (time(13), 5), (time(18), 6), (time(0), 4))
    for back in range(days, 0, -1):
        day = today - timedelta(days=back)
        for index, (start, length) in enumerate(shifts):
            for membership in counsellors:
                if (membership.pk + index + back) % len(shifts) and rng.random() < 0.6:
                    continue
                started_at = datetime.combine(day, start, zone) + timedelta(minutes=rng.randint(-10, 10))
                periods.append(
                    model(
                        membership=membership,
                        started_at=started_at,
                        ended_at=started_at + timedelta(hours=length, minutes=rng.randint(-15, 15)),
                    )
                )
    model.objects.bulk_create(periods, batch_size=1000)
    return len(periods)


def load_demo_history(days: int, *, now: datetime | None = None) -> str:
    """History for the demo hotline, once: a demo that already has past contacts is left alone."""
    from xinyuan.core.demo import DEMO_SLUG

    if not 1 <= days <= 730:
        raise ValueError("--history takes 1 to 730 days.")
    now = now or timezone.now()
    hotline = Hotline.objects.get(slug=DEMO_SLUG)
    if has_history(hotline, now):
        raise ValueError("The demo hotline already has past contacts; history is added only once.")
    made = generate(hotline, days, now=now)
    return (
        f"History: {made.contacts} contacts over {days} days ({made.answered} answered, {made.abandoned} "
        f"abandoned), {made.records} records, {made.surveys} survey answers, {made.escalations} crisis "
        f"escalations, {made.duty_periods} duty periods."
    )
