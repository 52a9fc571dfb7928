"""Roster import of a 5,000-row Excel file, through the worker's path (check every row, save all).

SQLite in a temp dir; prints the time to read and check, and to save.

    .venv/bin/python bench/roster_import.py [--rows 5000]
"""

from __future__ import annotations

import argparse
import io
import time

from _django import temp_sqlite


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    temp_sqlite()
    from django.utils import timezone
    from openpyxl import Workbook

    from xinyuan.core import actions as core
    from xinyuan.core.roles import Role
    from xinyuan.scheduling import actions, spreadsheets

    hotline = core.do_create_hotline(
        "bench", "Bench line", time_zone="Asia/Shanghai", languages=["zh-hans"], two_factor_roles=[Role.ADMIN]
    )
    boss = core.do_create_user("boss", "bench-password-2026", display_name="Boss")
    core.do_set_roles(hotline, boss, [Role.COORDINATOR])
    actions.do_create_team(boss, hotline, "Morning")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["name", "username", "email", "phone", "team", "roles", "languages", "specialties"])
    for n in range(args.rows):
        phone = f"139{n:08d}"
        sheet.append([f"志愿者 {n}", f"vol{n}", f"v{n}@example.org", phone, "Morning", "counsellor"])
    out = io.BytesIO()
    book.save(out)
    item = spreadsheets.do_start_import(boss, hotline, "roster.xlsx", out.getvalue())
    started = time.perf_counter()
    spreadsheets.process_pending_imports(timezone.now())
    elapsed = time.perf_counter() - started
    item.refresh_from_db()
    print(f"roster import, SQLite: {args.rows} rows, state {item.state}, {item.processed_rows} checked,"
          f" {elapsed:.1f} s in all ({args.rows / elapsed:.0f} rows/s)")


if __name__ == "__main__":
    main()
