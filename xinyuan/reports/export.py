"""The report's figures as CSV (one file, a blank line between tables) or Excel (a sheet per table)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import Workbook

from xinyuan.core import cells
from xinyuan.reports.figures import PERCENT, Table


def _cell(value: Any, kind: str) -> Any:
    """Raw numbers (percentages as 0–100 with one decimal), never formulas."""
    if value is None:
        return ""
    if kind == PERCENT:
        return round(value * 100, 1)
    if isinstance(value, float):
        return round(value, 1)
    if isinstance(value, str):
        return cells.inert(value)  # a seeker's or a name's text
    return value


def _heading(heading: str, kind: str) -> str:
    return f"{heading} (%)" if kind == PERCENT else heading


def to_csv(tables: list[Table], preamble: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(preamble)
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([_heading(h, k) for h, k in table.columns])
        for row in table.rows:
            writer.writerow([_cell(v, k) for v, (_h, k) in zip(row, table.columns, strict=True)])
    return "\ufeff" + out.getvalue()  # the BOM lets Excel read the Chinese as UTF-8


def to_xlsx(tables: list[Table], preamble: list[list[str]]) -> bytes:
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "info"
    for line in preamble:
        about.append(line)
    used: set[str] = {"info"}
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.key, used))
        sheet.append([table.title])
        sheet.append([_heading(h, k) for h, k in table.columns])
        for row in table.rows:
            sheet.append([_cell(v, k) for v, (_h, k) in zip(row, table.columns, strict=True)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(key: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", "_", key)[:28]
    base, n = name, 2
    while name in used:
        name, n = f"{base}{n}", n + 1
    used.add(name)
    return name
