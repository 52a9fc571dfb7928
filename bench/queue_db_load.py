"""Queue load with the database: 10,000 queued contacts, a few dozen counsellors on duty.

bench/queue_load.py measures the pure routing policy; this one measures what the server really
does, through the ORM: `queries.queue_positions(hotline_id, now)` (every waiting seeker's position
and estimate in one pass), `actions.dispatch(hotline_id)` (lock, route, offer — and the
`refresh_queue` it triggers on commit), and `actions.refresh_queue` alone. SQLite in a temp dir,
and PostgreSQL (database `xinyuan_queue_bench`) when it is reachable. Each form runs in a child
process of its own, because Django reads DATABASE_URL when it starts.

    .venv/bin/python bench/queue_db_load.py [--queued 10000] [--counsellors 40] [--repeats 20]
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/xinyuan"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
PG_DATABASE = "xinyuan_queue_bench"


def percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


def report(label: str, times: list[float]) -> None:
    print(
        f"  {label:<58} p50 {percentile(times, 50) * 1e3:8.1f} ms   p99 {percentile(times, 99) * 1e3:8.1f} ms"
        f"   mean {statistics.fmean(times) * 1e3:8.1f} ms   (n={len(times)})",
        flush=True,
    )


def child(queued: int, counsellors: int, repeats: int) -> None:
    """Runs with DATABASE_URL / XINYUAN_VAR_DIR already in the environment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyuan.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from xinyuan.contacts import actions, queries
    from xinyuan.contacts.models import Contact, CounsellorState, RiskLevel, Seeker, State, Status
    from xinyuan.core import actions as core
    from xinyuan.core.models import Membership, MembershipRole, User
    from xinyuan.core.roles import Role

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(7)
    now = timezone.now()
    hotline = core.do_create_hotline(
        "queue-bench",
        "排队压测",
        time_zone="Asia/Shanghai",
        languages=["zh-hans", "en"],
        always_open=True,
        two_factor_roles=[Role.SUPERVISOR],
    )
    password = make_password("queue-bench-password-2026")
    User.objects.bulk_create(
        [User(username=f"queue-bench-{i}", password=password) for i in range(counsellors)], batch_size=500
    )
    users = list(User.objects.filter(username__startswith="queue-bench-").order_by("pk"))
    memberships = Membership.objects.bulk_create([Membership(user=u, hotline=hotline) for u in users])
    MembershipRole.objects.bulk_create(
        [MembershipRole(membership=m, role=Role.COUNSELLOR) for m in memberships]
    )
    CounsellorState.objects.bulk_create(
        [
            CounsellorState(
                membership=m,
                status=Status.ON_DUTY,
                status_since=now,
                idle_since=now - timedelta(seconds=rng.uniform(0, 1800)),
                heartbeat_at=now,
                chat_limit=rng.randint(1, 3),
                languages=["zh-hans"] + (["en"] if rng.random() < 0.3 else []),
                specialties=rng.sample(["minor", "medical_worker", "elderly"], rng.randint(0, 2)),
                crisis_trained=rng.random() < 0.6,
            )
            for m in memberships
        ]
    )
    seekers = Seeker.objects.bulk_create(
        [Seeker(hotline=hotline, token_hash=secrets.token_hex(32)) for _ in range(queued)], batch_size=1000
    )
    levels = [RiskLevel.NONE, RiskLevel.ELEVATED, RiskLevel.HIGH, RiskLevel.IMMINENT]
    contacts = []
    for seeker in seekers:
        queued_at = now - timedelta(seconds=rng.uniform(0, 3 * 3600))
        level = rng.choices(levels, [70, 20, 8, 2])[0]
        contact = Contact(
            hotline=hotline,
            seeker=seeker,
            risk_level=level,
            language=rng.choices(["zh-hans", "en"], [92, 8])[0],
            specialty=rng.choices(["", "minor", "medical_worker", "elderly"], [70, 15, 10, 5])[0],
            queued_at=queued_at,
            seeker_seen_at=now,
            consent_version=hotline.consent_version,
        )
        contact.priority_at = queued_at - timedelta(seconds=queries.POLICY.head_start(level))  # type: ignore[arg-type]
        contacts.append(contact)
    Contact.objects.bulk_create(contacts, batch_size=1000)
    slots = sum(
        CounsellorState.objects.filter(membership__hotline=hotline).values_list("chat_limit", flat=True)
    )
    print(
        f"  {connection.vendor}: {queued:,} queued contacts, {counsellors} counsellors on duty "
        f"({slots} chat slots); "
        f"set-up {time.perf_counter() - started:.1f} s",
        flush=True,
    )

    def timed(
        action: Callable[[], object], n: int, before: Callable[[], object] | None = None
    ) -> list[float]:
        times = []
        for _ in range(n):
            if before is not None:
                before()
            start = time.perf_counter()
            action()
            times.append(time.perf_counter() - start)
        return times

    positions = queries.queue_positions(hotline.pk, timezone.now())
    assert len(positions) == queued, len(positions)
    report(
        f"queue_positions, {queued:,} queued (one pass)",
        timed(lambda: queries.queue_positions(hotline.pk, timezone.now()), repeats),
    )

    def reset() -> None:
        Contact.objects.filter(hotline=hotline, state=State.OFFERED).update(
            state=State.QUEUED, counsellor=None, offered_at=None, offer_expires_at=None
        )

    offers: list[int] = []

    def dispatch() -> None:
        offers.append(len(actions.dispatch(hotline.pk)))

    report(
        "refresh_queue (positions + announcements, first run)",
        timed(lambda: actions.refresh_queue(hotline.pk), 1),
    )
    report(
        "refresh_queue (positions + announcements, nothing changed)",
        timed(lambda: actions.refresh_queue(hotline.pk), repeats),
    )
    times = timed(dispatch, repeats, before=reset)
    report(f"dispatch ({statistics.fmean(offers):.0f} offers each, incl. refresh_queue on commit)", times)
    reset()


def run_child(name: str, env: dict[str, str], options: argparse.Namespace) -> None:
    print(f"{name}:", flush=True)
    args = [sys.executable, str(Path(__file__).resolve()), "--child"]
    args += [
        "--queued",
        str(options.queued),
        "--counsellors",
        str(options.counsellors),
        "--repeats",
        str(options.repeats),
    ]
    done = subprocess.run(args, env=env, cwd=ROOT, check=False, timeout=900)
    if done.returncode:
        print(f"  {name} failed with exit code {done.returncode}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queued", type=int, default=10_000)
    parser.add_argument("--counsellors", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--form", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.queued, options.counsellors, options.repeats)
        return
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    base["LOG_LEVEL"] = "WARNING"
    print(f"queue_db_load: {os.cpu_count()} CPUs\n")
    with tempfile.TemporaryDirectory(prefix="xinyuan-queue-db-") as tmp:
        if options.form in ("sqlite", "all"):
            run_child("SQLite (in a temp dir)", {**base, "XINYUAN_VAR_DIR": tmp}, options)
        if options.form in ("postgres", "all"):
            import runpy

            database_url = os.environ.get("XINYUAN_TEST_DATABASE_URL", DEFAULT_PG)
            services = runpy.run_path(str(ROOT / "scripts" / "services.py"))["main"]
            problem = services(database_url, os.environ.get("XINYUAN_TEST_REDIS_URL", DEFAULT_REDIS))
            if problem != "ok" and "PostgreSQL" in problem:
                print(f"PostgreSQL: SKIPPED ({problem})")
                return
            import psycopg

            server = database_url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0]
            with psycopg.connect(server + "/postgres", autocommit=True, connect_timeout=5) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "{PG_DATABASE}"')
            env = {**base, "XINYUAN_VAR_DIR": tmp, "DATABASE_URL": f"{server}/{PG_DATABASE}"}
            run_child(f"PostgreSQL (database {PG_DATABASE})", env, options)


if __name__ == "__main__":
    main()
