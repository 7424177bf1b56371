"""The app factory's background jobs, the health check, the secret key and `python -m bot console`."""
from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.cli.console import is_production
from bot.console.security import SECRET_FILE, SecretKeyError, resolve_secret_key
from tests.conftest import free_port
from tests.console.conftest import build_app, serve

ROOT = Path(__file__).resolve().parents[2]


async def test_background_jobs_run_while_the_server_runs_and_are_cancelled_on_stop(env):
    events = []

    async def ticker(app):
        events.append(("started", app.ctx.store is env.store))
        try:
            while True:
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            events.append("cancelled")
            raise

    async def crashes(app):
        raise RuntimeError("job failure with +886900000001")

    async with serve(build_app(env, background=[ticker, crashes])):
        await asyncio.sleep(0.05)
        assert events == [("started", True)]
    assert events == [("started", True), "cancelled"]


async def test_health(env):
    import aiohttp

    async with serve(build_app(env)) as base, aiohttp.ClientSession() as session:
        async with session.get(base + "/health") as response:
            assert response.status == 200 and (await response.json()) == {"status": "ok"}
        env.store.engine.dispose()
        env.store.engine.url = env.store.engine.url  # still usable: SQLite reopens on demand


def test_a_generated_secret_is_kept_private_and_reused(tmp_path):
    said = []
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
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stdout.read() if process.poll() is not None else "no answer")
                time.sleep(0.3)
        assert "Đăng nhập" in body
        secret = tmp_path / "state" / SECRET_FILE
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "generated one and kept it in" in output and f"127.0.0.1:{port}" in output
    assert "No officer accounts yet" in output
