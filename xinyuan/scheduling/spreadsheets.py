"""Roster import (checked by the worker, saved all at once) and xlsx exports of the roster and hours."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from xinyuan.contacts.actions import counsellor_state
from xinyuan.contacts.models import CounsellorState
from xinyuan.core import audit
from xinyuan.core.models import Hotline, Membership, MembershipRole, User
from xinyuan.core.roles import Role
from xinyuan.scheduling import queries, roster
from xinyuan.scheduling.models import ImportState, RosterDetails, RosterImport, Team, TeamMember

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
PROGRESS_EVERY = 250  # rows between progress writes
MAX_ERRORS_KEPT = 1_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Roles an import may grant: admin only by hand, so a spreadsheet cannot make an administrator.
IMPORTABLE_ROLES = (Role.COUNSELLOR, Role.TEAM_LEAD, Role.SUPERVISOR, Role.CRISIS_RESPONDER, Role.COORDINATOR)

PROBLEM_TEXT = {
    "empty": _("The sheet is empty."),
    "unknown_column": _("Unknown column."),
    "duplicate_column": _("This column appears twice."),
    "missing_column": _("This required column is missing."),
    "required": _("Required."),
    "too_long": _("Longer than 80 characters."),
    "bad_username": _("Use letters, digits and . @ + - _ only (at most 150 characters)."),
    "bad_email": _("Not an e-mail address: %(value)s"),
    "bad_phone": _("Not a phone number."),
    "unknown_team": _("There is no team named %(value)s: create it first."),
    "unknown_role": _("Unknown role, or one an import cannot grant: %(value)s"),
    "unknown_language": _("The hotline does not answer in %(value)s."),
    "bad_specialty": _("Not a short word: %(value)s"),
    "duplicate_username": _("The same username is already on row %(value)s."),
    "unreadable": _("This is not an Excel (.xlsx) workbook."),
    "too_many_rows": _("Too many rows: at most %(value)s."),
}


def problem_text(problem: dict[str, Any]) -> str:
    template = PROBLEM_TEXT.get(str(problem.get("code")), _("Invalid."))
    return str(template) % {"value": problem.get("value", "")}


def known_for(hotline: Hotline) -> roster.Known:
    spellings: dict[str, str] = {}
    for role in IMPORTABLE_ROLES:
        spellings[role.value] = role.value
        spellings[str(role.label).lower()] = role.value
        spellings[role.value.replace("_", " ")] = role.value  # "team lead", whatever the language
    spellings.update({"咨询师": Role.COUNSELLOR, "组长": Role.TEAM_LEAD, "督导": Role.SUPERVISOR})
    return roster.Known(
        teams=frozenset(Team.objects.filter(hotline=hotline).values_list("name", flat=True)),
        roles=spellings,
        languages=frozenset(hotline.languages),
        default_roles=(Role.COUNSELLOR.value,),
    )


# Import --------------------------------------------------------------------------------------------


@transaction.atomic
def do_start_import(actor: User, hotline: Hotline, file_name: str, data: bytes) -> RosterImport:
    """Keep the upload (encrypted) for the worker; the page then shows its progress."""
    item = RosterImport.objects.create(
        hotline=hotline,
        created_by=actor,
        file_name=file_name[:200],
        content=base64.b64encode(data).decode("ascii"),
    )
    audit.log(audit.Action.ROSTER_IMPORTED, actor=actor, hotline=hotline, obj=item, state="uploaded")
    return item


def _sheet_rows(data: bytes) -> tuple[int, Iterator[Sequence[object]]]:
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = book.worksheets[0]
    return sheet.max_row or 0, sheet.iter_rows(values_only=True)


def process_pending_imports(now: datetime) -> int:
    done = 0
    for pk in RosterImport.objects.filter(state=ImportState.PENDING).values_list("pk", flat=True):
        # The conditional UPDATE claims the import: one worker processes it.
        if RosterImport.objects.filter(pk=pk, state=ImportState.PENDING).update(state=ImportState.RUNNING):
            process_import(RosterImport.objects.get(pk=pk), now)
            done += 1
    return done


def process_import(item: RosterImport, now: datetime) -> RosterImport:
    """Check every row (progress saved as it goes); save all rows or none."""
    known = known_for(item.hotline)
    try:
        total, rows = _sheet_rows(base64.b64decode(item.content))
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return _finish(item, now, [{"row": 0, "column": "", "code": "unreadable", "value": ""}])
    if total > MAX_ROWS + 1:
        return _finish(item, now, [{"row": 0, "column": "", "code": "too_many_rows", "value": str(MAX_ROWS)}])
    item.total_rows = max(0, total - 1)
    item.save(update_fields=["total_rows"])
    good, problems = roster.check(_counting(item, rows), known)
    if problems:
        return _finish(item, now, [problem.to_dict() for problem in problems])
    summary = save_rows(item.hotline, good, actor=item.created_by)
    return _finish(item, now, [], summary)


def _counting(item: RosterImport, rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
    for index, row in enumerate(rows):
        if index and index % PROGRESS_EVERY == 0:
            RosterImport.objects.filter(pk=item.pk).update(processed_rows=index)
        yield row


def _finish(
    item: RosterImport, now: datetime, errors: list[dict[str, Any]], summary: dict[str, Any] | None = None
) -> RosterImport:
    item.state = ImportState.FAILED if errors else ImportState.DONE
    item.errors = errors[:MAX_ERRORS_KEPT]
    item.summary = summary or {"errors": len(errors)}
    item.processed_rows = item.total_rows
    item.content = ""  # the personal data in the file is not kept
    item.finished_at = now
    item.save()
    audit.log(
        audit.Action.ROSTER_IMPORTED,
        actor=item.created_by,
        hotline=item.hotline,
        obj=item,
        state=item.state,
        **item.summary,
    )
    return item


@transaction.atomic
def save_rows(hotline: Hotline, rows: list[roster.Row], *, actor: User) -> dict[str, int]:
    """Create or update accounts, memberships, roles, teams, skills and phones: all or nothing.

    An existing account (it may serve other hotlines too) keeps its name and e-mail; only its
    membership here changes, and roles are added, never taken away.
    """
    usernames = [row.username for row in rows]
    users: dict[str, User] = {}
    for start in range(0, len(usernames), 500):
        users.update(
            {u.username: u for u in User.objects.filter(username__in=usernames[start : start + 500])}
        )
    memberships = {m.user_id: m for m in Membership.objects.filter(hotline=hotline)}
    grants: dict[int, set[str]] = {}
    for membership_id, role in MembershipRole.objects.filter(membership__hotline=hotline).values_list(
        "membership_id", "role"
    ):
        grants.setdefault(membership_id, set()).add(role)
    teams = {team.name: team for team in Team.objects.filter(hotline=hotline)}
    created = updated = 0
    for row in rows:
        user = users.get(row.username)
        if user is None:
            user = User(username=row.username, display_name=row.name, email=row.email)
            user.set_unusable_password()
            user.save()
            created += 1
        else:
            updated += 1
        membership = memberships.get(user.pk)
        if membership is None:
            membership = Membership.objects.create(user=user, hotline=hotline)
        elif not membership.is_active:
            Membership.objects.filter(pk=membership.pk).update(is_active=True)
        had = grants.get(membership.pk, set())
        new_roles = [role for role in row.roles if role not in had]
        MembershipRole.objects.bulk_create(
            [MembershipRole(membership=membership, role=role) for role in new_roles], ignore_conflicts=True
        )
        if new_roles:
            audit.log(
                audit.Action.MEMBERSHIP_CHANGED,
                actor=actor,
                hotline=hotline,
                obj=membership,
                roles=sorted(had | set(new_roles)),
                via="roster import",
            )
        if row.team:
            TeamMember.objects.update_or_create(
                membership=membership,
                defaults={"team": teams[row.team], "is_lead": Role.TEAM_LEAD in row.roles},
            )
        if row.languages or row.specialties:
            state = counsellor_state(membership)
            changes: dict[str, Any] = {}
            if row.languages:
                changes["languages"] = row.languages
            if row.specialties:
                changes["specialties"] = row.specialties
            CounsellorState.objects.filter(pk=state.pk).update(**changes)
        if row.phone:
            RosterDetails.objects.update_or_create(membership=membership, defaults={"phone": row.phone})
    return {"rows": len(rows), "created": created, "updated": updated}


# Exports -------------------------------------------------------------------------------------------


def _text_cell(sheet: Any, value: object) -> object:
    """A name like "=HYPERLINK(…)" stays text: openpyxl would write it as a formula. Typed as a string
    rather than prefixed with a quote, so the exported roster still imports unchanged."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _xlsx(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append([_text_cell(sheet, value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def roster_xlsx(hotline: Hotline, actor: User, request: HttpRequest | None = None) -> bytes:
    """The roster in the import's columns, so an export can be edited and imported again."""
    members = (
        Membership.objects.filter(hotline=hotline, is_active=True)
        .select_related("user", "team_member__team", "counsellor_state", "roster_details")
        .prefetch_related("role_grants")
        .order_by("user__username")
    )
    audit.log(audit.Action.ROSTER_EXPORTED, actor=actor, hotline=hotline, request=request)

    def rows() -> Iterator[list[object]]:
        for membership in members:
            team = getattr(membership, "team_member", None)
            state = getattr(membership, "counsellor_state", None)
            details = getattr(membership, "roster_details", None)
            yield [
                membership.user.display_name or membership.user.username,
                membership.user.username,
                membership.user.email,
                details.phone if details else "",
                team.team.name if team else "",
                # Only roles an import can grant, so the file imports again as it is.
                ", ".join(sorted(g.role for g in membership.role_grants.all() if g.role in IMPORTABLE_ROLES)),
                ", ".join(state.languages) if state else "",
                ", ".join(state.specialties) if state else "",
            ]

    return _xlsx(roster.COLUMNS, rows())


def hours_xlsx(
    hotline: Hotline,
    rows: list[queries.HoursRow],
    approved_team_ids: set[int],
    month: str,
    actor: User,
    request: HttpRequest | None = None,
) -> bytes:
    audit.log(audit.Action.HOURS_EXPORTED, actor=actor, hotline=hotline, request=request, month=month)
    header = (
        "month",
        "name",
        "username",
        "team",
        "on_duty_hours",
        "group_supervision_hours",
        "total_hours",
        "contacts_handled",
        "approved",
    )
    return _xlsx(
        header,
        (
            [
                month,
                row.name,
                row.membership.user.username,
                row.team,
                round(row.on_duty_hours, 2),
                round(row.group_supervision_hours, 2),
                round(row.total_hours, 2),
                row.contacts_handled,
                "yes" if row.team_id in approved_team_ids else "no",
            ]
            for row in rows
        ),
    )


def read_rows(data: bytes) -> list[tuple[object, ...]]:
    """All rows of the first sheet (for tests and checks)."""
    return [tuple(row) for row in _sheet_rows(data)[1]]
