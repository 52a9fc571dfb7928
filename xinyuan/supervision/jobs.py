"""Worker jobs of supervision: the review sampling and the debriefs offered after a crisis."""

from __future__ import annotations

from datetime import datetime

from xinyuan import worker
from xinyuan.supervision import actions


@worker.job("supervision.sample_reviews", every_seconds=60)
def sample_reviews(now: datetime) -> int:
    return actions.sample_reviews(now)


@worker.job("supervision.offer_debriefs", every_seconds=10)
def offer_debriefs(now: datetime) -> int:
    return actions.offer_debriefs(now)
