"""Cells of CSV and Excel exports that hold people's text."""

from __future__ import annotations

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@")


def inert(text: str) -> str:
    """The text as a spreadsheet must show it: never run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
