from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from xinyuan import worker


class Command(BaseCommand):
    help = "Run the worker: timers, reminders and scheduled jobs. Any number may run at once."

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        worker.run_forever(stop)
