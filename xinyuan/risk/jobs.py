"""Worker jobs for crises: the acknowledgement timer."""

from __future__ import annotations

from datetime import datetime

from xinyuan import worker
from xinyuan.risk import actions


@worker.job("risk.escalate_unacknowledged", every_seconds=1)
def escalate_unacknowledged(now: datetime) -> int:
    return actions.escalate_unacknowledged(now)
