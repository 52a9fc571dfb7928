"""Duty periods follow a counsellor's status: opened on going on duty, closed on leaving it.

Called from xinyuan.contacts.actions wherever a status changes (inside that transaction).
"""

from __future__ import annotations

from datetime import datetime

from xinyuan.core.models import Membership
from xinyuan.scheduling.models import DutyPeriod

ON_DUTY = "on_duty"  # contacts.models.Status.ON_DUTY, without importing contacts


def record_status(membership: Membership | int, status: str, now: datetime) -> None:
    """After a status change: open a period when on duty and none is open, else close any."""
    membership_id = membership if isinstance(membership, int) else membership.pk
    if status == ON_DUTY:
        if not DutyPeriod.objects.filter(membership_id=membership_id, ended_at__isnull=True).exists():
            DutyPeriod.objects.create(membership_id=membership_id, started_at=now)
    else:
        close(membership_id, now)


def close(membership: Membership | int, now: datetime) -> int:
    membership_id = membership if isinstance(membership, int) else membership.pk
    return DutyPeriod.objects.filter(membership_id=membership_id, ended_at__isnull=True).update(ended_at=now)
