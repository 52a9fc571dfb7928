"""`xinyuan staffing`: counsellors needed for one interval, Erlang C or (with a patience) Erlang A.

A thin wrapper around xinyuan.scheduling.erlang.required_staff (see docs/staffing.md).
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinyuan.scheduling.erlang import required_staff

OPTIONS = (
    "contacts",
    "interval_minutes",
    "aht_minutes",
    "target_seconds",
    "service_level",
    "shrinkage",
    "concurrency",
    "patience_seconds",
    "max_occupancy",
)


class Command(BaseCommand):
    help = "Counsellors needed for the contacts of one interval (Erlang C; Erlang A with --patience-seconds)."
    requires_system_checks: list[str] = []  # no models or database involved

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--contacts",
            metavar="N",
            type=number,
            required=True,
            help="contacts arriving in the interval (≥ 0)",
        )
        parser.add_argument(
            "--interval-minutes", metavar="MINUTES", type=number, required=True, help="interval length (> 0)"
        )
        parser.add_argument(
            "--aht-minutes", metavar="MINUTES", type=number, required=True, help="average handle time (> 0)"
        )
        parser.add_argument(
            "--target-seconds", metavar="SECONDS", type=number, required=True, help="answer-time target (≥ 0)"
        )
        parser.add_argument(
            "--service-level",
            metavar="X",
            type=number,
            required=True,
            help="share answered within the target (0 < x < 1)",
        )
        parser.add_argument(
            "--shrinkage",
            metavar="X",
            type=number,
            default=0.0,
            help="share of scheduled time off the floor (0 ≤ x < 1)",
        )
        parser.add_argument(
            "--concurrency",
            metavar="N",
            type=int,
            default=1,
            help="contacts a counsellor handles at once (chat; ≥ 1)",
        )
        parser.add_argument(
            "--patience-seconds",
            metavar="SECONDS",
            type=number,
            help="seekers' average patience (> 0): uses Erlang A",
        )
        parser.add_argument(
            "--max-occupancy", metavar="X", type=number, help="cap on the share of time busy (0 < x ≤ 1)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = required_staff(**{name: options[name] for name in OPTIONS})
        except ValueError as exc:
            raise CommandError(as_option(str(exc)), returncode=2) from exc
        self.stdout.write(json.dumps(result.to_dict(), indent=2))


def number(value: str) -> float:
    """A finite float: NaN and infinity are refused here, before any arithmetic."""
    try:
        parsed = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not math.isfinite(parsed):
        raise argparse.ArgumentTypeError(f"{value!r} is not a finite number")
    return parsed


def as_option(message: str) -> str:
    """'service_level must be …' → '--service-level must be …', as the user typed it."""
    first, _, rest = message.partition(" ")
    return f"--{first.replace('_', '-')} {rest}" if first in OPTIONS else message
