"""Every state change of supervision: whisper, join, take over, review sampling and reviews, group
sessions, debriefs. One transaction each, audit-logged, announced after commit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from xinyuan.contacts import actions as contact_actions
from xinyuan.contacts import events
from xinyuan.contacts.actions import ContactError
from xinyuan.contacts.models import Contact, Message, RiskLevel, Sender, State
from xinyuan.core import audit
from xinyuan.core.models import Membership, User
from xinyuan.core.roles import Role
from xinyuan.supervision import queries, sampling
from xinyuan.supervision.models import (
    Debrief,
    DebriefState,
    GroupSession,
    Review,
    ReviewItem,
    ReviewPolicy,
)

# Contacts that ended longer ago than this are no longer sampled or offered a debrief.
SAMPLE_LOOKBACK = timedelta(days=14)
DEBRIEF_LOOKBACK = timedelta(days=2)
ENDED_STATES = (State.WRAP_UP, State.CLOSED)
CRISIS_LEVELS = (RiskLevel.HIGH, RiskLevel.IMMINENT)


def _require(membership: Membership, roles: tuple[str, ...], message: str) -> None:
    if not membership.has_role(*roles):
        raise ContactError("not_allowed", message)


def _supervisor(membership: Membership) -> None:
    # Joining and taking over need the console, which supervisors have (admins watch and whisper).
    _require(membership, (Role.SUPERVISOR,), _("Only supervisors can join or take over a conversation."))


def _locked_contact(membership: Membership, contact_id: UUID | str) -> Contact:
    contact = queries.contact_in(membership.hotline, contact_id)  # 404 outside the hotline
    return Contact.objects.select_for_update().select_related("hotline").get(pk=contact.pk)


# Live: whisper, join, take over ------------------------------------------------------------------


@transaction.atomic
def do_whisper(membership: Membership, contact_id: UUID | str, body: str, *, key: str = "") -> Message:
    """A message only the counsellor sees: staff-only, so it is never sent to the seeker."""
    _require(membership, queries.MONITOR_ROLES, _("Only supervisors can whisper."))
    contact = queries.contact_in(membership.hotline, contact_id)
    if contact.state != State.ACTIVE:
        raise ContactError("not_active", _("The conversation is not in progress."))
    message, created = contact_actions.do_post_message(
        contact.pk,
        sender=Sender.SUPERVISOR,
        body=body,
        key=key,
        author=membership.user,
        staff_only=True,
    )
    if created:
        audit.log(audit.Action.WHISPER_SENT, actor=membership.user, hotline=membership.hotline, obj=contact)
    return message


@transaction.atomic
def do_join(membership: Membership, contact_id: UUID | str) -> Contact:
    """The supervisor joins the conversation beside the counsellor; the seeker is told. Like the
    crisis page's join (risk.actions.do_join_conversation), for any active contact."""
    _supervisor(membership)
    user = membership.user
    contact = _locked_contact(membership, contact_id)
    if contact.state != State.ACTIVE:
        raise ContactError("not_active", _("The conversation is not in progress."))
    if contact.counsellor_id == user.pk:
        raise ContactError("already", _("This conversation is already yours."))
    if contact.joined_by_id != user.pk:
        contact.joined_by = user
        contact.save(update_fields=["joined_by"])
        with override(contact.language):
            contact_actions.system_message(
                contact,
                _("A supervisor (%(name)s) has joined the conversation.") % {"name": queries.name_of(user)},
            )
        audit.log(audit.Action.SUPERVISOR_JOINED, actor=user, hotline=membership.hotline, obj=contact)
    events.announce(
        events.member_group(contact.hotline_id, user.pk),
        {"type": "counsellor.joined", "contact": str(contact.pk)},
    )
    contact_actions.announce_contact(contact)
    return contact


@transaction.atomic
def do_take_over(membership: Membership, contact_id: UUID | str) -> Contact:
    """The conversation moves to the supervisor: the counsellor is told, the seeker sees a neutral
    notice, and the supervisor's console holds it from now on (ending and the record included)."""
    _supervisor(membership)
    user = membership.user
    contact = _locked_contact(membership, contact_id)
    if contact.state != State.ACTIVE:
        raise ContactError("not_active", _("The conversation is not in progress."))
    previous = contact.counsellor_id
    if previous == user.pk:
        raise ContactError("already", _("This conversation is already yours."))
    contact.counsellor = user
    if contact.joined_by_id == user.pk:
        contact.joined_by = None
    contact.help_requested_at = None
    contact.save(update_fields=["counsellor", "joined_by", "help_requested_at"])
    name = queries.name_of(user)
    with override(contact.language):
        contact_actions.system_message(
            contact, _("Another counsellor is continuing this conversation with you.")
        )
    contact_actions.system_message(
        contact, _("A supervisor (%(name)s) took over this conversation.") % {"name": name}, staff_only=True
    )
    audit.log(
        audit.Action.CONTACT_TAKEN_OVER,
        actor=user,
        hotline=membership.hotline,
        obj=contact,
        previous=previous,
    )
    if previous is not None:
        events.announce(
            events.member_group(contact.hotline_id, previous),
            {"type": "counsellor.taken_over", "contact": str(contact.pk), "by": name},
        )
    events.announce(
        events.member_group(contact.hotline_id, user.pk),
        {"type": "counsellor.joined", "contact": str(contact.pk)},
    )
    contact_actions.announce_contact(contact)
    return contact


# Review sampling ---------------------------------------------------------------------------------


def _rule(policy: ReviewPolicy) -> sampling.Rule:
    return sampling.Rule(
        high_risk=policy.review_high_risk,
        low_ratings=policy.review_low_ratings,
        share=policy.sample_percent / 100,
    )


def _rated_low(contact_ids: list[Any]) -> set[Any]:
    """Contacts the seeker rated 1 or 2 (once the reports app has its survey)."""
    if not apps.is_installed("xinyuan.reports"):
        return set()
    try:
        survey = apps.get_model("reports", "SurveyResponse")
    except LookupError:
        return set()
    return set(
        survey.objects.filter(contact_id__in=contact_ids, rating__lte=2).values_list("contact_id", flat=True)
    )


def _levels(contact: Contact) -> list[str]:
    record = getattr(contact, "record", None)
    return [
        contact.risk_level,
        *(rise.get("level", "") for rise in contact.risk_evidence),
        *([record.final_risk_level] if record is not None else []),
    ]


def sample_reviews(now: datetime | None = None) -> int:
    """Put ended contacts in the review queue by each hotline's policy. Every answered contact gets
    one decision (a ReviewItem, selected or not); one not selected is selected later if a reason
    appears (a low rating, a risk level raised in the wrap-up). Returns how many were selected."""
    now = now or timezone.now()
    since = now - SAMPLE_LOOKBACK
    policies = {policy.hotline_id: policy for policy in ReviewPolicy.objects.all()}
    candidates = list(
        Contact.objects.filter(
            state__in=ENDED_STATES, answered_at__isnull=False, ended_at__gte=since, review_item__isnull=True
        ).select_related("record", "hotline")
    )
    undecided = list(
        ReviewItem.objects.filter(selected=False, contact__ended_at__gte=since).select_related(
            "contact__record", "contact__hotline"
        )
    )
    low = _rated_low([c.pk for c in candidates] + [item.contact_id for item in undecided])
    selected = 0
    for contact in candidates:
        policy = policies.get(contact.hotline_id) or ReviewPolicy(hotline=contact.hotline)
        level = sampling.peak_level(_levels(contact))
        reasons = sampling.reasons(str(contact.pk), level, contact.pk in low, _rule(policy))
        try:
            with transaction.atomic():
                ReviewItem.objects.create(
                    hotline_id=contact.hotline_id,
                    contact=contact,
                    counsellor_id=contact.counsellor_id,
                    reasons=reasons,
                    selected=bool(reasons),
                    sampled_at=now,
                )
                if reasons:
                    audit.log(
                        audit.Action.REVIEW_SAMPLED,
                        actor_name="worker",
                        hotline=contact.hotline,
                        obj=contact,
                        reasons=reasons,
                    )
        except IntegrityError:
            continue  # another worker decided it first (the same way)
        selected += bool(reasons)
    for item in undecided:
        contact = item.contact
        policy = policies.get(contact.hotline_id) or ReviewPolicy(hotline=contact.hotline)
        level = sampling.peak_level(_levels(contact))
        reasons = sampling.reasons(str(contact.pk), level, contact.pk in low, _rule(policy))
        if reasons and ReviewItem.objects.filter(pk=item.pk, selected=False).update(
            selected=True, reasons=reasons, sampled_at=now
        ):
            audit.log(
                audit.Action.REVIEW_SAMPLED,
                actor_name="worker",
                hotline=contact.hotline,
                obj=contact,
                reasons=reasons,
            )
            selected += 1
    return selected


@transaction.atomic
def do_save_policy(
    membership: Membership,
    *,
    review_high_risk: bool,
    review_low_ratings: bool,
    sample_percent: int,
    dimensions: list[str],
) -> ReviewPolicy:
    _require(membership, queries.POLICY_ROLES, _("Only supervisors and coordinators can change this."))
    policy, _created = ReviewPolicy.objects.select_for_update().get_or_create(hotline=membership.hotline)
    policy.review_high_risk = review_high_risk
    policy.review_low_ratings = review_low_ratings
    policy.sample_percent = sample_percent
    policy.dimensions = dimensions
    policy.save()
    audit.log(
        audit.Action.REVIEW_POLICY_CHANGED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=policy,
        review_high_risk=review_high_risk,
        review_low_ratings=review_low_ratings,
        sample_percent=sample_percent,
        dimensions=dimensions,
    )
    return policy


# Reviews -----------------------------------------------------------------------------------------


@transaction.atomic
def do_write_review(
    membership: Membership,
    contact_id: UUID | str,
    *,
    scores: dict[str, int],
    comment: str,
    share: bool,
    now: datetime | None = None,
) -> Review:
    """Write (or rewrite) the reviewer's review of a contact; shared, the counsellor sees it."""
    now = now or timezone.now()
    contact = queries.reviewable_contact(membership, contact_id)
    if contact.counsellor_id == membership.user_id:
        raise ContactError("own_contact", _("You cannot review your own contact."))
    dimensions = queries.policy_for(membership.hotline).dimension_keys()
    if set(scores) != set(dimensions) or any(
        not isinstance(score, int) or not 1 <= score <= 5 for score in scores.values()
    ):
        raise ContactError("scores", _("Give every dimension a score from 1 to 5."))
    review, created = Review.objects.select_for_update().get_or_create(
        contact=contact,
        reviewer=membership.user,
        defaults={"hotline": membership.hotline, "counsellor_id": contact.counsellor_id},
    )
    review.scores = {key: scores[key] for key in dimensions}
    review.comment = comment.strip()[:5000]
    if share and review.shared_at is None:
        review.shared_at = now
    review.save()
    ReviewItem.objects.filter(contact=contact, reviewed_at__isnull=True).update(reviewed_at=now)
    audit.log(
        audit.Action.REVIEW_WRITTEN,
        actor=membership.user,
        hotline=membership.hotline,
        obj=contact,
        review=review.pk,
        new=created,
        shared=review.shared_at is not None,
    )
    return review


@transaction.atomic
def do_share_review(membership: Membership, review_id: int, *, now: datetime | None = None) -> Review:
    _require(membership, queries.REVIEW_ROLES, _("Only supervisors can share reviews."))
    review = Review.objects.select_for_update().filter(pk=review_id, hotline=membership.hotline).first()
    if review is None:
        raise ContactError("not_found", _("No such review."))
    if review.shared_at is None:
        review.shared_at = now or timezone.now()
        review.save(update_fields=["shared_at"])
        audit.log(audit.Action.REVIEW_SHARED, actor=membership.user, hotline=membership.hotline, obj=review)
    return review


# Group supervision -------------------------------------------------------------------------------


@transaction.atomic
def do_record_group_session(
    membership: Membership,
    *,
    held_at: datetime,
    supervisor: User,
    attendees: list[User],
    topic: str,
    duration_minutes: int,
) -> GroupSession:
    _require(membership, queries.GROUP_SESSION_ROLES, _("Only supervisors and coordinators can do this."))
    people = set(queries.hotline_people(membership.hotline).values_list("pk", flat=True))
    if supervisor.pk not in people or any(person.pk not in people for person in attendees):
        raise ContactError("not_member", _("Everyone must be a member of this hotline."))
    if not topic.strip() or not 1 <= duration_minutes <= 24 * 60:
        raise ContactError("invalid", _("Give the topic and a duration."))
    session = GroupSession.objects.create(
        hotline=membership.hotline,
        held_at=held_at,
        supervisor=supervisor,
        topic=topic.strip()[:200],
        duration_minutes=duration_minutes,
    )
    session.attendees.set(attendees)
    audit.log(
        audit.Action.GROUP_SESSION_RECORDED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=session,
        attendees=len(attendees),
        duration_minutes=duration_minutes,
    )
    return session


# Debriefs ----------------------------------------------------------------------------------------


def offer_debriefs(now: datetime | None = None) -> int:
    """Offer a debrief to the counsellor of every crisis contact that ended: high or imminent risk,
    or a crisis raised. One per contact, however often this runs."""
    now = now or timezone.now()
    ended = (
        Contact.objects.filter(
            state__in=ENDED_STATES,
            counsellor__isnull=False,
            ended_at__gte=now - DEBRIEF_LOOKBACK,
            debrief__isnull=True,
        )
        .filter(Q(risk_level__in=CRISIS_LEVELS) | Q(escalations__isnull=False))
        .select_related("hotline")
        .distinct()
    )
    offered = 0
    for contact in ended:
        reason = contact.risk_level if contact.risk_level in CRISIS_LEVELS else "escalation"
        assert contact.counsellor_id is not None  # filtered above
        try:
            with transaction.atomic():
                debrief = Debrief.objects.create(
                    hotline_id=contact.hotline_id,
                    contact=contact,
                    counsellor_id=contact.counsellor_id,
                    reason=reason,
                    created_at=now,
                )
                audit.log(
                    audit.Action.DEBRIEF_OFFERED,
                    actor_name="worker",
                    hotline=contact.hotline,
                    obj=debrief,
                    counsellor=contact.counsellor_id,
                    reason=reason,
                )
        except IntegrityError:
            continue  # offered by another worker meanwhile
        offered += 1
    return offered


def _debrief(membership: Membership, debrief_id: int) -> Debrief:
    debrief = (
        Debrief.objects.select_for_update().filter(pk=debrief_id, hotline_id=membership.hotline_id).first()
    )
    if debrief is None:
        raise ContactError("not_found", _("No such debrief."))
    return debrief


@transaction.atomic
def do_answer_debrief(
    membership: Membership, debrief_id: int, *, accept: bool, now: datetime | None = None
) -> Debrief:
    """The counsellor accepts or declines the debrief offered to them."""
    debrief = _debrief(membership, debrief_id)
    if debrief.counsellor_id != membership.user_id:
        raise ContactError("not_found", _("No such debrief."))
    if debrief.state != DebriefState.OFFERED:
        raise ContactError("answered", _("You have already answered."))
    debrief.state = DebriefState.ACCEPTED if accept else DebriefState.DECLINED
    debrief.responded_at = now or timezone.now()
    debrief.save(update_fields=["state", "responded_at"])
    audit.log(
        audit.Action.DEBRIEF_ANSWERED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=debrief,
        accepted=accept,
    )
    return debrief


@transaction.atomic
def do_schedule_debrief(membership: Membership, debrief_id: int, *, when: datetime) -> Debrief:
    _require(membership, queries.DEBRIEF_ROLES, _("Only supervisors can schedule a debrief."))
    debrief = _debrief(membership, debrief_id)
    if debrief.state not in (DebriefState.ACCEPTED, DebriefState.SCHEDULED):
        raise ContactError("state", _("Only an accepted debrief can be scheduled."))
    debrief.state = DebriefState.SCHEDULED
    debrief.scheduled_for = when
    debrief.supervisor = membership.user
    debrief.save(update_fields=["state", "scheduled_for", "supervisor"])
    audit.log(
        audit.Action.DEBRIEF_SCHEDULED,
        actor=membership.user,
        hotline=membership.hotline,
        obj=debrief,
        scheduled_for=when.isoformat(),
    )
    return debrief


@transaction.atomic
def do_finish_debrief(membership: Membership, debrief_id: int, *, now: datetime | None = None) -> Debrief:
    _require(membership, queries.DEBRIEF_ROLES, _("Only supervisors can mark a debrief done."))
    debrief = _debrief(membership, debrief_id)
    if debrief.state not in (DebriefState.ACCEPTED, DebriefState.SCHEDULED):
        raise ContactError("state", _("Only an accepted debrief can be marked done."))
    debrief.state = DebriefState.DONE
    debrief.done_at = now or timezone.now()
    debrief.supervisor = debrief.supervisor or membership.user
    debrief.save(update_fields=["state", "done_at", "supervisor"])
    audit.log(audit.Action.DEBRIEF_DONE, actor=membership.user, hotline=membership.hotline, obj=debrief)
    return debrief
