"""Helpers for volunteer tests: a form's worth of answers, files, applications at a stage."""

from __future__ import annotations

from typing import Any

from xinyuan.core.models import Hotline, Membership, User
from xinyuan.volunteers import actions
from xinyuan.volunteers.models import Application, Stage

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
ENGLISH = {"django_language": "en"}


def answers(**overrides: Any) -> dict[str, Any]:
    """A complete, valid application (a teacher: no certificate needed)."""
    data: dict[str, Any] = {
        "name": "林一 Lin Yi",
        "gender": "female",
        "birth_year": "1995",
        "education": "master",
        "profession": "teacher",
        "experience": "两年高校心理热线 Two years on a campus line",
        "languages": ["zh-hans", "en"],
        "specialties": ["student", "grief"],
        "availability": "周末",
        "email": "lin.yi@example.org",
        "phone": "+86 139 1234 5678",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def application(
    hotline: Hotline, *, email: str = "lin.yi@example.org", scan: bytes | None = PNG
) -> Application:
    """An application with a certificate (and a scan) straight through the action."""
    return actions.do_submit_application(
        hotline,
        {
            "name": "林一 Lin Yi",
            "gender": "female",
            "birth_year": 1995,
            "education": "master",
            "profession": "counsellor",
            "experience": "",
            "languages": ["zh-hans"],
            "specialties": [],
            "availability": "",
            "email": email,
            "phone": "13912345678",
        },
        credential=("心理咨询师二级 Counsellor level 2", "CN-2024-0001"),
        scan=actions.Scan(scan, "cert.png", "image/png") if scan else None,
        language="en",
    )


def walk_to(coordinator: User, found: Application, stage: str) -> Application:
    """Move an application stage by stage up to `stage`."""
    order = [Stage.SCREENING, Stage.INTERVIEW, Stage.TRAINING, Stage.ACTIVE]
    for step in order[: order.index(Stage(stage)) + 1]:
        found = actions.do_move_application(coordinator, found, step, site_url="http://testserver/")
    return found


def activated(hotline: Hotline, coordinator: User, *, email: str = "lin.yi@example.org") -> Membership:
    found = walk_to(coordinator, application(hotline, email=email), Stage.ACTIVE)
    assert found.membership is not None
    return found.membership
