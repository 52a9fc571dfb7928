"""Which contacts go to review (pure: no Django).

Every high and imminent contact, every contact the seeker rated low, and a set share of the rest
"at random" - a draw derived from the contact's id, so running the sampling again (another worker,
a restart) always picks the same contacts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

HIGH_LEVELS = frozenset({"high", "imminent"})
LEVEL_ORDER = ("none", "elevated", "high", "imminent")


@dataclass(frozen=True)
class Rule:
    high_risk: bool = True
    low_ratings: bool = True
    share: float = 0.1  # 0..1 of the contacts not picked by another reason


def draw(contact_id: str) -> float:
    """A number in [0, 1) fixed by the contact id, spread evenly over ids."""
    digest = hashlib.sha256(f"review:{contact_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def peak_level(levels: list[str]) -> str:
    """The highest risk level among `levels` (a contact's level may have been lowered later)."""
    known = [level for level in levels if level in LEVEL_ORDER]
    return max(known, key=LEVEL_ORDER.index) if known else "none"


def reasons(contact_id: str, level: str, rated_low: bool, rule: Rule) -> list[str]:
    """Why the contact is reviewed (empty: it is not)."""
    found = []
    if rule.high_risk and level in HIGH_LEVELS:
        found.append("high_risk")
    if rule.low_ratings and rated_low:
        found.append("low_rating")
    if not found and draw(contact_id) < rule.share:
        found.append("random")
    return found
