"""Worker jobs for crises: the acknowledgement timer."""

from __future__ import annotations

from datetime import datetime

from xinyuan import worker
from xinyuan.risk import actions


@worker.job("risk.escalate_unacknowledged", every_seconds=1)
def escalate_unacknowledged(now: datetime) -> int:
    return actions.escalate_unacknowledged(now)


@worker.job("risk.raise_missed_crises", every_seconds=10)
def raise_missed_crises(now: datetime) -> int:
    return actions.raise_missed_crises(now)
