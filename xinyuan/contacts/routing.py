"""The routing policy (ACD): who is answered first, and by whom. Pure: no Django, no clock.

Times are float seconds on one clock (Unix time, e.g. `datetime.timestamp()`); the caller passes
`now` and every `queued_at` / `idle_since` on that same clock. See docs/routing.md for the policy,
its guarantees and the wait estimate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

RiskLevel = Literal["none", "elevated", "high", "imminent"]
Channel = Literal["chat", "voice", "video"]
Status = Literal["available", "paused", "off"]

RISK_LEVELS: tuple[RiskLevel, ...] = ("none", "elevated", "high", "imminent")
CHANNELS: tuple[Channel, ...] = ("chat", "voice", "video")
STATUSES: tuple[Status, ...] = ("available", "paused", "off")
ALL_CHANNELS: frozenset[Channel] = frozenset(CHANNELS)
# Levels that only crisis-trained counsellors may take.
CRISIS_LEVELS: frozenset[RiskLevel] = frozenset({"high", "imminent"})

# Why a counsellor cannot take a contact: stable codes the console can translate.
NOT_AVAILABLE = "not_available"
DECLINED = "declined"
CHANNEL = "channel"
LANGUAGE = "language"
CRISIS_TRAINING = "crisis_training"
SPECIALTY = "specialty"
ON_CALL = "on_call"
HAS_CHATS = "has_chats"
CHAT_LIMIT = "chat_limit"


@dataclass(frozen=True, kw_only=True)
class Policy:
    """How the queue is ordered; a hotline may configure both head starts.

    A contact's effective priority, in seconds, is its level's head start plus the seconds it has
    waited; higher goes first. `none` has no head start, and `imminent` is not on this scale at
    all: imminent contacts always come before every other contact.
    """

    elevated_head_start: float = 300.0  # an `elevated` contact counts as having waited 5 minutes
    high_head_start: float = 900.0  # a `high` contact counts as having waited 15 minutes

    def __post_init__(self) -> None:
        # Strictly increasing, so that at equal waits the riskier contact is always first.
        if not (0 < self.elevated_head_start < self.high_head_start < math.inf):
            raise ValueError("need 0 < elevated_head_start < high_head_start, both finite")

    def head_start(self, level: RiskLevel) -> float:
        """Seconds of waiting the level is worth (imminent: not comparable, see order_queue)."""
        if level == "elevated":
            return self.elevated_head_start
        if level in CRISIS_LEVELS:
            return self.high_head_start
        return 0.0


@dataclass(frozen=True, kw_only=True)
class QueuedContact:
    """A seeker waiting to be answered."""

    id: str
    risk_level: RiskLevel
    queued_at: float  # when the contact joined the queue; kept when an offer returns it
    channel: Channel
    language: str
    # Population group needing a trained counsellor (e.g. "minor", "medical_worker"), or None.
    specialty: str | None = None
    # True: only counsellors with `specialty` may take it. False: they are preferred, not required.
    requires_specialty: bool = False
    # Back in the queue because its counsellor's connection dropped: first within its tier.
    front: bool = False
    # Counsellors who declined this contact: not offered it again.
    declined_by: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.risk_level not in RISK_LEVELS:
            raise ValueError(f"unknown risk level {self.risk_level!r}")
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        if self.requires_specialty and self.specialty is None:
            raise ValueError("requires_specialty without a specialty")


@dataclass(frozen=True, kw_only=True)
class Counsellor:
    """A counsellor's state as routing sees it.

    `idle_since` is when they last became free for more work: went on duty, ended a contact, or
    were last given one. Counting the last assignment spreads new contacts over counsellors
    instead of filling the longest-idle one up to their chat limit first; `assign` does so.
    """

    id: str
    status: Status
    languages: frozenset[str]
    idle_since: float
    specialties: frozenset[str] = frozenset()
    crisis_trained: bool = False
    chat_limit: int = 1
    active_chats: int = 0
    active_voice: int = 0  # voice or video contacts in progress: 0 or 1
    channels: frozenset[Channel] = ALL_CHANNELS  # the channels they take (no headset: chat only)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if min(self.chat_limit, self.active_chats, self.active_voice) < 0:
            raise ValueError("counts and limits cannot be negative")


# Queue order --------------------------------------------------------------------------------------


def priority(contact: QueuedContact, now: float, policy: Policy) -> float:
    """Effective priority in seconds (head start + wait); meaningless for imminent contacts."""
    return policy.head_start(contact.risk_level) + (now - contact.queued_at)


def _order_key(contact: QueuedContact, policy: Policy) -> tuple[bool, bool, float, float, int, str]:
    # Higher head start + (now - queued_at) first is the same as lower queued_at - head start
    # first: the order does not depend on `now`, so it only changes when contacts come or go.
    # Ties: earlier arrival, then higher level, then id, so the order is total and repeatable.
    return (
        contact.risk_level != "imminent",
        not contact.front,
        contact.queued_at - policy.head_start(contact.risk_level),
        contact.queued_at,
        -RISK_LEVELS.index(contact.risk_level),
        contact.id,
    )


def order_queue(contacts: Iterable[QueuedContact], now: float, policy: Policy) -> list[QueuedContact]:
    """The queue, first to be answered first.

    Imminent contacts first, then everyone else by effective priority (`priority`); within each
    of these two tiers, contacts returned to the `front` come first. `now` is not needed by the
    linear ageing rule (see `_order_key`); it is kept so a time-dependent rule fits the same call.
    """
    del now
    ordered = sorted(contacts, key=lambda contact: _order_key(contact, policy))
    if len({contact.id for contact in ordered}) != len(ordered):
        raise ValueError("duplicate contact id in the queue")
    return ordered


# Matching -----------------------------------------------------------------------------------------


def why_not(contact: QueuedContact, counsellor: Counsellor) -> str | None:
    """Why `counsellor` cannot take `contact` now (a reason code above), or None if they can."""
    if counsellor.status != "available":
        return NOT_AVAILABLE
    if counsellor.id in contact.declined_by:
        return DECLINED
    if contact.channel not in counsellor.channels:
        return CHANNEL
    if contact.language not in counsellor.languages:
        return LANGUAGE
    if contact.risk_level in CRISIS_LEVELS and not counsellor.crisis_trained:
        return CRISIS_TRAINING
    if contact.requires_specialty and contact.specialty not in counsellor.specialties:
        return SPECIALTY
    return _capacity_problem(contact.channel, counsellor)


def _capacity_problem(channel: Channel, counsellor: Counsellor) -> str | None:
    # A call takes a counsellor's whole attention: nothing else during one, and none beside chats.
    if counsellor.active_voice > 0:
        return ON_CALL
    if channel != "chat":
        return HAS_CHATS if counsellor.active_chats > 0 else None
    return CHAT_LIMIT if counsellor.active_chats >= counsellor.chat_limit else None


def eligible(contact: QueuedContact, counsellor: Counsellor) -> bool:
    """Can `counsellor` take `contact` now? `why_not` says why not."""
    return why_not(contact, counsellor) is None


def choose_counsellor(
    contact: QueuedContact, counsellors: Iterable[Counsellor], now: float
) -> Counsellor | None:
    """The eligible counsellor who has been idle longest, or None.

    If the contact has a specialty it does not require, counsellors with that specialty come
    first; the longest idle among them wins. Ties go to the smaller id.
    """
    best: Counsellor | None = None
    best_key: tuple[bool, float, str] | None = None
    for counsellor in counsellors:
        if not eligible(contact, counsellor):
            continue
        lacks_specialty = contact.specialty is not None and contact.specialty not in counsellor.specialties
        key = (lacks_specialty, -(now - counsellor.idle_since), counsellor.id)
        if best_key is None or key < best_key:
            best, best_key = counsellor, key
    return best


def _has_room(counsellor: Counsellor) -> bool:
    """Could they take any contact at all? (A free counsellor can take a call even at chat limit 0.)"""
    if counsellor.status != "available" or counsellor.active_voice > 0:
        return False
    return counsellor.active_chats == 0 or counsellor.active_chats < counsellor.chat_limit


def _after_taking(counsellor: Counsellor, contact: QueuedContact, now: float) -> Counsellor:
    if contact.channel == "chat":
        return replace(counsellor, active_chats=counsellor.active_chats + 1, idle_since=now)
    return replace(counsellor, active_voice=counsellor.active_voice + 1, idle_since=now)


def assign(
    queue: Iterable[QueuedContact], counsellors: Iterable[Counsellor], now: float, policy: Policy
) -> list[tuple[str, str]]:
    """Pairs (contact id, counsellor id) to offer, deciding greedily in queue order.

    Each contact in turn gets `choose_counsellor` among counsellors with room left, whose load is
    updated after each pair. A contact nobody can take is skipped, not waited for, so one
    unmatched language does not hold up the whole queue. Inputs are not changed.
    """
    with_room: dict[str, Counsellor] = {}
    for counsellor in counsellors:
        if counsellor.id in with_room:
            raise ValueError(f"duplicate counsellor id {counsellor.id!r}")
        if _has_room(counsellor):
            with_room[counsellor.id] = counsellor
    pairs: list[tuple[str, str]] = []
    for contact in order_queue(queue, now, policy):
        if not with_room:
            break  # everyone is full: the rest of the queue waits
        chosen = choose_counsellor(contact, with_room.values(), now)
        if chosen is None:
            continue
        pairs.append((contact.id, chosen.id))
        updated = _after_taking(chosen, contact, now)
        if _has_room(updated):
            with_room[chosen.id] = updated
        else:
            del with_room[chosen.id]
    return pairs


# Positions and estimated waits ----------------------------------------------------------------------


def throughput_from_handle_time(average_handle_seconds: float, slots: int) -> float:
    """Contacts answered per minute when `slots` contacts are handled at once, each lasting about
    `average_handle_seconds` (slots: the sum over counsellors on duty of their chat limit, or 1 for
    a counsellor on calls)."""
    if average_handle_seconds <= 0:
        raise ValueError("average_handle_seconds must be positive")
    return max(slots, 0) * 60.0 / average_handle_seconds


def queue_positions(
    contacts: Sequence[QueuedContact], now: float, policy: Policy, throughput_per_minute: float
) -> dict[str, tuple[int, float | None]]:
    """Each contact's 1-based position in `order_queue` and estimated seconds until answered.

    Position p is answered after about p answers, so its wait is p / throughput (per second).
    None when the throughput is zero: nobody is answering, so no estimate can be given.
    One sort for everyone: O(n log n).
    """
    per_second = throughput_per_minute / 60.0
    positions: dict[str, tuple[int, float | None]] = {}
    for position, contact in enumerate(order_queue(contacts, now, policy), start=1):
        wait = position / per_second if per_second > 0 else None
        positions[contact.id] = (position, wait)
    return positions
