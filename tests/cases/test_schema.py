"""Migrations: from empty, re-run, two processes at once, and a database newer than the code."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import inspect, insert, select
from sqlalchemy.exc import IntegrityError

from bot.cases.db import database_url, make_engine, utcnow
from bot.runtime.settings import Settings
from bot.cases.schema import (
    LATEST_VERSION,
    MIGRATIONS,
    MigrationError,
    cases,
    current_version,
    metadata,
    migrate,
    schema_version,
)


def test_migrations_are_numbered_one_by_one():
    assert [step.version for step in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


def test_migrate_from_empty_then_again_changes_nothing(engine):
    assert current_version(engine) == 0
    assert migrate(engine) == list(range(1, LATEST_VERSION + 1))
    assert current_version(engine) == LATEST_VERSION
    assert migrate(engine) == []
    with engine.connect() as connection:
        rows = connection.execute(select(schema_version.c.version)).scalars().all()
    assert sorted(rows) == list(range(1, LATEST_VERSION + 1))


def test_the_migrated_schema_is_the_one_the_code_uses(engine):
    migrate(engine)
    found = inspect(engine)
    for table in metadata.sorted_tables:
        columns = {column["name"] for column in found.get_columns(table.name)}
        assert columns == {column.name for column in table.columns}, table.name
    index_names = {index["name"] for index in found.get_indexes("cases")}
    assert "uq_cases_open_conversation" in index_names


def test_several_processes_migrating_at_once_apply_each_step_once(database_url):
    engines = [make_engine(database_url) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    results, errors = [], []

    def start(engine):
        barrier.wait()
        try:
            results.append(migrate(engine))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=start, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    try:
        assert errors == []
        assert sorted(results, key=len) == [[]] * (len(engines) - 1) + [list(range(1, LATEST_VERSION + 1))]
        assert current_version(engines[0]) == LATEST_VERSION
    finally:
        for engine in engines:
            engine.dispose()


def test_a_database_newer_than_the_code_is_refused(engine):
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(schema_version).values(version=LATEST_VERSION + 1, description="future", applied_at=utcnow())
        )
    with pytest.raises(MigrationError, match="newer than this code"):
        migrate(engine)


def _case_row(conversation_id, status="open"):
    now = utcnow()
    return dict(
        conversation_id=conversation_id, channel="twilio", country="TW", language="vi",
        severity="critical", status=status, consent="pending", created_at=now, updated_at=now,
    )


def test_the_database_itself_refuses_a_second_open_case(engine):
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(insert(cases).values(**_case_row("c1", "closed")))
        connection.execute(insert(cases).values(**_case_row("c1", "closed")))
        connection.execute(insert(cases).values(**_case_row("c1", "open")))
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(cases).values(**_case_row("c1", "acknowledged")))


def test_the_database_refuses_an_unknown_status(engine):
    migrate(engine)
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(cases).values(**_case_row("c2", "lost")))


def test_the_default_store_is_a_sqlite_file_in_the_state_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("HELPLINE_STATE_DIR", str(tmp_path / "state"))
    url = database_url()
    assert url == f"sqlite:///{tmp_path / 'state' / 'cases.sqlite3'}"
    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    assert (tmp_path / "state" / "cases.sqlite3").exists()


def test_database_url_wins_and_postgres_scheme_is_normalised(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgres://helpline:secret@db.example:5432/helpline")
    assert database_url() == "postgresql://helpline:secret@db.example:5432/helpline"
    assert database_url(Settings(database_url=" ")).startswith("sqlite:///")


def test_other_databases_are_refused_without_showing_the_password():
    with pytest.raises(ValueError) as raised:
        make_engine("mysql://helpline:secret@db.example/helpline")
    assert "secret" not in str(raised.value)
    assert "PostgreSQL or SQLite" in str(raised.value)

