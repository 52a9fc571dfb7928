"""The scheduling part of the demo: teams, templates, two weeks of shifts with sign-ups."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from xinyuan.core.models import Hotline, Membership
from xinyuan.scheduling import actions
from xinyuan.scheduling.models import Shift


def _member(hotline: Hotline, username: str) -> Membership | None:
    return Membership.objects.filter(hotline=hotline, user__username=username).select_related("user").first()


def load(hotlines: dict[str, Hotline]) -> None:
    demo = hotlines["demo"]
    coordinator = _member(demo, "coordinator")
    if coordinator is None:
        return
    actor = coordinator.user
    team = actions.do_create_team(actor, demo, "晨间组 Morning team")
    actions.do_create_team(actor, demo, "夜间组 Night team")
    for username, lead in (("lead", True), ("counsellor", False), ("counsellor2", False)):
        member = _member(demo, username)
        if member is not None:
            actions.do_set_team_member(actor, team, member, is_lead=lead)
    day = actions.do_save_template(
        actor,
        demo,
        {
            "name": "白班 Day 08:00–20:00",
            "weekdays": list(range(7)),
            "opens": time(8),
            "closes": time(20),
            "seats": 60,
        },
    )
    blocks = actions.do_save_template(
        actor,
        demo,
        {
            "name": "24/7 四小时班 4-hour blocks",
            "weekdays": list(range(7)),
            "opens": time(0),
            "closes": time(0),
            "block_hours": 4,
            "seats": 3,
            "team": team,
        },
    )
    today = timezone.localtime(timezone=ZoneInfo(demo.time_zone)).date()
    for template in (day, blocks):
        actions.do_generate_shifts(actor, template, today, today + timedelta(days=13))
    now = timezone.now()
    upcoming = Shift.objects.filter(hotline=demo, starts_at__gt=now).order_by("starts_at")
    for username, shifts in (
        ("counsellor", upcoming.filter(template=day)[:4:2]),
        ("lead", upcoming.filter(template=blocks)[:3]),
        ("counsellor2", upcoming.filter(template=blocks)[3:6]),
    ):
        member = _member(demo, username)
        if member is None:
            continue
        for shift in shifts:
            actions.do_sign_up(member, shift, now=now)
