"""Crisis escalations: raised by a counsellor or by the engine at `imminent`, alerted to ever more
people until someone acknowledges, then every step recorded. Audit-logged throughout."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from xinyuan.contacts import events
from xinyuan.contacts.actions import ContactError
from xinyuan.contacts.models import Contact, CounsellorState, RiskLevel, State, Status
from xinyuan.core import audit
from xinyuan.core.models import Membership, User
from xinyuan.core.roles import Role
from xinyuan.risk import instruments
from xinyuan.risk.models import (
    SAFETY_PLAN_SECTIONS,
    Assessment,
    Escalation,
    EscalationState,
    EscalationStep,
    FollowUp,
    SafetyPlan,
    Stage,
    StepKind,
)

RESPONDER_ROLES = (Role.SUPERVISOR, Role.CRISIS_RESPONDER)
# Call-back due after a high or imminent contact ends.
FOLLOW_UP_AFTER = {RiskLevel.HIGH: timedelta(hours=24), RiskLevel.IMMINENT: timedelta(hours=4)}
TEAM_STATUS = {
    StepKind.TEAM_DISPATCHED: "en_route",
    StepKind.TEAM_ARRIVED: "arrived",
    StepKind.TEAM_RESOLVED: "resolved",
}


def _audience(escalation: Escalation, stage: int) -> list[int]:
    """User ids to alert at `stage`."""
    members = Membership.objects.filter(hotline_id=escalation.hotline_id, is_active=True)
    if stage == Stage.SUPERVISORS_ON_DUTY:
        return list(
            CounsellorState.objects.filter(
                membership__in=members.filter(role_grants__role=Role.SUPERVISOR),
                status=Status.ON_DUTY,
                disconnected_at__isnull=True,
            ).values_list("membership__user_id", flat=True)
        )
    roles = [Role.SUPERVISOR] if stage == Stage.ALL_SUPERVISORS else list(RESPONDER_ROLES)
    return sorted(set(members.filter(role_grants__role__in=roles).values_list("user_id", flat=True)))


def alert_data(escalation: Escalation) -> dict[str, Any]:
    contact = escalation.contact
    return {
        "escalation": escalation.pk,
        "contact": str(contact.pk),
        "state": escalation.state,
        "stage": escalation.stage,
        "risk_level": contact.risk_level,
        "risk_evidence": contact.risk_evidence,
        "reason": escalation.reason,
        "raised_at": escalation.raised_at.isoformat(),
        "ack_deadline_at": escalation.ack_deadline_at.isoformat() if escalation.ack_deadline_at else None,
        "acknowledged_by": str(escalation.acknowledged_by) if escalation.acknowledged_by else None,
    }


def _alert(escalation: Escalation) -> None:
    """Alert the current stage's people (widening past empty stages), in real time and by e-mail."""
    users = _audience(escalation, escalation.stage)
    while not users and escalation.stage < Stage.CRISIS_RESPONDERS:
        escalation.stage += 1
        users = _audience(escalation, escalation.stage)
    escalation.alerted = sorted(set(escalation.alerted) | set(users))
    escalation.save(update_fields=["stage", "alerted"])
    data = alert_data(escalation)
    counsellor = escalation.contact.counsellor_id
    for user_id in sorted(set(users) | ({counsellor} if counsellor else set())):
        events.announce(events.member_group(escalation.hotline_id, user_id), {"type": "crisis.alert", **data})
    events.announce(events.crisis_group(escalation.hotline_id), {"type": "crisis.changed", **data})
    if escalation.stage > Stage.SUPERVISORS_ON_DUTY:
        addresses = list(User.objects.filter(pk__in=users).exclude(email="").values_list("email", flat=True))
        if addresses:
            transaction.on_commit(
                lambda: send_mail(
                    _("Crisis waiting for someone to act"),
                    _("A crisis on %(hotline)s has not been acknowledged. Open the crisis board now.")
                    % {"hotline": escalation.hotline.name},
                    None,
                    addresses,
                    fail_silently=True,
                )
            )


@transaction.atomic
def do_raise_crisis(
    contact_id: UUID | str, *, by: User | None, reason: str = "", now: datetime | None = None
) -> Escalation:
    """Raise a crisis on a contact (the open one is returned if there is one already)."""
    now = now or timezone.now()
    contact = Contact.objects.select_for_update().select_related("hotline").get(pk=contact_id)
    existing = Escalation.objects.filter(contact=contact).exclude(state=EscalationState.RESOLVED).first()
    if existing is not None:
        return existing
    escalation = Escalation.objects.create(
        hotline=contact.hotline,
        contact=contact,
        raised_by=by,
        reason=reason[:2000],
        ack_deadline_at=now + timedelta(seconds=contact.hotline.crisis_ack_seconds),
    )
    audit.log(
        "crisis.raised",
        actor=by,
        actor_name="" if by else "triage engine",
        hotline=contact.hotline,
        obj=escalation,
        contact=str(contact.pk),
    )
    _alert(escalation)
    return escalation


def escalate_unacknowledged(now: datetime | None = None) -> int:
    """Worker timer: an alert nobody acknowledged in time goes to more people, again and again."""
    now = now or timezone.now()
    count = 0
    due = Escalation.objects.filter(state=EscalationState.OPEN, ack_deadline_at__lte=now).select_related(
        "hotline", "contact"
    )
    for escalation in due:
        with transaction.atomic():
            next_stage = min(escalation.stage + 1, Stage.CRISIS_RESPONDERS)
            claimed = Escalation.objects.filter(
                pk=escalation.pk, state=EscalationState.OPEN, ack_deadline_at=escalation.ack_deadline_at
            ).update(
                stage=next_stage,
                ack_deadline_at=now + timedelta(seconds=escalation.hotline.crisis_ack_seconds),
            )
            if not claimed:
                continue
            escalation.refresh_from_db()
            audit.log(
                "crisis.escalated",
                actor_name="worker",
                hotline=escalation.hotline,
                obj=escalation,
                stage=next_stage,
            )
            _alert(escalation)
            count += 1
    return count


def _responder(escalation: Escalation, user: User) -> None:
    membership = Membership.objects.filter(
        hotline_id=escalation.hotline_id, user=user, is_active=True
    ).first()
    if membership is None or not membership.has_role(*RESPONDER_ROLES):
        raise ContactError("not_responder", _("Only supervisors and crisis responders can do this."))


@transaction.atomic
def do_acknowledge(escalation_id: int, user: User, *, now: datetime | None = None) -> Escalation:
    now = now or timezone.now()
    escalation = (
        Escalation.objects.select_for_update().select_related("contact", "hotline").get(pk=escalation_id)
    )
    _responder(escalation, user)
    if escalation.state != EscalationState.OPEN:
        raise ContactError(
            "already", _("%(name)s is already handling this crisis.") % {"name": escalation.acknowledged_by}
        )
    escalation.state = EscalationState.ACKNOWLEDGED
    escalation.acknowledged_by = user
    escalation.acknowledged_at = now
    escalation.ack_deadline_at = None
    escalation.save()
    EscalationStep.objects.create(escalation=escalation, kind=StepKind.ACKNOWLEDGED, actor=user)
    audit.log("crisis.acknowledged", actor=user, hotline=escalation.hotline, obj=escalation)
    _announce_change(escalation)
    return escalation


def _announce_change(escalation: Escalation) -> None:
    data = alert_data(escalation)
    counsellor = escalation.contact.counsellor_id
    for user_id in sorted(set(escalation.alerted) | ({counsellor} if counsellor else set())):
        events.announce(events.member_group(escalation.hotline_id, user_id), {"type": "crisis.alert", **data})
    events.announce(events.crisis_group(escalation.hotline_id), {"type": "crisis.changed", **data})


@transaction.atomic
def do_record_step(
    escalation_id: int, user: User, kind: str, *, team: str = "", address: str = "", note: str = ""
) -> EscalationStep:
    escalation = (
        Escalation.objects.select_for_update().select_related("contact", "hotline").get(pk=escalation_id)
    )
    _responder(escalation, user)
    if kind not in StepKind.values or kind in (
        StepKind.ACKNOWLEDGED,
        StepKind.RESOLVED,
        StepKind.IDENTIFIERS_OPENED,
    ):
        raise ContactError("bad_step", _("Unknown step."))
    if kind == StepKind.TEAM_DISPATCHED and not (team.strip() and address.strip()):
        raise ContactError("team", _("Say which team goes, and to which address."))
    if kind == StepKind.LOCATION_SHARED and not address.strip():
        raise ContactError("location", _("Write the location the seeker shared."))
    if escalation.state == EscalationState.OPEN:
        # Acting on it is acknowledging it: stop alerting others.
        escalation.state = EscalationState.ACKNOWLEDGED
        escalation.acknowledged_by = user
        escalation.acknowledged_at = timezone.now()
        escalation.ack_deadline_at = None
    if kind in TEAM_STATUS:
        escalation.team_status = TEAM_STATUS[StepKind(kind)]
    escalation.save()
    step = EscalationStep.objects.create(
        escalation=escalation,
        kind=kind,
        actor=user,
        team=team.strip()[:80],
        address=address.strip()[:500],
        note=note.strip()[:2000],
    )
    audit.log("crisis.step", actor=user, hotline=escalation.hotline, obj=escalation, step=kind)
    _announce_change(escalation)
    return step


@transaction.atomic
def do_resolve(escalation_id: int, user: User, *, outcome: str, now: datetime | None = None) -> Escalation:
    escalation = (
        Escalation.objects.select_for_update().select_related("contact", "hotline").get(pk=escalation_id)
    )
    _responder(escalation, user)
    if not outcome.strip():
        raise ContactError("outcome", _("Write the outcome before closing the crisis."))
    escalation.state = EscalationState.RESOLVED
    escalation.resolved_at = now or timezone.now()
    escalation.ack_deadline_at = None
    escalation.outcome = outcome.strip()[:5000]
    if escalation.acknowledged_by is None:
        escalation.acknowledged_by, escalation.acknowledged_at = user, escalation.resolved_at
    escalation.save()
    EscalationStep.objects.create(escalation=escalation, kind=StepKind.RESOLVED, actor=user)
    audit.log("crisis.resolved", actor=user, hotline=escalation.hotline, obj=escalation)
    _announce_change(escalation)
    return escalation


@transaction.atomic
def do_open_identifiers(escalation_id: int, user: User, *, reason: str) -> dict[str, str]:
    """In an emergency a responder may see the identifiers the seeker left (PIPL art. 13), with a
    reason, audited."""
    escalation = Escalation.objects.select_related("contact", "hotline").get(pk=escalation_id)
    _responder(escalation, user)
    if len(reason.strip()) < 5:
        raise ContactError("reason", _("Say why you need to see the seeker's identifiers."))
    EscalationStep.objects.create(
        escalation=escalation, kind=StepKind.IDENTIFIERS_OPENED, actor=user, note=reason.strip()[:2000]
    )
    audit.log(
        "identifiers.opened",
        actor=user,
        hotline=escalation.hotline,
        obj=escalation.contact,
        reason=reason.strip(),
    )
    return {"callback_phone": escalation.contact.callback_phone}


@transaction.atomic
def do_set_risk_level(membership: Membership, contact_id: UUID | str, *, level: str, reason: str) -> Contact:
    """A counsellor sets the contact's level, up or down, with a reason (audited)."""
    from xinyuan.contacts import actions as contact_actions
    from xinyuan.contacts import queries as contact_queries

    if level not in RiskLevel.values:
        raise ContactError("bad_level", _("Unknown risk level."))
    if len(reason.strip()) < 3:
        raise ContactError("reason", _("Give a reason for changing the risk level."))
    contact = contact_queries.held_contact_for_update(membership, contact_id)
    if contact.state not in (State.ACTIVE, State.WRAP_UP):
        raise ContactError("not_active", _("The conversation is not in progress."))
    before = contact.risk_level
    contact.risk_level = level
    contact.risk_evidence = [
        *contact.risk_evidence,
        {"where": "counsellor", "level": level, "evidence": [], "reason": reason.strip()[:500]},
    ]
    contact.save(update_fields=["risk_level", "risk_evidence"])
    audit.log(
        "contact.risk_changed",
        actor=membership.user,
        hotline=membership.hotline,
        obj=contact,
        reason=reason.strip(),
        before=before,
        after=level,
    )
    contact_actions.announce_contact(contact)
    if level == RiskLevel.IMMINENT:
        do_raise_crisis(contact.pk, by=membership.user, reason=reason)
    return contact


def ensure_follow_up(contact: Contact, now: datetime | None = None) -> FollowUp | None:
    """A call-back task for a contact that ended at high or imminent risk (inside a transaction)."""
    after = FOLLOW_UP_AFTER.get(RiskLevel(contact.risk_level))
    if after is None or contact.state == State.QUEUED:
        return None
    follow_up, _created = FollowUp.objects.get_or_create(
        contact=contact,
        defaults={"hotline_id": contact.hotline_id, "due_at": (now or timezone.now()) + after},
    )
    return follow_up


@transaction.atomic
def do_complete_follow_up(follow_up_id: int, user: User, *, note: str) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up_id)
    follow_up.done_at = timezone.now()
    follow_up.done_by = user
    follow_up.note = note.strip()[:2000]
    follow_up.save()
    audit.log("follow_up.done", actor=user, hotline=follow_up.hotline, obj=follow_up)
    return follow_up


# Screening instruments ------------------------------------------------------------------------------

SEEKER_INSTRUMENTS = ("phq9", "gad7")
COUNSELLOR_INSTRUMENTS = ("cssrs", "ideation", "hopelessness")


def _instrument_name(instrument: str, allowed: tuple[str, ...]) -> str:
    try:
        name = instruments.canonical_name(instrument)
    except ValueError as error:
        raise ContactError("instrument", str(error)) from error
    if name not in allowed:
        raise ContactError("instrument", _("This questionnaire is not offered here."))
    return name


def seeker_questionnaire(assessment: Assessment) -> dict[str, Any]:
    """What the seeker's page needs to show a requested questionnaire, in the contact's language."""
    definition = instruments.instrument_definition(assessment.instrument, assessment.contact.language)
    return {"type": "instrument", "assessment": assessment.pk, **definition.to_dict()}


@transaction.atomic
def do_request_instrument(
    contact_id: UUID | str, instrument: str, *, by: Membership | None = None
) -> Assessment:
    """Offer a questionnaire to the seeker: sent by their counsellor, or asked for while waiting."""
    from xinyuan.contacts import queries as contact_queries

    name = _instrument_name(instrument, SEEKER_INSTRUMENTS)
    if by is not None:
        contact = contact_queries.held_contact(by, contact_id)
    else:
        contact = Contact.objects.get(pk=contact_id)
    if contact.state not in (State.QUEUED, State.OFFERED, State.ACTIVE):
        raise ContactError("ended", _("This conversation has ended."))
    assessment = Assessment.objects.filter(
        contact=contact, instrument=name, completed_at__isnull=True
    ).first()
    if assessment is None:
        assessment = Assessment.objects.create(
            contact=contact, instrument=name, requested_by=by.user if by else None
        )
    events.announce(
        events.contact_group(contact.pk), {**seeker_questionnaire(assessment), "type": "contact.instrument"}
    )
    return assessment


@transaction.atomic
def do_answer_instrument(
    contact_id: UUID | str,
    instrument: str,
    answers: list[Any],
    *,
    recency: str = "",
    counsellor: Membership | None = None,
) -> Assessment:
    """Score a questionnaire: the seeker's own (PHQ-9, GAD-7) or one the counsellor fills (C-SSRS,
    the 0–100 ratings). The result is stored, shown to the counsellor, and may raise the risk level."""
    from xinyuan.contacts import actions as contact_actions
    from xinyuan.contacts import queries as contact_queries

    allowed = COUNSELLOR_INSTRUMENTS if counsellor is not None else SEEKER_INSTRUMENTS
    name = _instrument_name(instrument, allowed)
    contact_pk = contact_queries.held_contact(counsellor, contact_id).pk if counsellor else contact_id
    contact = Contact.objects.select_for_update().get(pk=contact_pk)
    if contact.state not in (State.QUEUED, State.OFFERED, State.ACTIVE):
        raise ContactError("ended", _("This conversation has ended."))
    pending = Assessment.objects.filter(contact=contact, instrument=name, completed_at__isnull=True)
    if counsellor is None and not pending.exists():
        raise ContactError("instrument", _("This questionnaire is not offered here."))
    if not isinstance(answers, list) or len(answers) > 20:
        raise ContactError("answers", _("Answer every question."))
    try:
        parsed = instruments.parse_answers(name, ",".join(str(a) for a in answers), recency or None)
        result = instruments.score(name, parsed)
    except ValueError as error:
        raise ContactError("answers", str(error)) from error
    assessment = Assessment.objects.filter(
        contact=contact, instrument=name, completed_at__isnull=True
    ).first()
    assessment = assessment or Assessment(contact=contact, instrument=name)
    assessment.completed_at = timezone.now()
    assessment.answered_by_seeker = counsellor is None
    assessment.answers = [str(a) for a in answers]
    assessment.recency = recency or ""
    assessment.score = result.score
    assessment.max_score = result.max_score
    assessment.band = result.band
    assessment.flags = list(result.flags)
    assessment.risk_level = result.risk_level or ""
    assessment.save()
    contact_actions.note_assessment(
        contact, assessment.as_dict(), author=counsellor.user if counsellor else None
    )
    if counsellor is not None:
        audit.log(
            "assessment.recorded",
            actor=counsellor.user,
            hotline=counsellor.hotline,
            obj=contact,
            instrument=name,
        )
    return assessment


# Joining a conversation and the safety plan -------------------------------------------------------


@transaction.atomic
def do_join_conversation(escalation_id: int, user: User) -> Contact:
    """A supervisor joins the conversation of a crisis; the seeker is told."""
    from xinyuan.contacts import actions as contact_actions

    escalation = Escalation.objects.select_related("hotline").get(pk=escalation_id)
    membership = Membership.objects.filter(hotline=escalation.hotline, user=user, is_active=True).first()
    if membership is None or not membership.has_role(Role.SUPERVISOR):
        raise ContactError("not_supervisor", _("Only supervisors can join a conversation."))
    contact = Contact.objects.select_for_update().get(pk=escalation.contact_id)
    if contact.state != State.ACTIVE:
        raise ContactError("not_active", _("The conversation is not in progress."))
    if contact.joined_by_id != user.pk:
        contact.joined_by = user
        contact.save(update_fields=["joined_by"])
        name = user.display_name or user.get_username()
        with override(contact.language):
            contact_actions.system_message(
                contact, _("A supervisor (%(name)s) has joined the conversation.") % {"name": name}
            )
        audit.log("contact.supervisor_joined", actor=user, hotline=escalation.hotline, obj=contact)
    events.announce(
        events.member_group(contact.hotline_id, user.pk),
        {"type": "counsellor.joined", "contact": str(contact.pk)},
    )
    return contact


def safety_plan_text(sections: dict[str, str], language: str) -> str:
    with override(language):
        lines = [str(_("My safety plan"))]
        for key, title in SAFETY_PLAN_SECTIONS:
            if sections.get(key):
                lines += ["", f"{title}:", sections[key]]
    return "\n".join(lines)


@transaction.atomic
def do_share_safety_plan(
    membership: Membership, contact_id: UUID | str, sections: dict[str, Any]
) -> SafetyPlan:
    """Save the safety plan built with the seeker and give it to them in the chat."""
    from xinyuan.contacts import actions as contact_actions
    from xinyuan.contacts import queries as contact_queries
    from xinyuan.contacts.models import Sender

    contact = contact_queries.writable_contact(membership, contact_id)
    known = dict(SAFETY_PLAN_SECTIONS)
    clean = {
        key: value.strip()[:300]
        for key, value in (sections or {}).items()
        if key in known and isinstance(value, str) and value.strip()
    }
    if not clean:
        raise ContactError("empty", _("Fill in at least one part of the safety plan."))
    plan, _created = SafetyPlan.objects.update_or_create(
        contact=contact,
        defaults={"sections_json": json.dumps(clean, ensure_ascii=False), "updated_by": membership.user},
    )
    text = safety_plan_text(clean, contact.language)
    contact_actions.do_post_message(contact.pk, sender=Sender.COUNSELLOR, body=text, author=membership.user)
    events.announce(events.contact_group(contact.pk), {"type": "contact.safety_plan", "text": text})
    audit.log("safety_plan.shared", actor=membership.user, hotline=membership.hotline, obj=contact)
    return plan


def seeker_safety_plan(contact: Contact) -> str:
    plan = SafetyPlan.objects.filter(contact=contact).first()
    return safety_plan_text(json.loads(plan.sections_json), contact.language) if plan else ""


def raise_missed_crises(now: datetime | None = None) -> int:
    """Safety net: an imminent contact still open without any escalation gets one."""
    missed = (
        Contact.objects.filter(
            risk_level=RiskLevel.IMMINENT, state__in=[State.QUEUED, State.OFFERED, State.ACTIVE]
        )
        .filter(escalations__isnull=True)
        .values_list("pk", flat=True)
    )
    count = 0
    for contact_id in missed:
        do_raise_crisis(contact_id, by=None, reason="triage engine: imminent (found by the worker)", now=now)
        count += 1
    return count
