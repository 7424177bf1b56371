"""Fixtures for the case store: a SQLite file per test, and a throwaway PostgreSQL database per
test run (created and dropped here) with a fresh schema per test.

The PostgreSQL tests never skip: a server that cannot be reached fails them. The server is the one
at CASES_TEST_POSTGRES_URL when set (a superuser URL; nothing else is tried), else the one
scripts/ensure-postgres.sh finds or brings up (postgres on 127.0.0.1:5432 when it answers, else a
throwaway cluster of its own, installing Debian's postgresql first when it is missing). On a
machine without PostgreSQL, `pytest -k "not postgresql"` runs the SQLite half alone.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

from bot.cases import passwords
from bot.cases.db import make_engine
from bot.cases.migrate import migrate
from bot.cases.store import CaseStore

ROOT = Path(__file__).resolve().parents[2]
ENSURE_POSTGRES = ROOT / "scripts" / "ensure-postgres.sh"


def _unreachable(url: str) -> str | None:
    """Why the server at url cannot be used (None when it can)."""
    engine = create_engine(url, future=True, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "cannot use this server"
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    finally:
        engine.dispose()


def postgres_admin_url() -> str:
    """The URL of a PostgreSQL server to make test databases on; fails the test otherwise."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pytest.fail("The PostgreSQL tests need psycopg2 (psycopg2-binary): .venv/bin/pip install -r requirements.lock", pytrace=False)
    configured = os.environ.get("CASES_TEST_POSTGRES_URL")
    if configured:
        url, how = configured, "CASES_TEST_POSTGRES_URL"
    else:
        found = subprocess.run(
            [str(ENSURE_POSTGRES)], capture_output=True, text=True, timeout=1200,
            env=dict(os.environ, HELPLINE_PYTHON=sys.executable),
        )
        if found.returncode != 0 or not found.stdout.strip():
            pytest.fail(
                f"No PostgreSQL for the case-store tests: {ENSURE_POSTGRES.relative_to(ROOT)} exited "
                f"{found.returncode}:\n{found.stderr.strip()[-1500:]}\n"
                "Set CASES_TEST_POSTGRES_URL to a superuser URL, or install PostgreSQL.",
                pytrace=False,
            )
        url, how = found.stdout.strip().splitlines()[-1], ENSURE_POSTGRES.relative_to(ROOT)
    problem = _unreachable(url)
    if problem:
        shown = create_engine(url).url.render_as_string(hide_password=True)
        pytest.fail(f"PostgreSQL at {shown} (from {how}) cannot be used: {problem}", pytrace=False)
    return url


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch):
    """Cheap scrypt parameters for tests that only need *a* hash; the KDF tests put the real
    ones back."""
    monkeypatch.setattr(passwords, "SCRYPT_LOG_N", 10)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", None)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server, dropped after the session."""
    admin = create_engine(
        postgres_admin_url(), future=True, isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    name = f"helpline_cases_test_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_database) -> Iterator[str]:
    """A URL whose search_path is a fresh, empty schema (dropped after the test)."""
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(postgres_database, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_database else "?"
    try:
        yield f"{postgres_database}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


class Clock:
    """A settable clock: the store's time, moved by tests."""

    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone.utc))


@pytest.fixture
def store(engine, clock) -> CaseStore:
    migrate(engine)
    return CaseStore(engine, clock=clock)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A PostgreSQL test that skips fails instead: a run that did not test the production
    database must not pass."""
    outcome = yield
    report = outcome.get_result()
    callspec = getattr(item, "callspec", None)
    on_postgres = callspec is not None and "postgresql" in callspec.params.values()
    if report.skipped and not hasattr(report, "wasxfail") and (on_postgres or "postgres_url" in getattr(item, "fixturenames", ())):
        report.outcome = "failed"
        report.longrepr = f"a PostgreSQL test may not skip: {report.longrepr}"
