"""The demo hotlines: enough people and settings to try every role on a fresh machine.

The passwords and the two-factor secret are public; never load the demo on a real service.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import time
from importlib import import_module

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from xinyuan.core import actions
from xinyuan.core.models import Hotline
from xinyuan.core.roles import Role

DEMO_SLUG = "demo"
PASSWORD = "xinyuan-demo-2026"  # noqa: S105  (public on purpose: the demo only)
# A fixed secret so the printed one works in any authenticator app (RFC 6238, SHA-1, 6 digits, 30 s).
TOTP_KEY = b"xinyuan-demo-totp-20".hex()
TOTP_SECRET = base64.b32encode(bytes.fromhex(TOTP_KEY)).decode("ascii")


@dataclass(frozen=True)
class DemoPerson:
    username: str
    display_name: str
    roles: dict[str, tuple[str, ...]]  # hotline slug -> roles
    two_factor: bool = False


PEOPLE = (
    DemoPerson("coordinator", "周协调 Zhou (coordinator)", {"demo": (Role.COORDINATOR,)}),
    DemoPerson("counsellor", "李咨询 Li (counsellor)", {"demo": (Role.COUNSELLOR,)}),
    DemoPerson(
        "counsellor2",
        "王心 Wang (counsellor, two hotlines)",
        {"demo": (Role.COUNSELLOR,), "campus": (Role.COUNSELLOR,)},
    ),
    DemoPerson("lead", "陈组长 Chen (team lead)", {"demo": (Role.TEAM_LEAD, Role.COUNSELLOR)}),
    DemoPerson("supervisor", "张督导 Zhang (supervisor)", {"demo": (Role.SUPERVISOR,)}, two_factor=True),
    DemoPerson("responder", "赵危机 Zhao (crisis responder)", {"demo": (Role.CRISIS_RESPONDER,)}),
    DemoPerson("admin", "刘管理 Liu (admin)", {"demo": (Role.ADMIN, Role.COORDINATOR)}, two_factor=True),
    DemoPerson("campus", "孙老师 Sun (coordinator of the campus line)", {"campus": (Role.COORDINATOR,)}),
)

CRISIS_RESOURCES = [
    ("急救 Ambulance", "120", "生命危险、已经服药或受伤时 / someone's life is in danger now"),
    ("报警 Police", "110", "有人正在伤害自己或他人 / someone is harming themselves or others"),
    (
        "全国心理援助热线 National mental health line",
        "12356",
        "需要倾诉或心理支持 / to talk to someone any time",
    ),
]


# Apps whose demo.py adds to the demo after the hotlines and people exist, in this order.
DEMO_APPS: list[str] = ["volunteers", "scheduling", "supervision"]


def database_is_empty() -> bool:
    return not Hotline.objects.exists()


def is_loaded() -> bool:
    return Hotline.objects.filter(slug=DEMO_SLUG).exists()


@transaction.atomic
def load() -> None:
    demo = actions.do_create_hotline(
        DEMO_SLUG,
        "心援示范热线 Xinyuan demo line",
        time_zone="Asia/Shanghai",
        languages=["zh-hans", "en"],
        always_open=True,
        after_hours_message="热线暂时关闭。如有生命危险，请立即拨打 120 或 110。\nThe line is closed. "
        "If a life is in danger, call 120 or 110 now.",
        two_factor_roles=[Role.SUPERVISOR, Role.ADMIN],
    )
    campus = actions.do_create_hotline(
        "campus",
        "校园心理支持热线 Campus support line",
        time_zone="Asia/Shanghai",
        languages=["zh-hans"],
        after_hours_message="本热线工作日 08:00–22:00、周末 10:00–18:00 开放。",
        two_factor_roles=[Role.SUPERVISOR, Role.ADMIN],
    )
    for hotline in (demo, campus):
        weekday_hours = [(day, time(8), time(22)) for day in range(5)]
        weekend_hours = [(day, time(10), time(18)) for day in (5, 6)]
        actions.do_update_hotline_settings(
            None,
            hotline,
            {},
            weekday_hours + weekend_hours if hotline is campus else [],
            [],
            CRISIS_RESOURCES,
        )
    hotlines = {"demo": demo, "campus": campus}
    for person in PEOPLE:
        user = actions.do_create_user(person.username, PASSWORD, display_name=person.display_name)
        for slug, roles in person.roles.items():
            actions.do_set_roles(hotlines[slug], user, roles)
        if person.two_factor:
            TOTPDevice.objects.create(user=user, name="demo authenticator", key=TOTP_KEY, confirmed=True)
    from xinyuan.contacts import demo as contacts_demo
    from xinyuan.records.actions import ensure_categories

    contacts_demo.load()
    for hotline in hotlines.values():
        ensure_categories(hotline)
    # Apps add their own demo data in a `demo.py` with `load(hotlines)`.
    for app in DEMO_APPS:
        module = import_module(f"xinyuan.{app}.demo")
        module.load(hotlines)


def describe(base_url: str) -> str:
    lines = [
        "",
        "Demo sign-ins (演示账号) at " + base_url + "/signin/ — password for all: " + PASSWORD,
    ]
    for person in PEOPLE:
        hotlines = "; ".join(f"{slug}: {', '.join(roles)}" for slug, roles in person.roles.items())
        code = "  + one-time code" if person.two_factor else ""
        lines.append(f"  {person.username:<12} {hotlines}{code}")
    lines += [
        "One-time code for supervisor and admin: add this secret to an authenticator app"
        " (TOTP, 6 digits, 30 s)",
        f"  {TOTP_SECRET}   (or: oathtool --totp -b {TOTP_SECRET})",
        "Never load the demo on a real service: these passwords are public.",
        "",
    ]
    return "\n".join(lines)
