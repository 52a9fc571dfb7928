"""Chinese first: every interface string has a Chinese translation that gettext will use."""

from __future__ import annotations

from pathlib import Path

CATALOGUE = (
    Path(__file__).resolve().parents[2] / "xinyuan" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
)


def entries(text: str) -> list[tuple[bool, str, str]]:
    """(fuzzy, msgid, msgstr) of each entry of a .po file, continuation lines joined."""
    found = []
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, str] = {}
        current = ""
        for line in lines:
            if line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[")):
                current, _, rest = line.partition(" ")
                parts[current] = rest.strip()[1:-1]
            elif line.startswith('"') and current:
                parts[current] += line[1:-1]
        if "msgid" in parts:
            found.append((fuzzy, parts["msgid"], parts.get("msgstr", parts.get("msgstr[0]", ""))))
    return found


def test_every_string_is_translated_and_none_is_fuzzy() -> None:
    problems = [
        msgid
        for fuzzy, msgid, msgstr in entries(CATALOGUE.read_text(encoding="utf-8"))
        if msgid and (fuzzy or not msgstr)
    ]
    assert problems == []
