"""Checking a roster spreadsheet row by row: which row, which column, why.

Pure module (no Django): the caller passes what it knows (teams, roles, languages, usernames
already in use elsewhere) and gets clean rows and a list of problems. Nothing is saved here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

COLUMNS = ("name", "username", "email", "phone", "team", "roles", "languages", "specialties")
REQUIRED = ("name", "username")
# Header spellings accepted for each column (compared lower-case, spaces trimmed).
ALIASES = {
    "name": {"name", "display name", "姓名", "名字"},
    "username": {"username", "user name", "login", "用户名", "账号"},
    "email": {"email", "e-mail", "mail", "邮箱", "电子邮件"},
    "phone": {"phone", "mobile", "telephone", "电话", "手机"},
    "team": {"team", "团队", "小组"},
    "roles": {"roles", "role", "角色"},
    "languages": {"languages", "language", "语言"},
    "specialties": {"specialties", "specialty", "skills", "专长"},
}
USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,22}$")
SPECIALTY = re.compile(r"^[\w-]{1,30}$")
SEPARATORS = re.compile(r"[,;，；、/|\s]+")
PHRASE_SEPARATORS = re.compile(r"[,;，；、/|\n]+")  # role names may have spaces ("team lead")


@dataclass(frozen=True)
class Problem:
    """`code` says why (the web layer words it in the reader's language); `value` is the cell."""

    row: int  # spreadsheet row number (the header is row 1)
    column: str
    code: str
    value: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"row": self.row, "column": self.column, "code": self.code, "value": self.value}


@dataclass
class Row:
    row: int
    name: str
    username: str
    email: str = ""
    phone: str = ""
    team: str = ""
    roles: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    specialties: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Known:
    teams: frozenset[str]
    roles: dict[str, str]  # accepted spelling (lower-case) -> role value
    languages: frozenset[str]
    default_roles: tuple[str, ...] = ("counsellor",)


def header_map(header: Sequence[object]) -> tuple[dict[str, int], list[Problem]]:
    """Which cell holds which column; problems for unknown or missing required columns."""
    found: dict[str, int] = {}
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        text = str(cell or "").strip().lower()
        if not text:
            continue
        column = next((name for name, spellings in ALIASES.items() if text in spellings), None)
        if column is None:
            problems.append(Problem(1, str(cell), "unknown_column"))
        elif column in found:
            problems.append(Problem(1, str(cell), "duplicate_column"))
        else:
            found[column] = index
    for column in REQUIRED:
        if column not in found:
            problems.append(Problem(1, column, "missing_column"))
    return found, problems


def split(value: str, separators: re.Pattern[str] = SEPARATORS) -> list[str]:
    return [part.strip() for part in separators.split(value.strip()) if part.strip()]


def _cell(values: Sequence[object], index: int | None) -> str:
    if index is None or index >= len(values) or values[index] is None:
        return ""
    value = values[index]
    if isinstance(value, float) and value.is_integer():  # phone numbers typed as numbers
        value = int(value)
    return str(value).strip()


def check_row(
    number: int, values: Sequence[object], columns: dict[str, int], known: Known
) -> tuple[Row | None, list[Problem]]:
    cells = {name: _cell(values, columns.get(name)) for name in COLUMNS}
    problems: list[Problem] = []

    def problem(column: str, code: str, value: str = "") -> None:
        problems.append(Problem(number, column, code, value))

    if not cells["name"]:
        problem("name", "required")
    elif len(cells["name"]) > 80:
        problem("name", "too_long", cells["name"][:40])
    if not cells["username"]:
        problem("username", "required")
    elif not USERNAME.match(cells["username"]):
        problem("username", "bad_username", cells["username"][:40])
    if cells["email"] and not EMAIL.match(cells["email"]):
        problem("email", "bad_email", cells["email"][:60])
    if cells["phone"] and not PHONE.match(cells["phone"]):
        problem("phone", "bad_phone")
    if cells["team"] and cells["team"] not in known.teams:
        problem("team", "unknown_team", cells["team"][:80])
    roles: list[str] = []
    for word in split(cells["roles"], PHRASE_SEPARATORS):
        role = known.roles.get(word.lower())
        if role is None:
            problem("roles", "unknown_role", word[:40])
        elif role not in roles:
            roles.append(role)
    languages = split(cells["languages"])
    for language in languages:
        if language not in known.languages:
            problem("languages", "unknown_language", language[:20])
    specialties = split(cells["specialties"])
    for specialty in specialties:
        if not SPECIALTY.match(specialty):
            problem("specialties", "bad_specialty", specialty[:40])
    if problems:
        return None, problems
    return (
        Row(
            row=number,
            name=cells["name"],
            username=cells["username"],
            email=cells["email"],
            phone=cells["phone"],
            team=cells["team"],
            roles=roles or list(known.default_roles),
            languages=languages,
            specialties=specialties,
        ),
        [],
    )


def check(rows: Iterable[Sequence[object]], known: Known) -> tuple[list[Row], list[Problem]]:
    """Check a whole sheet (first row: the header). Blank rows are skipped."""
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        return [], [Problem(1, "", "empty")]
    columns, problems = header_map(header)
    if problems:
        return [], problems
    good: list[Row] = []
    seen: dict[str, int] = {}
    for number, values in enumerate(iterator, start=2):
        if not any(str(value or "").strip() for value in values):
            continue
        row, row_problems = check_row(number, values, columns, known)
        problems += row_problems
        if row is None:
            continue
        key = row.username.lower()
        if key in seen:
            problems.append(Problem(number, "username", "duplicate_username", str(seen[key])))
            continue
        seen[key] = number
        good.append(row)
    return good, problems
