"""The supervision part of the demo: the review rules and two past group supervision sessions."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from xinyuan.core.models import Hotline, User
from xinyuan.supervision.models import GroupSession, ReviewPolicy

SESSIONS = (
    (14, "危机干预中的自杀风险评估 Assessing suicide risk in a crisis", 120),
    (7, "情绪耗竭与自我照顾 Compassion fatigue and self-care", 90),
)


def load(hotlines: dict[str, Hotline]) -> None:
    hotline = hotlines["demo"]
    ReviewPolicy.objects.get_or_create(hotline=hotline)
    supervisor = User.objects.filter(username="supervisor").first()
    if supervisor is None or GroupSession.objects.filter(hotline=hotline).exists():
        return
    attendees = list(
        User.objects.filter(memberships__hotline=hotline, username__in=["counsellor", "counsellor2", "lead"])
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for days_ago, topic, minutes in SESSIONS:
        session = GroupSession.objects.create(
            hotline=hotline,
            held_at=now - timedelta(days=days_ago),
            supervisor=supervisor,
            topic=topic,
            duration_minutes=minutes,
        )
        session.attendees.set(attendees)
