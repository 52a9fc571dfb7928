"""The `xinyuan` command: the embedded form end to end, and production settings."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from xinyuan.core import demo

XINYUAN = [sys.executable, "-m", "xinyuan.cli"]


def embedded_env(var_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["XINYUAN_VAR_DIR"] = str(var_dir)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(url: str, process: subprocess.Popen[str], limit_seconds: float = 90) -> None:
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"xinyuan run exited early with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # waiting for start-up, not timing anything
    raise AssertionError(f"{url} did not answer within {limit_seconds} s")


def stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output


def test_help_lists_the_added_commands() -> None:
    result = subprocess.run([*XINYUAN, "help"], capture_output=True, text=True, check=True)
    for name in ("run", "serve", "worker", "demo", "migrate"):
        assert re.search(rf"^\s+{name}$", result.stdout, re.MULTILINE), name


def test_run_serves_the_demo_in_one_process_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [*XINYUAN, "run", "--port", str(port)],
        env=embedded_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_serving(f"{base}/healthz", process)
        assert (tmp_path / "xinyuan.sqlite3").exists()
        assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
        assert (tmp_path / "encryption_key").exists()
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{base}/signin/").read().decode()
        assert "登录" in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": "coordinator", "password": demo.PASSWORD}
        ).encode()
        request = urllib.request.Request(f"{base}/signin/", data=body, headers={"Referer": f"{base}/signin/"})
        home = opener.open(request).read().decode()
        assert "心援示范热线" in home
        assert "热线设置" in home
    finally:
        output = stop(process)
    assert "Demo sign-ins" in output and "coordinator" in output and demo.TOTP_SECRET in output
    assert "worker stopped" in output

    # A second start reuses the database and keys and does not load the demo again.
    key = (tmp_path / "secret_key").read_text()
    again = subprocess.Popen(
        [*XINYUAN, "run", "--port", str(port)],
        env=embedded_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_serving(f"{base}/healthz", again)
    finally:
        output = stop(again)
    assert "Loading the demo hotline" not in output
    assert (tmp_path / "secret_key").read_text() == key


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = embedded_env(tmp_path)
    env.update(
        {
            "XINYUAN_SECRET_KEY": "x" * 30 + "-a-long-random-production-secret-for-the-check-" + "y" * 20,
            "XINYUAN_HTTPS": "1",
            "ALLOWED_HOSTS": "hotline.example.org",
            "DEBUG": "",
        }
    )
    result = subprocess.run(
        [*XINYUAN, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.skipif(os.environ.get("DEBUG") not in (None, ""), reason="DEBUG is set in this environment")
def test_debug_is_off_unless_set() -> None:
    from django.conf import settings

    assert settings.DEBUG is False
