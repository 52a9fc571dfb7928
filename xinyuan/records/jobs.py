"""Worker jobs of the records app."""

from __future__ import annotations

from datetime import datetime

from xinyuan import worker
from xinyuan.records import retention


@worker.job("records.purge", every_seconds=24 * 3600)
def purge(now: datetime) -> dict[str, int]:
    return retention.purge(now)
