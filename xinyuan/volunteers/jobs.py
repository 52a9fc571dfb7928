"""Worker jobs for volunteers: renewal reminders before a course pass expires."""

from __future__ import annotations

from datetime import datetime

from xinyuan import worker
from xinyuan.volunteers import actions


@worker.job("volunteers.renewal_reminders", every_seconds=3600)
def renewal_reminders(now: datetime) -> int:
    return actions.send_renewal_reminders(now)
