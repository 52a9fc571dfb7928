"""Triage engine: time per message and the evaluation figures.

Times ``classify`` after warm-up over the dev set (../shared/data/risk_dev.jsonl, if present), the
project's own sets (tests/risk/cases_extra.jsonl) and the blind probes (tests/risk/cases_blind*.jsonl),
each repeated, and prints mean, p50 and p99 in microseconds; then the confusion matrix and target
figures of each set.
Figures only, no assertions. Run: .venv/bin/python bench/risk_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from xinyuan.risk.evaluation import evaluate, render
from xinyuan.risk.triage import classify, warm_up

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "risk"
SETS = {
    "dev": ROOT.parent / "shared" / "data" / "risk_dev.jsonl",
    "extra": CASES / "cases_extra.jsonl",
    **{
        path.stem.removeprefix("cases_"): path
        for path in sorted(
            CASES.glob("cases_blind*.jsonl"), key=lambda p: int(p.stem.removeprefix("cases_blind") or 1)
        )
    },
}


def load(path: Path) -> list[dict[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_messages(texts: list[str], repeat: int) -> list[float]:
    """Microseconds per call, one figure per message per round."""
    timings = []
    for _ in range(repeat):
        for text in texts:
            start = time.perf_counter()
            classify(text)
            timings.append((time.perf_counter() - start) * 1e6)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="rounds over each set (default 20)")
    args = parser.parse_args()

    started = time.perf_counter()
    warm_up()
    print(f"warm-up (opencc, jieba, lexicon, model): {time.perf_counter() - started:.2f} s")

    found = {name: load(path) for name, path in SETS.items() if path.exists()}
    for name, path in SETS.items():
        if name not in found:
            print(f"{name}: {path} not found, skipped")
    for rows in found.values():  # one untimed pass so first-seen caches do not count
        for row in rows:
            classify(row["text"])

    print(f"\nper message, µs ({args.repeat} rounds)      n      mean     p50     p99     max")
    everything: list[float] = []
    for name, rows in found.items():
        timings = time_messages([row["text"] for row in rows], args.repeat)
        everything += timings
        print(
            f"  {name:<34}{len(rows):>5}{statistics.fmean(timings):>10.0f}"
            f"{percentile(timings, 0.5):>8.0f}{percentile(timings, 0.99):>8.0f}{max(timings):>8.0f}"
        )
    if everything:
        print(
            f"  {'all':<34}{len(everything) // args.repeat:>5}{statistics.fmean(everything):>10.0f}"
            f"{percentile(everything, 0.5):>8.0f}{percentile(everything, 0.99):>8.0f}"
            f"{max(everything):>8.0f}"
        )

    for name, rows in found.items():
        results = [classify(row["text"]) for row in rows]
        report = evaluate([row["level"] for row in rows], [r.level for r in results])
        about = sum(r.about == row["about"] for r, row in zip(results, rows, strict=True))
        print(f"\n{render(report, title=f'== {name} ({SETS[name].name})')}")
        print(f"about (self/other) agrees  {about / len(rows):.3f}")
        groups = sorted({row["id"][0] for row in rows})
        if len(groups) > 1:  # the extra set: x… written before tuning, y… after the first round
            for group in groups:
                part = [(row, r) for row, r in zip(rows, results, strict=True) if row["id"][0] == group]
                sub = evaluate([row["level"] for row, _ in part], [r.level for _, r in part])
                print(
                    f"  {group}… n={len(part):<4} high+imminent recall {sub.urgent_recall:.3f}  "
                    f"imminent recall {sub.imminent_recall:.3f}  none→high/imminent {sub.none_raised:.3f}"
                )


if __name__ == "__main__":
    main()
