"""The review sampling rules alone (pure, no database)."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from xinyuan.supervision import sampling
from xinyuan.supervision.sampling import Rule

ids = st.uuids().map(str)
levels = st.sampled_from(sampling.LEVEL_ORDER)
rules = st.builds(Rule, high_risk=st.booleans(), low_ratings=st.booleans(), share=st.floats(0, 1))


@given(ids, levels, st.booleans(), rules)
def test_the_decision_is_the_same_every_time(
    contact_id: str, level: str, rated_low: bool, rule: Rule
) -> None:
    first = sampling.reasons(contact_id, level, rated_low, rule)
    assert sampling.reasons(contact_id, level, rated_low, rule) == first
    assert 0 <= sampling.draw(contact_id) < 1


@given(ids, st.sampled_from(["high", "imminent"]), st.booleans(), st.floats(0, 1))
def test_every_high_and_imminent_contact_is_reviewed(
    contact_id: str, level: str, low: bool, share: float
) -> None:
    assert "high_risk" in sampling.reasons(contact_id, level, low, Rule(share=share))


@given(ids, st.sampled_from(["none", "elevated"]), st.floats(0, 1))
def test_every_low_rating_is_reviewed(contact_id: str, level: str, share: float) -> None:
    assert sampling.reasons(contact_id, level, True, Rule(share=share)) == ["low_rating"]


@given(ids, levels, st.booleans())
def test_nothing_is_sampled_at_random_with_a_zero_share_and_everything_at_one(
    contact_id: str, level: str, low: bool
) -> None:
    off = Rule(high_risk=False, low_ratings=False, share=0.0)
    assert sampling.reasons(contact_id, level, low, off) == []
    assert sampling.reasons(contact_id, level, low, Rule(high_risk=False, low_ratings=False, share=1.0)) == [
        "random"
    ]


def test_the_random_share_is_close_to_the_set_share() -> None:
    contacts = [str(uuid.UUID(int=n * 7919 + 17)) for n in range(20000)]  # fixed ids: a fixed answer
    for share in (0.05, 0.1, 0.25, 0.5):
        picked = sum(bool(sampling.reasons(c, "none", False, Rule(share=share))) for c in contacts)
        assert abs(picked / len(contacts) - share) < 0.01


@given(st.lists(levels))
def test_the_peak_level_is_the_highest_seen(seen: list[str]) -> None:
    peak = sampling.peak_level(seen)
    assert peak == (max(seen, key=sampling.LEVEL_ORDER.index) if seen else "none")
