"""Evaluation figures, checked against matrices computed by hand."""

import pytest

from xinyuan.risk.evaluation import evaluate, render


def test_a_small_set_by_hand() -> None:
    gold = ["none", "none", "none", "none", "elevated", "elevated", "high", "high", "imminent", "imminent"]
    pred = ["none", "none", "elevated", "high", "elevated", "none", "high", "imminent", "imminent", "high"]
    report = evaluate(gold, pred)

    assert report.matrix == {
        "none": {"none": 2, "elevated": 1, "high": 1, "imminent": 0},
        "elevated": {"none": 1, "elevated": 1, "high": 0, "imminent": 0},
        "high": {"none": 0, "elevated": 0, "high": 1, "imminent": 1},
        "imminent": {"none": 0, "elevated": 0, "high": 1, "imminent": 1},
    }
    # none: predicted none 3 times, 2 right; 4 gold none
    assert report.per_level["none"].precision == pytest.approx(2 / 3)
    assert report.per_level["none"].recall == pytest.approx(2 / 4)
    assert report.per_level["none"].support == 4
    # high: predicted high 3 times (none, high, imminent gold), 1 right; 2 gold high
    assert report.per_level["high"].precision == pytest.approx(1 / 3)
    assert report.per_level["high"].recall == pytest.approx(1 / 2)
    # all 4 gold high/imminent were predicted high or imminent
    assert report.urgent_recall == 1.0
    assert report.imminent_recall == pytest.approx(1 / 2)
    # one of the four gold none went to high
    assert report.none_raised == pytest.approx(1 / 4)
    assert report.accuracy == pytest.approx(5 / 10)
    assert report.total == 10


def test_missing_urgent_messages_lower_the_urgent_recall() -> None:
    report = evaluate(["high", "imminent", "imminent", "none"], ["elevated", "imminent", "none", "none"])
    assert report.urgent_recall == pytest.approx(1 / 3)
    assert report.imminent_recall == pytest.approx(1 / 2)
    assert report.none_raised == 0.0
    assert report.per_level["imminent"].precision == 1.0


def test_levels_absent_from_the_data_have_no_figure() -> None:
    report = evaluate(["none", "none"], ["none", "elevated"])
    assert report.per_level["imminent"].precision is None
    assert report.per_level["imminent"].recall is None
    assert report.per_level["elevated"].precision == 0.0
    assert report.urgent_recall is None
    assert report.imminent_recall is None
    assert report.none_raised == 0.0


def test_empty_input() -> None:
    report = evaluate([], [])
    assert report.total == 0
    assert report.accuracy is None


def test_mismatched_or_unknown_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="2 gold labels but 1"):
        evaluate(["none", "high"], ["none"])
    with pytest.raises(ValueError, match="unknown levels"):
        evaluate(["none"], ["severe"])


def test_render_shows_the_matrix_and_the_targets() -> None:
    text = render(evaluate(["none", "high", "imminent"], ["none", "high", "high"]), title="dev")
    lines = text.splitlines()
    assert lines[0] == "dev"
    assert lines[1].split() == ["gold", "\\", "predicted", "none", "elevated", "high", "imminent"]
    assert lines[4].split() == ["high", "0", "0", "1", "0"]
    assert lines[5].split() == ["imminent", "0", "0", "1", "0"]
    assert "high+imminent recall      1.000" in text
    assert "imminent recall           0.000" in text
    assert "none → high/imminent      0.000" in text
    assert "—" in text  # elevated was never predicted nor labelled
