"""The triage engine: targets on labelled sets, regression cases for the traps, properties."""

import json
import re
from collections.abc import Callable
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyuan.risk.evaluation import evaluate
from xinyuan.risk.triage import LEVELS, Triage, classify, load_lexicon, read_entries

DEV_SET = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "risk_dev.jsonl"
EXTRA_SET = Path(__file__).with_name("cases_extra.jsonl")
BLIND_SET = Path(__file__).with_name("cases_blind.jsonl")
# Later probes (c…, e…–i…, j…–s…), each written after a tuning round and run once as
# held-out text before its own gaps were filled; see docs/risk-triage.md for the first-run figures.
LATER_PROBES = sorted(Path(__file__).parent.glob("cases_blind[0-9]*.jsonl"))
# The probes of the generalisation round (j… 301, k… 163, m… 136, n… 123, p… 123, q… 105, r… 80, s… 85).
ROUND_PROBES = [Path(__file__).with_name(f"cases_blind{n}.jsonl") for n in range(8, 16)]
# The probes of round 2 (t… phone messages 2020-2022, u… Cantonese/Taiwanese/non-native English/
# one-liners, v… scenes, states and indirect farewells, w… written after the t…–v… tuning), 120 each.
ROUND2_PROBES = [Path(__file__).with_name(f"cases_blind{n}.jsonl") for n in range(16, 20)]


def rank(level: str) -> int:
    return LEVELS.index(level)


def load_cases(path: Path) -> list[dict[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def assert_targets(
    cases: list[dict[str, str]],
    urgent: float = 0.95,
    imminent: float = 0.90,
    raised: float = 0.05,
    *,
    learn: bool = True,
) -> None:
    predicted = [classify(case["text"], learn=learn).level for case in cases]
    report = evaluate([case["level"] for case in cases], predicted)
    misses = [
        (case["id"], case["level"], level, case["text"])
        for case, level in zip(cases, predicted, strict=True)
        if case["level"] in {"high", "imminent"} and level not in {"high", "imminent"}
    ]
    assert report.urgent_recall is not None and report.urgent_recall >= urgent, misses
    assert report.imminent_recall is not None and report.imminent_recall >= imminent
    assert report.none_raised is not None and report.none_raised <= raised


# --------------------------------------------------------------------------- labelled sets


@pytest.mark.skipif(not DEV_SET.exists(), reason=f"dev set not found at {DEV_SET}")
def test_dev_set_meets_the_targets() -> None:
    assert_targets(load_cases(DEV_SET))


# The sets below were in view while the rules were written, and the learned model is trained on
# them: they guard the rules and lexicon (learn=False) against a change that quietly undoes them.


def test_extra_set_meets_the_targets() -> None:
    assert_targets(load_cases(EXTRA_SET), learn=False)


def test_blind_set_meets_the_targets() -> None:
    # 175 messages written before the lexicon was read in detail (first run: high+imminent
    # recall 0.753, imminent 0.649, none raised 0.071); their phrase families were then added.
    assert_targets(load_cases(BLIND_SET), learn=False)


def test_later_probes_meet_the_targets() -> None:
    cases = [case for path in LATER_PROBES for case in load_cases(path)]
    assert len(cases) >= 80
    assert_targets(cases, learn=False)


def test_each_probe_of_the_generalisation_round_meets_the_targets() -> None:
    # First runs, before each probe's own round: j… 0.746/0.689/0.055, k… 0.584/0.463/0.066,
    # m… 0.821/0.686/0.060, n… 0.750/0.467/0.044, p… 0.817/0.600/0.044, q… 0.760/0.600/0.000,
    # r… 0.800/0.750/0.120, s… 0.800/0.652/0.080 (high+imminent recall, imminent recall, none raised
    # to high/imminent).
    for path in ROUND_PROBES:
        assert_targets(load_cases(path), learn=False)


def test_each_probe_of_round_two_meets_the_targets() -> None:
    # First runs, before their own tuning (high+imminent recall, imminent recall, none raised):
    # t… 0.879/0.833/0.042, u… 0.707/0.533/0.021, v… 0.667/0.583/0.125 (pooled 0.750/0.646/0.062);
    # w…, written after the t…–v… tuning, 0.690/0.625/0.100.
    for path in ROUND2_PROBES:
        assert len(load_cases(path)) >= 120
        assert_targets(load_cases(path), learn=False)


def test_all_labelled_sets_pooled_stay_at_the_level_reached() -> None:
    # Every blind probe and the extra set together (about 2,100 messages): the level reached
    # after round 2, so that a lexicon change cannot quietly undo it.
    paths = [EXTRA_SET, BLIND_SET, *LATER_PROBES]
    cases = [case for path in paths for case in load_cases(path)]
    assert len(cases) >= 2100
    assert_targets(cases, urgent=0.98, imminent=0.97, raised=0.01, learn=False)


def _without_punctuation(text: str) -> str:
    """As people type on a phone: no punctuation, no spaces between Chinese words."""
    text = re.sub(r"[，。！？,.!?、；;：:“”\"]+", " ", text)
    return re.sub(r"(?<![a-z0-9]) (?![a-z0-9])", "", text)


@pytest.mark.parametrize(
    "variant",
    [_without_punctuation, opencc.OpenCC("s2t").convert, lambda text: f"你好，我想说一下。{text} 😭😭"],
    ids=["no punctuation", "traditional", "greeting and emoji"],
)
def test_urgent_messages_stay_urgent_when_written_differently(variant: Callable[[str], str]) -> None:
    # The same messages without punctuation, in Traditional characters, or wrapped in small talk
    # must keep an urgent level, and none of the ordinary ones may become urgent.
    cases = [case for path in [*ROUND_PROBES, *ROUND2_PROBES] for case in load_cases(path)]
    moved = []
    for case in cases:
        before = classify(case["text"], learn=False).level
        after = classify(variant(case["text"]), learn=False).level
        if (before in {"high", "imminent"}) != (after in {"high", "imminent"}):
            moved.append((case["id"], before, after))
    assert len(moved) <= len(cases) // 100, moved


@pytest.mark.skipif(not DEV_SET.exists(), reason=f"dev set not found at {DEV_SET}")
def test_third_parties_in_the_dev_set_are_mostly_recognised() -> None:
    cases = [case for case in load_cases(DEV_SET) if case["level"] != "none"]
    right = sum(classify(case["text"]).about == case["about"] for case in cases)
    assert right / len(cases) >= 0.9


# --------------------------------------------------------------------------- regression cases

NOT_RISK = [
    # hyperbole
    "今天加班到十点 累死了",
    "哈哈哈笑死我了",
    "热死了 空调又坏了",
    "老板又改需求 气死我了",
    "饿死了 有什么好吃的",
    "困死了 昨晚没睡",
    "烦死了",
    "宝贝想死你了 快回来",
    "this heat is killing me",
    "lol that joke killed me 💀",
    "I'm dead 😂 my cat fell in the tub",
    # idioms
    "这场比赛生死攸关",
    "他对她死心塌地",
    "电脑又死机了",
    "拼死拼活干了十年",
    "死线是明天早上",
    "跳楼价大甩卖",
    "帮我砍一刀",
    # news, fiction, games, software
    "新闻里有人跳楼了 好可怕",
    "小说里主角最后自杀了",
    "游戏里我又死了",
    "进程被杀死了 怎么重启",
    "how do I kill the process on linux",
    "今天看了个纪录片讲自杀式袭击",
    # true negation
    "我不会自杀的，放心",
    "我从没想过自杀",
    "I'm not suicidal, just stressed",
    "放心，我沒有要做傻事啦",
    # ordinary mentions of means and places
    "晚上去楼顶烧烤 一起吗",
    "感冒了 刚吃了两片药",
    "医生给我开了安眠药 吃了睡得好多了",
    "刀工练了好久 终于会切土豆丝了🔪",
    # hyperbole as a construction (verb or adjective + 到/得 + 想死/快死)
    "这学期的论文写到我想死",
    "痛经痛得想死 每个月都这样",
    "今天熱到快要死掉",
    "想死的心都有了 排了两个小时队",
    "my phone is about to die",
    "omg i'm gonna die if he texts back",
    # departures, routine medicine, someone described by the act
    "要搬家了 东西都送给朋友了",
    "just gave my old guitar to my nephew, he loves it",
    "我把所有的药都按时吃了 医生说恢复得不错",
    "不想活在别人的期待里了",
    "i'm not going to kill myself, relax, i just had a bad day",
    # goodbyes before an ordinary departure, anger that is a joke
    "下个月我就要去深圳工作了，把家里的书和衣服都送给了表妹，跟朋友们一一告别。",
    "bye everyone, going offline for a week to focus on exams!",
    "我老板今天又在会上骂人 真的想掐死他 哈哈开玩笑的",
    "i'm dying for some pizza rn",
    "我要去死海玩了 好期待",
    # look-alikes of scenes, states and farewells (round 2)
    "药已经起效了 头不怎么疼了",
    "the pills are kicking in, finally my headache is gone",
    "流鼻血了 止不住 好烦",
    "my nose is bleeding a lot, any tips to stop it?",
    "手指被纸划了一道 流了点血",
    "the rope swing is ready, kids are loving it",
    "take care of my cat while i'm in Bali! food is in the cupboard",
    "goodbye everyone, I go back to my country next week, thank you for everything",
    "核酸检测的棉签捅得我想死 哈哈",
    "游泳池的水到胸口 我还不敢松手 学游泳第一天",
    "遗书这个词在日语里怎么说",
]


@pytest.mark.parametrize("text", NOT_RISK)
def test_hyperbole_idioms_other_senses_and_true_negation_are_not_raised(text: str) -> None:
    assert classify(text).level == "none"


@pytest.mark.parametrize(
    "text",
    [
        "买了一把美工刀拆快递",  # a blade bought: elevated at most until something else is wrong
        "我是个医生 今天抢救了一个吃药自杀的病人 救回来了",  # someone else, described by the act
        "今天去药店买了安眠药",
        "绳子买好了 周末去攀岩",  # bought, and a time that is a weekend plan
        "科室今天抢救了一个喝农药的老人 救回来了",
        "大二那年我在天台站过很久，最后没跳。现在偶尔路过那栋楼还是会心慌",  # a past attempt
    ],
)
def test_means_and_reports_alone_are_not_urgent(text: str) -> None:
    assert classify(text).level in {"none", "elevated"}


AT_LEAST = [
    # negation that is still risk
    ("我不想活了，但我不会做傻事", "high"),
    ("我不想活了 但我不会做傻事的", "high"),
    ("我不知道还能坚持多久", "elevated"),
    ("I don't want to live anymore", "high"),
    # passive wish, hopelessness, burden, past attempts
    ("活着没意思", "elevated"),
    ("有时候希望睡着就不要醒来", "elevated"),
    ("看不到希望", "elevated"),
    ("我是家里的累赘", "elevated"),
    ("以前自杀过", "elevated"),
    # high
    ("我想自杀", "high"),
    ("我要去死", "high"),
    ("I want to kill myself", "high"),
    ("吃多少安眠药会死", "high"),
    ("how many pills does it take to die", "high"),
    ("最近又开始用刀划手臂了", "high"),
    # imminent
    ("我已经吃了一整瓶安眠药", "imminent"),
    ("刚割了手腕 血止不住", "imminent"),
    ("I took 30 pills", "imminent"),
    ("我现在在天台上 不想下去了", "imminent"),
    ("药都准备好了", "imminent"),
    ("攒了一瓶安眠药", "imminent"),
    ("今晚就结束一切", "imminent"),
    ("i'm going to kill myself tonight", "imminent"),
    # negation that is still risk, in new forms
    ("我真的想死 但我不会今天去做", "high"),
    ("我不想死 但是也不想活着", "elevated"),
    # compositional rules: wish + method, search + method, question across clauses
    ("每次路过那座桥都想跳", "high"),
    ("想吃一整瓶药睡过去", "high"),
    ("been looking up how to tie a noose", "high"),
    ("哪个牌子的安眠药最容易买到 能吃死人的那种", "high"),
    ("I keep thinking about jumping in front of a train", "high"),
    ("suicide seems like the only option left", "high"),
    # a time with a death word, counted pills, a blade on the body, means and a time
    ("網貸欠了四十幾萬 今天晚上我會把這件事做個了結", "imminent"),
    ("吃了一百片退黑素 现在看东西是双的", "imminent"),
    ("i've taken 30 lorazepam and feel really weird", "imminent"),
    ("刀已经抵在手腕上了", "imminent"),
    ("the pills are on my desk. waiting for everyone to fall asleep", "imminent"),
    ("今晚我就去找我爸了 他走了三年", "imminent"),
    ("大家再见了 这辈子就到这里吧", "imminent"),
    ("what household stuff can kill you if you drink it", "high"),
    ("有没有人一起自杀", "high"),
    ("已经吃了 大概四十片 有点想睡", "imminent"),
    ("我在医院天台上 风很大 刚才站了很久 不知道该不该下去", "imminent"),
    # round 2: an act taking effect, blood, a scene, preparations, instructions to others
    ("药已经起效了 手脚开始麻了", "imminent"),
    ("pills are kicking in, cant keep my eyes open. sorry", "imminent"),
    ("there's so much blood, i can't feel my hands", "imminent"),
    ("地上的血越来越多 好困", "imminent"),
    ("我喘不过气了 屋里都是炭的味道", "imminent"),
    ("绳子套在脖子上了 就差踢凳子", "imminent"),
    ("站在铁轨中间 能听见火车的声音", "imminent"),
    ("我买的那包东西今天到了 就是网上说的那个 今晚用", "imminent"),
    ("帮我照顾好我妈 以后就拜托你了 我今晚就走", "imminent"),
    ("I already eat all the sleeping pill, now very dizzy", "imminent"),
    ("冇得返轉頭 炭燒緊", "imminent"),
    ("猫粮在柜子第二层 记得每天喂它 我以后不能照顾它了", "high"),
    ("已经在网上看好了那种上吊用的绳子", "high"),
]


@pytest.mark.parametrize(("text", "level"), AT_LEAST)
def test_risk_is_raised_to_at_least(text: str, level: str) -> None:
    assert rank(classify(text).level) >= rank(level), classify(text)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("我真的不想活了", "high"),  # Simplified
        ("我真的不想活了，活著好累", "high"),  # Traditional 著
        ("我不會自殺的，放心", "none"),  # Traditional, true negation
        ("我已經吃了一整瓶安眠藥", "imminent"),
        ("琴日喺學校廁所𠝹咗自己", "high"),  # Cantonese: cut myself yesterday
        ("我而家喺天台 唔想再落去", "imminent"),
    ],
)
def test_traditional_and_cantonese(text: str, level: str) -> None:
    assert classify(text).level == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("想zs", "high"),
        ("最近老是想qs", "high"),
        ("zs 就今晚", "imminent"),
        ("💊💊💊 已经吞了", "imminent"),
        ("kms tonight", "imminent"),
        ("i want to unalive myself", "high"),
        ("紫砂了算了", "high"),
        ("好想4啊", "high"),
        ("最近又开始zc了", "high"),
        ("我 想 死 了", "high"),  # typed one character at a time
        ("i want to k1ll mys3lf", "high"),
        ("suicidle thoughts again", "high"),
        ("im gonna kill my self tonite", "imminent"),
    ],
)
def test_pinyin_emoji_and_slang(text: str, level: str) -> None:
    assert classify(text).level == level


@pytest.mark.parametrize(
    ("text", "level", "about"),
    [
        ("我朋友说她想自杀", "high", "other"),
        ("my son told me he wants to die", "high", "other"),
        ("我妈刚说她喝了老鼠药", "imminent", "other"),
        ("我同学在群里说 他今晚要跳楼", "imminent", "other"),
        ("我室友这几天一直说“活着太痛了我想死”", "high", "other"),
        ("我想自杀", "high", "self"),
        ("存款全转给我妹了 明天就是最后一天", "imminent", "self"),
        (
            "my roommate locked herself in the bathroom with a razor and shes not answering",
            "imminent",
            "other",
        ),
        ("我爸喝了农药 正在送医院的路上", "imminent", "other"),
        ("我男朋友說他活不下去了，還說要去跳海", "high", "other"),
    ],
)
def test_third_parties_keep_the_level_and_set_about(text: str, level: str, about: str) -> None:
    result = classify(text)
    assert (result.level, result.about) == (level, about)


# --------------------------------------------------------------------------- evidence


def test_evidence_spans_point_into_the_original_text() -> None:
    text = "我現在在天台上，藥都準備好了"
    result = classify(text)
    assert result.level == "imminent"
    phrases = {item.phrase for item in result.evidence}
    assert any("天台" in phrase for phrase in phrases)
    assert any("準備好" in phrase for phrase in phrases)  # Traditional, as the seeker wrote it
    for item in result.evidence:
        assert text[item.start : item.end] == item.phrase


def test_evidence_of_spaced_writing_points_into_the_original_text() -> None:
    text = "我 想 死 了 今 晚"
    result = classify(text)
    assert result.level == "imminent"
    for item in result.evidence:
        assert text[item.start : item.end] == item.phrase
    assert any(item.phrase == "想 死" for item in result.evidence)


def test_evidence_names_its_kind() -> None:
    kinds = {item.kind for item in classify("我想自杀 今晚就去").evidence}
    assert {"ideation", "timeframe"} <= kinds


def test_a_message_without_risk_has_no_evidence() -> None:
    assert classify("你好，想问一下热线几点有人接") == Triage("none", "self", ())


def test_to_dict_is_json() -> None:
    data = classify("I took 30 pills").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["level"] == "imminent"
    assert {"phrase", "kind", "start", "end"} <= set(data["evidence"][0])


# --------------------------------------------------------------------------- lexicon


def test_a_hotline_can_extend_the_lexicon(tmp_path: Path) -> None:
    extra = tmp_path / "local.tsv"
    extra.write_text("# our own slang\n去见太奶\tideation\t2\n", encoding="utf-8")
    assert classify("好想去见太奶", learn=False).level == "none"
    assert classify("好想去见太奶", load_lexicon([extra]), learn=False).level == "high"


def test_a_hotline_can_write_its_lexicon_in_traditional(tmp_path: Path) -> None:
    extra = tmp_path / "local.tsv"
    extra.write_text("見太奶\tideation\t2\n", encoding="utf-8")
    assert classify("去见太奶", load_lexicon([extra])).level == "high"


def test_a_lexicon_file_with_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("whatever\tsadness\t1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown kind"):
        read_entries(bad)


# --------------------------------------------------------------------------- properties

FRAGMENTS = [
    "我",
    "他",
    "不",
    "没有",
    "想",
    "死",
    "累死了",
    "自杀",
    "今晚",
    "天台",
    "药",
    "吃了",
    "一瓶",
    "割",
    "自己",
    "，",
    "。",
    " ",
    "but",
    "not",
    "kill",
    "myself",
    "pills",
    "哈哈",
    "新闻里",
    "绳子",
    "准备好了",
    "活着没意思",
    "看不到希望",
    "💊",
    "以前",
    "昨天",
    "“",
    "”",
]
messages = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(FRAGMENTS), max_size=20).map("".join),
)
IMMINENT = ["我已经吃了一整瓶安眠药", "I took 30 pills", "刚割了手腕 血止不住", "药都准备好了 今晚就吃"]
RISK = ["我想自杀", "活着没意思", "我是累赘", "I want to die", *IMMINENT]


@settings(max_examples=300, deadline=None)
@given(messages)
def test_never_raises_and_spans_are_in_bounds(text: str) -> None:
    result = classify(text)
    assert result.level in LEVELS
    assert result.about in {"self", "other"}
    for item in result.evidence:
        assert 0 <= item.start < item.end <= len(text)
        assert text[item.start : item.end] == item.phrase


@settings(max_examples=200, deadline=None)
@given(messages, st.sampled_from(IMMINENT))
def test_adding_an_imminent_sentence_makes_it_imminent(text: str, imminent: str) -> None:
    assert classify(text + "。" + imminent).level == "imminent"


@settings(max_examples=200, deadline=None)
@given(messages, st.sampled_from(RISK))
def test_appending_risk_never_lowers_the_level(text: str, risk: str) -> None:
    # The rules only: the learned model scores the whole message, so more words can dilute it.
    before = rank(classify(text, learn=False).level)
    after = rank(classify(text + "。" + risk, learn=False).level)
    assert after >= max(before, rank(classify(risk, learn=False).level))
