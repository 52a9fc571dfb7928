"""The worker runs each job when due and survives a failing one."""

from __future__ import annotations

from datetime import datetime

import pytest

from xinyuan import worker

pytestmark = pytest.mark.django_db


def test_jobs_run_when_due_and_a_failure_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    ran: list[str] = []

    def broken(now: datetime) -> None:
        raise RuntimeError("boom")

    jobs = [
        worker.Job("a.broken", 10, broken),
        worker.Job("b.counts", 10, lambda now: ran.append("b")),
    ]
    last_run: dict[str, float] = {}
    worker.run_due(jobs, last_run, monotonic_now=100.0)
    worker.run_due(jobs, last_run, monotonic_now=105.0)  # not due yet
    worker.run_due(jobs, last_run, monotonic_now=110.0)
    assert ran == ["b", "b"]
    assert "job a.broken failed" in caplog.text


def test_core_jobs_are_registered() -> None:
    assert "core.end_expired_sessions" in {job.name for job in worker.registered_jobs()}
