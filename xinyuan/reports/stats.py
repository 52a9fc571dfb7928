"""The arithmetic behind the reports: rates, means, percentiles, counts. No Django here.

Every function returns None when there is nothing to compute (an empty denominator), so a
report shows "—" instead of a misleading 0.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, or None when the denominator is 0."""
    if denominator <= 0:
        return None
    return numerator / denominator


def mean(values: Sequence[float]) -> float | None:
    if not values:
        return None
    return math.fsum(values) / len(values)


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least p% of the values at or below it.

    p is in (0, 100]. Always one of the values, so it is easy to check by hand.
    """
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


def share_at_most(values: Sequence[float], limit: float) -> float | None:
    """The share of values at or below `limit`."""
    return rate(sum(1 for value in values if value <= limit), len(values))


def counts(keys: Iterable[str], order: Sequence[str] = ()) -> dict[str, int]:
    """How often each key occurs: keys of `order` first (with 0 when absent), then the rest by count."""
    counter = Counter(keys)
    out = {key: counter.pop(key, 0) for key in order}
    for key, count in sorted(counter.items(), key=lambda item: (-item[1], item[0])):
        out[key] = count
    return out


def shares(counted: dict[str, int]) -> dict[str, float | None]:
    total = sum(counted.values())
    return {key: rate(count, total) for key, count in counted.items()}


def satisfaction_rate(ratings: Sequence[int]) -> float | None:
    """The share of ratings of 4 or 5 among all ratings given."""
    return rate(sum(1 for rating in ratings if rating >= 4), len(ratings))


def age(birth_year: int, year: int) -> int:
    """Age reached in `year` (birthdays are not asked, so this is the age at the year's end)."""
    return year - birth_year
