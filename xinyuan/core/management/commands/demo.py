from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinyuan.core import demo


class Command(BaseCommand):
    help = "Load the demo hotlines and their sign-ins into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--history", type=int, default=0, metavar="DAYS", help="Also make DAYS days of past contacts."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["history"]
        if demo.is_loaded() and not days:
            raise CommandError("The demo hotline is already loaded.")
        if not demo.is_loaded():
            demo.load()
            self.stdout.write(demo.describe(options["base_url"]))
        if days:
            from xinyuan.reports import history

            try:
                self.stdout.write(history.load_demo_history(days))
            except ValueError as problem:
                raise CommandError(str(problem)) from problem
