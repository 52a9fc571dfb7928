"""`xinyuan risk classify|evaluate` and `xinyuan instrument score|show`, as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = ROOT.parent / "shared" / "data" / "risk_dev.jsonl"
VENV_XINYUAN = ROOT / ".venv" / "bin" / "xinyuan"
XINYUAN = [str(VENV_XINYUAN)] if VENV_XINYUAN.exists() else [sys.executable, "-m", "xinyuan.cli"]

IMMINENT = "药都准备好了，今晚就结束"


def run(*args: str) -> tuple[str, str]:
    """The command through Django, as (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[str, str, CommandError]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), caught.value


def xinyuan(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The installed `xinyuan` program, in a process of its own."""
    return subprocess.run(
        [*XINYUAN, *args], input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=120
    )


def json_lines(*items: object) -> str:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- risk classify


def test_classify_adds_level_about_and_evidence_that_points_into_the_text(tmp_path: Path) -> None:
    source = write(tmp_path, "in.jsonl", json_lines({"id": "c1", "text": IMMINENT}, {"text": "累死了"}))

    out, err = run("risk", "classify", "--input", str(source))

    first, second = (json.loads(line) for line in out.splitlines())
    assert IMMINENT in out  # written as UTF-8, not \u escapes
    assert err == ""
    assert first["id"] == "c1" and first["text"] == IMMINENT
    assert first["level"] == "imminent"
    assert first["about"] == "self"
    spans = {item["kind"]: IMMINENT[item["start"] : item["end"]] for item in first["evidence"]}
    assert all(IMMINENT[e["start"] : e["end"]] == e["phrase"] for e in first["evidence"])
    assert spans["means"] == "药都准备好了"
    assert spans["timeframe"].startswith("今晚")
    assert (second["level"], second["evidence"]) == ("none", [])


def test_classify_reports_bad_lines_with_their_numbers_and_still_does_the_good_ones(tmp_path: Path) -> None:
    source = write(
        tmp_path,
        "in.jsonl",
        json_lines({"text": "我想自杀"})
        + "{not json\n"
        + json_lines({"id": 3}, {"text": 42}, ["a list"])
        + "\n"
        + json_lines({"text": "今天天气不错"}),
    )

    out, err, error = run_failing("risk", "classify", "--input", str(source))

    assert [json.loads(line)["level"] for line in out.splitlines()] == ["high", "none"]
    assert err.splitlines() == [
        "line 2: not valid JSON (Expecting property name enclosed in double quotes at column 2)",
        'line 3: no "text" string',
        'line 4: no "text" string',
        "line 5: not a JSON object",
    ]
    assert error.returncode == 1
    assert "4 line(s) could not be classified" in str(error)


def test_classify_uses_a_hotlines_extra_lexicon(tmp_path: Path) -> None:
    source = write(tmp_path, "in.jsonl", json_lines({"text": "我想去见太奶了"}))
    extra = write(tmp_path, "ours.tsv", "去见太奶\tideation\t2\tyoung people's slang\n")

    plain, _ = run("risk", "classify", "--rules-only", "--input", str(source))
    extended, _ = run("risk", "classify", "--rules-only", "--input", str(source), "--lexicon", str(extra))

    assert json.loads(plain)["level"] == "none"
    result = json.loads(extended)
    assert result["level"] == "high"
    assert result["evidence"] == [{"phrase": "去见太奶", "kind": "ideation", "start": 2, "end": 6}]


def test_a_broken_lexicon_file_is_refused_with_its_line(tmp_path: Path) -> None:
    source = write(tmp_path, "in.jsonl", json_lines({"text": "hi"}))
    extra = write(tmp_path, "ours.tsv", "# ours\n去见太奶\tslang\t2\n")

    _, _, error = run_failing("risk", "classify", "--input", str(source), "--lexicon", str(extra))

    assert "cannot load the lexicon" in str(error)
    assert "ours.tsv:2: unknown kind 'slang'" in str(error)


def test_a_missing_input_file_is_a_clear_error(tmp_path: Path) -> None:
    _, _, error = run_failing("risk", "classify", "--input", str(tmp_path / "nowhere.jsonl"))
    assert "cannot read" in str(error) and "nowhere.jsonl" in str(error)


def test_classify_program_reads_standard_input() -> None:
    stdin = json_lines({"text": IMMINENT}) + "oops\n" + json_lines({"text": "I want to kill myself"})

    result = xinyuan("risk", "classify", stdin=stdin)

    assert result.returncode == 1
    levels = [json.loads(line)["level"] for line in result.stdout.splitlines()]
    assert levels == ["imminent", "high"]
    assert IMMINENT in result.stdout
    assert "line 2: not valid JSON" in result.stderr
    assert result.stderr.strip().endswith("1 line(s) could not be classified; see the errors above")


# --------------------------------------------------------------------------- risk evaluate


def test_evaluate_prints_the_figures_of_a_small_labelled_set(tmp_path: Path) -> None:
    labelled = write(
        tmp_path,
        "labelled.jsonl",
        json_lines(
            {"text": IMMINENT, "level": "imminent", "about": "self"},
            {"text": "我想自杀", "level": "high", "about": "self"},
            {"text": "热死了", "level": "none", "about": "self"},
            {"text": "活着没意思", "level": "high", "about": "other"},  # engine says elevated, self
        ),
    )

    text, _ = run("risk", "evaluate", str(labelled))
    figures, _ = run("risk", "evaluate", str(labelled), "--json")

    assert "gold \\ predicted" in text
    assert re.search(r"^high\s+0\s+1\s+1\s+0$", text, re.MULTILINE)
    assert "high+imminent recall      0.667" in text
    assert "imminent recall           1.000" in text
    assert "none → high/imminent      0.000" in text
    assert "about agreement           0.750  (n=4)" in text
    data = json.loads(figures)
    assert data["matrix"]["high"] == {"none": 0, "elevated": 1, "high": 1, "imminent": 0}
    assert data["urgent_recall"] == pytest.approx(2 / 3)
    assert data["imminent_recall"] == 1.0
    assert data["none_raised"] == 0.0
    assert data["per_level"]["elevated"] == {"precision": 0.0, "recall": None, "support": 0}
    assert (data["about_agreement"], data["about_total"], data["total"]) == (0.75, 4, 4)


def test_evaluate_refuses_bad_labels_with_line_numbers(tmp_path: Path) -> None:
    labelled = write(
        tmp_path,
        "labelled.jsonl",
        json_lines(
            {"text": "我想自杀", "level": "high"},
            {"text": "我想自杀", "level": "urgent"},
            {"text": "我想自杀", "level": "high", "about": "me"},
            {"level": "none"},
        ),
    )

    out, err, error = run_failing("risk", "evaluate", str(labelled))

    assert out == ""
    assert err.splitlines() == [
        "line 2: \"level\" must be one of none, elevated, high, imminent, got 'urgent'",
        "line 3: \"about\" must be self or other, got 'me'",
        'line 4: no "text" string',
    ]
    assert error.returncode == 1


@pytest.mark.skipif(not DEV_SET.exists(), reason=f"the labelled dev set is not at {DEV_SET}")
def test_evaluate_on_the_dev_set_meets_the_targets() -> None:
    text, _ = run("risk", "evaluate", str(DEV_SET))
    figures, _ = run("risk", "evaluate", str(DEV_SET), "--json")

    found = re.search(r"^high\+imminent recall\s+([0-9.]+)$", text, re.MULTILINE)
    assert found is not None, text
    assert float(found.group(1)) >= 0.95
    data = json.loads(figures)
    assert data["total"] == 180
    assert data["urgent_recall"] >= 0.95
    assert data["imminent_recall"] >= 0.90
    assert data["none_raised"] <= 0.05


# --------------------------------------------------------------------------- instrument


def test_instrument_score_prints_the_result() -> None:
    out, _ = run("instrument", "score", "phq9", "--answers", "1,2,0,3,1,1,0,0,2")

    assert json.loads(out) == {
        "instrument": "phq9",
        "score": 10,
        "max_score": 27,
        "band": "moderate",
        "flags": ["suicidal_thoughts"],
        "risk_level": "elevated",
        "title": "患者健康问卷（PHQ-9）",
    }


@pytest.mark.parametrize(
    ("args", "band", "flags", "risk_level"),
    [
        (["gad7", "--answers", "3，3，3，3，3，3，0"], "severe", [], None),
        (["C-SSRS", "--answers", "yes,no,-,-,-,yes", "--recency", "lifetime"], "moderate",
         ["wish_to_be_dead", "behaviour_lifetime"], "elevated"),
        (["cssrs", "--answers", "yes,yes,yes,yes,no,no"], "high",
         ["wish_to_be_dead", "suicidal_thoughts", "method", "intent"], "high"),
        (["ideation", "--answers", "75"], "high", ["suicidal_thoughts"], "high"),
        (["hopelessness", "--answers", "50", "--language", "en"], "moderate", [], "elevated"),
    ],
)  # fmt: skip
def test_instrument_score_bands_each_instrument(
    args: list[str], band: str, flags: list[str], risk_level: str | None
) -> None:
    out, _ = run("instrument", "score", *args)

    result = json.loads(out)
    assert (result["band"], result["flags"], result["risk_level"]) == (band, flags, risk_level)


def test_instrument_score_gives_the_title_in_the_chosen_language() -> None:
    out, _ = run("instrument", "score", "cssrs", "--answers", "no,no,no", "--language", "en")
    result = json.loads(out)
    assert result["title"] == "Columbia–Suicide Severity Rating Scale (C-SSRS) screener"
    assert (result["score"], result["band"], result["risk_level"]) == (None, "none", "none")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["phq9", "--answers", "1,2,0"], "phq9 needs 9 answers, got 3"),
        (["gad7", "--answers", "0,0,0,0,4,0,0"], "gad7 answer 5 must be between 0 and 3, got 4"),
        (["phq9", "--answers", "1,x,0,0,0,0,0,0,0"], "phq9 answer 2 is 'x', not a whole number"),
        (["cssrs", "--answers", "yes,no,yes"], "say when (past_3_months or lifetime)"),
        (
            ["phq9", "--answers", "0,0,0,0,0,0,0,0,0", "--recency", "lifetime"],
            "--recency applies only to cssrs",
        ),
        (["ideation", "--answers", "101"], "ideation must be between 0 and 100, got 101"),
    ],
)
def test_instrument_score_refuses_bad_answers_with_exit_code_2(args: list[str], message: str) -> None:
    out, _, error = run_failing("instrument", "score", *args)

    assert out == ""
    assert message in str(error)
    assert error.returncode == 2


def test_instrument_show_prints_the_items() -> None:
    zh, _ = run("instrument", "show", "phq9")
    en, _ = run("instrument", "show", "cssrs", "--language", "en")

    phq9 = json.loads(zh)
    assert (phq9["name"], phq9["language"], phq9["kind"]) == ("phq9", "zh-hans", "likert")
    assert len(phq9["items"]) == 9
    assert phq9["items"][8]["text"] == "有不如死掉或用某种方式伤害自己的念头"
    assert [option["label"] for option in phq9["items"][0]["options"]] == [
        "完全不会",
        "好几天",
        "一半以上的天数",
        "几乎每天",
    ]
    cssrs = json.loads(en)
    assert [item["key"] for item in cssrs["items"]] == ["q1", "q2", "q3", "q4", "q5", "q6", "q6_recency"]
    assert cssrs["items"][2]["asked_if"] == ["q2", "yes"]


def test_unknown_instrument_or_language_is_refused() -> None:
    with pytest.raises(CommandError, match="invalid choice: 'bdi'"):
        run("instrument", "show", "bdi")
    with pytest.raises(CommandError, match="no texts in 'fr'"):
        run("instrument", "show", "gad7", "--language", "fr")


def test_instrument_program_prints_json_and_fails_with_a_one_line_error() -> None:
    good = xinyuan("instrument", "score", "gad7", "--answers", "1,1,1,1,1,1,1", "--language", "en")
    bad = xinyuan("instrument", "score", "gad7", "--answers", "1,1,1")

    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["band"] == "mild"
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.strip().splitlines() == ["CommandError: gad7 needs 7 answers, got 3"]


def test_the_programs_run_without_a_database(tmp_path: Path) -> None:
    """Pure commands: no migrations, no database file is created."""
    env = {**os.environ, "XINYUAN_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [*XINYUAN, "risk", "classify"],
        input=json_lines({"text": "我不会自杀的，放心"}),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["level"] == "none"
    assert not (tmp_path / "xinyuan.sqlite3").exists()
