"""`xinyuan risk classify` and `xinyuan risk evaluate`: the triage engine on JSON lines.

A thin wrapper around xinyuan.risk.triage and xinyuan.risk.evaluation (see docs/risk-triage.md).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinyuan.risk.evaluation import LEVELS, evaluate, render
from xinyuan.risk.triage import Lexicon, classify, load_lexicon

ABOUT = ("self", "other")


class BadLine(Exception):
    """A JSON line that cannot be used; the message says why, without the line number."""


class Command(BaseCommand):
    help = (
        "Triage messages given as JSON lines (classify), or measure the engine on labelled ones (evaluate)."
    )
    requires_system_checks: list[str] = []  # no models or database involved

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{classify,evaluate}")
        classify_parser = actions.add_parser(
            "classify",
            help="read JSON lines with a 'text' field and write them back with level, about and evidence",
        )
        classify_parser.add_argument("--input", type=Path, help="a JSON lines file (default: standard input)")
        add_lexicon_option(classify_parser)
        evaluate_parser = actions.add_parser(
            "evaluate", help="compare the engine's levels with labelled JSON lines (text, level, about)"
        )
        evaluate_parser.add_argument("file", type=Path, help="labelled JSON lines")
        evaluate_parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        add_lexicon_option(evaluate_parser)

    def handle(self, *args: Any, **options: Any) -> None:
        lexicon = lexicon_from(options["lexicon"])
        learn = not options["rules_only"]
        if options["action"] == "classify":
            self.classify(options["input"], lexicon, learn=learn)
        else:
            self.evaluate(options["file"], lexicon, learn=learn, as_json=options["json"])

    def classify(self, path: Path | None, lexicon: Lexicon | None, *, learn: bool) -> None:
        bad = 0
        for number, line in read_lines(path):
            try:
                item = parse_line(line)
            except BadLine as exc:
                bad += 1
                self.stderr.write(f"line {number}: {exc}")
                continue
            item.update(classify(item["text"], lexicon, learn=learn).to_dict())
            self.stdout.write(json.dumps(item, ensure_ascii=False))
            self.stdout.flush()
        if bad:
            raise CommandError(f"{bad} line(s) could not be classified; see the errors above", returncode=1)

    def evaluate(self, path: Path, lexicon: Lexicon | None, *, learn: bool, as_json: bool) -> None:
        items, errors = [], []
        for number, line in read_lines(path):
            try:
                items.append(parse_labelled(line))
            except BadLine as exc:
                errors.append(f"line {number}: {exc}")
        for error in errors:
            self.stderr.write(error)
        if errors:
            raise CommandError(f"{len(errors)} bad line(s) in {path}; nothing evaluated", returncode=1)
        if not items:
            raise CommandError(f"{path} has no labelled messages")

        results = [classify(item["text"], lexicon, learn=learn) for item in items]
        report = evaluate([item["level"] for item in items], [result.level for result in results])
        about_pairs = [
            (item["about"], result.about)
            for item, result in zip(items, results, strict=True)
            if "about" in item
        ]
        about_agreement = (
            sum(gold == got for gold, got in about_pairs) / len(about_pairs) if about_pairs else None
        )
        if as_json:
            data = {**asdict(report), "about_agreement": about_agreement, "about_total": len(about_pairs)}
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(render(report, title=f"{path}\n"))
        if about_agreement is not None:
            self.stdout.write(f"about agreement           {about_agreement:.3f}  (n={len(about_pairs)})")


def add_lexicon_option(parser: CommandParser) -> None:
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="leave out the learned model: the rules and lexicon alone (to test a hotline lexicon)",
    )
    parser.add_argument(
        "--lexicon",
        action="append",
        default=[],
        type=Path,
        metavar="EXTRA.tsv",
        help="a hotline's own lexicon file added to the curated one (repeat for several)",
    )


def lexicon_from(paths: Sequence[Path]) -> Lexicon | None:
    """The curated lexicon with the extra files, or None (the cached curated one) without any."""
    if not paths:
        return None
    try:
        return load_lexicon(paths)
    except (OSError, ValueError, re.error) as exc:
        raise CommandError(f"cannot load the lexicon: {exc}") from exc


def read_lines(path: Path | None) -> Iterator[tuple[int, bytes]]:
    """Numbered non-blank lines, as bytes, of the file or of standard input."""
    try:
        if path is None:
            yield from numbered(sys.stdin.buffer)
        else:
            with path.open("rb") as stream:
                yield from numbered(stream)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc


def numbered(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield number, line


def parse_line(line: bytes) -> dict[str, Any]:
    """A JSON object with a string 'text'."""
    try:
        item = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadLine("not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(item, dict):
        raise BadLine("not a JSON object")
    if not isinstance(item.get("text"), str):
        raise BadLine('no "text" string')
    return item


def parse_labelled(line: bytes) -> dict[str, Any]:
    """A JSON object with a string 'text', a 'level' and, optionally, 'about'."""
    item = parse_line(line)
    if item.get("level") not in LEVELS:
        raise BadLine(f'"level" must be one of {", ".join(LEVELS)}, got {item.get("level")!r}')
    if "about" in item and item["about"] not in ABOUT:
        raise BadLine(f'"about" must be self or other, got {item["about"]!r}')
    return item
