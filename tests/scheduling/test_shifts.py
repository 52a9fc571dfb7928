"""Shifts: generation from templates, sign-up up to capacity, withdraw, swaps approved by the lead,
the calendar page, the ICS feed and the reminders."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import Personas
from tests.factories import english
from tests.scheduling.helpers import NOW, member, shift, team_setup
from xinyuan.core.models import AuditEvent
from xinyuan.scheduling import actions
from xinyuan.scheduling.actions import ScheduleError
from xinyuan.scheduling.models import CalendarFeed, Shift, SignUp, SwapState

pytestmark = pytest.mark.django_db


def test_generating_twice_creates_each_shift_once(personas: Personas) -> None:
    setup = team_setup(personas)
    first = actions.do_generate_shifts(
        personas.coordinator, setup.template, date(2026, 3, 2), date(2026, 3, 15)
    )
    again = actions.do_generate_shifts(
        personas.coordinator, setup.template, date(2026, 3, 2), date(2026, 3, 15)
    )
    assert (first, again) == (14, 0)
    starts = [s.starts_at for s in Shift.objects.filter(template=setup.template)]
    assert starts[0] == datetime(2026, 3, 2, 0, 0, tzinfo=NOW.tzinfo)  # 08:00 Shanghai = 00:00 UTC
    assert all(s.team == setup.team and s.seats == 1 for s in Shift.objects.filter(template=setup.template))


def test_a_24_7_template_in_4_hour_blocks(personas: Personas) -> None:
    template = actions.do_save_template(
        personas.coordinator,
        personas.hotline_a,
        {
            "name": "24/7",
            "weekdays": list(range(7)),
            "opens": time(0),
            "closes": time(0),
            "block_hours": 4,
            "seats": 3,
        },
    )
    assert (
        actions.do_generate_shifts(personas.coordinator, template, date(2026, 3, 2), date(2026, 3, 8)) == 42
    )
    shifts = list(Shift.objects.filter(template=template))
    assert all(b.starts_at == a.ends_at for a, b in itertools.pairwise(shifts))


def test_sign_up_stops_at_capacity_and_withdraw_frees_the_seat(personas: Personas) -> None:
    setup = team_setup(personas)
    one_seat = shift(personas, NOW + timedelta(days=1), team=setup.team)
    first = actions.do_sign_up(member(personas.counsellor, personas), one_seat, now=NOW)
    with pytest.raises(ScheduleError, match="已满员"):
        actions.do_sign_up(member(personas.counsellor2, personas), one_seat, now=NOW)
    with pytest.raises(ScheduleError, match="已报名"):
        actions.do_sign_up(member(personas.counsellor, personas), one_seat, now=NOW)
    assert Shift.objects.get(pk=one_seat.pk).taken == 1
    actions.do_withdraw(member(personas.counsellor, personas), first, now=NOW)
    actions.do_sign_up(member(personas.counsellor2, personas), one_seat, now=NOW)
    assert list(
        SignUp.objects.filter(shift=one_seat).values_list("membership__user__username", flat=True)
    ) == ["counsellor2-a"]


def test_the_seat_count_cannot_overbook_even_if_a_stale_copy_is_used(personas: Personas) -> None:
    # Two requests that both read "0 of 1 taken": the conditional UPDATE lets only one through.
    setup = team_setup(personas)
    one_seat = shift(personas, NOW + timedelta(days=1), team=setup.team)
    stale = Shift.objects.get(pk=one_seat.pk)
    actions.do_sign_up(member(personas.counsellor, personas), one_seat, now=NOW)
    with pytest.raises(ScheduleError):
        actions.do_sign_up(member(personas.counsellor2, personas), stale, now=NOW)
    assert SignUp.objects.filter(shift=one_seat).count() == 1


def test_team_shifts_are_for_the_team_and_started_shifts_are_closed(personas: Personas) -> None:
    setup = team_setup(personas)
    night = shift(personas, NOW + timedelta(days=1), team=setup.other_team)
    with pytest.raises(ScheduleError, match="其他小组"):
        actions.do_sign_up(member(personas.counsellor, personas), night, now=NOW)
    past = shift(personas, NOW - timedelta(hours=1), team=setup.team)
    with pytest.raises(ScheduleError, match="已经开始"):
        actions.do_sign_up(member(personas.counsellor, personas), past, now=NOW)


def test_the_calendar_page_signs_up_and_shows_the_seats(personas: Personas) -> None:
    setup = team_setup(personas)
    future = shift(personas, datetime(2030, 1, 7, 1, 0, tzinfo=NOW.tzinfo), seats=2, team=setup.team)
    client = english(personas.client_for(personas.counsellor))
    page = client.get(reverse("shifts", args=["line-a"]), {"week": "2030-01-07"})
    assert "0 of 2 seats taken" in page.content.decode()
    assert "09:00–13:00" in page.content.decode()  # shown in the hotline's time zone
    done = client.post(
        reverse("shift-sign-up", args=["line-a", future.pk]), {"week": "2030-01-07"}, follow=True
    )
    html = done.content.decode()
    assert "You are signed up." in html and "1 of 2 seats taken" in html and "You are on this shift" in html
    assert AuditEvent.objects.filter(action="shift.signed_up", actor=personas.counsellor).count() == 1


def test_an_outsider_gets_404_for_every_scheduling_page(personas: Personas) -> None:
    setup = team_setup(personas)
    target = shift(personas, NOW + timedelta(days=1), team=setup.team)
    client = personas.client_for(personas.outsider)
    for name, args in (
        ("shifts", []),
        ("my-shifts", []),
        ("teams", []),
        ("team", [setup.team.pk]),
        ("coverage", []),
        ("service-hours", []),
        ("roster", []),
        ("shift-templates", []),
    ):
        assert client.get(reverse(name, args=["line-a", *args])).status_code == 404, name
    assert client.post(reverse("shift-sign-up", args=["line-a", target.pk])).status_code == 404
    # Their own hotline does not reach hotline A's shift either.
    assert client.post(reverse("shift-sign-up", args=["line-b", target.pk])).status_code == 404


# Swaps ---------------------------------------------------------------------------------------------


def _offered(personas: Personas) -> tuple[actions.SwapRequest, Shift]:
    setup = team_setup(personas)
    # Later than the real clock too: the decision page checks against it.
    target = shift(personas, datetime.now(tz=NOW.tzinfo) + timedelta(days=2), team=setup.team)
    signup = actions.do_sign_up(member(personas.counsellor, personas), target, now=NOW)
    swap = actions.do_offer_swap(member(personas.counsellor, personas), signup, "family visit", now=NOW)
    return swap, target


def test_a_cover_moves_the_signup_only_when_the_lead_approves(personas: Personas) -> None:
    swap, target = _offered(personas)
    actions.do_take_swap(member(personas.counsellor2, personas), swap, now=NOW)
    assert SignUp.objects.get(shift=target).membership.user == personas.counsellor  # not yet
    lead = english(personas.client_for(member_lead(personas).user))
    page = lead.get(reverse("my-shifts", args=["line-a"]))
    assert "takes" in page.content.decode() and "Approve" in page.content.decode()
    lead.post(reverse("swap-decide", args=["line-a", swap.pk]), {"decision": "approve"})
    assert SignUp.objects.get(shift=target).membership.user == personas.counsellor2
    assert AuditEvent.objects.filter(action="swap.changed", details__state="approved").count() == 1


def member_lead(personas: Personas) -> actions.Membership:
    return actions.Membership.objects.get(user__username="lead-a", hotline=personas.hotline_a)


def test_a_refused_swap_changes_nothing(personas: Personas) -> None:
    swap, target = _offered(personas)
    actions.do_take_swap(member(personas.counsellor2, personas), swap, now=NOW)
    decided = actions.do_decide_swap(member_lead(personas), swap, approve=False, now=NOW)
    assert decided.state == SwapState.REFUSED
    assert SignUp.objects.get(shift=target).membership.user == personas.counsellor


def test_a_swap_exchanges_both_shifts(personas: Personas) -> None:
    swap, target = _offered(personas)
    setup_team = target.team
    theirs = shift(personas, target.starts_at + timedelta(days=1), team=setup_team)
    given = actions.do_sign_up(member(personas.counsellor2, personas), theirs, now=NOW)
    actions.do_take_swap(member(personas.counsellor2, personas), swap, given, now=NOW)
    actions.do_decide_swap(member(personas.coordinator, personas), swap, approve=True, now=NOW)
    assert SignUp.objects.get(shift=target).membership.user == personas.counsellor2
    assert SignUp.objects.get(shift=theirs).membership.user == personas.counsellor


def test_only_the_teams_lead_or_a_coordinator_decides(personas: Personas) -> None:
    swap, _target = _offered(personas)
    actions.do_take_swap(member(personas.counsellor2, personas), swap, now=NOW)
    url = reverse("swap-decide", args=["line-a", swap.pk])
    for user in (personas.counsellor, personas.counsellor2, personas.supervisor):
        assert personas.client_for(user).post(url, {"decision": "approve"}).status_code == 403
    assert personas.client_for(personas.outsider).post(url, {"decision": "approve"}).status_code == 404
    # A lead of another team may not either.
    from tests.factories import person
    from xinyuan.core.roles import Role

    other_lead = person(personas.hotline_a, "night-lead", Role.TEAM_LEAD)
    night = actions.Team.objects.get(name="Night")
    actions.do_set_team_member(personas.coordinator, night, member(other_lead, personas), is_lead=True)
    assert personas.client_for(other_lead).post(url, {"decision": "approve"}).status_code == 403
    assert actions.SwapRequest.objects.get(pk=swap.pk).state == SwapState.TAKEN


def test_one_cannot_take_ones_own_or_an_already_taken_shift(personas: Personas) -> None:
    swap, _target = _offered(personas)
    with pytest.raises(ScheduleError, match="不能接自己的"):
        actions.do_take_swap(member(personas.counsellor, personas), swap, now=NOW)
    actions.do_take_swap(member(personas.counsellor2, personas), swap, now=NOW)
    with pytest.raises(ScheduleError, match="已有其他人接下"):
        actions.do_take_swap(member_lead(personas), swap, now=NOW)


# Calendar feed -------------------------------------------------------------------------------------


def test_the_ics_feed_has_the_volunteers_shifts_in_utc_and_can_be_revoked(personas: Personas) -> None:
    setup = team_setup(personas)
    soon = datetime.now(tz=NOW.tzinfo).replace(microsecond=0, second=0) + timedelta(days=2)
    target = shift(personas, soon, hours=12, team=setup.team)
    actions.do_sign_up(member(personas.counsellor, personas), target, now=soon - timedelta(days=1))
    client = english(personas.client_for(personas.counsellor))
    client.post(reverse("shift-calendar", args=["line-a"]), {"action": "new"})
    token = CalendarFeed.objects.get(membership=member(personas.counsellor, personas)).token
    page = client.get(reverse("my-shifts", args=["line-a"])).content.decode()
    assert f"/calendar/{token}.ics" in page
    feed = personas.client_for(personas.counsellor2).get(f"/calendar/{token}.ics")  # no sign-in needed
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    body = feed.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert f"DTSTART:{soon:%Y%m%dT%H%M%S}Z\r\n" in body
    assert f"DTEND:{soon + timedelta(hours=12):%Y%m%dT%H%M%S}Z\r\n" in body
    assert body.count("BEGIN:VEVENT") == 1 and "\n" not in body.replace("\r\n", "")
    client.post(reverse("shift-calendar", args=["line-a"]), {"action": "revoke"})
    assert client.get(f"/calendar/{token}.ics").status_code == 404


# Reminders -----------------------------------------------------------------------------------------


def test_reminders_go_once_per_signup_12_hours_before(personas: Personas) -> None:
    from xinyuan.scheduling.jobs import shift_reminders

    setup = team_setup(personas)
    personas.counsellor.email = "li@example.org"
    personas.counsellor.save()
    starts = NOW + timedelta(hours=20)
    actions.do_sign_up(
        member(personas.counsellor, personas), shift(personas, starts, team=setup.team), now=NOW
    )
    assert shift_reminders(NOW) == 0  # 20 hours ahead: too early
    assert shift_reminders(starts - timedelta(hours=12)) == 1
    assert shift_reminders(starts - timedelta(hours=11)) == 0  # once only
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["li@example.org"] and personas.hotline_a.name in message.subject
