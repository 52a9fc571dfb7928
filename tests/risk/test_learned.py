"""The learned half of triage: the shipped model matches its corpus, only raises, and explains."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyuan.risk import learned
from xinyuan.risk.triage import LEVELS, classify, load_lexicon, normalize

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = ROOT.parent / "shared" / "data" / "risk_dev.jsonl"


def test_the_shipped_model_was_trained_on_the_corpus_as_it_is() -> None:
    model = learned.default_model()
    assert model is not None, f"no model at {learned.MODEL_PATH}"
    assert model.meta["corpus_sha256"] == learned.corpus_digest(ROOT), (
        "corpus/risk, tests/risk or the lexicon changed: run .venv/bin/python scripts/train_triage.py"
    )


def test_the_corpus_is_labelled_in_the_engine_s_terms() -> None:
    for path in sorted((ROOT / "corpus" / "risk").glob("*.jsonl")):
        ids = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            assert row["level"] in LEVELS and row["about"] in {"self", "other"}, row
            assert row["text"].strip() and row["id"] not in ids, row
            ids.add(row["id"])


def test_the_model_raises_a_scene_the_rules_have_no_words_for() -> None:
    text = "药瓶空了 眼皮好重"
    assert classify(text, learn=False).level in {"none", "elevated"}
    result = classify(text)
    assert result.level in {"high", "imminent"}
    learned_evidence = [item for item in result.evidence if item.kind == "learned"]
    assert learned_evidence
    for item in learned_evidence:
        assert text[item.start : item.end] == item.phrase


@pytest.mark.parametrize(
    "text",
    [
        "累死了 今天加班到十点",
        "笑死我了哈哈哈",
        "游戏里我又被秒杀了",
        "我不会自杀的，放心",
        "kill -9 那个进程就好了",
        "我想去看海豚了",
    ],
)
def test_the_model_does_not_raise_hyperbole_or_other_senses(text: str) -> None:
    assert classify(text).level == "none"


@pytest.mark.skipif(not DEV_SET.exists(), reason=f"dev set not found at {DEV_SET}")
def test_the_model_only_ever_raises_what_the_rules_found() -> None:
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        rules, both = classify(text, learn=False), classify(text)
        assert LEVELS.index(both.level) >= LEVELS.index(rules.level), text
        assert set(rules.evidence) <= set(both.evidence), text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("我想死藥都準備好了 \t\n今晚天台刀吃pills 😭ABC累"), max_size=40))
def test_learned_evidence_always_points_into_the_original_text(text: str) -> None:
    model = learned.default_model()
    assert model is not None
    normalized = normalize(text)
    for level in range(1, 4):
        for start, end in model.explain(normalized, level):
            assert 0 <= start < end <= len(text)
    for item in classify(text).evidence:
        assert text[item.start : item.end] == item.phrase


def test_probabilities_are_a_distribution_and_thresholds_pick_the_highest_level() -> None:
    model = learned.Model(
        intercepts=(0.0, 0.0, 0.0, 0.0),
        weights={"c药": (0.0, 0.0, 0.0, 8.0)},
        thresholds=learned.Thresholds(imminent=0.5, high=0.6, elevated=0.7),
        meta={},
    )
    assert abs(sum(model.probabilities("你好")) - 1) < 1e-9
    assert model.level("你好") == 1  # uniform: P(elevated or higher) = 0.75, P(high or higher) = 0.5
    assert learned.Model(model.intercepts, model.weights, learned.Thresholds(0.5, 0.6), {}).level("你好") == 0
    assert model.level("药") == 3
    assert model.explain("药", 3) == [(0, 1)]
    assert model.explain("你好", 0) == []


CALM = learned.Model(  # finds every message unlike any urgent one
    intercepts=(10.0, 0.0, 0.0, 0.0), weights={}, thresholds=learned.Thresholds(0.5, 0.5, doubt=0.1), meta={}
)


def test_a_rules_urgent_reading_the_model_doubts_is_held_at_elevated_with_its_evidence() -> None:
    rules = classify("我想自杀", learn=False)
    doubted = classify("我想自杀", model=CALM)
    assert rules.level == "high" and doubted.level == "elevated"
    assert doubted.evidence == rules.evidence


def test_a_hotline_s_own_entry_is_never_doubted(tmp_path: Path) -> None:
    extra = tmp_path / "ours.tsv"
    extra.write_text("去看星星\tideation\t2\n", encoding="utf-8")
    assert classify("我想去看星星了", load_lexicon([extra]), model=CALM).level == "high"


def test_a_truly_negated_risk_is_not_overruled_by_the_model() -> None:
    eager = learned.Model(
        intercepts=(0.0, 0.0, 0.0, 10.0), weights={}, thresholds=learned.Thresholds(0.5, 0.5), meta={}
    )
    assert classify("我从没想过自杀", model=eager).level == "none"
    assert classify("今天天气不错", model=eager).level == "imminent"
