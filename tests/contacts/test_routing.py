"""The routing policy: examples, then hypothesis properties of its invariants."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from xinyuan.contacts import routing
from xinyuan.contacts.routing import (
    RISK_LEVELS,
    Counsellor,
    Policy,
    QueuedContact,
    assign,
    choose_counsellor,
    eligible,
    order_queue,
    queue_positions,
    throughput_from_handle_time,
    why_not,
)

NOW = 1_000_000.0
POLICY = Policy()


def contact(
    id: str = "c", level: routing.RiskLevel = "none", waited: float = 0.0, **fields: object
) -> QueuedContact:
    values: dict[str, object] = {"channel": "chat", "language": "zh"}
    values.update(fields)
    return QueuedContact(id=id, risk_level=level, queued_at=NOW - waited, **values)  # type: ignore[arg-type]


def counsellor(id: str = "k", idle: float = 0.0, **fields: object) -> Counsellor:
    values: dict[str, object] = {
        "status": "available",
        "languages": frozenset({"zh"}),
        "crisis_trained": True,
        "chat_limit": 2,
    }
    values.update(fields)
    return Counsellor(id=id, idle_since=NOW - idle, **values)  # type: ignore[arg-type]


def ids(contacts: list[QueuedContact]) -> list[str]:
    return [c.id for c in contacts]


# Queue order: examples ------------------------------------------------------------------------------


def test_risk_first_at_equal_wait() -> None:
    queue = [contact(level, level) for level in RISK_LEVELS]
    assert ids(order_queue(queue, NOW, POLICY)) == ["imminent", "high", "elevated", "none"]


def test_fifo_within_a_level() -> None:
    queue = [contact("new", "high", 10), contact("old", "high", 20)]
    assert ids(order_queue(queue, NOW, POLICY)) == ["old", "new"]


def test_none_outranks_new_elevated_after_its_head_start() -> None:
    head = POLICY.elevated_head_start
    new = contact("elevated", "elevated", 0)
    assert ids(order_queue([new, contact("none", "none", head - 1)], NOW, POLICY))[0] == "elevated"
    # At exactly the head start they tie, and the earlier arrival goes first.
    assert ids(order_queue([new, contact("none", "none", head)], NOW, POLICY))[0] == "none"


def test_none_outranks_new_high_after_high_head_start() -> None:
    head = POLICY.high_head_start
    new = contact("high", "high", 0)
    assert ids(order_queue([new, contact("none", "none", head - 1)], NOW, POLICY))[0] == "high"
    assert ids(order_queue([new, contact("none", "none", head)], NOW, POLICY))[0] == "none"


def test_nothing_outranks_imminent() -> None:
    ten_days = 10 * 24 * 3600
    queue = [contact(level, level, ten_days) for level in RISK_LEVELS[:3]] + [contact("imminent", "imminent")]
    assert ids(order_queue(queue, NOW, POLICY))[0] == "imminent"


def test_front_goes_ahead_of_its_tier_only() -> None:
    queue = [
        contact("returned", "none", 0, front=True),
        contact("high", "high", 600),
        contact("imminent", "imminent", 0),
    ]
    assert ids(order_queue(queue, NOW, POLICY)) == ["imminent", "returned", "high"]


def test_order_does_not_depend_on_now() -> None:
    queue = [contact("a", "none", 400), contact("b", "elevated", 50), contact("c", "high", 0)]
    assert order_queue(queue, NOW, POLICY) == order_queue(queue, NOW + 10_000, POLICY)


def test_duplicate_contact_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        order_queue([contact("a"), contact("a")], NOW, POLICY)


@pytest.mark.parametrize(("elevated", "high"), [(0, 900), (900, 900), (900, 300), (300, float("inf"))])
def test_policy_head_starts_must_increase(elevated: float, high: float) -> None:
    with pytest.raises(ValueError, match="head_start"):
        Policy(elevated_head_start=elevated, high_head_start=high)


def test_priority_is_head_start_plus_wait() -> None:
    assert routing.priority(contact(level="elevated", waited=60), NOW, POLICY) == 360


# Matching: examples ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "what", "reason"),
    [
        (counsellor(status="paused"), contact(), routing.NOT_AVAILABLE),
        (counsellor(status="off"), contact(), routing.NOT_AVAILABLE),
        (counsellor(), contact(declined_by=frozenset({"k"})), routing.DECLINED),
        (counsellor(channels=frozenset({"chat"})), contact(channel="voice"), routing.CHANNEL),
        (counsellor(), contact(language="en"), routing.LANGUAGE),
        (counsellor(crisis_trained=False), contact(level="high"), routing.CRISIS_TRAINING),
        (counsellor(crisis_trained=False), contact(level="imminent"), routing.CRISIS_TRAINING),
        (counsellor(), contact(specialty="minor", requires_specialty=True), routing.SPECIALTY),
        (counsellor(active_voice=1), contact(), routing.ON_CALL),
        (counsellor(active_voice=1), contact(channel="video"), routing.ON_CALL),
        (counsellor(active_chats=1), contact(channel="voice"), routing.HAS_CHATS),
        (counsellor(active_chats=2), contact(), routing.CHAT_LIMIT),
    ],
)
def test_why_not(who: Counsellor, what: QueuedContact, reason: str) -> None:
    assert why_not(what, who) == reason
    assert not eligible(what, who)


@pytest.mark.parametrize(
    ("who", "what"),
    [
        (counsellor(), contact()),
        (counsellor(crisis_trained=False), contact(level="elevated")),
        (counsellor(), contact(specialty="minor")),  # preferred, not required
        (counsellor(specialties=frozenset({"minor"})), contact(specialty="minor", requires_specialty=True)),
        (counsellor(active_chats=1), contact()),
        (counsellor(chat_limit=0), contact(channel="voice")),
        (counsellor(languages=frozenset({"zh", "en"})), contact(language="en", channel="video")),
    ],
)
def test_eligible(who: Counsellor, what: QueuedContact) -> None:
    assert why_not(what, who) is None


def test_longest_idle_wins() -> None:
    team = [counsellor("a", idle=10), counsellor("b", idle=300), counsellor("c", idle=3000, status="paused")]
    chosen = choose_counsellor(contact(), team, NOW)
    assert chosen is not None
    assert chosen.id == "b"


def test_preferred_specialty_beats_idle_time() -> None:
    team = [counsellor("a", idle=3000), counsellor("b", idle=10, specialties=frozenset({"minor"}))]
    chosen = choose_counsellor(contact(specialty="minor"), team, NOW)
    assert chosen is not None
    assert chosen.id == "b"
    # Nobody with the specialty: any eligible counsellor, longest idle first.
    chosen = choose_counsellor(contact(specialty="medical_worker"), team, NOW)
    assert chosen is not None
    assert chosen.id == "a"


def test_nobody_eligible() -> None:
    assert choose_counsellor(contact(language="bo"), [counsellor()], NOW) is None


def test_assign_spreads_chats_over_counsellors() -> None:
    team = [counsellor("a", idle=100), counsellor("b", idle=50)]
    queue = [contact("1", waited=30), contact("2", waited=20), contact("3", waited=10)]
    # a is longest idle, takes 1 and becomes the most recently busy; b takes 2; a again takes 3.
    assert assign(queue, team, NOW, POLICY) == [("1", "a"), ("2", "b"), ("3", "a")]


def test_assign_skips_who_nobody_can_take() -> None:
    queue = [contact("tibetan", "imminent", language="bo"), contact("chinese")]
    assert assign(queue, [counsellor()], NOW, POLICY) == [("chinese", "k")]


def test_assign_voice_takes_the_whole_counsellor() -> None:
    queue = [contact("call", "high", 20, channel="voice"), contact("chat", "none", 10)]
    assert assign(queue, [counsellor()], NOW, POLICY) == [("call", "k")]


def test_assign_does_not_change_inputs() -> None:
    team = [counsellor()]
    assign([contact()], team, NOW, POLICY)
    assert team == [counsellor()]


def test_assign_rejects_duplicate_counsellors() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        assign([contact()], [counsellor(), counsellor()], NOW, POLICY)


# Positions: examples --------------------------------------------------------------------------------


def test_positions_and_waits() -> None:
    queue = [contact("b", waited=10), contact("a", "high"), contact("c")]
    rate = throughput_from_handle_time(average_handle_seconds=1200, slots=20)  # one a minute
    assert rate == 1.0
    assert queue_positions(queue, NOW, POLICY, rate) == {"a": (1, 60.0), "b": (2, 120.0), "c": (3, 180.0)}


def test_no_estimate_when_nobody_answers() -> None:
    assert queue_positions([contact("a")], NOW, POLICY, 0.0) == {"a": (1, None)}


def test_throughput_needs_a_handle_time() -> None:
    with pytest.raises(ValueError, match="positive"):
        throughput_from_handle_time(0, 5)


# Strategies -----------------------------------------------------------------------------------------

LANGUAGES = ("zh", "en", "bo")
SPECIALTIES = ("minor", "medical_worker", "elderly")
levels = st.sampled_from(RISK_LEVELS)
not_imminent = st.sampled_from(RISK_LEVELS[:3])
# Quarter seconds and whole-second head starts: exact in floating point, so ties at the ageing
# boundary are real ties, not rounding.
seconds = st.integers(min_value=0, max_value=4 * 3600 * 4).map(lambda quarters: quarters / 4)
policies = st.builds(
    lambda elevated, extra: Policy(elevated_head_start=elevated, high_head_start=elevated + extra),
    st.integers(min_value=1, max_value=3600).map(float),
    st.integers(min_value=1, max_value=3600).map(float),
)


@st.composite
def contacts(draw: st.DrawFn, id: str, level: st.SearchStrategy[routing.RiskLevel] = levels) -> QueuedContact:
    specialty = draw(st.none() | st.sampled_from(SPECIALTIES))
    return QueuedContact(
        id=id,
        risk_level=draw(level),
        queued_at=NOW - draw(seconds),
        channel=draw(st.sampled_from(routing.CHANNELS)),
        language=draw(st.sampled_from(LANGUAGES)),
        specialty=specialty,
        requires_specialty=specialty is not None and draw(st.booleans()),
        front=draw(st.booleans()),
        declined_by=draw(st.frozensets(st.sampled_from(["k0", "k1", "k2"]), max_size=1)),
    )


@st.composite
def queues(draw: st.DrawFn, max_size: int = 25) -> list[QueuedContact]:
    size = draw(st.integers(min_value=0, max_value=max_size))
    return [draw(contacts(f"c{i}")) for i in range(size)]


@st.composite
def counsellors(draw: st.DrawFn, id: str) -> Counsellor:
    chat_limit = draw(st.integers(min_value=0, max_value=4))
    on_call = draw(st.integers(min_value=0, max_value=4)) == 0
    return Counsellor(
        id=id,
        status=draw(st.sampled_from(routing.STATUSES)),
        languages=draw(st.frozensets(st.sampled_from(LANGUAGES), min_size=1)),
        idle_since=NOW - draw(seconds),
        specialties=draw(st.frozensets(st.sampled_from(SPECIALTIES))),
        crisis_trained=draw(st.booleans()),
        chat_limit=chat_limit,
        active_chats=0 if on_call else draw(st.integers(min_value=0, max_value=chat_limit)),
        active_voice=1 if on_call else 0,
        channels=draw(st.frozensets(st.sampled_from(routing.CHANNELS), min_size=1)),
    )


@st.composite
def teams(draw: st.DrawFn, max_size: int = 12) -> list[Counsellor]:
    size = draw(st.integers(min_value=0, max_value=max_size))
    return [draw(counsellors(f"k{i}")) for i in range(size)]


# Assignment invariants ------------------------------------------------------------------------------


def _loads_after(
    pairs: list[tuple[str, str]], queue: list[QueuedContact], team: list[Counsellor]
) -> dict[str, Counsellor]:
    by_contact = {c.id: c for c in queue}
    loads = {k.id: k for k in team}
    for contact_id, counsellor_id in pairs:
        k = loads[counsellor_id]
        if by_contact[contact_id].channel == "chat":
            loads[counsellor_id] = replace(k, active_chats=k.active_chats + 1)
        else:
            loads[counsellor_id] = replace(k, active_voice=k.active_voice + 1)
    return loads


@given(queue=queues(), team=teams(), policy=policies)
def test_assign_invariants(queue: list[QueuedContact], team: list[Counsellor], policy: Policy) -> None:
    pairs = assign(queue, team, NOW, policy)
    by_contact = {c.id: c for c in queue}
    by_counsellor = {k.id: k for k in team}

    assert len({contact_id for contact_id, _ in pairs}) == len(pairs), "a contact assigned twice"
    for contact_id, counsellor_id in pairs:
        what, who = by_contact[contact_id], by_counsellor[counsellor_id]
        assert who.status == "available"
        assert what.language in who.languages
        assert what.channel in who.channels
        assert who.id not in what.declined_by
        if what.risk_level in ("high", "imminent"):
            assert who.crisis_trained
        if what.requires_specialty:
            assert what.specialty in who.specialties

    # Capacity, counted before and after: a call is alone, chats stay within the limit.
    loads = _loads_after(pairs, queue, team)
    for before in team:
        after = loads[before.id]
        if after == before:
            continue
        if after.active_voice > 0:
            assert after.active_voice == 1
            assert after.active_chats == 0
        else:
            assert after.active_chats <= after.chat_limit


@given(queue=queues(), team=teams(), policy=policies)
def test_assign_is_greedy_in_queue_order(
    queue: list[QueuedContact], team: list[Counsellor], policy: Policy
) -> None:
    # Replaying the queue one contact at a time with choose_counsellor gives the same pairs:
    # each decision was the longest-idle eligible counsellor given the load at that moment.
    pairs = dict(assign(queue, team, NOW, policy))
    loads = {k.id: k for k in team}
    for what in order_queue(queue, NOW, policy):
        chosen = choose_counsellor(what, loads.values(), NOW)
        assert pairs.get(what.id) == (chosen.id if chosen else None)
        if chosen is None:
            continue
        if what.channel == "chat":
            loads[chosen.id] = replace(chosen, active_chats=chosen.active_chats + 1, idle_since=NOW)
        else:
            loads[chosen.id] = replace(chosen, active_voice=chosen.active_voice + 1, idle_since=NOW)


@given(what=contacts("c"), team=teams(), now=st.floats(min_value=NOW, max_value=NOW + 3600))
def test_longest_idle_eligible_wins(what: QueuedContact, team: list[Counsellor], now: float) -> None:
    chosen = choose_counsellor(what, team, now)
    candidates = [k for k in team if eligible(what, k)]
    if not candidates:
        assert chosen is None
        return
    assert chosen is not None
    if what.specialty is not None and any(what.specialty in k.specialties for k in candidates):
        candidates = [k for k in candidates if what.specialty in k.specialties]
    assert chosen in candidates
    assert chosen.idle_since == min(k.idle_since for k in candidates)


# Order invariants -----------------------------------------------------------------------------------


@given(queue=queues(), policy=policies)
def test_risk_order_at_equal_wait(queue: list[QueuedContact], policy: Policy) -> None:
    # Everyone arrived at the same moment and none was returned to the front: risk decides alone.
    same_time = [replace(c, queued_at=NOW - 60, front=False) for c in queue]
    ranks = [RISK_LEVELS.index(c.risk_level) for c in order_queue(same_time, NOW, policy)]
    assert ranks == sorted(ranks, reverse=True)


@given(queue=queues(), policy=policies)
def test_imminent_first_and_fifo_within_a_level(queue: list[QueuedContact], policy: Policy) -> None:
    ordered = order_queue([replace(c, front=False) for c in queue], NOW, policy)
    levels_in_order = [c.risk_level == "imminent" for c in ordered]
    assert levels_in_order == sorted(levels_in_order, reverse=True)
    for level in RISK_LEVELS:
        arrivals = [c.queued_at for c in ordered if c.risk_level == level]
        assert arrivals == sorted(arrivals)


@given(waited=seconds, lower=not_imminent, higher=levels, policy=policies)
def test_ageing_bound(
    waited: float, lower: routing.RiskLevel, higher: routing.RiskLevel, policy: Policy
) -> None:
    # A contact that has waited at least the difference of head starts outranks a new arrival of a
    # higher (non-imminent) level, and never an imminent one.
    assume(RISK_LEVELS.index(higher) > RISK_LEVELS.index(lower))
    old = QueuedContact(id="old", risk_level=lower, queued_at=NOW - waited, channel="chat", language="zh")
    new = QueuedContact(id="new", risk_level=higher, queued_at=NOW, channel="chat", language="zh")
    first = order_queue([new, old], NOW, policy)[0]
    if higher == "imminent":
        assert first is new
    elif waited >= policy.head_start(higher) - policy.head_start(lower):
        assert first is old
    else:
        assert first is new


@st.composite
def arrival_streams(draw: st.DrawFn) -> tuple[QueuedContact, list[QueuedContact], float]:
    """A target contact, the others (already waiting or arriving later, never imminent), and the
    seconds between two answers."""
    target = draw(contacts("target", not_imminent))
    target = replace(target, queued_at=0.0, front=False)
    others = []
    for i in range(draw(st.integers(min_value=0, max_value=40))):
        arrival = draw(st.integers(min_value=-3600 * 4, max_value=3 * 3600 * 4)) / 4
        others.append(replace(draw(contacts(f"c{i}", not_imminent)), queued_at=arrival, front=False))
    return target, others, draw(st.integers(min_value=1, max_value=600).map(float))


@settings(max_examples=150)
@given(stream=arrival_streams(), policy=policies)
def test_no_starvation(stream: tuple[QueuedContact, list[QueuedContact], float], policy: Policy) -> None:
    """With one answer every `gap` seconds and only non-imminent arrivals, the target reaches the
    head after at most N answers, so within N × gap seconds, where N counts the others that arrived
    by its queued_at + (high head start − its own). No later arrival ever goes ahead of it."""
    target, others, gap = stream
    window = policy.high_head_start - policy.head_start(target.risk_level)
    may_go_before = [c for c in others if c.queued_at <= target.queued_at + window]
    waiting = {c.id: c for c in others if c.queued_at <= target.queued_at}
    waiting[target.id] = target
    later = sorted((c for c in others if c.queued_at > target.queued_at), key=lambda c: c.queued_at)
    now = target.queued_at
    answered_before = 0
    while True:
        while later and later[0].queued_at <= now:
            arrival = later.pop(0)
            waiting[arrival.id] = arrival
        if waiting:
            head = order_queue(waiting.values(), now, policy)[0]
            if head is target:
                break
            assert head.queued_at <= target.queued_at + window, "a later arrival went ahead"
            del waiting[head.id]
            event(
                "a later arrival went first"
                if head.queued_at > target.queued_at
                else "an earlier one went first"
            )
            answered_before += 1
            assert answered_before <= len(may_go_before), "target starved"
        now += gap


# Position invariants --------------------------------------------------------------------------------


@given(queue=queues(), policy=policies, rate=st.floats(min_value=0.01, max_value=100))
def test_positions_follow_order_and_waits_grow(
    queue: list[QueuedContact], policy: Policy, rate: float
) -> None:
    positions = queue_positions(queue, NOW, policy, rate)
    assert sorted(p for p, _ in positions.values()) == list(range(1, len(queue) + 1))
    ordered = order_queue(queue, NOW, policy)
    assert [positions[c.id][0] for c in ordered] == list(range(1, len(queue) + 1))
    waits = [positions[c.id][1] for c in ordered]
    assert all(w is not None for w in waits)
    assert waits == sorted(waits)  # type: ignore[type-var]
