"""Worker jobs of scheduling: shift reminders and roster imports."""

from __future__ import annotations

from datetime import datetime

from xinyuan import worker
from xinyuan.scheduling import actions, spreadsheets


@worker.job("scheduling.shift_reminders", every_seconds=60)
def shift_reminders(now: datetime) -> int:
    return actions.send_reminders(now)


@worker.job("scheduling.roster_imports", every_seconds=2)
def roster_imports(now: datetime) -> int:
    return spreadsheets.process_pending_imports(now)
