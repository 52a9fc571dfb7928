"""Chat load: K concurrent conversations with real WebSocket clients on both sides.

Starts the server itself — embedded (`xinyuan run --no-demo`, SQLite in a temp dir) and/or scaled
(2 × `xinyuan serve` + `xinyuan worker` on PostgreSQL + Redis, database `xinyuan_bench`) — plus a
minimal relay with no persistence (bench/relay.py) as the ceiling. Creates the counsellors (with
Django sessions) and a hotline, opens K contacts over HTTP, lets the consoles go on duty and accept
the offers, then sends messages at a total rate R (both directions, round-robin over every
endpoint) for D seconds, and checks that every acknowledged message reached the other side exactly
once and in order. Prints the achieved rate, delivered messages/s, end-to-end latency (send →
receipt at the other client) and lost / duplicated / out-of-order counts.

    .venv/bin/python bench/chat_load.py --conversations 100 --rate 50 --duration 20 --form all
    .venv/bin/python bench/chat_load.py --form embedded --profile     # cProfile of the server

With --profile the (first) server process runs under cProfile in every thread, and the top
functions by cumulative and by own time are printed after the run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import pstats
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parents[1]
XINYUAN = str(Path(sys.executable).with_name("xinyuan"))
BODY = "最近工作压力很大，晚上总是睡不着，想找人聊聊。"
SIDES = ("seeker", "counsellor")
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/xinyuan"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
BENCH_DATABASE = "xinyuan_bench"
SLUG = "bench"


# Processes -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Proc:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    health: str = "/healthz"
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(
                self.command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.popen is not None
            if self.popen.poll() is not None:
                raise SystemExit(f"{self.name} exited:\n{self.log.read_text(errors='replace')[-3000:]}")
            if self.port is None:
                return
            with contextlib.suppress(OSError):
                if self.health:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{self.port}{self.health}", timeout=1
                    ) as answer:
                        if answer.status == 200:
                            return
                else:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                        return
            time.sleep(0.1)  # polling while it starts
        raise SystemExit(f"{self.name} did not start in {timeout}s")

    def stop(self, timeout: float = 60) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGINT)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)


def base_env(var_dir: Path, database_url: str = "", redis_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PORT", "HOST"}}
    env.update(XINYUAN_VAR_DIR=str(var_dir), LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def xinyuan(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([XINYUAN, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"xinyuan {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def server_command(args: list[str], profile_out: Path | None) -> list[str]:
    if profile_out is None:
        return [XINYUAN, *args]
    return [sys.executable, str(Path(__file__).resolve()), "--profiled-server", str(profile_out), "--", *args]


SETUP = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from xinyuan.contacts.models import CounsellorState
from xinyuan.core import actions as core
from xinyuan.core.models import Membership, MembershipRole, User
from xinyuan.core.roles import Role
line = core.do_create_hotline(
    {slug!r}, "压测热线", time_zone="Asia/Shanghai", languages=["zh-hans"], always_open=True,
    two_factor_roles=[Role.SUPERVISOR], offer_seconds=300,
)
password = make_password("bench-password-never-used-2026")
User.objects.bulk_create([
    User(username=f"bench-{{i}}", display_name=f"咨询师{{i}}", password=password) for i in range({count})
])
users = list(User.objects.filter(username__startswith="bench-").order_by("pk"))
memberships = Membership.objects.bulk_create([Membership(user=u, hotline=line) for u in users])
MembershipRole.objects.bulk_create([MembershipRole(membership=m, role=Role.COUNSELLOR) for m in memberships])
CounsellorState.objects.bulk_create([
    CounsellorState(membership=m, chat_limit={chat_limit}, crisis_trained=True, languages=["zh-hans"])
    for m in memberships
])
keys = []
for user in users:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys.append(session.session_key)
print("SESSIONS " + json.dumps(keys))
"""


def set_up(env: dict[str, str], counsellors: int, chat_limit: int) -> list[str]:
    out = xinyuan(env, "shell", "-c", SETUP.format(slug=SLUG, count=counsellors, chat_limit=chat_limit))
    line = next(line for line in out.splitlines() if line.startswith("SESSIONS "))
    keys: list[str] = json.loads(line.removeprefix("SESSIONS "))
    return keys


def fresh_pg_database(database_url: str, name: str) -> str:
    import psycopg

    base = database_url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return base + "/" + name


def services_problem(database_url: str, redis_url: str) -> str:
    import runpy

    problem: str = runpy.run_path(str(ROOT / "scripts" / "services.py"))["main"](database_url, redis_url)
    return "" if problem == "ok" else problem


# Clients -------------------------------------------------------------------------------------------


@dataclass
class Conversation:
    index: int
    contact: str = ""
    token: str = ""
    seeker: Conn | None = None
    counsellor: Conn | None = None
    sent: dict[str, list[str]] = field(default_factory=lambda: {side: [] for side in SIDES})
    acked: dict[str, dict[str, int]] = field(default_factory=lambda: {side: {} for side in SIDES})
    # What each side received from the other: seq → key, and the seqs in arrival order.
    got: dict[str, dict[int, str]] = field(default_factory=lambda: {side: {} for side in SIDES})
    arrivals: dict[str, list[int]] = field(default_factory=lambda: {side: [] for side in SIDES})


@dataclass
class Conn:
    ws: Any
    side: str
    url: str
    origin: str
    cookie: str = ""
    kind: str = "relay"  # seeker, console or relay
    last_seq: dict[str, int] = field(default_factory=dict)
    single: Conversation | None = None
    conversations: dict[str, Conversation] = field(default_factory=dict)
    hello: asyncio.Event = field(default_factory=asyncio.Event)
    reader: asyncio.Task[None] | None = None

    def conversation(self, frame: dict[str, Any]) -> Conversation | None:
        return self.single or self.conversations.get(str(frame.get("contact")))


class Bench:
    def __init__(self) -> None:
        self.conversations: list[Conversation] = []
        self.by_contact: dict[str, Conversation] = {}
        self.accepted: dict[str, Conn] = {}
        self.sent_at: dict[str, float] = {}
        self.latencies: list[float] = []
        self.duplicates = 0
        self.errors: Counter[str] = Counter()
        self.frames: Counter[str] = Counter()
        self.first_send = 0.0
        self.last_receipt = 0.0
        self.closed = 0
        self.reconnected = 0
        self.dropped = 0
        self.resent = 0
        self.stopping = False
        self.recovered_offers = 0
        self.beat: asyncio.Task[None] | None = None

    def on_frame(self, conn: Conn, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        self.frames[f"{conn.side}:{kind}"] += 1
        if kind == "message":
            sender = frame.get("sender")
            conversation = conn.conversation(frame)
            if conversation is None:
                return
            conn.last_seq[conversation.contact] = max(
                conn.last_seq.get(conversation.contact, 0), frame["seq"]
            )
            if sender == conn.side or sender not in SIDES:
                return  # our own echo, or a system notice
            got = conversation.got[conn.side]
            seq, key = frame["seq"], frame["key"]
            if seq in got or key in got.values():
                self.duplicates += 1
                return
            got[seq] = key
            conversation.arrivals[conn.side].append(seq)
            now = time.perf_counter()
            if key in self.sent_at:
                self.latencies.append(now - self.sent_at[key])
            self.last_receipt = now
        elif kind == "ack":
            conversation = conn.conversation(frame)
            if conversation is not None:
                conversation.acked[conn.side][frame["key"]] = frame["seq"]
        elif kind == "offer":
            asyncio.get_running_loop().create_task(
                conn.ws.send(json.dumps({"type": "accept", "contact": frame["contact"]}))
            )
        elif kind == "contact" and frame.get("state") == "active" and conn.side == "counsellor":
            self.accepted[frame["contact"]] = conn
        elif kind == "hello":
            conn.hello.set()
            for held in frame.get("contacts", []):  # after a reconnect: offers it may have missed
                if held["state"] == "offered":
                    self.recovered_offers += 1
                    asyncio.get_running_loop().create_task(
                        conn.ws.send(json.dumps({"type": "accept", "contact": held["contact"]}))
                    )
                elif held["state"] == "active":
                    self.accepted[held["contact"]] = conn
        elif kind == "error":
            self.errors[str(frame.get("code"))] += 1

    async def read(self, conn: Conn) -> None:
        while True:
            with contextlib.suppress(websockets.exceptions.ConnectionClosed):
                async for raw in conn.ws:
                    self.on_frame(conn, json.loads(raw))
            if self.stopping or conn.kind == "relay":
                self.closed += 1
                return
            # The server dropped us: reconnect and resume as the protocol says.
            self.dropped += 1
            conn.ws = await self.open_socket(conn.url, conn.origin, conn.cookie, retry_for=30)
            await self.resume(conn)

    async def open_socket(self, url: str, origin: str, cookie: str, retry_for: float = 0) -> Any:
        deadline = time.monotonic() + retry_for
        while True:
            try:
                return await websockets.connect(
                    url,
                    origin=Origin(origin),
                    additional_headers={"Cookie": cookie} if cookie else {},
                    open_timeout=30,
                    ping_interval=None,
                    max_queue=None,
                )
            except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)  # reconnect back-off

    async def resume(self, conn: Conn) -> None:
        """hello with last_seq (seeker) or sync (console), then every unacknowledged message again."""
        if conn.kind == "seeker" and conn.single is not None:
            hello = {
                "type": "hello",
                "token": conn.single.token,
                "last_seq": conn.last_seq.get(conn.single.contact, 0),
            }
            await conn.ws.send(json.dumps(hello))
        elif conn.kind == "console":
            await conn.ws.send(json.dumps({"type": "sync", "contacts": dict(conn.last_seq)}))
        conversations = [conn.single] if conn.single else list(conn.conversations.values())
        for conversation in conversations:
            for key in conversation.sent[conn.side]:
                if key not in conversation.acked[conn.side]:
                    self.resent += 1
                    await conn.ws.send(json.dumps(self.frame(conn, conversation, key)))

    async def connect(self, url: str, side: str, origin: str, cookie: str = "", kind: str = "relay") -> Conn:
        ws = await self.open_socket(url, origin, cookie)
        conn = Conn(ws, side, url, origin, cookie, kind)
        conn.reader = asyncio.get_running_loop().create_task(self.read(conn))
        return conn

    def frame(self, conn: Conn, conversation: Conversation, key: str) -> dict[str, Any]:
        frame: dict[str, Any] = {"type": "message", "key": key, "body": BODY}
        if conn.single is None:
            frame["contact"] = conversation.contact
        return frame

    async def send(self, conversation: Conversation, side: str) -> None:
        conn = conversation.seeker if side == "seeker" else conversation.counsellor
        assert conn is not None
        key = secrets.token_hex(12)
        conversation.sent[side].append(key)
        self.sent_at[key] = time.perf_counter()
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):  # resent after the reconnect
            await conn.ws.send(json.dumps(self.frame(conn, conversation, key)))

    def pending_delivery(self) -> int:
        missing = 0
        for conversation in self.conversations:
            for side, other in (("seeker", "counsellor"), ("counsellor", "seeker")):
                missing += len(conversation.acked[side]) - len(conversation.got[other])
        return missing


async def gradually(coroutines: list[Any], batch: int = 50) -> list[Any]:
    """Run the coroutines in batches, so connections open gradually."""
    results: list[Any] = []
    for start in range(0, len(coroutines), batch):
        results += await asyncio.gather(*coroutines[start : start + batch])
    return results


def open_contact(port: int, index: int) -> dict[str, Any]:
    body = json.dumps(
        {
            "consent_version": "2026-1",
            "sensitive_consent": True,
            "answers": {"about": "self"},
            "language": "zh-hans",
            "source": f"bench-{index}",
        }
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/hotlines/{SLUG}/contacts",
        data=body,
        # Each seeker from an address of its own, as behind the reverse proxy (uvicorn trusts
        # X-Forwarded-For from 127.0.0.1); one address may open only a few contacts an hour.
        headers={
            "Content-Type": "application/json",
            "X-Forwarded-For": f"10.{index // 65536}.{index // 256 % 256}.{index % 256}",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 (http://127.0.0.1 only)
        data: dict[str, Any] = json.loads(answer.read())
    return data


async def wait_for(check: Any, timeout: float, what: Any) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout:.0f}s waiting for {what()}")
        await asyncio.sleep(0.2)  # polling a condition, bounded by the deadline


async def xinyuan_conversations(
    bench: Bench,
    k: int,
    sessions: list[str],
    seeker_ports: list[int],
    console_ports: list[int],
    stop: asyncio.Event,
    chat_limit: int,
) -> list[Conn]:
    """Consoles on duty, K contacts opened over HTTP, offered, accepted; seekers connected."""
    started = time.perf_counter()

    async def console(index: int, on_duty: bool = True) -> Conn:
        port = console_ports[index % len(console_ports)]
        conn = await bench.connect(
            f"ws://127.0.0.1:{port}/ws/console/{SLUG}/",
            "counsellor",
            f"http://127.0.0.1:{port}",
            f"sessionid={sessions[index]}",
            kind="console",
        )
        await asyncio.wait_for(conn.hello.wait(), 60)
        await conn.ws.send(json.dumps({"type": "sync", "contacts": {}}))
        if on_duty:
            await conn.ws.send(json.dumps({"type": "status", "status": "on_duty"}))
        return conn

    async def reload(index: int) -> None:
        consoles[index].kind = "relay"  # this one is not to reconnect by itself
        await consoles[index].ws.close()
        consoles[index] = await console(index, on_duty=False)

    consoles = await gradually([console(i) for i in range(len(sessions))])
    bench.beat = asyncio.get_running_loop().create_task(heartbeats(consoles, stop))
    print(f"  {len(consoles)} consoles on duty ({time.perf_counter() - started:.1f} s)", flush=True)

    limit = asyncio.Semaphore(8)

    async def contact(index: int) -> Conversation:
        async with limit:
            data = await asyncio.to_thread(open_contact, seeker_ports[index % len(seeker_ports)], index)
        conversation = Conversation(index, contact=data["contact"], token=data["token"])
        bench.by_contact[conversation.contact] = conversation
        return conversation

    bench.conversations = list(await asyncio.gather(*[contact(i) for i in range(k)]))
    print(f"  {k} contacts opened over HTTP ({time.perf_counter() - started:.1f} s)", flush=True)

    async def seeker(conversation: Conversation) -> None:
        port = seeker_ports[conversation.index % len(seeker_ports)]
        conn = await bench.connect(
            f"ws://127.0.0.1:{port}/ws/seeker/", "seeker", f"http://127.0.0.1:{port}", kind="seeker"
        )
        conn.single = conversation
        conversation.seeker = conn
        await conn.ws.send(json.dumps({"type": "hello", "token": conversation.token, "last_seq": 0}))

    await gradually([seeker(c) for c in bench.conversations])
    # Offers are announced only on the channel layer, which drops when a console's channel is full
    # (see docs/performance.md). A console that has had no offer for a while reloads, as a person
    # would: its hello lists the contacts offered to it.
    deadline = time.monotonic() + 120 + k * 0.2
    seen, changed_at = -1, time.monotonic()
    while len(bench.accepted) < k:
        if time.monotonic() > deadline:
            raise SystemExit(
                f"timed out waiting for {k} accepted conversations (have {len(bench.accepted)}, "
                f"frames {dict(bench.frames)}, {bench.closed} connections closed)"
            )
        if len(bench.accepted) != seen:
            seen, changed_at = len(bench.accepted), time.monotonic()
        elif time.monotonic() - changed_at > 5:
            holding = Counter(id(conn) for conn in bench.accepted.values())
            idle = [i for i, conn in enumerate(consoles) if holding[id(conn)] < chat_limit]
            bench.reconnected += len(idle)
            await gradually([reload(i) for i in idle])
            changed_at = time.monotonic()
        await asyncio.sleep(0.2)  # polling, bounded by the deadline
    for contact_id, conn in bench.accepted.items():
        conversation = bench.by_contact[contact_id]
        conversation.counsellor = conn
        conn.conversations[contact_id] = conversation
    # Let the announcements of the ramp-up drain before measuring (bounded).
    quiet_deadline = time.monotonic() + 30
    last_total, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < 1.0 and time.monotonic() < quiet_deadline:
        total = sum(bench.frames.values())
        if total != last_total:
            last_total, quiet_since = total, time.monotonic()
        await asyncio.sleep(0.1)
    print(
        f"  {k} conversations active ({time.perf_counter() - started:.1f} s; "
        f"{bench.reconnected} console reloads "
        f"recovered {bench.recovered_offers} offers the channel layer dropped)",
        flush=True,
    )
    return consoles


async def relay_conversations(bench: Bench, k: int, port: int) -> None:
    async def pair(index: int) -> Conversation:
        conversation = Conversation(index, contact=str(index))
        for side in SIDES:
            conn = await bench.connect(
                f"ws://127.0.0.1:{port}/pair/{index}/{side}", side, f"http://127.0.0.1:{port}"
            )
            conn.single = conversation
            setattr(conversation, side, conn)
        return conversation

    bench.conversations = list(await gradually([pair(i) for i in range(k)]))


async def heartbeats(consoles: list[Conn], stop: asyncio.Event) -> None:
    """Each console says it is alive every 10 s (the protocol's interval), spread out."""
    while not stop.is_set():
        for conn in consoles:
            if stop.is_set():
                return
            with contextlib.suppress(websockets.exceptions.ConnectionClosed):
                await conn.ws.send(json.dumps({"type": "heartbeat"}))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 10 / max(1, len(consoles)))


async def load(bench: Bench, rate: float, duration: float) -> dict[str, float]:
    endpoints = [(c, side) for c in bench.conversations for side in SIDES]
    total = int(rate * duration)
    loop = asyncio.get_running_loop()
    start = loop.time()
    bench.first_send = time.perf_counter()
    for index in range(total):
        delay = start + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)  # the send schedule
        conversation, side = endpoints[index % len(endpoints)]
        await bench.send(conversation, side)
    send_seconds = loop.time() - start
    # Drain: every acknowledged message should reach the other side (bounded wait).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        acked = sum(len(c.acked[s]) for c in bench.conversations for s in SIDES)
        if acked == total and bench.pending_delivery() == 0:
            break
        await asyncio.sleep(0.2)
    return {"sent": total, "send_seconds": send_seconds}


def percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))] if ordered else float("nan")


def report(form: str, bench: Bench, rate: float, figures: dict[str, float]) -> dict[str, Any]:
    lost = unacked = out_of_order = delivered = 0
    for conversation in bench.conversations:
        for side, other in (("seeker", "counsellor"), ("counsellor", "seeker")):
            acked = conversation.acked[side]
            unacked += len(conversation.sent[side]) - len(acked)
            got = conversation.got[other]
            delivered += len(got)
            lost += sum(1 for key in acked if key not in got.values())
            expected = [key for key, _seq in sorted(acked.items(), key=lambda item: item[1])]
            received = [got[seq] for seq in sorted(got)]
            if [key for key in expected if key in got.values()] != received:
                out_of_order += 1
            arrivals = conversation.arrivals[other]
            out_of_order += sum(1 for a, b in itertools.pairwise(arrivals) if b < a)
    span = max(bench.last_receipt - bench.first_send, 1e-9)
    ms = [latency * 1e3 for latency in bench.latencies]
    result = {
        "form": form,
        "conversations": len(bench.conversations),
        "target_rate": rate,
        "achieved_rate": figures["sent"] / max(figures["send_seconds"], 1e-9),
        "delivered": delivered,
        "delivered_per_s": delivered / span,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "max": max(ms) if ms else float("nan"),
        "lost": lost,
        "unacked": unacked,
        "duplicated": bench.duplicates,
        "out_of_order": out_of_order,
        "errors": dict(bench.errors),
        "dropped": bench.dropped,
    }
    print(
        f"  {form}: {result['conversations']} conversations, target {rate:.0f} msg/s, "
        f"achieved {result['achieved_rate']:.1f} msg/s, "
        f"delivered {delivered} ({result['delivered_per_s']:.1f}/s)\n"
        f"    latency ms: p50 {result['p50']:.1f}  p95 {result['p95']:.1f}  p99 {result['p99']:.1f}  "
        f"max {result['max']:.1f}\n"
        f"    lost {lost}  unacked {unacked}  duplicated {bench.duplicates}  out of order {out_of_order}  "
        f"errors {dict(bench.errors) or 'none'}\n"
        f"    connections dropped by the server {bench.dropped} "
        f"(reconnected; {bench.resent} messages resent)",
        flush=True,
    )
    return result


async def drive(
    form: str,
    options: argparse.Namespace,
    sessions: list[str],
    seeker_ports: list[int],
    console_ports: list[int],
    chat_limit: int,
) -> dict[str, Any]:
    bench = Bench()
    stop = asyncio.Event()
    consoles: list[Conn] = []
    try:
        if form == "relay":
            await relay_conversations(bench, options.conversations, seeker_ports[0])
        else:
            consoles = await xinyuan_conversations(
                bench, options.conversations, sessions, seeker_ports, console_ports, stop, chat_limit
            )
        figures = await load(bench, options.rate, options.duration)
        return report(form, bench, options.rate, figures)
    finally:
        stop.set()
        bench.stopping = True
        if bench.beat is not None:
            await bench.beat
        conns = [c for conv in bench.conversations for c in (conv.seeker, conv.counsellor) if c] + consoles
        await asyncio.gather(
            *[conn.ws.close() for conn in {id(c): c for c in conns}.values()], return_exceptions=True
        )


def run_client(coroutine: Any) -> Any:
    try:
        import uvloop

        return uvloop.run(coroutine)
    except ImportError:
        return asyncio.run(coroutine)


# Forms ---------------------------------------------------------------------------------------------


def counsellor_plan(options: argparse.Namespace) -> tuple[int, int]:
    counsellors = options.counsellors or options.conversations
    chat_limit = math.ceil(options.conversations / counsellors)
    per_connection = options.rate / (2 * options.conversations) * chat_limit
    if per_connection > 4.5:
        print(f"  warning: {per_connection:.1f} msg/s per console is over the protocol's 5/s limit")
    return counsellors, chat_limit


def run_embedded(options: argparse.Namespace, work: Path) -> dict[str, Any]:
    counsellors, chat_limit = counsellor_plan(options)
    env = base_env(work / "embedded-var")
    xinyuan(env, "migrate", "--no-input", "-v", "0")
    sessions = set_up(env, counsellors, chat_limit)
    port = free_port()
    profile = work / "embedded.prof" if options.profile else None
    server = Proc(
        "run", server_command(["run", "--no-demo", "--port", str(port)], profile), env, work / "run.log", port
    )
    try:
        server.start()
        server.wait_ready()
        print(
            f"embedded: xinyuan run on :{port}, SQLite, {counsellors} counsellors × {chat_limit} chats",
            flush=True,
        )
        result: dict[str, Any] = run_client(drive("embedded", options, sessions, [port], [port], chat_limit))
    finally:
        server.stop()
    if profile is not None:
        print_profile(profile, options.profile_top)
    return result


def run_scaled(options: argparse.Namespace, work: Path) -> dict[str, Any] | None:
    database_url = os.environ.get("XINYUAN_TEST_DATABASE_URL", DEFAULT_PG)
    redis_url = os.environ.get("XINYUAN_TEST_REDIS_URL", DEFAULT_REDIS)
    problem = services_problem(database_url, redis_url)
    if problem:
        print(f"scaled: SKIPPED ({problem})")
        return None
    counsellors, chat_limit = counsellor_plan(options)
    env = base_env(work / "scaled-var", fresh_pg_database(database_url, BENCH_DATABASE), redis_url)
    xinyuan(env, "migrate", "--no-input", "-v", "0")
    sessions = set_up(env, counsellors, chat_limit)
    ports = [free_port(), free_port()]
    profile = work / "serve-1.prof" if options.profile else None
    procs = [
        Proc(
            "serve-1",
            server_command(["serve", "--port", str(ports[0])], profile),
            env,
            work / "serve-1.log",
            ports[0],
        ),
        Proc(
            "serve-2",
            server_command(["serve", "--port", str(ports[1])], None),
            env,
            work / "serve-2.log",
            ports[1],
        ),
        Proc("worker", [XINYUAN, "worker"], env, work / "worker.log"),
    ]
    try:
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.wait_ready()
        print(
            f"scaled: 2 × xinyuan serve (:{ports[0]}, :{ports[1]}) + worker, PostgreSQL + Redis, "
            f"{counsellors} counsellors × {chat_limit} chats",
            flush=True,
        )
        # Seekers alternate between the processes; consoles the other way round.
        result: dict[str, Any] = run_client(
            drive("scaled", options, sessions, ports, ports[::-1], chat_limit)
        )
    finally:
        for proc in procs:
            proc.stop()
    if profile is not None:
        print_profile(profile, options.profile_top)
    return result


def run_relay(options: argparse.Namespace, work: Path) -> dict[str, Any]:
    port = free_port()
    relay = Proc(
        "relay",
        [sys.executable, str(ROOT / "bench" / "relay.py"), "--port", str(port)],
        dict(os.environ),
        work / "relay.log",
        port,
        health="",
    )
    try:
        relay.start()
        relay.wait_ready()
        print(f"relay: bench/relay.py on :{port}, no persistence", flush=True)
        result: dict[str, Any] = run_client(drive("relay", options, [], [port], [port], 1))
    finally:
        relay.stop()
    return result


# Profiling -----------------------------------------------------------------------------------------


def profiled_server(out: str, args: list[str]) -> None:
    """Run `xinyuan <args>` with cProfile in the main thread and in every thread it starts."""
    import cProfile
    import threading

    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()

    def start_thread_profile(*_args: Any) -> None:
        profile = cProfile.Profile()
        with lock:
            profiles.append(profile)
        profile.enable()

    main_profile = cProfile.Profile()
    threading.setprofile(start_thread_profile)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinyuan.settings")
    from xinyuan import cli

    main_profile.enable()
    try:
        cli.main(args)
    finally:
        main_profile.disable()
        threading.setprofile(None)
        stats = pstats.Stats(main_profile)
        for profile in profiles:
            with contextlib.suppress(Exception):
                stats.add(profile)
        stats.dump_stats(out)


def print_profile(path: Path, top: int) -> None:
    if not path.exists():
        print(f"  (no profile written at {path})")
        return
    print(f"\nProfile of the server ({path}), top {top} by cumulative time:")
    stats = pstats.Stats(str(path))
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    print(f"Top {top} by own time:")
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--profiled-server":
        profiled_server(sys.argv[2], sys.argv[4:] if sys.argv[3] == "--" else sys.argv[3:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--counsellors", type=int, default=0, help="default: one per conversation")
    parser.add_argument(
        "--rate", type=float, default=50, help="messages per second, both directions in total"
    )
    parser.add_argument("--duration", type=float, default=20, help="seconds of sending")
    parser.add_argument("--form", choices=["embedded", "scaled", "relay", "all"], default="all")
    parser.add_argument(
        "--profile", action="store_true", help="run the (first) server process under cProfile"
    )
    parser.add_argument("--profile-top", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, databases, profiles)")
    options = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(soft, min(hard, 8 * options.conversations + 1024))
    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))  # inherited by the servers too
    print(
        f"chat_load: {options.conversations} conversations, "
        f"{options.rate:.0f} msg/s for {options.duration:.0f} s, "
        f"{os.cpu_count()} CPUs\n",
        flush=True,
    )
    results = []
    work = Path(tempfile.mkdtemp(prefix="xinyuan-chat-load-"))
    try:
        forms = ["relay", "embedded", "scaled"] if options.form == "all" else [options.form]
        for form in forms:
            runner = {"relay": run_relay, "embedded": run_embedded, "scaled": run_scaled}[form]
            result = runner(options, work)
            if result is not None:
                results.append(result)
            print(flush=True)
    finally:
        if options.keep:
            print(f"logs, databases and profiles kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("Summary (latency in ms, send → receipt at the other client):")
    print(
        f"  {'form':<9} {'conv':>5} {'target/s':>8} {'sent/s':>7} {'deliv/s':>7} "
        f"{'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'lost':>5} {'dup':>4} {'order':>5}"
    )
    for r in results:
        print(
            f"  {r['form']:<9} {r['conversations']:>5} {r['target_rate']:>8.0f} {r['achieved_rate']:>7.1f} "
            f"{r['delivered_per_s']:>7.1f} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} "
            f"{r['max']:>7.1f} "
            f"{r['lost']:>5} {r['duplicated']:>4} {r['out_of_order']:>5}"
        )


if __name__ == "__main__":
    main()
