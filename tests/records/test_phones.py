"""Phone numbers are recognised however they are written, and only through a keyed hash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xinyuan.records import phones

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
separators = st.sampled_from(["", " ", "-", " - ", "(", ")"])


def written(number: str, cuts: list[str]) -> str:
    """The number with separators between its digits, as people type it."""
    return "".join(digit + (cuts[i] if i < len(cuts) else "") for i, digit in enumerate(number))


@given(
    mobiles, st.lists(separators, max_size=11), st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86"])
)
def test_a_mobile_is_the_same_number_however_written(number: str, cuts: list[str], prefix: str) -> None:
    typed = prefix + written(number, cuts)
    assert phones.normalise(typed) == number
    assert phones.keyed_hash(KEY, typed) == phones.keyed_hash(KEY, number)


@given(st.text(alphabet="0123456789+-() ", max_size=30))
def test_normalising_is_idempotent(text: str) -> None:
    once = phones.normalise(text)
    assert phones.normalise(once) == once


@given(mobiles, mobiles)
def test_different_numbers_and_keys_give_different_hashes(a: str, b: str) -> None:
    if a != b:
        assert phones.keyed_hash(KEY, a) != phones.keyed_hash(KEY, b)
    assert phones.keyed_hash(KEY, a) != phones.keyed_hash(OTHER_KEY, a)
    assert a not in phones.keyed_hash(KEY, a)


def test_landlines_foreign_numbers_and_nonsense() -> None:
    assert phones.normalise("+86 10 1234 5678") == phones.normalise("010-12345678") == "01012345678"
    assert phones.normalise("+1 (415) 555-0100") == phones.normalise("001 415 555 0100") == "+14155550100"
    assert phones.normalise("12") == "" and phones.keyed_hash(KEY, "call me") == ""
