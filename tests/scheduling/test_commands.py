"""`xinyuan staffing`, as a user runs it, against the published Erlang figures."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]
VENV_XINYUAN = ROOT / ".venv" / "bin" / "xinyuan"
XINYUAN = [str(VENV_XINYUAN)] if VENV_XINYUAN.exists() else [sys.executable, "-m", "xinyuan.cli"]

# The widely published Erlang C example: 100 contacts in 30 minutes, 3 minutes each, 80 % in 20 s.
WELL_KNOWN = [
    "--contacts", "100", "--interval-minutes", "30", "--aht-minutes", "3",
    "--target-seconds", "20", "--service-level", "0.8",
]  # fmt: skip


def staffing(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("staffing", *args, stdout=out)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def test_the_well_known_case_needs_14_on_the_floor_and_20_with_30_percent_shrinkage() -> None:
    result = staffing(*WELL_KNOWN, "--shrinkage", "0.3")

    assert result["model"] == "erlang_c"
    assert result["traffic_erlangs"] == 10.0
    assert result["raw_positions"] == 14
    assert result["positions"] == 20
    assert result["service_level"] == pytest.approx(0.888, abs=1e-3)
    assert result["occupancy"] == pytest.approx(0.714, abs=1e-3)
    assert result["waiting_probability"] == pytest.approx(0.174, abs=1e-3)
    assert result["average_speed_of_answer_seconds"] == pytest.approx(7.8, abs=0.05)
    assert result["abandonment_probability"] is None


def test_without_shrinkage_positions_are_the_raw_positions() -> None:
    result = staffing(*WELL_KNOWN)
    assert (result["raw_positions"], result["positions"]) == (14, 14)


def test_a_patience_switches_to_erlang_a_and_reports_abandonment() -> None:
    result = staffing(*WELL_KNOWN, "--patience-seconds", "120")

    assert result["model"] == "erlang_a"
    assert result["raw_positions"] == 12
    assert result["service_level"] == pytest.approx(0.826, abs=1e-3)
    assert result["abandonment_probability"] == pytest.approx(0.062, abs=1e-3)


def test_chat_concurrency_counts_each_counsellor_as_several_slots() -> None:
    result = staffing(*WELL_KNOWN, "--concurrency", "3")

    assert result["concurrency"] == 3
    assert result["raw_positions"] == 5  # 14 slots → 5 counsellors
    assert result["servers"] == 15
    assert result["service_level"] >= 0.8


def test_an_occupancy_cap_adds_positions() -> None:
    capped = staffing(*WELL_KNOWN, "--max-occupancy", "0.65")

    assert capped["raw_positions"] == 16  # 10 erlangs / 0.65 = 15.4 → 16
    assert capped["occupancy"] <= 0.65


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--service-level", "1.5", "--service-level must be between 0 and 1 (exclusive), got 1.5"),
        ("--shrinkage", "1", "--shrinkage must be at least 0 and below 1, got 1.0"),
        ("--contacts", "-5", "--contacts must be 0 or more, got -5.0"),
        ("--aht-minutes", "0", "--aht-minutes must be above 0, got 0.0"),
        ("--concurrency", "0", "--concurrency must be 1 or more, got 0"),
        ("--patience-seconds", "0", "--patience-seconds must be above 0, got 0.0"),
        ("--max-occupancy", "1.2", "--max-occupancy must be above 0 and at most 1, got 1.2"),
    ],
)
def test_out_of_range_options_are_refused_by_name(option: str, value: str, message: str) -> None:
    arguments = [*WELL_KNOWN, option, value]
    if option in WELL_KNOWN:  # replace the well-known value rather than repeating the option
        index = WELL_KNOWN.index(option)
        arguments = [*WELL_KNOWN[:index], option, value, *WELL_KNOWN[index + 2 :]]

    with pytest.raises(CommandError) as caught:
        staffing(*arguments)

    assert str(caught.value) == message
    assert caught.value.returncode == 2


@pytest.mark.parametrize("value", ["nan", "inf", "lots"])
def test_numbers_must_be_finite(value: str) -> None:
    with pytest.raises(CommandError, match="argument --patience-seconds"):
        staffing(*WELL_KNOWN, "--patience-seconds", value)


def test_a_required_option_left_out_is_named() -> None:
    with pytest.raises(CommandError, match="--service-level"):
        staffing(*WELL_KNOWN[:-2])


def test_the_program_prints_the_json_and_fails_with_exit_code_2() -> None:
    good = subprocess.run(
        [*XINYUAN, "staffing", *WELL_KNOWN, "--shrinkage", "0.3"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    bad = subprocess.run(
        [*XINYUAN, "staffing", *WELL_KNOWN, "--shrinkage", "0.3", "--concurrency", "0"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert good.returncode == 0, good.stderr
    result = json.loads(good.stdout)
    assert (result["raw_positions"], result["positions"]) == (14, 20)
    assert round(result["service_level"], 3) == 0.888
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.strip() == "CommandError: --concurrency must be 1 or more, got 0"
