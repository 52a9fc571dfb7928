"""Worker jobs of the core app."""

from __future__ import annotations

from datetime import datetime

from xinyuan import worker
from xinyuan.core import actions


@worker.job("core.end_expired_sessions", every_seconds=300)
def end_expired_sessions(now: datetime) -> int:
    return actions.do_end_expired_sessions(now)
