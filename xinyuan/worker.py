"""The worker loop: runs each registered job when it is due.

Jobs live in each app's `jobs.py`. They must be safe to run in several workers at once (timers are
claimed with a conditional UPDATE, as DESIGN.md says), so any number of workers may run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

log = logging.getLogger("xinyuan.worker")


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[datetime], object]


_jobs: dict[str, Job] = {}


def job(
    name: str, every_seconds: float
) -> Callable[[Callable[[datetime], object]], Callable[[datetime], object]]:
    """Register a function `f(now)` to run every `every_seconds`."""

    def register(function: Callable[[datetime], object]) -> Callable[[datetime], object]:
        _jobs[name] = Job(name, every_seconds, function)
        return function

    return register


def registered_jobs() -> list[Job]:
    autodiscover_modules("jobs")
    return sorted(_jobs.values(), key=lambda j: j.name)


def run_due(jobs: list[Job], last_run: dict[str, float], monotonic_now: float) -> None:
    """Run every job whose interval has passed; a failing job is logged and retried next time."""
    now = timezone.now()
    for item in jobs:
        if monotonic_now - last_run.get(item.name, float("-inf")) < item.every_seconds:
            continue
        last_run[item.name] = monotonic_now
        try:
            item.run(now)
        except Exception:
            log.exception("job %s failed", item.name)
        finally:
            close_old_connections()


async def run_async(stop: asyncio.Event, tick_seconds: float = 1.0) -> None:
    """The loop on an event loop: each round of jobs runs in a thread of its own."""
    jobs = await sync_to_async(registered_jobs)()
    log.info("worker started with jobs: %s", ", ".join(j.name for j in jobs) or "none")
    last_run: dict[str, float] = {}
    while not stop.is_set():
        await sync_to_async(run_due, thread_sensitive=False)(jobs, last_run, time.monotonic())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=tick_seconds)
    log.info("worker stopped")


def run_forever(stop: threading.Event, tick_seconds: float = 1.0) -> None:
    jobs = registered_jobs()
    log.info("worker started with jobs: %s", ", ".join(j.name for j in jobs) or "none")
    last_run: dict[str, float] = {}
    while not stop.is_set():
        run_due(jobs, last_run, time.monotonic())
        stop.wait(tick_seconds)
    log.info("worker stopped")
