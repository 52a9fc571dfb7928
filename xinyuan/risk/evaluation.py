"""How well predicted risk levels match labelled ones (pure: no Django).

``evaluate(gold, predicted)`` gives the confusion matrix, per-level precision and recall, and the
figures the triage targets are stated in: recall of high+imminent, recall of imminent, and the
share of ``none`` messages raised to high or imminent. ``render(report)`` prints them as a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LEVELS: tuple[str, ...] = ("none", "elevated", "high", "imminent")
URGENT = frozenset({"high", "imminent"})


@dataclass(frozen=True)
class LevelScore:
    precision: float | None  # None when the level was never predicted
    recall: float | None  # None when the level never occurs in the gold labels
    support: int  # gold messages at this level


@dataclass(frozen=True)
class Report:
    matrix: dict[str, dict[str, int]]  # matrix[gold][predicted] = count
    per_level: dict[str, LevelScore]
    urgent_recall: float | None  # gold high or imminent, predicted high or imminent
    imminent_recall: float | None  # gold imminent, predicted imminent
    none_raised: float | None  # gold none, predicted high or imminent
    accuracy: float | None
    total: int


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def evaluate(gold: Sequence[str], predicted: Sequence[str]) -> Report:
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    unknown = (set(gold) | set(predicted)) - set(LEVELS)
    if unknown:
        raise ValueError(f"unknown levels: {sorted(unknown)}")
    matrix = {g: dict.fromkeys(LEVELS, 0) for g in LEVELS}
    for g, p in zip(gold, predicted, strict=True):
        matrix[g][p] += 1

    per_level = {}
    for level in LEVELS:
        hits = matrix[level][level]
        support = sum(matrix[level].values())
        predicted_as = sum(matrix[g][level] for g in LEVELS)
        per_level[level] = LevelScore(_ratio(hits, predicted_as), _ratio(hits, support), support)

    urgent_gold = sum(sum(matrix[g].values()) for g in URGENT)
    urgent_hits = sum(matrix[g][p] for g in URGENT for p in URGENT)
    return Report(
        matrix=matrix,
        per_level=per_level,
        urgent_recall=_ratio(urgent_hits, urgent_gold),
        imminent_recall=per_level["imminent"].recall,
        none_raised=_ratio(sum(matrix["none"][p] for p in URGENT), per_level["none"].support),
        accuracy=_ratio(sum(matrix[level][level] for level in LEVELS), len(gold)),
        total=len(gold),
    )


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def render(report: Report, title: str = "") -> str:
    """A plain-text table: rows are the gold levels, columns the predicted ones."""
    width = max(len(level) for level in LEVELS) + 2
    lines = [title] if title else []
    lines.append("gold \\ predicted".ljust(18) + "".join(level.rjust(width) for level in LEVELS))
    for gold in LEVELS:
        counts = "".join(str(report.matrix[gold][p]).rjust(width) for p in LEVELS)
        lines.append(gold.ljust(18) + counts)
    lines.append("")
    lines.append("level".ljust(18) + "precision".rjust(11) + "recall".rjust(11) + "support".rjust(9))
    for level in LEVELS:
        score = report.per_level[level]
        lines.append(
            level.ljust(18)
            + _figure(score.precision).rjust(11)
            + _figure(score.recall).rjust(11)
            + str(score.support).rjust(9)
        )
    lines.append("")
    lines.append(f"high+imminent recall      {_figure(report.urgent_recall)}")
    lines.append(f"imminent recall           {_figure(report.imminent_recall)}")
    lines.append(f"none → high/imminent      {_figure(report.none_raised)}")
    lines.append(f"exact level accuracy      {_figure(report.accuracy)}  (n={report.total})")
    return "\n".join(lines)
