"""Erlang C / Erlang A staffing and the arrivals forecast (pure, no database)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyuan.scheduling.erlang import (
    arrivals_by_weekday_hour,
    erlang_a_figures,
    erlang_b,
    erlang_c,
    erlang_c_figures,
    required_staff,
    weekdays_between,
    with_shrinkage,
)

# The well-known worked example (e.g. Call Centre Helper's Erlang C article): 100 contacts in
# 30 minutes, 3-minute handle time, 80 % answered within 20 s.
EXAMPLE: dict[str, Any] = {
    "contacts": 100,
    "interval_minutes": 30,
    "aht_minutes": 3,
    "target_seconds": 20,
    "service_level": 0.8,
}


def _exact_erlang_c(servers: int, traffic: Fraction) -> float:
    """Textbook Erlang C with exact fractions and factorials, to cross-check the recursion."""
    last = traffic**servers / math.factorial(servers) * servers / (servers - traffic)
    head = sum(traffic**k / math.factorial(k) for k in range(servers))
    return float(last / (head + last))


# --- Erlang C against published figures -------------------------------------------------------


def test_published_example_needs_14_and_20_with_shrinkage() -> None:
    result = required_staff(**EXAMPLE, shrinkage=0.3)
    # Traffic A = 100 × 3 / 30 = 10 erlangs. By hand with n = 14: P(wait) = 0.1741,
    # SL = 1 − 0.1741·e^(−(14 − 10)·20/180) = 1 − 0.1741·0.6412 = 0.8884,
    # ASA = 0.1741 × 180 / (14 − 10) = 7.84 s, occupancy = 10 / 14 = 0.714.
    assert result.traffic_erlangs == pytest.approx(10)
    assert result.raw_positions == 14
    assert result.positions == 20  # 14 / (1 − 0.3) = 20 exactly, not 21
    assert result.service_level == pytest.approx(0.888, abs=5e-4)
    assert result.occupancy == pytest.approx(0.714, abs=5e-4)
    assert result.waiting_probability == pytest.approx(0.174, abs=5e-4)
    assert result.average_speed_of_answer_seconds == pytest.approx(7.8, abs=0.05)
    assert result.abandonment_probability is None


@pytest.mark.parametrize(
    ("servers", "service_level", "waiting", "asa"),
    [
        # The neighbouring rows of the same table; each P(wait) equals the exact formula below.
        (12, 0.640, 0.449, 40.4),
        (13, 0.796, 0.285, 17.1),
        (15, 0.941, 0.102, 3.67),
        (16, 0.971, 0.0573, 1.72),
    ],
)
def test_published_example_table_rows(servers: int, service_level: float, waiting: float, asa: float) -> None:
    figures = erlang_c_figures(servers, 10, 180, 20)
    assert figures.waiting_probability == pytest.approx(_exact_erlang_c(servers, Fraction(10)), rel=1e-9)
    assert figures.service_level == pytest.approx(service_level, abs=5e-4)
    assert figures.waiting_probability == pytest.approx(waiting, abs=5e-4)
    assert figures.average_speed_of_answer_seconds == pytest.approx(asa, rel=2e-3)


@pytest.mark.parametrize(
    ("servers", "traffic"),
    # Erlang B table, 1 % blocking: 5 → 1.36, 10 → 4.46, 20 → 12.03, 50 → 37.90, 100 → 84.06 erlangs.
    [(5, 1.36), (10, 4.46), (20, 12.03), (50, 37.90), (100, 84.06)],
)
def test_erlang_b_table_at_one_percent(servers: int, traffic: float) -> None:
    assert erlang_b(servers, traffic) == pytest.approx(0.01, abs=2e-4)


def test_small_closed_forms() -> None:
    # M/M/1: P(wait) = ρ and ASA = ρ/(1 − ρ)·AHT. M/M/2 with 1 erlang: P(wait) = 1/3.
    assert erlang_c(1, 0.6) == pytest.approx(0.6)
    assert erlang_c_figures(1, 0.6, 100, 0).average_speed_of_answer_seconds == pytest.approx(150)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_b(1, 1.0) == pytest.approx(0.5)


@given(st.integers(1, 60), st.integers(1, 999))
def test_recursion_matches_the_factorial_formula(servers: int, per_mille: int) -> None:
    traffic = Fraction(servers * per_mille, 1000)  # always below the number of servers
    assert erlang_c(servers, float(traffic)) == pytest.approx(_exact_erlang_c(servers, traffic), rel=1e-9)


def test_large_traffic_is_stable() -> None:
    # 100,000 contacts per half hour at 3 minutes = 10,000 erlangs: factorials would overflow.
    result = required_staff(**{**EXAMPLE, "contacts": 100_000})
    assert result.traffic_erlangs == pytest.approx(10_000)
    assert 10_000 < result.raw_positions < 10_000 + 3 * math.sqrt(10_000)
    assert result.service_level >= 0.8
    assert erlang_c_figures(result.raw_positions - 1, 10_000, 180, 20).service_level < 0.8


def test_no_contacts_needs_nobody() -> None:
    result = required_staff(**{**EXAMPLE, "contacts": 0})
    assert (result.raw_positions, result.positions, result.service_level) == (0, 0, 1.0)


def test_max_occupancy_adds_positions() -> None:
    # 14 positions run at 71 % occupancy; a 65 % cap needs ceil(10 / 0.65) = 16.
    result = required_staff(**EXAMPLE, max_occupancy=0.65)
    assert result.raw_positions == 16
    assert result.occupancy <= 0.65


def test_chat_concurrency_counts_each_counsellor_as_several_servers() -> None:
    # Chats of 3 minutes, 3 at a time: 14 servers → ceil(14 / 3) = 5 counsellors (15 slots).
    result = required_staff(**EXAMPLE, concurrency=3)
    assert (result.servers, result.raw_positions) == (15, 5)
    assert result.service_level == pytest.approx(erlang_c_figures(15, 10, 180, 20).service_level)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("contacts", -1, "contacts must be 0 or more"),
        ("interval_minutes", 0, "interval_minutes must be above 0"),
        ("aht_minutes", 0, "aht_minutes must be above 0"),
        ("target_seconds", -5, "target_seconds must be 0 or more"),
        ("service_level", 1.0, "service_level must be between 0 and 1"),
        ("service_level", float("nan"), "service_level must be between 0 and 1"),
        ("shrinkage", 1.0, "shrinkage must be at least 0 and below 1"),
        ("concurrency", 0, "concurrency must be 1 or more"),
        ("patience_seconds", 0, "patience_seconds must be above 0"),
        ("max_occupancy", 1.5, "max_occupancy must be above 0 and at most 1"),
    ],
)
def test_bad_options_are_rejected(option: str, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        required_staff(**{**EXAMPLE, option: value})


def test_to_dict_is_json_ready() -> None:
    data = required_staff(**EXAMPLE, shrinkage=0.3).to_dict()
    assert data["positions"] == 20
    assert data["raw_positions"] == 14
    assert data["service_level"] == 0.8884
    assert data["abandonment_probability"] is None


@pytest.mark.parametrize(
    ("raw", "shrinkage", "positions"), [(14, 0.3, 20), (14, 0.0, 14), (7, 0.3, 10), (10, 0.35, 16)]
)
def test_shrinkage(raw: int, shrinkage: float, positions: int) -> None:
    assert with_shrinkage(raw, shrinkage) == positions


# --- Erlang C properties -------------------------------------------------------------------------

contacts = st.floats(0.5, 2000)
aht_minutes = st.floats(0.5, 60)
targets = st.sampled_from([0, 10, 20, 30, 60, 120])
levels = st.floats(0.5, 0.99)


@given(contacts, aht_minutes, targets, levels, st.floats(0, 0.6), st.integers(1, 4))
def test_positions_meet_the_target_and_are_minimal(
    arrivals: float, aht: float, target: int, level: float, shrinkage: float, concurrency: int
) -> None:
    result = required_staff(
        contacts=arrivals,
        interval_minutes=60,
        aht_minutes=aht,
        target_seconds=target,
        service_level=level,
        shrinkage=shrinkage,
        concurrency=concurrency,
    )
    assert result.service_level >= level
    assert 0 <= result.occupancy <= 1
    assert result.servers == result.raw_positions * concurrency
    assert result.positions >= result.raw_positions
    assert result.positions - 1 < result.raw_positions / (1 - shrinkage)
    fewer = erlang_c_figures(result.servers - concurrency, result.traffic_erlangs, aht * 60, target)
    assert fewer.service_level < level


@given(st.integers(1, 200), st.floats(0.1, 150), st.floats(10, 1000), targets)
def test_more_servers_never_lower_the_service_level(
    servers: int, traffic: float, aht: float, target: int
) -> None:
    fewer = erlang_c_figures(servers, traffic, aht, target)
    more = erlang_c_figures(servers + 1, traffic, aht, target)
    assert more.service_level >= fewer.service_level - 1e-12
    assert more.waiting_probability <= fewer.waiting_probability + 1e-12
    assert 0 <= more.waiting_probability <= 1


# --- Erlang A ------------------------------------------------------------------------------------


def _brute_force_erlang_a(
    servers: int, per_second: float, aht: float, patience: float, target: float, dt: float = 0.2
) -> tuple[float, float, float, float]:
    """P(wait), P(abandon), service level and ASA from the truncated chain, step by step.

    Independent of the closed forms: stationary distribution of the birth–death chain, then the
    queue position of a tagged arrival integrated in time with Runge–Kutta.
    """
    mu, theta, depth = 1 / aht, 1 / patience, 40
    weights = [1.0]
    for k in range(1, servers + depth + 1):
        weights.append(weights[-1] * per_second / (min(k, servers) * mu + max(0, k - servers) * theta))
    pi = [weight / sum(weights) for weight in weights]
    waiting = sum(pi[servers:])
    abandoned = theta * sum((k - servers) * pi[k] for k in range(servers, len(pi))) / per_second

    def slope(ahead: list[float]) -> list[float]:
        # Position m moves up at rate servers·mu + m·theta, leaves at rate theta; the last entry
        # of the result is the rate at which the tagged contact is answered.
        moves = [-(servers * mu + (m + 1) * theta) * ahead[m] for m in range(depth + 1)]
        for m in range(depth):
            moves[m] += (servers * mu + (m + 1) * theta) * ahead[m + 1]
        return [*moves, servers * mu * ahead[0]]

    state = [*pi[servers:], 1 - waiting]  # queue positions, then "answered"
    answered_area, service_level, t = 0.0, 0.0, 0.0
    while sum(state[:-1]) > 1e-13:
        if abs(t - target) < dt / 2:
            service_level = state[-1]
        k1 = slope(state)
        k2 = slope([s + dt / 2 * k for s, k in zip(state, k1, strict=True)])
        k3 = slope([s + dt / 2 * k for s, k in zip(state, k2, strict=True)])
        k4 = slope([s + dt * k for s, k in zip(state, k3, strict=True)])
        before = state[-1]
        state = [
            s + dt / 6 * (a + 2 * b + 2 * c + d) for s, a, b, c, d in zip(state, k1, k2, k3, k4, strict=True)
        ]
        answered_area += dt * (before + state[-1]) / 2
        t += dt
    answered = state[-1]
    assert answered == pytest.approx(1 - abandoned, abs=1e-9)
    asa = (answered * t - answered_area) / answered
    return waiting, abandoned, service_level, asa


@pytest.mark.parametrize(
    ("servers", "per_second", "aht", "patience", "target"),
    [
        (5, 4 / 120, 120, 60, 30),  # 4 erlangs on 5 servers
        (8, 10 / 180, 180, 90, 20),  # 10 erlangs on 8 servers: overloaded, kept stable by abandonment
        (14, 10 / 180, 180, 600, 20),  # the published example with 10 minutes' patience
    ],
)
def test_erlang_a_agrees_with_the_chain_solved_numerically(
    servers: int, per_second: float, aht: float, patience: float, target: float
) -> None:
    figures = erlang_a_figures(servers, per_second, aht, patience, target)
    waiting, abandoned, service_level, asa = _brute_force_erlang_a(servers, per_second, aht, patience, target)
    assert figures.waiting_probability == pytest.approx(waiting, rel=1e-9)
    assert figures.abandonment_probability == pytest.approx(abandoned, rel=1e-9)
    assert figures.service_level == pytest.approx(service_level, abs=1e-6)
    assert figures.average_speed_of_answer_seconds == pytest.approx(asa, rel=1e-5)


def test_erlang_a_with_endless_patience_is_erlang_c() -> None:
    erlang_a = required_staff(**EXAMPLE, patience_seconds=1e9)
    erlang_c_result = required_staff(**EXAMPLE)
    assert erlang_a.raw_positions == erlang_c_result.raw_positions == 14
    assert erlang_a.service_level == pytest.approx(erlang_c_result.service_level, abs=1e-5)
    assert erlang_a.waiting_probability == pytest.approx(erlang_c_result.waiting_probability, abs=1e-5)
    assert erlang_a.average_speed_of_answer_seconds == pytest.approx(7.836, abs=1e-3)
    assert erlang_a.abandonment_probability == pytest.approx(0, abs=1e-6)


def test_erlang_a_with_no_patience_is_erlang_b() -> None:
    # Seekers who cannot wait leave at once: P(wait) = P(abandon) = Erlang B, nobody waits long.
    figures = erlang_a_figures(11, 10 / 180, 180, 1e-6, 20)
    assert figures.waiting_probability == pytest.approx(erlang_b(11, 10), rel=1e-5)
    assert figures.abandonment_probability == pytest.approx(erlang_b(11, 10), rel=1e-5)
    assert figures.service_level == pytest.approx(1 - erlang_b(11, 10), rel=1e-5)


def test_erlang_a_example_with_two_minutes_patience() -> None:
    # Impatient seekers leave the queue, so fewer positions reach 80 % in 20 s than Erlang C's 14.
    result = required_staff(**EXAMPLE, patience_seconds=120)
    assert result.model == "erlang_a"
    assert result.raw_positions == 12
    assert result.service_level >= 0.8
    assert erlang_a_figures(11, 100 / 1800, 180, 120, 20).service_level < 0.8
    assert result.abandonment_probability == pytest.approx(0.0616, abs=1e-4)


def test_erlang_a_large_hotline_with_long_patience_stays_fast() -> None:
    result = required_staff(**{**EXAMPLE, "contacts": 50_000}, patience_seconds=1e6)
    assert result.service_level >= 0.8
    assert abs(result.raw_positions - required_staff(**{**EXAMPLE, "contacts": 50_000}).raw_positions) <= 1


patience = st.floats(1, 3600)


@settings(deadline=None)
@given(st.integers(1, 60), st.floats(0.5, 80), st.floats(30, 1200), patience, targets)
def test_erlang_a_sanity(servers: int, traffic: float, aht: float, wait: float, target: int) -> None:
    per_second = traffic / aht
    figures = erlang_a_figures(servers, per_second, aht, wait, target)
    more = erlang_a_figures(servers + 1, per_second, aht, wait, target)
    assert figures.abandonment_probability is not None
    assert 0 <= figures.abandonment_probability <= figures.waiting_probability <= 1
    assert 0 <= figures.service_level <= 1 - figures.abandonment_probability + 1e-9
    assert 0 <= figures.occupancy <= 1 + 1e-9
    assert more.service_level >= figures.service_level - 1e-9
    if servers > traffic:  # abandonment only shortens the queue
        assert figures.waiting_probability <= erlang_c(servers, traffic) + 1e-9
        assert figures.average_speed_of_answer_seconds <= erlang_c_figures(
            servers, traffic, aht, target
        ).average_speed_of_answer_seconds * (1 + 1e-9)


@settings(deadline=None)
@given(
    st.floats(1, 1000), st.floats(1, 20), targets, levels, patience, st.one_of(st.none(), st.floats(0.6, 1))
)
def test_erlang_a_positions_meet_the_targets(
    arrivals: float, aht: float, target: int, level: float, wait: float, cap: float | None
) -> None:
    result = required_staff(
        contacts=arrivals,
        interval_minutes=60,
        aht_minutes=aht,
        target_seconds=target,
        service_level=level,
        patience_seconds=wait,
        max_occupancy=cap,
    )
    assert result.service_level >= level
    assert result.occupancy <= (cap or 1) + 1e-9
    if cap is None:
        fewer = erlang_a_figures(result.servers - 1, arrivals / 3600, aht * 60, wait, target)
        assert fewer.service_level < level


# --- arrivals forecast ---------------------------------------------------------------------------


def test_arrivals_average_over_the_weeks_observed() -> None:
    monday = datetime(2025, 3, 3, 9, 15)
    arrivals = [monday, monday + timedelta(minutes=10), monday + timedelta(days=7, minutes=5)]
    arrivals.append(monday + timedelta(days=13, hours=11))  # Sunday of the second week, 20:15
    table = arrivals_by_weekday_hour(arrivals)
    assert len(table) == 7
    assert all(len(row) == 24 for row in table)
    assert table[0][9] == 1.5  # 3 arrivals over 2 Mondays
    assert table[6][20] == 0.5
    assert sum(map(sum, table)) == 2.0  # 4 arrivals / 2 weeks


def test_arrivals_are_counted_in_the_hotline_time_zone() -> None:
    # 16:30 UTC on a Monday is 00:30 on Tuesday in Beijing.
    arrival = datetime(2025, 3, 3, 16, 30, tzinfo=UTC)
    table = arrivals_by_weekday_hour([arrival], tz=ZoneInfo("Asia/Shanghai"))
    assert table[1][0] == 1.0


def test_arrivals_window_counts_each_weekday_it_contains() -> None:
    # 10 days from Monday 3 March: two Mondays, Tuesdays and Wednesdays, one of the others.
    assert weekdays_between(date(2025, 3, 3), date(2025, 3, 12)) == [2, 2, 2, 1, 1, 1, 1]
    table = arrivals_by_weekday_hour(
        [datetime(2025, 3, 6, 8), datetime(2025, 3, 3, 8), datetime(2025, 4, 1, 8)],
        first_day=date(2025, 3, 3),
        last_day=date(2025, 3, 12),
    )
    assert (table[0][8], table[3][8]) == (0.5, 1.0)  # the April arrival is outside the window
    assert arrivals_by_weekday_hour([]) == [[0.0] * 24 for _ in range(7)]
    with pytest.raises(ValueError, match="before first_day"):
        arrivals_by_weekday_hour([], first_day=date(2025, 3, 3), last_day=date(2025, 3, 2))


@given(st.lists(st.datetimes(datetime(2024, 1, 1), datetime(2024, 12, 31)), min_size=1, max_size=50))
def test_forecast_total_is_arrivals_per_average_week(moments: list[datetime]) -> None:
    table = arrivals_by_weekday_hour(moments)
    first, last = min(m.date() for m in moments), max(m.date() for m in moments)
    days = weekdays_between(first, last)
    assert sum(days) == (last - first).days + 1
    counted = sum(table[weekday][hour] * days[weekday] for weekday in range(7) for hour in range(24))
    assert counted == pytest.approx(len(moments))


def test_infinite_patience_is_erlang_c_and_infinite_inputs_are_refused() -> None:
    from xinyuan.scheduling.erlang import required_staff

    endless = required_staff(
        contacts=100,
        interval_minutes=30,
        aht_minutes=3,
        target_seconds=20,
        service_level=0.8,
        patience_seconds=float("inf"),
    )
    assert endless.raw_positions == 14
    with pytest.raises(ValueError, match="finite"):
        required_staff(
            contacts=float("inf"), interval_minutes=30, aht_minutes=3, target_seconds=20, service_level=0.8
        )
