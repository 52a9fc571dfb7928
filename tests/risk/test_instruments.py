"""Scoring of the screening instruments: published examples and properties (pure, no database)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyuan.risk.instruments import (
    INSTRUMENTS,
    CssrsAnswers,
    instrument_definition,
    parse_answers,
    score,
    score_cssrs,
    score_rating,
)

PHQ9_BANDS = ["minimal", "mild", "moderate", "moderately_severe", "severe"]
GAD7_BANDS = ["minimal", "mild", "moderate", "severe"]
RISK_ORDER = ["none", "elevated", "high", "imminent"]
CSSRS_ORDER = ["none", "low", "moderate", "high"]

phq9_answers = st.lists(st.integers(0, 3), min_size=9, max_size=9)
gad7_answers = st.lists(st.integers(0, 3), min_size=7, max_size=7)


def _items_with_total(total: int, count: int) -> list[int]:
    """Answers adding up to `total`, filled from the first item, item 9 left at 0 when possible."""
    items = [0] * count
    for index in range(count):
        items[index] = min(3, total - sum(items))
    return items


# --- PHQ-9 -----------------------------------------------------------------------------------


def test_phq9_all_ones_is_nine_mild() -> None:
    result = score("phq9", [1] * 9)
    assert (result.score, result.band) == (9, "mild")
    assert result.flags == ("suicidal_thoughts",)  # item 9 is 1
    assert result.risk_level == "elevated"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_boundaries(total: int, band: str) -> None:
    result = score("phq9", _items_with_total(total, 9))
    assert (result.score, result.band) == (total, band)


def test_phq9_item9_flags_even_when_total_is_minimal() -> None:
    result = score("PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 1])
    assert (result.score, result.band, result.flags, result.risk_level) == (
        1,
        "minimal",
        ("suicidal_thoughts",),
        "elevated",
    )


def test_phq9_severe_without_item9_has_no_flag() -> None:
    result = score("phq9", [3, 3, 3, 3, 3, 3, 3, 3, 0])
    assert (result.score, result.band, result.flags, result.risk_level) == (24, "severe", (), "none")


@given(phq9_answers)
def test_phq9_score_is_sum_within_bounds(items: list[int]) -> None:
    result = score("phq9", items)
    assert result.score == sum(items)
    assert 0 <= sum(items) <= 27
    assert result.max_score == 27
    assert ("suicidal_thoughts" in result.flags) == (items[8] > 0)
    if items[8] > 0:
        assert RISK_ORDER.index(result.risk_level or "none") >= RISK_ORDER.index("elevated")


@given(phq9_answers, phq9_answers)
def test_phq9_band_is_monotone_in_score(first: list[int], second: list[int]) -> None:
    a, b = score("phq9", first), score("phq9", second)
    if sum(first) <= sum(second):
        assert PHQ9_BANDS.index(a.band) <= PHQ9_BANDS.index(b.band)


# --- GAD-7 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_boundaries(total: int, band: str) -> None:
    result = score("gad7", _items_with_total(total, 7))
    assert (result.score, result.band, result.risk_level) == (total, band, None)


def test_gad7_all_twos_is_fourteen_moderate() -> None:
    assert (score("gad7", [2] * 7).score, score("gad7", [2] * 7).band) == (14, "moderate")


@given(gad7_answers, gad7_answers)
def test_gad7_score_is_sum_and_band_monotone(first: list[int], second: list[int]) -> None:
    a, b = score("gad7", first), score("gad7", second)
    assert (a.score, b.score) == (sum(first), sum(second))
    assert 0 <= sum(first) <= 21
    if sum(first) <= sum(second):
        assert GAD7_BANDS.index(a.band) <= GAD7_BANDS.index(b.band)


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "answers", "message"),
    [
        ("phq9", [1] * 8, "phq9 needs 9 answers, got 8"),
        ("phq9", [1] * 10, "phq9 needs 9 answers, got 10"),
        ("gad7", [0, 1, 2, 3, 4, 0, 0], "gad7 answer 5 must be between 0 and 3, got 4"),
        ("gad7", [0, -1, 0, 0, 0, 0, 0], "gad7 answer 2 must be between 0 and 3, got -1"),
        ("phq9", [1, 1, 1, 1, 1, 1, 1, 1, True], "phq9 answer 9 must be a whole number 0–3"),
        ("phq9", [1, 1, "2", 1, 1, 1, 1, 1, 1], "phq9 answer 3 must be a whole number 0–3"),
        ("phq9", "111111111", "phq9 answers must be a list"),
        ("ideation", 101, "ideation must be between 0 and 100, got 101"),
        ("hopelessness", -1, "hopelessness must be between 0 and 100, got -1"),
        ("ideation", [50], "ideation takes one whole number 0–100"),
        ("bdi", [1], "unknown instrument 'bdi'"),
    ],
)
def test_wrong_answers_are_rejected_clearly(instrument: str, answers: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score(instrument, answers)  # type: ignore[arg-type]


# --- C-SSRS ----------------------------------------------------------------------------------


def _cssrs(
    q1: bool = False,
    q2: bool = False,
    q3: bool | None = None,
    q4: bool | None = None,
    q5: bool | None = None,
    q6: bool = False,
    recency: str | None = None,
) -> CssrsAnswers:
    return CssrsAnswers(
        wish_to_be_dead=q1,
        suicidal_thoughts=q2,
        method=q3,
        intent=q4,
        plan=q5,
        behaviour=q6,
        behaviour_recency=recency,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("answers", "band", "risk"),
    [
        (_cssrs(), "none", "none"),
        (_cssrs(q1=True), "low", "elevated"),
        (_cssrs(q1=True, q2=True, q3=False, q4=False, q5=False), "low", "elevated"),
        (_cssrs(q1=True, q2=True, q3=True, q4=False, q5=False), "moderate", "elevated"),
        (_cssrs(q6=True, recency="lifetime"), "moderate", "elevated"),
        (_cssrs(q1=True, q2=True, q3=True, q4=True, q5=False), "high", "high"),
        (_cssrs(q1=True, q2=True, q3=False, q4=False, q5=True), "high", "high"),
        (_cssrs(q6=True, recency="past_3_months"), "high", "high"),
    ],
)
def test_cssrs_triage(answers: CssrsAnswers, band: str, risk: str) -> None:
    result = score("cssrs", answers)
    assert (result.band, result.risk_level, result.score) == (band, risk, None)


def test_cssrs_flags_name_the_yes_answers() -> None:
    answers = _cssrs(q1=True, q2=True, q3=True, q4=True, q5=False, q6=True, recency="lifetime")
    assert score_cssrs(answers).flags == (
        "wish_to_be_dead",
        "suicidal_thoughts",
        "method",
        "intent",
        "behaviour_lifetime",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"q2": True, "q3": True, "q4": None, "q5": False},
            "question 4 must be answered when question 2 is yes",
        ),
        ({"q2": False, "q3": True}, "question 3 is skipped when question 2 is no"),
        ({"q2": False, "q5": True}, "question 5 is skipped when question 2 is no"),
        ({"q6": True}, "question 6 is yes: say when"),
        ({"q6": True, "recency": "yesterday"}, "question 6 is yes: say when"),
        ({"q6": False, "recency": "lifetime"}, "question 6 is no"),
    ],
)
def test_cssrs_contradictions_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _cssrs(**kwargs)  # type: ignore[arg-type]


optional_bool = st.one_of(st.none(), st.booleans())
recencies = st.sampled_from([None, "past_3_months", "lifetime"])


def _consistent(q2: bool, follow_ups: tuple[bool | None, ...], q6: bool, recency: str | None) -> bool:
    if q2 and None in follow_ups:
        return False
    if not q2 and any(follow_ups):
        return False
    return (recency is not None) == q6


@given(st.booleans(), st.booleans(), optional_bool, optional_bool, optional_bool, st.booleans(), recencies)
def test_cssrs_skip_logic_accepts_exactly_consistent_answers(
    q1: bool,
    q2: bool,
    q3: bool | None,
    q4: bool | None,
    q5: bool | None,
    q6: bool,
    recency: str | None,
) -> None:
    consistent = _consistent(q2, (q3, q4, q5), q6, recency)
    try:
        answers = _cssrs(q1, q2, q3, q4, q5, q6, recency)
    except ValueError:
        assert not consistent
        return
    assert consistent
    band = score_cssrs(answers).band
    if not q2:
        # Skipped questions given as "no" score the same as left out.
        assert score_cssrs(_cssrs(q1, q2, None, None, None, q6, recency)).band == band
    assert (band == "high") == bool(q4 or q5 or recency == "past_3_months")
    assert (band == "none") == (not (q1 or q2 or q6))


@st.composite
def cssrs_answers(draw: st.DrawFn) -> CssrsAnswers:
    q2 = draw(st.booleans())
    follow_up = st.booleans() if q2 else st.none()
    recency = draw(recencies)
    return _cssrs(
        draw(st.booleans()),
        q2,
        draw(follow_up),
        draw(follow_up),
        draw(follow_up),
        recency is not None,
        recency,
    )


@given(cssrs_answers())
def test_cssrs_another_yes_never_lowers_risk(answers: CssrsAnswers) -> None:
    before = CSSRS_ORDER.index(score_cssrs(answers).band)
    fields = (
        ["wish_to_be_dead", "method", "intent", "plan"] if answers.suicidal_thoughts else ["wish_to_be_dead"]
    )
    for name in fields:
        raised = CssrsAnswers(**{**answers.__dict__, name: True})
        assert CSSRS_ORDER.index(score_cssrs(raised).band) >= before


# --- 0–100 ratings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "band", "risk"),
    [
        ("ideation", 0, "none", "none"),
        ("ideation", 1, "low", "elevated"),
        ("ideation", 39, "low", "elevated"),
        ("ideation", 40, "moderate", "elevated"),
        ("ideation", 69, "moderate", "elevated"),
        ("ideation", 70, "high", "high"),
        ("ideation", 100, "high", "high"),
        ("hopelessness", 39, "low", "none"),
        ("hopelessness", 40, "moderate", "elevated"),
        ("hopelessness", 70, "high", "elevated"),
    ],
)
def test_rating_bands(name: str, value: int, band: str, risk: str) -> None:
    result = score_rating(name, value)
    assert (result.score, result.max_score, result.band, result.risk_level) == (value, 100, band, risk)


@given(st.sampled_from(["ideation", "hopelessness"]), st.integers(0, 100), st.integers(0, 100))
def test_rating_risk_is_monotone(name: str, low: int, high: int) -> None:
    low, high = sorted((low, high))
    assert RISK_ORDER.index(score(name, low).risk_level or "none") <= RISK_ORDER.index(
        score(name, high).risk_level or "none"
    )


# --- command-line answers --------------------------------------------------------------------


def test_parse_phq9_answers_and_print_json() -> None:
    result = score("phq9", parse_answers("phq9", "1,2,0,3, 1,1,0,0,2"))
    assert json.loads(json.dumps(result.to_dict())) == {
        "instrument": "phq9",
        "score": 10,
        "max_score": 27,
        "band": "moderate",
        "flags": ["suicidal_thoughts"],
        "risk_level": "elevated",
    }


def test_parse_cssrs_full_and_short_forms_agree() -> None:
    full = parse_answers("cssrs", "yes,no,-,-,-,yes", recency="lifetime")
    short = parse_answers("c-ssrs", "是,否,是", recency="lifetime")
    assert full == short == _cssrs(q1=True, q6=True, recency="lifetime")


def test_parse_cssrs_with_follow_ups() -> None:
    answers = parse_answers("cssrs", "y,y,y,n,n,n")
    assert answers == _cssrs(q1=True, q2=True, q3=True, q4=False, q5=False)
    assert score("cssrs", answers).band == "moderate"


@pytest.mark.parametrize(
    ("instrument", "text", "recency", "message"),
    [
        ("phq9", "1,2,x,0,0,0,0,0,0", None, "phq9 answer 3 is 'x', not a whole number"),
        ("phq9", "1,1,1,1,1,1,1,1,1", "lifetime", "--recency applies only to cssrs"),
        ("cssrs", "yes,yes,no", None, "cssrs takes 6 answers"),
        ("cssrs", "yes,maybe,no", None, "cssrs answer 2 is 'maybe'"),
        ("cssrs", "yes,no,-,-,-,yes", "last week", "recency must be past_3_months, lifetime or none"),
        ("cssrs", "-,no,-,-,-,no", None, "questions 1, 2 and 6 are always asked"),
        ("ideation", "50,60", None, "ideation takes one number 0–100, got 2"),
    ],
)
def test_parse_errors(instrument: str, text: str, recency: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_answers(instrument, text, recency)


@given(cssrs_answers())
def test_cssrs_cli_round_trip(answers: CssrsAnswers) -> None:
    def word(value: bool | None) -> str:
        return "-" if value is None else ("yes" if value else "no")

    values = [answers.wish_to_be_dead, answers.suicidal_thoughts, answers.method, answers.intent]
    values += [answers.plan, answers.behaviour]
    text = ",".join(word(value) for value in values)
    assert parse_answers("cssrs", text, answers.behaviour_recency or "none") == answers


# --- form definitions ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("name", "count"), [("phq9", 9), ("gad7", 7), ("cssrs", 7), ("ideation", 1)])
def test_definitions_have_every_item_and_option(name: str, count: int, language: str) -> None:
    definition = instrument_definition(name, language)
    assert len(definition.items) == count
    assert all(item.text for item in definition.items)
    if name in ("phq9", "gad7"):
        assert [option.value for option in definition.items[0].options] == [0, 1, 2, 3]
    json.dumps(definition.to_dict(), ensure_ascii=False)


def test_chinese_and_english_definitions_have_the_same_shape() -> None:
    for name in INSTRUMENTS:
        zh, en = instrument_definition(name, "zh-CN"), instrument_definition(name, "en-GB")
        assert [(i.key, [o.value for o in i.options], i.asked_if) for i in zh.items] == [
            (i.key, [o.value for o in i.options], i.asked_if) for i in en.items
        ]
    assert instrument_definition("phq9").items[8].text == "有不如死掉或用某种方式伤害自己的念头"
    assert instrument_definition("cssrs", "en").items[2].asked_if == ("q2", "yes")


def test_unknown_language_is_rejected() -> None:
    with pytest.raises(ValueError, match="available: zh-hans, en"):
        instrument_definition("phq9", "fr")
