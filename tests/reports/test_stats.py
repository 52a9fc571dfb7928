"""The pure arithmetic of the reports, by example and by property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyuan.reports import stats

values = st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=200)


def test_examples() -> None:
    assert stats.rate(1, 4) == 0.25 and stats.rate(3, 0) is None
    assert stats.mean([]) is None and stats.mean([1, 2, 6]) == 3
    assert stats.percentile([15, 20, 35, 40, 50], 30) == 20  # nearest rank: ceil(1.5) = 2nd
    assert stats.percentile([15, 20, 35, 40, 50], 100) == 50
    assert stats.percentile([], 50) is None
    assert stats.satisfaction_rate([5, 4, 3, 2, 1, 5, 5]) == pytest.approx(4 / 7)
    assert stats.satisfaction_rate([]) is None
    assert stats.counts(["b", "a", "b", "c"], order=["z", "a"]) == {"z": 0, "a": 1, "b": 2, "c": 1}
    assert stats.share_at_most([10, 20, 30, 40], 20) == 0.5
    with pytest.raises(ValueError, match="p must be"):
        stats.percentile([1], 0)


@given(values, st.floats(min_value=0.01, max_value=100))
def test_a_percentile_is_one_of_the_values_with_enough_at_or_below(data: list[float], p: float) -> None:
    result = stats.percentile(data, p)
    assert result in data
    assert sum(1 for value in data if value <= result) >= p / 100 * len(data) - 1e-9
    # and it is the smallest such value
    smaller = [value for value in data if value < result]
    assert len(smaller) < p / 100 * len(data)


@given(values)
def test_percentiles_rise_with_p(data: list[float]) -> None:
    found = [stats.percentile(data, p) for p in (10, 50, 90, 100)]
    assert found == sorted(found)  # type: ignore[type-var]
    assert found[-1] == max(data)


@given(st.lists(st.integers(min_value=1, max_value=5), max_size=100))
def test_satisfaction_is_a_share(ratings: list[int]) -> None:
    rate = stats.satisfaction_rate(ratings)
    if not ratings:
        assert rate is None
    else:
        assert rate is not None and 0 <= rate <= 1
        assert rate * len(ratings) == pytest.approx(sum(1 for r in ratings if r in (4, 5)))


@given(st.lists(st.sampled_from("abcde"), max_size=50))
def test_counts_add_up(keys: list[str]) -> None:
    counted = stats.counts(keys, order=["e", "x"])
    assert sum(counted.values()) == len(keys) and list(counted)[:2] == ["e", "x"]
    shares = stats.shares(counted)
    if keys:
        assert sum(v for v in shares.values() if v is not None) == pytest.approx(1)
