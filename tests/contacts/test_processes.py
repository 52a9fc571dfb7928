"""Real server processes: two `xinyuan serve` + `xinyuan worker` on PostgreSQL and Redis, and
kill -9 / restart in the embedded form (and in the scaled form when the services are there).

These tests do not use pytest-django's test database: the servers are separate processes, so each
test gets a database of its own (a SQLite file in tmp_path, or a dedicated PostgreSQL database),
migrated with `xinyuan migrate` and filled through the app's actions with `xinyuan shell -c`.
The clients are written from docs/protocol.md: they keep `last_seq`, reconnect by themselves, say
`hello` / `sync` again and resend unacknowledged messages with the same key.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import json
import os
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import websockets
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parents[2]
XINYUAN = str(Path(sys.executable).with_name("xinyuan"))
PASSWORD = "processes-test-passphrase-2026"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/xinyuan"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
# One database per test run, so two runs on one machine (a developer and CI) never meet.
PG_DATABASE = f"xinyuan_processes_{os.getpid()}"
START_TIMEOUT = 40.0
WAIT = 20.0


# Processes -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(var_dir: Path, database_url: str = "", redis_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PORT", "HOST"}}
    env.update(XINYUAN_VAR_DIR=str(var_dir), LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def xinyuan(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [XINYUAN, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"xinyuan {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass
class Proc:
    """One server or worker process; its output goes to a log file."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            log.write(f"---- start {self.name}: {' '.join(self.args)}\n".encode())
            log.flush()
            self.popen = subprocess.Popen(
                [XINYUAN, *self.args], env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )

    def kill9(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGINT)
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"==== {self.name} ({self.log}) ====\n" + "\n".join(text.splitlines()[-lines:])


def wait_healthy(proc: Proc, timeout: float = START_TIMEOUT) -> None:
    """Poll /healthz until the server answers 200 (or the process dies, or time runs out)."""
    assert proc.port is not None
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{proc.port}/healthz"
    while time.monotonic() < deadline:
        assert proc.popen is not None
        if proc.popen.poll() is not None:
            raise AssertionError(f"{proc.name} exited with {proc.popen.returncode}\n{proc.tail()}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as answer:
            if answer.status == 200:
                return
        time.sleep(0.1)  # polling interval while the server starts, not a timing assumption
    raise AssertionError(f"{proc.name} did not become healthy in {timeout}s\n{proc.tail()}")


@contextlib.contextmanager
def running(procs: list[Proc]) -> Iterator[list[Proc]]:
    """Start the processes, wait for the servers, and always stop them (printing their logs)."""
    try:
        for proc in procs:
            proc.start()
        for proc in procs:
            if proc.port is not None:
                wait_healthy(proc)
        yield procs
    finally:
        for proc in procs:
            proc.stop()
        for proc in procs:
            print(proc.tail())  # shown by pytest only when the test fails


# Databases and data --------------------------------------------------------------------------------


def services_or_skip() -> tuple[str, str]:
    database_url = os.environ.get("XINYUAN_TEST_DATABASE_URL", DEFAULT_PG)
    redis_url = os.environ.get("XINYUAN_TEST_REDIS_URL", DEFAULT_REDIS)
    problem = runpy.run_path(str(ROOT / "scripts" / "services.py"))["main"](database_url, redis_url)
    if problem != "ok":
        if os.environ.get("XINYUAN_REQUIRE_SERVICES") == "1":
            pytest.fail(f"PostgreSQL/Redis unreachable and XINYUAN_REQUIRE_SERVICES=1: {problem}")
        pytest.skip(f"needs PostgreSQL and Redis ({problem})")
    return database_url, redis_url


def fresh_pg_database(database_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `database_url`; return its URL."""
    import psycopg

    base = database_url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return base + "/" + name


SETUP = """
from xinyuan.contacts import actions
from xinyuan.contacts.models import CounsellorState
from xinyuan.core import actions as core
from xinyuan.core.roles import Role
line = core.do_create_hotline(
    {slug!r}, "进程测试热线 " + {slug!r}, time_zone="Asia/Shanghai", languages=["zh-hans", "en"],
    always_open=True, two_factor_roles=[Role.SUPERVISOR],
)
user = core.do_create_user({username!r}, {password!r}, display_name="咨询师 " + {username!r})
membership = core.do_set_roles(line, user, [Role.COUNSELLOR])
state = actions.counsellor_state(membership)
CounsellorState.objects.filter(pk=state.pk).update(chat_limit={chat_limit}, crisis_trained=True)
print("ready", line.pk, user.pk)
"""


def set_up_hotline(env: dict[str, str], slug: str, username: str, chat_limit: int = 1) -> None:
    code = SETUP.format(slug=slug, username=username, password=PASSWORD, chat_limit=chat_limit)
    assert "ready" in xinyuan(env, "shell", "-c", code)


# HTTP ----------------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def sign_in(port: int, username: str) -> str:
    """Sign in over HTTP like a browser; return the Cookie header for the console's WebSocket."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    base = f"http://127.0.0.1:{port}"
    with opener.open(base + "/signin/", timeout=10) as answer:
        assert answer.status == 200
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "username": username, "password": PASSWORD})
    status = 0
    try:
        with opener.open(base + "/signin/", data=form.encode(), timeout=10) as answer:
            status = answer.status
    except urllib.error.HTTPError as redirect:
        status = redirect.code
    assert status == 302, f"sign-in did not redirect ({status}): the password was refused?"
    cookies = {c.name: c.value for c in jar}
    assert "sessionid" in cookies, cookies
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def open_contact(port: int, slug: str, text: str) -> dict[str, Any]:
    body = json.dumps(
        {
            "consent_version": "2026-1",
            "sensitive_consent": True,  # required by the API since docs/protocol.md was written
            "answers": {"about": "self", "what_is_happening": text},
            "language": "zh-hans",
            "source": "process-test",
        }
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/hotlines/{slug}/contacts",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201
        data: dict[str, Any] = json.loads(answer.read())
    assert data["state"] == "queued"
    return data


# Protocol clients ----------------------------------------------------------------------------------


@dataclass
class Peer:
    """A WebSocket client of docs/protocol.md that reconnects by itself and never loses a message.

    `shown[contact][seq]` is every message it has shown (deduplicated by seq); a second copy of a
    seq, or a seq lower than the last one on the same connection, is counted as a defect.
    """

    name: str
    port: int
    path: str
    changed: asyncio.Event
    cookie: str = ""
    ws: Any = None
    connections: int = 0
    fatal_close: int | None = None
    stopping: bool = False
    frames: list[dict[str, Any]] = field(default_factory=list)
    shown: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    connection_last: dict[str, int] = field(default_factory=dict)
    wire_duplicates: int = 0
    out_of_order: int = 0
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    retry: set[str] = field(default_factory=set)
    acked: dict[str, int] = field(default_factory=dict)
    ack_contact: dict[str, str] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    rate_limited: int = 0
    task: asyncio.Task[None] | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.task = asyncio.create_task(self.run(), name=self.name)

    async def stop(self) -> None:
        self.stopping = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def run(self) -> None:
        url = f"ws://127.0.0.1:{self.port}{self.path}"
        headers = {"Cookie": self.cookie} if self.cookie else {}
        while not self.stopping:
            try:
                async with websockets.connect(
                    url,
                    origin=Origin(self.origin),
                    additional_headers=headers,
                    open_timeout=5,
                    ping_interval=None,
                ) as ws:
                    self.ws = ws
                    self.connections += 1
                    self.connection_last = {}
                    await self.opening()
                    for frame in list(self.pending.values()):  # unacknowledged: same key again
                        await ws.send(json.dumps(frame))
                    self.retry.clear()
                    try:
                        async for raw in ws:
                            self.receive(json.loads(raw))
                    finally:
                        if ws.close_code is not None and ws.close_code >= 4000:
                            self.fatal_close = ws.close_code  # refused: not worth retrying
                            self.stopping = True
            except (OSError, TimeoutError, websockets.exceptions.WebSocketException):
                pass  # the server is gone or not up yet: try again
            self.ws = None
            self.changed.set()
            if not self.stopping:
                await asyncio.sleep(0.1)  # reconnect back-off

    async def opening(self) -> None:
        raise NotImplementedError

    def summary(self) -> str:
        shown = {contact: len(messages) for contact, messages in self.shown.items()}
        return (
            f"{self.name}: {self.connections} connections, {len(self.acked)} acked, "
            f"{len(self.pending)} pending, shown {shown}, errors {self.errors[-3:]}"
        )

    def last_seq(self, contact: str) -> int:
        return max(self.shown.get(contact, {}), default=0)

    def receive(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)
        kind = frame.get("type")
        if kind == "message":
            self.show(self.contact_of(frame), frame)
        elif kind == "ack":
            self.acked[frame["key"]] = frame["seq"]
            self.ack_contact[frame["key"]] = self.contact_of(frame)
            self.pending.pop(frame["key"], None)
            self.retry.discard(frame["key"])
        elif kind == "error":
            if frame.get("code") == "rate_limited" and frame.get("key") in self.pending:
                self.rate_limited += 1
                self.retry.add(frame["key"])
            else:
                self.errors.append(frame)
        self.changed.set()

    def contact_of(self, frame: dict[str, Any]) -> str:
        return str(frame["contact"])

    def show(self, contact: str, message: dict[str, Any]) -> None:
        seq = message["seq"]
        shown = self.shown.setdefault(contact, {})
        if seq in shown:
            self.wire_duplicates += 1
            return
        if seq < self.connection_last.get(contact, 0):
            self.out_of_order += 1
        self.connection_last[contact] = seq
        shown[seq] = message

    async def transmit(self, frame: dict[str, Any]) -> None:
        if self.ws is None:
            return  # sent after the reconnect
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            await self.ws.send(json.dumps(frame))

    async def send_message(self, body: str, contact: str | None = None) -> str:
        key = secrets.token_hex(12)
        frame = {"type": "message", "key": key, "body": body}
        if contact is not None:
            frame["contact"] = contact
        self.pending[key] = frame
        await self.transmit(frame)
        return key

    async def resend_refused(self) -> None:
        """Messages refused as rate-limited are sent again with their key."""
        for key in list(self.retry):
            self.retry.discard(key)
            if key in self.pending:
                await self.transmit(self.pending[key])

    def received_keys(self, contact: str, sender: str) -> list[str]:
        return [m["key"] for _seq, m in sorted(self.shown.get(contact, {}).items()) if m["sender"] == sender]

    def acked_keys(self, contact: str) -> list[str]:
        keys = [k for k, c in self.ack_contact.items() if c == contact]
        return sorted(keys, key=lambda k: self.acked[k])


@dataclass
class Seeker(Peer):
    token: str = ""
    contact: str = ""
    welcomes: list[dict[str, Any]] = field(default_factory=list)

    async def opening(self) -> None:
        await self.ws.send(
            json.dumps({"type": "hello", "token": self.token, "last_seq": self.last_seq(self.contact)})
        )

    def receive(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "welcome":
            self.welcomes.append(frame)
        super().receive(frame)

    def contact_of(self, frame: dict[str, Any]) -> str:
        return self.contact

    @property
    def state(self) -> str:
        states = [f["state"] for f in self.frames if f.get("type") in ("welcome", "state")]
        return states[-1] if states else ""

    @property
    def typing_seen(self) -> int:
        return sum(1 for f in self.frames if f.get("type") == "typing")


@dataclass
class Console(Peer):
    hellos: list[dict[str, Any]] = field(default_factory=list)

    async def opening(self) -> None:
        known = {contact: self.last_seq(contact) for contact in self.shown}
        await self.ws.send(json.dumps({"type": "sync", "contacts": known}))

    def receive(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "hello":
            self.hellos.append(frame)
        super().receive(frame)

    @property
    def status(self) -> str:
        statuses = [f["status"] for f in self.frames if f.get("type") in ("hello", "status")]
        return statuses[-1] if statuses else ""

    def offers(self) -> list[str]:
        return [f["contact"] for f in self.frames if f.get("type") == "offer"]

    def contact_state(self, contact: str) -> str:
        states = [f["state"] for f in self.frames if f.get("type") == "contact" and f["contact"] == contact]
        return states[-1] if states else ""

    def typing_seen(self, contact: str) -> int:
        return sum(1 for f in self.frames if f.get("type") == "typing" and f.get("contact") == contact)


async def until(
    changed: asyncio.Event, predicate: Callable[[], bool], what: str, timeout: float = WAIT
) -> None:
    """Wait (bounded) until `predicate()` holds, re-checking whenever a client got something."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout=min(remaining, 0.5))


async def chatter(peer: Peer, count: int, prefix: str, contact: str | None = None) -> None:
    """Send `count` messages at 4 a second (under the protocol's 5 a second)."""
    for index in range(count):
        await peer.resend_refused()
        await peer.send_message(f"{prefix} {index} 你好", contact)
        await asyncio.sleep(0.25)


def assert_exactly_once(seeker: Seeker, console: Console) -> None:
    """Every acknowledged message reached the other side once, in the order of its seq."""
    contact = seeker.contact
    from_seeker = seeker.acked_keys(contact)
    from_counsellor = console.acked_keys(contact)
    assert console.received_keys(contact, "seeker") == from_seeker
    assert seeker.received_keys(contact, "counsellor") == from_counsellor
    for peer in (seeker, console):
        seqs = sorted(peer.shown[contact])
        assert seqs == list(range(1, len(seqs) + 1)), f"{peer.name} has gaps: {seqs}"
        assert peer.wire_duplicates == 0, f"{peer.name} got {peer.wire_duplicates} duplicate seqs"
        assert peer.out_of_order == 0, f"{peer.name} got {peer.out_of_order} messages out of order"
        assert peer.errors == [], f"{peer.name} got errors {peer.errors}"
        assert peer.pending == {}, f"{peer.name} still has unacknowledged messages"
    assert len(set(seeker.acked.values())) == len(seeker.acked)
    assert len(set(console.acked.values())) == len(console.acked)


async def start_conversation(
    changed: asyncio.Event, seeker_port: int, console_port: int, slug: str, username: str
) -> tuple[Seeker, Console]:
    """The counsellor signs in and goes on duty; a seeker opens a contact; offer; accept."""
    cookie = await asyncio.to_thread(sign_in, console_port, username)
    console = Console("console", console_port, f"/ws/console/{slug}/", changed, cookie=cookie)
    console.start()
    await until(changed, lambda: bool(console.hellos), "the console's hello")
    assert console.status == "off_duty"
    await console.transmit({"type": "status", "status": "on_duty"})
    await until(changed, lambda: console.status == "on_duty", "on duty")

    opened = await asyncio.to_thread(open_contact, seeker_port, slug, "最近总是睡不着，很焦虑")
    seeker = Seeker(
        "seeker", seeker_port, "/ws/seeker/", changed, token=opened["token"], contact=opened["contact"]
    )
    seeker.start()
    await until(changed, lambda: bool(seeker.welcomes), "the seeker's welcome")
    await until(changed, lambda: opened["contact"] in console.offers(), "the offer on the other process")
    await console.transmit({"type": "accept", "contact": opened["contact"]})
    await until(changed, lambda: seeker.state == "active", "the seeker to see the contact active")
    await until(
        changed,
        lambda: console.last_seq(seeker.contact) >= 1 and seeker.last_seq(seeker.contact) >= 1,
        "joined",
    )
    return seeker, console


# Tests ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A dedicated, migrated PostgreSQL database and Redis, shared by this module's service tests."""
    import psycopg

    database_url, redis_url = services_or_skip()
    url = fresh_pg_database(database_url, PG_DATABASE)
    env = server_env(tmp_path_factory.mktemp("processes-var"), url, redis_url)
    env["XINYUAN_CHANNEL_PREFIX"] = f"test{os.getpid()}"  # apart from any other run on this Redis
    xinyuan(env, "migrate", "--no-input", "-v", "0")
    yield env
    base = url.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


def scaled(env: dict[str, str], logs: Path) -> tuple[Proc, Proc, Proc]:
    port1, port2 = free_port(), free_port()
    return (
        Proc("serve-1", ["serve", "--port", str(port1)], env, logs / "serve-1.log", port1),
        Proc("serve-2", ["serve", "--port", str(port2)], env, logs / "serve-2.log", port2),
        Proc("worker", ["worker"], env, logs / "worker.log"),
    )


@pytest.mark.services
def test_two_serve_processes_seeker_and_counsellor_talk(pg_env: dict[str, str], tmp_path: Path) -> None:
    set_up_hotline(pg_env, "proc-two", "proc-two-counsellor")
    serve1, serve2, worker = scaled(pg_env, tmp_path)
    with running([serve1, serve2, worker]):
        assert serve1.port is not None and serve2.port is not None
        asyncio.run(_two_processes(serve1.port, serve2.port))


async def _two_processes(port1: int, port2: int) -> None:
    changed = asyncio.Event()
    seeker, console = await start_conversation(changed, port1, port2, "proc-two", "proc-two-counsellor")
    contact = seeker.contact
    try:
        # Typing, both ways, across the processes (through Redis only: typing is not stored).
        await seeker.transmit({"type": "typing"})
        await until(changed, lambda: console.typing_seen(contact) >= 1, "the seeker's typing at the console")
        await console.transmit({"type": "typing", "contact": contact})
        await until(changed, lambda: seeker.typing_seen >= 1, "the counsellor's typing at the seeker")

        await asyncio.gather(chatter(seeker, 12, "seeker", None), chatter(console, 12, "counsellor", contact))
        await until(
            changed,
            lambda: (
                not seeker.pending
                and not console.pending
                and len(console.received_keys(contact, "seeker")) >= 12
                and len(seeker.received_keys(contact, "counsellor")) >= 12
            ),
            "every message on both sides",
        )
        assert len(seeker.acked) == len(console.acked) == 12
        assert_exactly_once(seeker, console)
        assert seeker.connections == console.connections == 1

        await console.transmit({"type": "end", "contact": contact})
        await until(changed, lambda: seeker.state == "wrap_up", "the seeker to see the end")
        await until(
            changed, lambda: console.contact_state(contact) == "wrap_up", "the console to see wrap-up"
        )
    finally:
        await seeker.stop()
        await console.stop()


def test_kill_and_restart_embedded(tmp_path: Path) -> None:
    env = server_env(tmp_path / "var")
    xinyuan(env, "migrate", "--no-input", "-v", "0")
    set_up_hotline(env, "proc-kill", "proc-kill-counsellor")
    port = free_port()
    server = Proc("run", ["run", "--no-demo", "--port", str(port)], env, tmp_path / "run.log", port)
    with running([server]):
        asyncio.run(_kill_and_restart([server], port, port, "proc-kill", "proc-kill-counsellor"))


@pytest.mark.services
def test_kill_and_restart_scaled(pg_env: dict[str, str], tmp_path: Path) -> None:
    set_up_hotline(pg_env, "proc-kill-pg", "proc-kill-pg-counsellor")
    serve1, serve2, worker = scaled(pg_env, tmp_path)
    with running([serve1, serve2, worker]):
        assert serve1.port is not None and serve2.port is not None
        asyncio.run(
            _kill_and_restart(
                [serve1, serve2, worker], serve1.port, serve2.port, "proc-kill-pg", "proc-kill-pg-counsellor"
            )
        )


def _restart(procs: list[Proc]) -> None:
    for proc in procs:
        proc.kill9()
    for proc in procs:
        proc.start()
    for proc in procs:
        if proc.port is not None:
            wait_healthy(proc)


async def _kill_and_restart(
    procs: list[Proc], seeker_port: int, console_port: int, slug: str, username: str
) -> None:
    changed = asyncio.Event()
    per_side = 24
    seeker, console = await start_conversation(changed, seeker_port, console_port, slug, username)
    contact = seeker.contact
    # A second seeker waits: the only counsellor's one chat is taken.
    opened = await asyncio.to_thread(open_contact, seeker_port, slug, "我也想找人聊聊")
    waiting = Seeker(
        "waiting", seeker_port, "/ws/seeker/", changed, token=opened["token"], contact=opened["contact"]
    )
    waiting.start()
    peers: list[Peer] = [seeker, console, waiting]
    try:
        await until(changed, lambda: bool(waiting.welcomes), "the waiting seeker's welcome")
        position = waiting.welcomes[0]["position"]
        assert waiting.welcomes[0]["state"] == "queued"
        assert position == 1

        talk = asyncio.gather(
            chatter(seeker, per_side, "seeker", None), chatter(console, per_side, "counsellor", contact)
        )
        await until(
            changed, lambda: len(seeker.acked) >= 6 and len(console.acked) >= 6, "a few acknowledged messages"
        )
        acked_before = dict(seeker.acked), dict(console.acked)
        await asyncio.to_thread(_restart, procs)  # kill -9 while the chatter goes on, then start again
        await talk

        async def drain() -> None:
            for peer in peers:
                await peer.resend_refused()

        def everything() -> bool:
            return (
                not seeker.pending
                and not console.pending
                and len(console.received_keys(contact, "seeker")) >= per_side
                and len(seeker.received_keys(contact, "counsellor")) >= per_side
                and len(waiting.welcomes) >= 2
            )

        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while not everything():
            assert loop.time() < deadline, "timed out waiting for everything after the restart: " + "; ".join(
                peer.summary() for peer in peers
            )
            await drain()  # messages refused as rate-limited after the reconnect go again
            changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=0.5)

        for peer in peers:
            assert peer.connections >= 2, f"{peer.name} did not reconnect"
            assert peer.fatal_close is None, f"{peer.name} was closed with {peer.fatal_close}"
        # Acknowledged before the kill: still the same seq afterwards.
        for before, peer in zip(acked_before, (seeker, console), strict=True):
            assert all(peer.acked[key] == seq for key, seq in before.items())
        assert len(seeker.acked) == len(console.acked) == per_side
        assert_exactly_once(seeker, console)
        assert console.hellos[-1]["status"] == "on_duty"
        assert [c["contact"] for c in console.hellos[-1]["contacts"]] == [contact]
        # The queue is intact: the waiting seeker is still waiting, in the same place.
        assert waiting.welcomes[-1]["state"] == "queued"
        assert waiting.welcomes[-1]["position"] == position
    finally:
        for peer in peers:
            await peer.stop()
