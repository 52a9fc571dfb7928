from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from xinyuan import server
from xinyuan.core import demo


class Command(BaseCommand):
    help = (
        "The embedded form: migrate, load the demo hotline (with 90 days of history) if the database is "
        "empty, then serve HTTP, "
        "WebSockets and the worker in one process."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo hotline.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not options["no_demo"] and demo.database_is_empty():
            self.stdout.write("Loading the demo hotline and 90 days of history…")
            demo.load()
            # So the dashboards, the weekly brief and the staffing forecast have something to show.
            from xinyuan.reports import history

            self.stdout.write(history.load_demo_history(90))
        base_url = f"http://{options['host']}:{options['port']}"
        if demo.is_loaded():
            self.stdout.write(demo.describe(base_url))
        self.stdout.write(f"Serving {base_url}/ (Ctrl-C stops)")
        server.serve(options["host"], options["port"], with_worker=True)
