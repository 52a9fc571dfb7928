from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinyuan import server


class Command(BaseCommand):
    help = "The scaled form: serve HTTP and WebSockets (run `xinyuan worker` beside it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--with-worker", action="store_true", help="Also run the worker in this process.")

    def handle(self, *args: Any, **options: Any) -> None:
        server.serve(options["host"], options["port"], with_worker=options["with_worker"])
