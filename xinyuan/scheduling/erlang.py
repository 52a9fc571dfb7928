"""Staffing forecast: Erlang C, Erlang A (M/M/n+M, with abandonment) and arrivals by weekday and hour.

Pure module (no Django). The model, its assumptions and the published figures it reproduces are in
docs/staffing.md. Words: `servers` are queue servers (chat slots); `positions` are counsellors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, tzinfo
from typing import Literal

MAX_SERVERS = 100_000  # every search stops here
MAX_SERIES_TERMS = 2_000_000  # Erlang A series; only reached with an extreme patience

Model = Literal["erlang_c", "erlang_a"]


@dataclass(frozen=True)
class QueueFigures:
    """How a queue with a given number of servers performs."""

    service_level: float  # share of all contacts answered within the target time
    occupancy: float  # share of server time spent handling contacts
    waiting_probability: float  # share of contacts that wait at all
    average_speed_of_answer_seconds: float  # mean wait of the contacts that are answered
    abandonment_probability: float | None = None  # Erlang A only


@dataclass(frozen=True)
class StaffingResult:
    model: Model
    traffic_erlangs: float
    concurrency: int
    servers: int  # raw_positions × concurrency
    raw_positions: int  # counsellors needed on the floor
    positions: int  # counsellors to schedule: raw_positions grossed up for shrinkage
    service_level: float
    occupancy: float
    waiting_probability: float
    average_speed_of_answer_seconds: float
    abandonment_probability: float | None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready figures, rounded to 4 decimals."""
        return {
            key: round(value, 4) if isinstance(value, float) else value for key, value in asdict(self).items()
        }


# ---------------------------------------------------------------------------------------------
# Erlang B and C


def erlang_b(servers: int, traffic: float) -> float:
    """Erlang B blocking probability, by the recursion B(k) = A·B(k−1) / (k + A·B(k−1)).

    The recursion never forms A^n or n!, so it stays finite for any traffic.
    """
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def erlang_c(servers: int, traffic: float) -> float:
    """Erlang C: the probability that a contact waits. 1 when the servers cannot keep up."""
    if traffic <= 0:
        return 0.0
    if servers <= traffic:
        return 1.0
    return _c_from_b(servers, traffic, erlang_b(servers, traffic))


def _c_from_b(servers: int, traffic: float, blocking: float) -> float:
    return servers * blocking / (servers - traffic * (1 - blocking))


def erlang_c_figures(servers: int, traffic: float, aht_seconds: float, target_seconds: float) -> QueueFigures:
    """Service level, occupancy, waiting probability and ASA of an M/M/n queue (Erlang C)."""
    if traffic <= 0:
        return QueueFigures(1.0, 0.0, 0.0, 0.0)
    if servers <= traffic:
        return QueueFigures(0.0, 1.0, 1.0, math.inf)
    waiting = erlang_c(servers, traffic)
    return _c_figures(servers, traffic, waiting, aht_seconds, target_seconds)


def _c_figures(
    servers: int, traffic: float, waiting: float, aht_seconds: float, target_seconds: float
) -> QueueFigures:
    spare = servers - traffic
    return QueueFigures(
        service_level=1 - waiting * math.exp(-spare * target_seconds / aht_seconds),
        occupancy=traffic / servers,
        waiting_probability=waiting,
        average_speed_of_answer_seconds=waiting * aht_seconds / spare,
    )


def erlang_c_servers(
    traffic: float,
    aht_seconds: float,
    target_seconds: float,
    service_level: float,
    max_occupancy: float | None = None,
) -> int:
    """Fewest servers meeting the service level (and the occupancy cap), searching upwards."""
    if traffic <= 0:
        return 0
    blocking = 1.0
    for servers in range(1, MAX_SERVERS + 1):
        blocking = traffic * blocking / (servers + traffic * blocking)
        if servers <= traffic:
            continue
        waiting = _c_from_b(servers, traffic, blocking)
        figures = _c_figures(servers, traffic, waiting, aht_seconds, target_seconds)
        if figures.service_level >= service_level and _occupancy_ok(figures, max_occupancy):
            return servers
    raise ValueError(f"more than {MAX_SERVERS} servers would be needed")


def _occupancy_ok(figures: QueueFigures, max_occupancy: float | None) -> bool:
    return max_occupancy is None or figures.occupancy <= max_occupancy


# ---------------------------------------------------------------------------------------------
# Erlang A (Palm's M/M/n+M): exponential patience, abandoned contacts leave the queue.
#
# With arrival rate λ, service rate μ = 1/AHT, abandonment rate θ = 1/patience and n servers,
# write x = nμ/θ and y = λ/θ. The queue states above n have weights y^j / ((x+1)…(x+j)); their sum
# is the series A(x, y) below, and every figure follows from it and Erlang B:
#   P(wait)                  = A·B / (1 + (A − 1)·B)
#   P(answered | waits)      = (A − 1) / (ρ·A),                 ρ = λ / (nμ)
#   P(answered after T | waits) = f(T) · (A(x, y·e^(−θT)) − 1) / (ρ·A),
#                                 f(T) = exp(−nμT + y·(1 − e^(−θT)))
# (a contact still queued at T finds a queue distributed like a fresh one with y·e^(−θT) for y).
# A contact with j others ahead is answered with probability x/(x+j+1) and, if answered, has waited
# on average Σ_{m=0..j} 1/(θ·(x+m+1)); that gives the ASA of answered contacts.
# As θ → 0 all of these tend to the Erlang C formulas (tested).


@dataclass(frozen=True)
class _Series:
    log_sum: float  # log A(x, y)
    answered_wait: float  # Σ_j w_j · x/(x+j+1) · Σ_{m≤j} 1/(x+m+1), over A(x, y); in units of 1/θ


def _series(x: float, y: float) -> _Series:
    """Sum A(x, y) = Σ_j y^j / ((x+1)…(x+j)) in scaled form, so huge terms cannot overflow."""
    term, total, weighted, harmonic, log_scale = 1.0, 0.0, 0.0, 0.0, 0.0
    for j in range(MAX_SERIES_TERMS):
        if j > 0:
            term *= y / (x + j)
        harmonic += 1 / (x + j + 1)
        total += term
        weighted += term * x / (x + j + 1) * harmonic
        if term > 1e200:  # rescale everything; only ratios and log_sum are used
            term, total, weighted = term * 1e-200, total * 1e-200, weighted * 1e-200
            log_scale += 200 * math.log(10)
        past_peak = y < x + j + 1
        if past_peak and term < 1e-17 * total and term * harmonic < 1e-17 * weighted:
            return _Series(log_scale + math.log(total), weighted / total)
    raise ValueError("patience is too long for Erlang A here; leave it out to use Erlang C")


def erlang_a_figures(
    servers: int,
    arrivals_per_second: float,
    aht_seconds: float,
    patience_seconds: float,
    target_seconds: float,
) -> QueueFigures:
    """Figures of the M/M/n+M queue; the service level counts abandoned contacts as not answered."""
    traffic = arrivals_per_second * aht_seconds
    if traffic <= 0:
        return QueueFigures(1.0, 0.0, 0.0, 0.0, 0.0)
    if servers <= 0:  # everybody waits and, sooner or later, leaves
        return QueueFigures(0.0, 0.0, 1.0, math.inf, 1.0)
    blocking = erlang_b(servers, traffic)
    if blocking == 0.0:  # underflow: so many servers that nobody ever waits
        return QueueFigures(1.0, traffic / servers, 0.0, 0.0, 0.0)
    theta = 1 / patience_seconds
    x = servers / aht_seconds / theta
    y = arrivals_per_second / theta
    rho = y / x
    series = _series(x, y)
    waiting = 1 / (1 + (1 - blocking) / blocking * math.exp(-series.log_sum))
    answered_if_waits = (1 - math.exp(-series.log_sum)) / rho
    abandoned = waiting * (1 - answered_if_waits)
    later = _series(x, y * math.exp(-theta * target_seconds))
    log_f = -servers / aht_seconds * target_seconds + y * -math.expm1(-theta * target_seconds)
    answered_later = math.exp(log_f + later.log_sum - series.log_sum) * (1 - math.exp(-later.log_sum)) / rho
    answered_in_time = min(1.0, max(0.0, answered_if_waits - answered_later))
    answered_wait = waiting * series.answered_wait * patience_seconds
    return QueueFigures(
        service_level=(1 - waiting) + waiting * answered_in_time,
        occupancy=traffic * (1 - abandoned) / servers,
        waiting_probability=waiting,
        average_speed_of_answer_seconds=answered_wait / (1 - abandoned),
        abandonment_probability=abandoned,
    )


def erlang_a_servers(
    arrivals_per_second: float,
    aht_seconds: float,
    patience_seconds: float,
    target_seconds: float,
    service_level: float,
    max_occupancy: float | None = None,
) -> int:
    """Fewest servers meeting the service level (and the occupancy cap) with abandonment."""
    traffic = arrivals_per_second * aht_seconds
    if traffic <= 0:
        return 0

    def figures(servers: int) -> QueueFigures:
        return erlang_a_figures(servers, arrivals_per_second, aht_seconds, patience_seconds, target_seconds)

    def meets(servers: int) -> bool:
        return figures(servers).service_level >= service_level

    # Answered contacts cannot exceed capacity, so service level ≤ servers / traffic: a lower bound.
    low = max(1, math.floor(service_level * traffic))
    # Abandonment only shortens the queue, so P(wait) ≤ Erlang C: these servers always suffice.
    high = erlang_c_servers(traffic, aht_seconds, 0.0, service_level)
    # Start next to the Erlang C answer: far below it the queue is overloaded and, with a long
    # patience, the series gets long.
    start = erlang_c_servers(traffic, aht_seconds, target_seconds, service_level)
    needed = _smallest(meets, low, high, start)
    if max_occupancy is None:
        return needed
    enough = max(needed, math.ceil(traffic / max_occupancy))  # occupancy ≤ traffic / servers
    for servers in range(needed, enough):
        if _occupancy_ok(figures(servers), max_occupancy):
            return servers
    return enough


def _smallest(meets: Callable[[int], bool], low: int, high: int, start: int) -> int:
    """Smallest n in [low, high] that meets, given that `high` does and meeting is monotone.

    Gallops away from `start` (1, 2, 4 … steps) to bracket the answer, then bisects.
    """
    start = min(max(start, low), high)
    step = 1
    if meets(start):
        high = start
        while high > low:
            probe = max(low, high - step)
            if not meets(probe):
                low = probe + 1
                break
            high, step = probe, step * 2
    else:
        low = start + 1
        while low < high:
            probe = min(high, start + step)
            if meets(probe):
                high = probe
                break
            low, step = probe + 1, step * 2
    while low < high:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle + 1
    return high


# ---------------------------------------------------------------------------------------------
# Staffing from command-line style options


def required_staff(
    *,
    contacts: float,
    interval_minutes: float,
    aht_minutes: float,
    target_seconds: float,
    service_level: float,
    shrinkage: float = 0.0,
    concurrency: int = 1,
    patience_seconds: float | None = None,
    max_occupancy: float | None = None,
) -> StaffingResult:
    """Counsellors needed for `contacts` arriving in an interval; Erlang A when patience is given.

    With concurrency N (chat), each counsellor is N servers and `aht_minutes` must be the
    average length of a chat as handled at that concurrency.
    """
    _check_options(
        contacts, interval_minutes, aht_minutes, target_seconds, service_level, shrinkage, concurrency
    )
    if patience_seconds is not None and not patience_seconds > 0:
        raise ValueError(f"patience_seconds must be above 0, got {patience_seconds}")
    if patience_seconds is not None and math.isinf(patience_seconds):
        patience_seconds = None  # seekers who never give up: that is Erlang C
    for name, value in (("contacts", contacts), ("aht_minutes", aht_minutes)):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {value}")
    if max_occupancy is not None and not 0 < max_occupancy <= 1:
        raise ValueError(f"max_occupancy must be above 0 and at most 1, got {max_occupancy}")
    aht_seconds = aht_minutes * 60
    arrivals_per_second = contacts / (interval_minutes * 60)
    traffic = arrivals_per_second * aht_seconds
    model: Model = "erlang_c" if patience_seconds is None else "erlang_a"
    if patience_seconds is None:
        servers = erlang_c_servers(traffic, aht_seconds, target_seconds, service_level, max_occupancy)
    else:
        servers = erlang_a_servers(
            arrivals_per_second, aht_seconds, patience_seconds, target_seconds, service_level, max_occupancy
        )
    raw_positions = math.ceil(servers / concurrency)
    servers = raw_positions * concurrency  # whole counsellors bring all their slots
    if patience_seconds is None:
        figures = erlang_c_figures(servers, traffic, aht_seconds, target_seconds)
    elif servers == 0:
        figures = QueueFigures(1.0, 0.0, 0.0, 0.0, 0.0)
    else:
        figures = erlang_a_figures(
            servers, arrivals_per_second, aht_seconds, patience_seconds, target_seconds
        )
    return StaffingResult(
        model=model,
        traffic_erlangs=traffic,
        concurrency=concurrency,
        servers=servers,
        raw_positions=raw_positions,
        positions=with_shrinkage(raw_positions, shrinkage),
        service_level=figures.service_level,
        occupancy=figures.occupancy,
        waiting_probability=figures.waiting_probability,
        average_speed_of_answer_seconds=figures.average_speed_of_answer_seconds,
        abandonment_probability=figures.abandonment_probability,
    )


def with_shrinkage(raw_positions: int, shrinkage: float) -> int:
    """Counsellors to schedule so that `raw_positions` are on the floor after shrinkage."""
    # The tolerance keeps 14 / (1 − 0.3) = 20.000000000000004 at 20.
    return math.ceil(raw_positions / (1 - shrinkage) - 1e-9)


def _check_options(
    contacts: float,
    interval_minutes: float,
    aht_minutes: float,
    target_seconds: float,
    service_level: float,
    shrinkage: float,
    concurrency: int,
) -> None:
    problems = [
        (contacts >= 0, f"contacts must be 0 or more, got {contacts}"),
        (interval_minutes > 0, f"interval_minutes must be above 0, got {interval_minutes}"),
        (aht_minutes > 0, f"aht_minutes must be above 0, got {aht_minutes}"),
        (target_seconds >= 0, f"target_seconds must be 0 or more, got {target_seconds}"),
        (0 < service_level < 1, f"service_level must be between 0 and 1 (exclusive), got {service_level}"),
        (0 <= shrinkage < 1, f"shrinkage must be at least 0 and below 1, got {shrinkage}"),
        (concurrency >= 1, f"concurrency must be 1 or more, got {concurrency}"),
    ]
    for ok, message in problems:
        if not ok:  # also catches NaN, which fails every comparison
            raise ValueError(message)


# ---------------------------------------------------------------------------------------------
# Arrivals forecast


def arrivals_by_weekday_hour(
    arrivals: Iterable[datetime],
    *,
    tz: tzinfo | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> list[list[float]]:
    """Average arrivals per weekday (Monday = 0) and hour, as a 7 × 24 table.

    Each cell is the count in that weekday and hour divided by how many such weekdays the
    observed days (first_day to last_day inclusive; by default the first and last arrival)
    contain. Aware datetimes are converted to `tz`; naive ones are taken as local already.
    Arrivals outside the observed days are ignored.
    """
    local = [moment.astimezone(tz) if tz and moment.tzinfo else moment for moment in arrivals]
    counts = [[0] * 24 for _ in range(7)]
    if not local and (first_day is None or last_day is None):
        return [[0.0] * 24 for _ in range(7)]
    first = first_day or min(moment.date() for moment in local)
    last = last_day or max(moment.date() for moment in local)
    if last < first:
        raise ValueError(f"last_day {last} is before first_day {first}")
    for moment in local:
        if first <= moment.date() <= last:
            counts[moment.weekday()][moment.hour] += 1
    days = weekdays_between(first, last)
    return [
        [count / days[weekday] if days[weekday] else 0.0 for count in counts[weekday]] for weekday in range(7)
    ]


def weekdays_between(first: date, last: date) -> list[int]:
    """How many Mondays, Tuesdays … Sundays there are from first to last inclusive."""
    weeks, rest = divmod((last - first).days + 1, 7)
    return [weeks + (1 if (weekday - first.weekday()) % 7 < rest else 0) for weekday in range(7)]
