"""`xinyuan instrument score` and `xinyuan instrument show`: the screening instruments as JSON.

A thin wrapper around xinyuan.risk.instruments (see docs/instruments.md).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinyuan.risk.instruments import (
    INSTRUMENTS,
    canonical_name,
    instrument_definition,
    normalise_language,
    parse_answers,
    score,
)


class Command(BaseCommand):
    help = "Score a filled-in screening instrument (score) or print its items (show), as JSON."
    requires_system_checks: list[str] = []  # no models or database involved

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{score,show}")
        score_parser = actions.add_parser("score", help="score answers: score, band, flags, risk level")
        add_name_and_language(score_parser)
        score_parser.add_argument(
            "--answers",
            required=True,
            help="comma-separated: 0-3 per item (phq9, gad7), yes/no/- per question (cssrs), 0-100 (ratings)",
        )
        score_parser.add_argument(
            "--recency", help="cssrs only, after a yes to question 6: past_3_months or lifetime"
        )
        show_parser = actions.add_parser("show", help="print the title, instructions and items")
        add_name_and_language(show_parser)

    def handle(self, *args: Any, **options: Any) -> None:
        name, language = options["instrument"], options["language"]
        definition = instrument_definition(name, language)
        if options["action"] == "show":
            self.stdout.write(json.dumps(definition.to_dict(), ensure_ascii=False, indent=2))
            return
        try:
            result = score(name, parse_answers(name, options["answers"], options["recency"]))
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        data = {**result.to_dict(), "title": definition.title}
        self.stdout.write(json.dumps(data, ensure_ascii=False))


def add_name_and_language(parser: CommandParser) -> None:
    parser.add_argument("instrument", type=instrument_name, choices=INSTRUMENTS)
    parser.add_argument(
        "--language", type=language_code, default="zh-hans", help="zh-hans (default) or en, for the texts"
    )


def instrument_name(value: str) -> str:
    """'PHQ-9' → 'phq9'; an unknown name is left for argparse to refuse with the choices."""
    try:
        return canonical_name(value)
    except ValueError:
        return value


def language_code(value: str) -> str:
    try:
        return normalise_language(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
