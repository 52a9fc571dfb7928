"""Queue load: 10,000 seekers waiting, ~80 counsellors on duty.

Prints the cost of recomputing everyone's position and estimated wait (one batched pass), and the
routing decision time (`choose_counsellor` for one contact, `assign` over the whole queue).
Figures only, no assertions. Run: .venv/bin/python bench/queue_load.py
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace

from xinyuan.contacts.routing import (
    CHANNELS,
    RISK_LEVELS,
    STATUSES,
    Counsellor,
    Policy,
    QueuedContact,
    RiskLevel,
    assign,
    choose_counsellor,
    queue_positions,
    throughput_from_handle_time,
)

NOW = 1_750_000_000.0
QUEUED = 10_000
COUNSELLORS = 80
POLICY = Policy()
rng = random.Random(3)


def make_contact(index: int) -> QueuedContact:
    level: RiskLevel = rng.choices(RISK_LEVELS, [70, 20, 8, 2])[0]
    specialty = rng.choices([None, "minor", "medical_worker", "elderly"], [70, 15, 10, 5])[0]
    return QueuedContact(
        id=f"c{index}",
        risk_level=level,
        queued_at=NOW - rng.uniform(0, 3 * 3600),
        channel=rng.choices(CHANNELS, [85, 12, 3])[0],
        language=rng.choices(["zh", "en", "bo"], [90, 8, 2])[0],
        specialty=specialty,
        requires_specialty=specialty == "minor",
        front=rng.random() < 0.001,
    )


def make_counsellor(index: int, free: bool) -> Counsellor:
    chat_limit = rng.randint(1, 3)
    on_call = not free and rng.random() < 0.15
    return Counsellor(
        id=f"k{index}",
        status=rng.choices(STATUSES, [85, 10, 5])[0],
        languages=frozenset({"zh"} | ({"en"} if rng.random() < 0.3 else set())),
        idle_since=NOW - rng.uniform(0, 1800),
        specialties=frozenset(rng.sample(["minor", "medical_worker", "elderly"], rng.randint(0, 2))),
        crisis_trained=rng.random() < 0.6,
        chat_limit=chat_limit,
        active_chats=0 if free or on_call else chat_limit - (rng.random() < 0.1),
        active_voice=int(on_call),
    )


def timed(action: Callable[[], object], repeats: int) -> list[float]:
    """Seconds taken by each of `repeats` runs of `action`."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def p(times: list[float], percent: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


def report(label: str, times: list[float], unit: str = "ms") -> None:
    scale = 1e3 if unit == "ms" else 1e6
    print(
        f"  {label:<54} mean {statistics.fmean(times) * scale:8.2f} {unit}"
        f"   p50 {p(times, 50) * scale:8.2f}   p99 {p(times, 99) * scale:8.2f}   (n={len(times)})"
    )


def bench_positions(queue: list[QueuedContact], rate: float) -> None:
    print(f"Positions and estimated waits, one batched pass (rate {rate:.1f} answers/min):")
    for size, repeats in ((1_000, 200), (QUEUED, 50), (100_000, 5)):
        contacts = queue[:size] if size <= len(queue) else [make_contact(i) for i in range(size)]

        def recompute(contacts: list[QueuedContact] = contacts) -> object:
            return queue_positions(contacts, NOW, POLICY, rate)

        times = timed(recompute, repeats)
        per_contact = statistics.fmean(times) / size * 1e6
        report(f"{size:>7,} queued ({per_contact:.2f} µs per contact)", times)


def bench_choose(queue: list[QueuedContact], team: list[Counsellor]) -> None:
    times = []
    for contact in queue:
        start = time.perf_counter()
        choose_counsellor(contact, team, NOW)
        times.append(time.perf_counter() - start)
    report(f"choose_counsellor, 1 contact vs {len(team)} counsellors", times, "µs")


def bench_assign(label: str, queue: list[QueuedContact], team: list[Counsellor]) -> None:
    pairs = assign(queue, team, NOW, POLICY)
    times = timed(lambda: assign(queue, team, NOW, POLICY), 30)
    report(f"{label} ({len(pairs)} offers)", times)


def main() -> None:
    start = time.perf_counter()
    queue = [make_contact(i) for i in range(QUEUED)]
    busy = [make_counsellor(i, free=False) for i in range(COUNSELLORS)]
    fresh = [make_counsellor(i, free=True) for i in range(COUNSELLORS)]
    slots = sum(1 if k.active_voice else k.chat_limit for k in busy if k.status == "available")
    rate = throughput_from_handle_time(average_handle_seconds=40 * 60, slots=slots)
    print(f"{QUEUED:,} queued contacts, {COUNSELLORS} counsellors ({slots} slots on duty)\n")

    bench_positions(queue, rate)
    print("\nRouting decisions:")
    bench_choose(queue, busy)
    bench_assign("assign, 10,000 queued, busy team", queue, busy)
    bench_assign("assign, 10,000 queued, shift start", queue, fresh)
    # Worst case for the greedy pass: one free slot that nobody in the queue can take, so every
    # contact is tried against it before giving up.
    unusable = replace(
        busy[0], status="available", languages=frozenset({"fr"}), active_chats=0, active_voice=0
    )
    bench_assign("assign, 10,000 queued, unusable free slot", queue, [unusable, *busy[1:]])
    print(f"\nTotal bench time {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
