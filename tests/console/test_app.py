"""The app factory's background jobs, the health check, the secret key and `python -m bot console`."""
from __future__ import annotations

import asyncio
import logging
import os
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import List, Optional

import aiohttp
import pytest
from sqlalchemy import create_engine

from bot.cases.store import CaseStore
from bot.cli.console import is_production
from bot.console.security import SECRET_FILE, SecretKeyError, resolve_secret_key
from tests.console.conftest import build_app
from tests.support.serving import free_port, serve_app
from tests.support.waiting import eventually, wait_until

ROOT = Path(__file__).resolve().parents[2]


async def test_background_jobs_run_while_the_server_runs_and_are_cancelled_on_stop(env, caplog):
    events: List[str] = []

    async def runs_until_stopped(app):
        events.append("started with the store" if app.ctx.store is env.store else "started")
        try:
            await asyncio.Event().wait()  # until cancelled
        except asyncio.CancelledError:
            events.append("cancelled")
            raise

    number = "+886900000001"

    async def crashes(app):
        raise RuntimeError(f"job failure with {number}")  # its message is withheld from the log

    caplog.set_level(logging.INFO, logger="bot.console")
    async with serve_app(build_app(env, background=[runs_until_stopped, crashes])):
        await eventually(lambda: "Unexpected RuntimeError in background job console:crashes" in caplog.text)
        assert events == ["started with the store"]
    assert events == ["started with the store", "cancelled"]
    assert number not in caplog.text


async def _health(base: str) -> tuple:
    async with aiohttp.ClientSession() as session, session.get(base + "/health") as response:
        return response.status, await response.json()


async def test_health_says_whether_the_case_database_answers(env, tmp_path):
    async with serve_app(build_app(env)) as base:
        assert await _health(base) == (200, {"status": "ok"})
    unreachable = create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'cases.sqlite3'}", future=True)
    env.store = CaseStore(unreachable, clock=env.clock)
    async with serve_app(build_app(env)) as base:
        assert await _health(base) == (503, {"status": "unavailable"})


def test_a_generated_secret_is_kept_private_and_reused(tmp_path):
    said: List[str] = []
    first = resolve_secret_key(None, tmp_path, production=False, announce=said.append)
    path = tmp_path / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(first) >= 32
    assert "generated" in said[0] and str(path) in said[0]
    assert resolve_secret_key(None, tmp_path, production=False, announce=said.append) == first
    assert "using the key kept in" in said[1]


@pytest.mark.parametrize("value", ["", "changeme", "CHANGE-ME", "<secret>", "your-secret-key", "short"])
def test_a_placeholder_or_short_secret_is_refused(tmp_path, value):
    with pytest.raises(SecretKeyError, match="CONSOLE_SECRET_KEY"):
        resolve_secret_key(value, tmp_path, production=False)
    assert not (tmp_path / SECRET_FILE).exists()


def test_production_needs_the_secret_in_the_environment(tmp_path):
    with pytest.raises(SecretKeyError, match="not set"):
        resolve_secret_key(None, tmp_path, production=True)
    real = "k2VbN0q-3pW9sYt7ZcL1mXr5uA8eJd4Hf6Gi2o"
    assert resolve_secret_key(real, tmp_path, production=True) == real


@pytest.mark.parametrize("environment,host,url,expected", [
    ("", "127.0.0.1", None, False), ("", "localhost", "http://127.0.0.1:5080", False), ("", "::1", None, False),
    ("production", "127.0.0.1", None, True), ("", "0.0.0.0", None, True), ("", "10.0.0.5", None, True),
    ("", "127.0.0.1", "https://console.example.org", True), ("", "console.internal", None, True),
])
def test_what_counts_as_production(environment, host, url, expected):
    assert is_production(environment, host, url) is expected


def _console_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONSOLE_", "DATABASE_URL", "REDIS_URL", "HELPLINE_"))}
    env.update(HELPLINE_STATE_DIR=str(tmp_path / "state"), PYTHONPATH=str(ROOT), SQLALCHEMY_SILENCE_UBER_WARNING="1",
               **extra)
    return env


def test_the_command_refuses_a_placeholder_secret(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bot", "console", "--port", str(free_port())],
                            cwd=tmp_path, env=_console_env(tmp_path, CONSOLE_SECRET_KEY="changeme"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "CONSOLE_SECRET_KEY is empty or a placeholder" in result.stderr


def test_the_command_serves_the_console(tmp_path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bot", "console", "--port", str(port)], cwd=tmp_path,
                               env=_console_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def login_page() -> Optional[str]:
        if process.poll() is not None:
            raise AssertionError(f"the console exited with {process.returncode} (its output is printed below)")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                return response.read().decode()
        except OSError:
            return None

    try:
        body = wait_until(login_page, timeout=90)
        assert "Đăng nhập" in body
        secret = tmp_path / "state" / SECRET_FILE
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
        print(output)  # shown when the test fails
    assert "generated one and kept it in" in output and f"127.0.0.1:{port}" in output
    assert "No officer accounts yet" in output
