"""Fixtures for the case store: a SQLite file per test, and a throwaway PostgreSQL schema per
test when a server answers (CASES_TEST_POSTGRES_URL, default postgres on 127.0.0.1:5432)."""
from __future__ import annotations

import datetime as dt
import os
import secrets
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text

from bot.cases import passwords
from bot.cases.db import make_engine
from bot.cases.migrate import migrate
from bot.cases.store import CaseStore

POSTGRES_ADMIN_URL = os.environ.get(
    "CASES_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch):
    """Cheap scrypt parameters for tests that only need *a* hash; the KDF tests put the real
    ones back."""
    monkeypatch.setattr(passwords, "SCRYPT_LOG_N", 10)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", None)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server, dropped after the session."""
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests need the psycopg2 driver (psycopg2-binary), not installed")
    admin = create_engine(
        POSTGRES_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        admin.dispose()
        pytest.skip(
            f"PostgreSQL not reachable at {admin.url.render_as_string(hide_password=True)} "
            f"({type(error).__name__}); set CASES_TEST_POSTGRES_URL to run these tests"
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
