"""Every change to teams, shifts, sign-ups, swaps, calendar feeds and hours approvals: one
transaction each, audited."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xinyuan.core import audit
from xinyuan.core.models import Hotline, Membership, User
from xinyuan.scheduling import hours, queries, slots
from xinyuan.scheduling.models import (
    CalendarFeed,
    HoursApproval,
    SchedulingSettings,
    Shift,
    ShiftTemplate,
    SignUp,
    SwapRequest,
    SwapState,
    Team,
    TeamMember,
)

MAX_GENERATE_DAYS = 92
MAX_REMINDER_HOURS = 168  # the largest reminder lead time a hotline may set


class ScheduleError(Exception):
    """A request that cannot be carried out, with a message for the person who made it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Settings and teams --------------------------------------------------------------------------------


@transaction.atomic
def do_update_settings(
    actor: User, hotline: Hotline, fields: Mapping[str, Any], *, request: HttpRequest | None = None
) -> SchedulingSettings:
    config = queries.settings_for(hotline)
    for name, value in fields.items():
        setattr(config, name, value)
    config.save()
    audit.log(
        audit.Action.SHIFTS_CHANGED,
        actor=actor,
        hotline=hotline,
        obj=config,
        request=request,
        settings=dict(fields),
    )
    return config


@transaction.atomic
def do_create_team(actor: User, hotline: Hotline, name: str, *, request: HttpRequest | None = None) -> Team:
    name = name.strip()
    if Team.objects.filter(hotline=hotline, name=name).exists():
        raise ScheduleError(_("There is already a team with this name."))
    team = Team.objects.create(hotline=hotline, name=name)
    audit.log(
        audit.Action.TEAM_CHANGED, actor=actor, hotline=hotline, obj=team, request=request, created=name
    )
    return team


@transaction.atomic
def do_set_team_member(
    actor: User, team: Team, membership: Membership, *, is_lead: bool, request: HttpRequest | None = None
) -> TeamMember:
    """Put a member in `team` (out of any other team of the hotline), as lead or not."""
    if membership.hotline_id != team.hotline_id:
        raise ScheduleError(_("This person is not a member of the hotline."))
    member, _created = TeamMember.objects.select_for_update().update_or_create(
        membership=membership, defaults={"team": team, "is_lead": is_lead}
    )
    audit.log(
        audit.Action.TEAM_CHANGED,
        actor=actor,
        hotline=team.hotline,
        obj=team,
        request=request,
        member=membership.pk,
        is_lead=is_lead,
    )
    return member


@transaction.atomic
def do_remove_team_member(
    actor: User, team: Team, membership: Membership, *, request: HttpRequest | None = None
) -> None:
    TeamMember.objects.filter(team=team, membership=membership).delete()
    audit.log(
        audit.Action.TEAM_CHANGED,
        actor=actor,
        hotline=team.hotline,
        obj=team,
        request=request,
        removed=membership.pk,
    )


# Templates and shifts ------------------------------------------------------------------------------


@transaction.atomic
def do_save_template(
    actor: User,
    hotline: Hotline,
    fields: Mapping[str, Any],
    template: ShiftTemplate | None = None,
    *,
    request: HttpRequest | None = None,
) -> ShiftTemplate:
    template = template or ShiftTemplate(hotline=hotline)
    for name, value in fields.items():
        setattr(template, name, value)
    template.weekdays = sorted({int(day) for day in template.weekdays})
    template.save()
    audit.log(
        audit.Action.SHIFTS_CHANGED,
        actor=actor,
        hotline=hotline,
        obj=template,
        request=request,
        template=template.name,
    )
    return template


@transaction.atomic
def do_generate_shifts(
    actor: User | None,
    template: ShiftTemplate,
    first_day: date,
    last_day: date,
    *,
    request: HttpRequest | None = None,
) -> int:
    """Create the template's shifts for local days first_day–last_day; existing ones are kept, so
    running it twice creates nothing new. Returns how many were created."""
    if last_day < first_day:
        raise ScheduleError(_("The last day is before the first."))
    if (last_day - first_day).days >= MAX_GENERATE_DAYS:
        raise ScheduleError(_("Generate at most %(days)s days at a time.") % {"days": MAX_GENERATE_DAYS})
    hotline = template.hotline
    wanted = list(
        slots.slots(
            set(template.weekdays),
            template.opens,
            template.closes,
            first_day,
            last_day,
            hotline.time_zone,
            template.block_hours,
        )
    )
    existing = set(
        Shift.objects.filter(
            template=template, starts_at__in=[slot.starts_at for slot in wanted]
        ).values_list("starts_at", flat=True)
    )
    new = [
        Shift(
            hotline=hotline,
            template=template,
            team=template.team,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            seats=template.seats,
        )
        for slot in wanted
        if slot.starts_at not in existing
    ]
    Shift.objects.bulk_create(new, ignore_conflicts=True)  # another run at the same time: no duplicates
    audit.log(
        audit.Action.SHIFTS_CHANGED,
        actor=actor,
        hotline=hotline,
        obj=template,
        request=request,
        generated=len(new),
        first_day=first_day.isoformat(),
        last_day=last_day.isoformat(),
    )
    return len(new)


# Sign-ups ------------------------------------------------------------------------------------------


@transaction.atomic
def do_sign_up(
    membership: Membership, shift: Shift, *, now: datetime | None = None, request: HttpRequest | None = None
) -> SignUp:
    now = now or timezone.now()
    if shift.hotline_id != membership.hotline_id or not queries.may_sign_up(membership, shift):
        raise ScheduleError(_("This shift is for another team."))
    if shift.starts_at <= now:
        raise ScheduleError(_("This shift has already started."))
    if SignUp.objects.filter(shift=shift, membership=membership).exists():
        raise ScheduleError(_("You are already signed up for this shift."))
    # The conditional UPDATE is the seat count's lock: of two people taking the last seat, one wins.
    if not Shift.objects.filter(pk=shift.pk, taken__lt=F("seats")).update(taken=F("taken") + 1):
        raise ScheduleError(_("This shift is full."))
    try:
        with transaction.atomic():
            signup = SignUp.objects.create(shift=shift, membership=membership)
    except IntegrityError as error:  # the same person twice at once
        raise ScheduleError(_("You are already signed up for this shift.")) from error
    audit.log(
        audit.Action.SHIFT_SIGNED_UP,
        actor=membership.user,
        hotline=membership.hotline,
        obj=shift,
        request=request,
    )
    return signup


@transaction.atomic
def do_withdraw(
    membership: Membership, signup: SignUp, *, now: datetime | None = None, request: HttpRequest | None = None
) -> None:
    now = now or timezone.now()
    signup = (
        SignUp.objects.select_for_update().select_related("shift").get(pk=signup.pk, membership=membership)
    )
    if signup.shift.starts_at <= now:
        raise ScheduleError(_("This shift has already started."))
    shift = signup.shift
    signup.delete()  # its swap requests go with it
    Shift.objects.filter(pk=shift.pk, taken__gt=0).update(taken=F("taken") - 1)
    audit.log(
        audit.Action.SHIFT_WITHDRAWN,
        actor=membership.user,
        hotline=membership.hotline,
        obj=shift,
        request=request,
    )


# Swaps and covers ----------------------------------------------------------------------------------


def _log_swap(actor: User, swap: SwapRequest, request: HttpRequest | None, **details: Any) -> None:
    audit.log(
        audit.Action.SWAP_CHANGED,
        actor=actor,
        hotline=swap.hotline,
        obj=swap,
        request=request,
        state=swap.state,
        **details,
    )


@transaction.atomic
def do_offer_swap(
    membership: Membership,
    signup: SignUp,
    note: str = "",
    *,
    now: datetime | None = None,
    request: HttpRequest | None = None,
) -> SwapRequest:
    now = now or timezone.now()
    signup = (
        SignUp.objects.select_for_update().select_related("shift").get(pk=signup.pk, membership=membership)
    )
    if signup.shift.starts_at <= now:
        raise ScheduleError(_("This shift has already started."))
    if signup.swap_requests.filter(state__in=[SwapState.OPEN, SwapState.TAKEN]).exists():
        raise ScheduleError(_("This shift is already offered."))
    swap = SwapRequest.objects.create(
        hotline=membership.hotline, signup=signup, offered_by=membership, note=note.strip()[:200]
    )
    _log_swap(membership.user, swap, request)
    return swap


@transaction.atomic
def do_take_swap(
    membership: Membership,
    swap: SwapRequest,
    in_return: SignUp | None = None,
    *,
    now: datetime | None = None,
    request: HttpRequest | None = None,
) -> SwapRequest:
    """Take an offered shift (cover), or give one of one's own in return (swap); the lead decides."""
    now = now or timezone.now()
    swap = SwapRequest.objects.select_for_update().select_related("signup__shift").get(pk=swap.pk)
    shift = swap.signup.shift
    if swap.state != SwapState.OPEN:
        raise ScheduleError(_("Someone else has already taken this shift."))
    if swap.offered_by_id == membership.pk:
        raise ScheduleError(_("You cannot take your own shift."))
    if shift.starts_at <= now:
        raise ScheduleError(_("This shift has already started."))
    if not queries.may_sign_up(membership, shift):
        raise ScheduleError(_("This shift is for another team."))
    if SignUp.objects.filter(shift=shift, membership=membership).exists():
        raise ScheduleError(_("You are already signed up for this shift."))
    if in_return is not None:
        if in_return.membership_id != membership.pk or in_return.shift.starts_at <= now:
            raise ScheduleError(_("You can only give one of your own shifts to come."))
        if SignUp.objects.filter(shift=in_return.shift, membership=swap.offered_by).exists():
            raise ScheduleError(_("They are already signed up for the shift you offer."))
    swap.state = SwapState.TAKEN
    swap.taken_by = membership
    swap.in_return = in_return
    swap.save(update_fields=["state", "taken_by", "in_return"])
    _log_swap(membership.user, swap, request)
    return swap


@transaction.atomic
def do_cancel_swap(membership: Membership, swap: SwapRequest, *, request: HttpRequest | None = None) -> None:
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.offered_by_id != membership.pk or swap.state not in (SwapState.OPEN, SwapState.TAKEN):
        raise ScheduleError(_("This request can no longer be withdrawn."))
    swap.state = SwapState.CANCELLED
    swap.save(update_fields=["state"])
    _log_swap(membership.user, swap, request)


@transaction.atomic
def do_decide_swap(
    actor: Membership,
    swap: SwapRequest,
    *,
    approve: bool,
    now: datetime | None = None,
    request: HttpRequest | None = None,
) -> SwapRequest:
    """The lead approves (the sign-ups move) or refuses (nothing moves)."""
    now = now or timezone.now()
    swap = SwapRequest.objects.select_for_update().select_related("signup__shift").get(pk=swap.pk)
    if swap.state != SwapState.TAKEN or swap.taken_by is None:
        raise ScheduleError(_("This request is not waiting for a decision."))
    if not approve:
        swap.state = SwapState.REFUSED
    else:
        if swap.signup.shift.starts_at <= now:
            raise ScheduleError(_("This shift has already started."))
        moves = [(swap.signup, swap.taken_by)]
        if swap.in_return is not None:
            moves.append((swap.in_return, swap.offered_by))
        for signup, to in moves:
            locked = SignUp.objects.select_for_update().get(pk=signup.pk)
            if SignUp.objects.filter(shift_id=locked.shift_id, membership=to).exists():
                raise ScheduleError(_("%(name)s is already signed up for that shift.") % {"name": to.user})
            locked.membership = to
            locked.reminded_at = None  # the new volunteer gets their own reminder
            locked.save(update_fields=["membership", "reminded_at"])
        swap.state = SwapState.APPROVED
    swap.decided_by = actor.user
    swap.decided_at = now
    swap.save(update_fields=["state", "decided_by", "decided_at"])
    _log_swap(actor.user, swap, request)
    return swap


# Calendar feed -------------------------------------------------------------------------------------


@transaction.atomic
def do_new_calendar_feed(membership: Membership, *, request: HttpRequest | None = None) -> CalendarFeed:
    """A new secret address; the old one stops working."""
    CalendarFeed.objects.filter(membership=membership).delete()
    feed = CalendarFeed.objects.create(membership=membership, token=secrets.token_urlsafe(32))
    audit.log(
        audit.Action.CALENDAR_FEED_CHANGED, actor=membership.user, hotline=membership.hotline, request=request
    )
    return feed


@transaction.atomic
def do_revoke_calendar_feed(membership: Membership, *, request: HttpRequest | None = None) -> None:
    CalendarFeed.objects.filter(membership=membership).delete()
    audit.log(
        audit.Action.CALENDAR_FEED_CHANGED,
        actor=membership.user,
        hotline=membership.hotline,
        request=request,
        revoked=True,
    )


# Reminders (worker) --------------------------------------------------------------------------------


def send_reminders(now: datetime) -> int:
    """E-mail each signed-up volunteer once, `reminder_hours` before their shift."""
    candidates = SignUp.objects.filter(
        reminded_at__isnull=True,
        shift__starts_at__gt=now,
        shift__starts_at__lte=now + timedelta(hours=MAX_REMINDER_HOURS),
    ).select_related("shift__hotline", "membership__user")
    lead_hours: dict[int, int] = {}
    sent = 0
    for signup in candidates:
        hotline = signup.shift.hotline
        if hotline.pk not in lead_hours:
            lead_hours[hotline.pk] = queries.settings_for(hotline).reminder_hours
        if signup.shift.starts_at > now + timedelta(hours=lead_hours[hotline.pk]):
            continue
        # The conditional UPDATE claims the reminder: one worker, one e-mail.
        if not SignUp.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(reminded_at=now):
            continue
        user = signup.membership.user
        if user.email:
            _remind(user, signup.shift)
            sent += 1
    return sent


def _remind(user: User, shift: Shift) -> None:
    zone = shift.hotline.time_zone
    with translation.override(user.language or settings.LANGUAGE_CODE):
        starts = timezone.localtime(shift.starts_at, timezone=ZoneInfo(zone))
        ends = timezone.localtime(shift.ends_at, timezone=ZoneInfo(zone))
        subject = _("Your shift at %(hotline)s on %(day)s") % {
            "hotline": shift.hotline.name,
            "day": starts.strftime("%Y-%m-%d"),
        }
        body = _(
            "Hello %(name)s,\n\nA reminder of your shift at %(hotline)s: %(start)s to %(end)s (%(zone)s).\n"
            "If you cannot come, offer it to your team on the shifts page as soon as possible.\n"
        ) % {
            "name": user,
            "hotline": shift.hotline.name,
            "start": starts.strftime("%Y-%m-%d %H:%M"),
            "end": ends.strftime("%Y-%m-%d %H:%M"),
            "zone": zone,
        }
    send_mail(subject, body, None, [user.email])


# Hours approvals -----------------------------------------------------------------------------------


@transaction.atomic
def do_approve_hours(
    actor: User,
    team: Team,
    month: date,
    *,
    now: datetime | None = None,
    request: HttpRequest | None = None,
) -> HoursApproval:
    """Approve a team's month as it stands: the figures are kept with the approval."""
    now = now or timezone.now()
    month = hours.month_start(month)
    start, end = hours.month_range(month, team.hotline.time_zone)
    if end > now:
        raise ScheduleError(_("A month can be approved once it is over."))
    rows = queries.service_hours(team.hotline, start, end, now=now, team=team)
    figures = {str(row.membership.pk): round(row.total_hours, 2) for row in rows}
    approval, created = HoursApproval.objects.get_or_create(
        team=team,
        month=month,
        defaults={"hotline": team.hotline, "approved_by": actor, "approved_at": now, "figures": figures},
    )
    if not created:
        raise ScheduleError(_("This month is already approved."))
    audit.log(
        audit.Action.HOURS_APPROVED,
        actor=actor,
        hotline=team.hotline,
        obj=approval,
        request=request,
        month=month.isoformat(),
        people=len(figures),
    )
    return approval
