"""Dashboard figures over the demo's 90 days of history (about 3,400 contacts), SQLite in a temp dir.

Times generating the history and computing every table of the dashboard for the last 7, 30 and 90
days, as the dashboard view does (`reports.figures.tables`).

    .venv/bin/python bench/reports_bench.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from _django import temp_sqlite


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    temp_sqlite()
    from django.utils import timezone

    from xinyuan.core import demo
    from xinyuan.core.models import Hotline
    from xinyuan.reports import figures, history, metrics

    demo.load()
    started = time.perf_counter()
    summary = history.load_demo_history(90)
    print(f"history: {time.perf_counter() - started:.1f} s — {summary}")
    hotline = Hotline.objects.get(slug="demo")
    today = timezone.localdate()
    for days in (7, 30, 90):
        times = []
        for _ in range(args.repeats):
            filters = metrics.Filters(hotline=hotline, since=today - timedelta(days=days), until=today)
            started = time.perf_counter()
            figures.tables(metrics.Scope(filters), year=today.year)
            times.append(time.perf_counter() - started)
        print(f"dashboard figures, last {days:>2} days: mean {statistics.fmean(times) * 1e3:7.1f} ms,"
              f" max {max(times) * 1e3:7.1f} ms (n={len(times)})")


if __name__ == "__main__":
    main()
