from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinyuan.core import demo


class Command(BaseCommand):
    help = "Load the demo hotlines and their sign-ins into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.is_loaded():
            raise CommandError("The demo hotline is already loaded.")
        demo.load()
        self.stdout.write(demo.describe(options["base_url"]))
