"""Screening instruments: PHQ-9, GAD-7, the C-SSRS screener and the 0–100 ratings of the NHC
2021 hotline guideline (suicidal ideation intensity, hopelessness).

Pure module (no Django): scoring with clear errors, form definitions in Simplified Chinese and
English, and parsing of command-line answers. See docs/instruments.md for the sources, the bands
and how results map to a contact's risk level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

RiskLevel = Literal["none", "elevated", "high", "imminent"]
Recency = Literal["past_3_months", "lifetime"]
Kind = Literal["likert", "yes_no", "rating"]

INSTRUMENTS = ("phq9", "gad7", "cssrs", "ideation", "hopelessness")
LANGUAGES = ("zh-hans", "en")
RECENCIES: tuple[Recency, ...] = ("past_3_months", "lifetime")

_ALIASES = {"suicidal_ideation": "ideation", "ideation_intensity": "ideation"}


# ---------------------------------------------------------------------------------------------
# Inputs and results


@dataclass(frozen=True, kw_only=True)
class CssrsAnswers:
    """Answers to the C-SSRS screener (questions 1–5 about the past month).

    Questions 3–5 are asked only after a yes to question 2. When question 2 is no they may be
    left out (None) or given as no; a yes there contradicts question 2 and is rejected.
    `behaviour_recency` is required after a yes to question 6 and rejected after a no.
    """

    wish_to_be_dead: bool  # Q1
    suicidal_thoughts: bool  # Q2
    behaviour: bool  # Q6
    method: bool | None = None  # Q3
    intent: bool | None = None  # Q4
    plan: bool | None = None  # Q5
    behaviour_recency: Recency | None = None  # Q6 follow-up: within the past 3 months or earlier

    def __post_init__(self) -> None:
        for number, value in ((1, self.wish_to_be_dead), (2, self.suicidal_thoughts), (6, self.behaviour)):
            if not isinstance(value, bool):
                raise ValueError(f"C-SSRS question {number} must be answered yes or no, got {value!r}")
        for number, follow_up in ((3, self.method), (4, self.intent), (5, self.plan)):
            _check_follow_up(number, follow_up, self.suicidal_thoughts)
        if self.behaviour and self.behaviour_recency not in RECENCIES:
            raise ValueError(
                "C-SSRS question 6 is yes: say when (past_3_months or lifetime), "
                f"got {self.behaviour_recency!r}"
            )
        if not self.behaviour and self.behaviour_recency is not None:
            raise ValueError("C-SSRS question 6 is no: a recency of behaviour contradicts it")


def _check_follow_up(number: int, value: bool | None, thoughts: bool) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"C-SSRS question {number} must be yes, no or skipped, got {value!r}")
    if thoughts and value is None:
        raise ValueError(f"C-SSRS question {number} must be answered when question 2 is yes")
    if not thoughts and value:
        raise ValueError(
            f"C-SSRS question {number} is skipped when question 2 is no; a yes contradicts that no"
        )


# What `score` accepts: item answers (PHQ-9, GAD-7), C-SSRS answers, or one 0–100 rating.
Answers = Sequence[int] | CssrsAnswers | int


@dataclass(frozen=True)
class Result:
    instrument: str
    score: int | None  # None for the C-SSRS, which has no total
    max_score: int | None
    band: str
    flags: tuple[str, ...]
    risk_level: RiskLevel | None  # None where the instrument says nothing about suicide risk

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["flags"] = list(self.flags)
        return data


# ---------------------------------------------------------------------------------------------
# Scoring


def canonical_name(instrument: str) -> str:
    """'PHQ-9' → 'phq9', 'C-SSRS' → 'cssrs'; raises ValueError for an unknown instrument."""
    name = instrument.strip().lower().replace("-", "")
    name = _ALIASES.get(name, name)
    if name not in INSTRUMENTS:
        raise ValueError(f"unknown instrument {instrument!r}; known: {', '.join(INSTRUMENTS)}")
    return name


def score(instrument: str, answers: Answers) -> Result:
    """Score one filled-in instrument."""
    name = canonical_name(instrument)
    if name == "cssrs":
        if not isinstance(answers, CssrsAnswers):
            raise ValueError("cssrs answers must be CssrsAnswers")
        return score_cssrs(answers)
    if name in ("ideation", "hopelessness"):
        if not isinstance(answers, int):
            raise ValueError(f"{name} takes one whole number 0–100")
        return score_rating(name, answers)
    if isinstance(answers, CssrsAnswers | int | str):
        raise ValueError(f"{name} answers must be a list of whole numbers 0–3")
    return score_phq9(answers) if name == "phq9" else score_gad7(answers)


_PHQ9_BANDS = ((4, "minimal"), (9, "mild"), (14, "moderate"), (19, "moderately_severe"), (27, "severe"))
_GAD7_BANDS = ((4, "minimal"), (9, "mild"), (14, "moderate"), (21, "severe"))


def score_phq9(items: Sequence[int]) -> Result:
    _check_items("phq9", items, 9)
    total = sum(items)
    # Item 9 (thoughts of being better off dead or of self-harm) matters whatever the total.
    flags = ("suicidal_thoughts",) if items[8] > 0 else ()
    risk: RiskLevel = "elevated" if flags else "none"
    return Result("phq9", total, 27, _band(total, _PHQ9_BANDS), flags, risk)


def score_gad7(items: Sequence[int]) -> Result:
    _check_items("gad7", items, 7)
    total = sum(items)
    return Result("gad7", total, 21, _band(total, _GAD7_BANDS), (), None)


def _check_items(name: str, items: Sequence[int], count: int) -> None:
    if len(items) != count:
        raise ValueError(f"{name} needs {count} answers, got {len(items)}")
    for number, value in enumerate(items, start=1):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} answer {number} must be a whole number 0–3, got {value!r}")
        if not 0 <= value <= 3:
            raise ValueError(f"{name} answer {number} must be between 0 and 3, got {value}")


def _band(total: int, bands: tuple[tuple[int, str], ...]) -> str:
    for upper, band in bands:
        if total <= upper:
            return band
    raise ValueError(f"score {total} is above the instrument's maximum")


# Risk level for the none/low/moderate/high bands of the C-SSRS and the ideation rating: any
# wish or thought of death is at least "elevated"; the instruments never say "imminent".
_BAND_RISK: dict[str, RiskLevel] = {"none": "none", "low": "elevated", "moderate": "elevated", "high": "high"}


def score_cssrs(answers: CssrsAnswers) -> Result:
    """Band the screener by the C-SSRS triage rule: none, low, moderate or high risk."""
    recent_behaviour = answers.behaviour and answers.behaviour_recency == "past_3_months"
    if answers.intent or answers.plan or recent_behaviour:
        band = "high"
    elif answers.method or answers.behaviour:
        band = "moderate"
    elif answers.wish_to_be_dead or answers.suicidal_thoughts:
        band = "low"
    else:
        band = "none"
    return Result("cssrs", None, None, band, _cssrs_flags(answers), _BAND_RISK[band])


def _cssrs_flags(answers: CssrsAnswers) -> tuple[str, ...]:
    named = (
        ("wish_to_be_dead", answers.wish_to_be_dead),
        ("suicidal_thoughts", answers.suicidal_thoughts),
        ("method", answers.method),
        ("intent", answers.intent),
        ("plan", answers.plan),
    )
    flags = [flag for flag, value in named if value]
    if answers.behaviour:
        flags.append(f"behaviour_{answers.behaviour_recency}")
    return tuple(flags)


# Bands for the 0–100 ratings are this project's choice (the guideline asks for the rating, not
# cut-offs): 70 and above is high, 40–69 moderate.
_IDEATION_BANDS = ((0, "none"), (39, "low"), (69, "moderate"), (100, "high"))
_HOPELESSNESS_BANDS = ((39, "low"), (69, "moderate"), (100, "high"))
# Hopelessness is a risk factor, not intent: at most "elevated" on its own.
_HOPELESSNESS_RISK: dict[str, RiskLevel] = {"low": "none", "moderate": "elevated", "high": "elevated"}


def score_rating(name: str, value: int) -> Result:
    """Score a 0–100 rating: 'ideation' (suicidal ideation intensity) or 'hopelessness'."""
    name = canonical_name(name)
    if name not in ("ideation", "hopelessness"):
        raise ValueError(f"{name} is not a 0–100 rating")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number 0–100, got {value!r}")
    if not 0 <= value <= 100:
        raise ValueError(f"{name} must be between 0 and 100, got {value}")
    if name == "ideation":
        band = _band(value, _IDEATION_BANDS)
        flags: tuple[str, ...] = ("suicidal_thoughts",) if value > 0 else ()
        return Result(name, value, 100, band, flags, _BAND_RISK[band])
    band = _band(value, _HOPELESSNESS_BANDS)
    flags = ("hopelessness",) if band == "high" else ()
    return Result(name, value, 100, band, flags, _HOPELESSNESS_RISK[band])


# ---------------------------------------------------------------------------------------------
# Command-line answers

_YES = {"yes", "y", "true", "1", "是"}
_NO = {"no", "n", "false", "0", "否"}
_SKIPPED = {"", "-", "skip", "skipped"}


def parse_answers(instrument: str, answers: str, recency: str | None = None) -> Answers:
    """Turn `--answers 1,2,0,…` (and `--recency` for the C-SSRS) into what `score` takes.

    C-SSRS answers are yes/no in question order: either all six, with `-` (or nothing) for the
    questions skipped after a no to question 2, or only the three asked then (1, 2 and 6).
    """
    name = canonical_name(instrument)
    tokens = [token.strip().lower() for token in answers.replace("，", ",").split(",")]
    if name == "cssrs":
        return _parse_cssrs(tokens, recency)
    if recency is not None:
        raise ValueError("--recency applies only to cssrs")
    numbers = tuple(_parse_int(name, number, token) for number, token in enumerate(tokens, start=1))
    if name in ("ideation", "hopelessness"):
        if len(numbers) != 1:
            raise ValueError(f"{name} takes one number 0–100, got {len(numbers)}")
        return numbers[0]
    return numbers


def _parse_int(name: str, number: int, token: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise ValueError(f"{name} answer {number} is {token!r}, not a whole number") from None


def _parse_cssrs(tokens: list[str], recency: str | None) -> CssrsAnswers:
    values = [_parse_yes_no(number, token) for number, token in enumerate(tokens, start=1)]
    if len(values) == 3 and values[1] is False:
        values = [values[0], values[1], None, None, None, values[2]]
    if len(values) != 6:
        raise ValueError(
            "cssrs takes 6 answers (- for a skipped question), or 3 (questions 1, 2 and 6) "
            f"when question 2 is no; got {len(values)}"
        )
    q1, q2, q3, q4, q5, q6 = values
    if q1 is None or q2 is None or q6 is None:
        raise ValueError("C-SSRS questions 1, 2 and 6 are always asked: answer yes or no")
    return CssrsAnswers(
        wish_to_be_dead=q1,
        suicidal_thoughts=q2,
        method=q3,
        intent=q4,
        plan=q5,
        behaviour=q6,
        behaviour_recency=_parse_recency(recency),
    )


def _parse_yes_no(number: int, token: str) -> bool | None:
    if token in _YES:
        return True
    if token in _NO:
        return False
    if token in _SKIPPED:
        return None
    raise ValueError(f"cssrs answer {number} is {token!r}; use yes, no or - (skipped)")


def _parse_recency(recency: str | None) -> Recency | None:
    if recency is None or recency.strip().lower() in ("", "none"):
        return None
    value = recency.strip().lower().replace("-", "_")
    for known in RECENCIES:
        if value == known:
            return known
    raise ValueError(f"recency must be past_3_months, lifetime or none, got {recency!r}")


# ---------------------------------------------------------------------------------------------
# Form definitions


@dataclass(frozen=True)
class Option:
    value: int | str
    label: str


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    options: tuple[Option, ...]
    hint: str = ""  # examples the counsellor may read out
    asked_if: tuple[str, str] | None = None  # (item key, option value) that makes it asked
    minimum: int | None = None  # for ratings
    maximum: int | None = None


@dataclass(frozen=True)
class Definition:
    name: str
    language: str
    kind: Kind
    title: str
    instructions: str
    items: tuple[Item, ...]
    source: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def normalise_language(language: str) -> str:
    """'zh', 'zh-CN', 'zh_Hans' → 'zh-hans'; 'en-GB' → 'en'."""
    code = language.strip().lower().replace("_", "-")
    if code in ("zh", "zh-hans", "zh-cn", "zh-sg", "zh-hans-cn"):
        return "zh-hans"
    if code == "en" or code.startswith("en-"):
        return "en"
    raise ValueError(f"no texts in {language!r}; available: {', '.join(LANGUAGES)}")


def instrument_definition(name: str, language: str = "zh-hans") -> Definition:
    """The items and answer options of an instrument, for rendering a form."""
    name = canonical_name(name)
    lang = _TEXTS[normalise_language(language)]
    texts = lang.instruments[name]
    if name in ("phq9", "gad7"):
        options = tuple(Option(value, label) for value, label in enumerate(lang.frequency))
        items = tuple(Item(f"item{n}", text, options) for n, text in enumerate(texts.items, start=1))
        kind: Kind = "likert"
    elif name == "cssrs":
        items = _cssrs_items(lang)
        kind = "yes_no"
    else:
        items = (Item("rating", texts.items[0], (), hint=texts.hints[0], minimum=0, maximum=100),)
        kind = "rating"
    return Definition(name, lang.code, kind, texts.title, texts.instructions, items, texts.source)


def _cssrs_items(lang: _LanguageTexts) -> tuple[Item, ...]:
    texts = lang.instruments["cssrs"]
    yes_no = (Option("yes", lang.yes_no[0]), Option("no", lang.yes_no[1]))
    questions, hints = texts.items, texts.hints
    after_q2 = ("q2", "yes")
    recency_options = (
        Option("past_3_months", texts.recency_options[0]),
        Option("lifetime", texts.recency_options[1]),
    )
    return (
        Item("q1", questions[0], yes_no),
        Item("q2", questions[1], yes_no),
        Item("q3", questions[2], yes_no, hint=hints[0], asked_if=after_q2),
        Item("q4", questions[3], yes_no, hint=hints[1], asked_if=after_q2),
        Item("q5", questions[4], yes_no, asked_if=after_q2),
        Item("q6", questions[5], yes_no, hint=hints[2]),
        Item("q6_recency", texts.recency, recency_options, asked_if=("q6", "yes")),
    )


@dataclass(frozen=True)
class _InstrumentTexts:
    title: str
    instructions: str
    items: tuple[str, ...]
    source: str
    hints: tuple[str, ...] = ()
    recency: str = ""
    recency_options: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class _LanguageTexts:
    code: str
    frequency: tuple[str, str, str, str]
    yes_no: tuple[str, str]
    instruments: dict[str, _InstrumentTexts]


_PHQ_SOURCE = "PHQ-9 © Pfizer Inc., free to use; Chinese: the Pfizer Simplified Chinese version"
_GAD_SOURCE = "GAD-7 © Pfizer Inc., free to use; Chinese: the Pfizer Simplified Chinese version"
_CSSRS_SOURCE = "C-SSRS Screen Version – Recent, © The Research Foundation for Mental Hygiene (Columbia)"
_NHC_SOURCE = "心理援助热线技术指南（试行）, National Health Commission of China, 2021"

_ZH_PHQ9_ITEMS = (
    "做事时提不起劲或没有兴趣",
    "感到心情低落、沮丧或绝望",
    "入睡困难、睡不安稳或睡眠过多",
    "感觉疲倦或没有活力",
    "食欲不振或吃太多",
    "觉得自己很糟，或觉得自己很失败，或让自己或家人失望",
    "对事物专注有困难，例如阅读报纸或看电视时",
    "动作或说话速度缓慢到别人已经察觉？或正好相反——烦躁或坐立不安、动来动去的情况更胜于平常",
    "有不如死掉或用某种方式伤害自己的念头",
)
_EN_PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
    "fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
_ZH_GAD7_ITEMS = (
    "感觉紧张、焦虑或急切",
    "不能够停止或控制担忧",
    "对各种各样的事情担忧过多",
    "很难放松下来",
    "由于不安而无法静坐",
    "变得容易烦恼或急躁",
    "感到似乎将有可怕的事情发生而害怕",
)
_EN_GAD7_ITEMS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)
_ZH_CSSRS_ITEMS = (
    "您是否曾希望自己已经死了，或者希望自己睡着了就不再醒来？",
    "您是否真的有过想要自杀的念头？",
    "您是否想过可能会怎样去做？",
    "您是否有过这些念头，并且有过某种要付诸行动的打算？",
    "您是否已经开始想或已经想好了如何自杀的具体细节？您打算执行这个计划吗？",
    "您是否曾经做过任何事情、开始做任何事情或准备做任何事情来结束自己的生命？",
)
_ZH_CSSRS_HINTS = (
    "例如：“我想过吃过量的药，但从没具体计划过什么时候、在哪里或怎样去做……而且我绝不会真的去做。”",
    "与之相对的是：“我有这些念头，但我绝对不会做任何事情。”",
    "例如：收集药片、弄到枪支、把贵重物品送人、写遗嘱或遗书、把药拿出来但没有吞下、拿着枪但改变了主意"
    "或枪被人夺下、到了楼顶但没有跳下；或者真的吞服了药物、试图开枪自杀、割伤自己、试图上吊等。",
)
_EN_CSSRS_ITEMS = (
    "Have you wished you were dead or wished you could go to sleep and not wake up?",
    "Have you actually had any thoughts of killing yourself?",
    "Have you been thinking about how you might do this?",
    "Have you had these thoughts and had some intention of acting on them?",
    "Have you started to work out or worked out the details of how to kill yourself? "
    "Do you intend to carry out this plan?",
    "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
)
_EN_CSSRS_HINTS = (
    "For example: “I thought about taking an overdose but I never made a specific plan as to when, "
    "where or how I would actually do it… and I would never go through with it.”",
    "As opposed to: “I have the thoughts but I definitely will not do anything about them.”",
    "Examples: collected pills, obtained a gun, gave away valuables, wrote a will or suicide note, "
    "took out pills but didn't swallow any, held a gun but changed your mind or it was grabbed from "
    "your hand, went to the roof but didn't jump; or actually took pills, tried to shoot yourself, "
    "cut yourself, tried to hang yourself, etc.",
)

_ZH = _LanguageTexts(
    code="zh-hans",
    frequency=("完全不会", "好几天", "一半以上的天数", "几乎每天"),
    yes_no=("是", "否"),
    instruments={
        "phq9": _InstrumentTexts(
            title="患者健康问卷（PHQ-9）",
            instructions="在过去两个星期，有多少时候您受到以下任何问题所困扰？",
            items=_ZH_PHQ9_ITEMS,
            source=_PHQ_SOURCE,
        ),
        "gad7": _InstrumentTexts(
            title="广泛性焦虑量表（GAD-7）",
            instructions="在过去两个星期，有多少时候您受到以下任何问题所困扰？",
            items=_ZH_GAD7_ITEMS,
            source=_GAD_SOURCE,
        ),
        "cssrs": _InstrumentTexts(
            title="哥伦比亚自杀严重程度评定量表（C-SSRS）筛查版",
            instructions="第1–5题问的是过去一个月。先问第1、2题；第2题回答“是”，再问第3、4、5、6题；"
            "第2题回答“否”，直接问第6题。",
            items=_ZH_CSSRS_ITEMS,
            source=_CSSRS_SOURCE,
            hints=_ZH_CSSRS_HINTS,
            recency="这是在过去三个月内发生的吗？",
            recency_options=("是，在过去三个月内", "否，在三个月以前"),
        ),
        "ideation": _InstrumentTexts(
            title="自杀意念强度（0–100）",
            instructions="由咨询师询问来访者并记录其回答。",
            items=("如果用0到100打分，您现在想要自杀的念头有多强？",),
            source=_NHC_SOURCE,
            hints=("0 表示完全没有，100 表示非常强烈。",),
        ),
        "hopelessness": _InstrumentTexts(
            title="绝望程度（0–100）",
            instructions="由咨询师询问来访者并记录其回答。",
            items=("如果用0到100打分，您现在对未来感到有多绝望？",),
            source=_NHC_SOURCE,
            hints=("0 表示对未来充满希望，100 表示完全没有希望。",),
        ),
    },
)

_EN = _LanguageTexts(
    code="en",
    frequency=("Not at all", "Several days", "More than half the days", "Nearly every day"),
    yes_no=("Yes", "No"),
    instruments={
        "phq9": _InstrumentTexts(
            title="Patient Health Questionnaire (PHQ-9)",
            instructions="Over the last 2 weeks, how often have you been bothered by any of the "
            "following problems?",
            items=_EN_PHQ9_ITEMS,
            source=_PHQ_SOURCE,
        ),
        "gad7": _InstrumentTexts(
            title="Generalized Anxiety Disorder scale (GAD-7)",
            instructions="Over the last 2 weeks, how often have you been bothered by the following problems?",
            items=_EN_GAD7_ITEMS,
            source=_GAD_SOURCE,
        ),
        "cssrs": _InstrumentTexts(
            title="Columbia–Suicide Severity Rating Scale (C-SSRS) screener",
            instructions="Questions 1–5 are about the past month. Ask questions 1 and 2. If yes to 2, "
            "ask questions 3, 4, 5 and 6. If no to 2, go directly to question 6.",
            items=_EN_CSSRS_ITEMS,
            source=_CSSRS_SOURCE,
            hints=_EN_CSSRS_HINTS,
            recency="Was this within the past 3 months?",
            recency_options=("Yes, within the past 3 months", "No, more than 3 months ago"),
        ),
        "ideation": _InstrumentTexts(
            title="Suicidal ideation intensity (0–100)",
            instructions="The counsellor asks and records the seeker's answer.",
            items=("On a scale from 0 to 100, how strong are your thoughts of killing yourself right now?",),
            source=_NHC_SOURCE,
            hints=("0 means none at all, 100 means extremely strong.",),
        ),
        "hopelessness": _InstrumentTexts(
            title="Hopelessness (0–100)",
            instructions="The counsellor asks and records the seeker's answer.",
            items=("On a scale from 0 to 100, how hopeless do you feel about the future right now?",),
            source=_NHC_SOURCE,
            hints=("0 means fully hopeful, 100 means completely hopeless.",),
        ),
    },
)

_TEXTS = {"zh-hans": _ZH, "en": _EN}
