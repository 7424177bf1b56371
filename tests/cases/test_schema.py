"""Migrations: from empty, re-run, several processes at once, a database from before alembic, one
newer than the code, and the migrated database against the tables the code uses."""
from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from bot.cases.db import make_engine, utcnow
from bot.cases.migrate import LATEST_VERSION, MigrationError, current_version, include_name, migrate
from bot.cases.migrations.__main__ import main as alembic_command
from bot.cases.schema import cases, metadata, officers
from tests.cases.legacy_schema import create_legacy_database


def differences(engine):
    """What alembic's autogenerate would change to make the database match the code's tables."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        return compare_metadata(context, metadata)


def _case_row(conversation_id, status="open"):
    now = utcnow()
    return dict(
        conversation_id=conversation_id, channel="twilio", country="TW", language="vi",
        severity="critical", status=status, consent="pending", created_at=now, updated_at=now,
    )


def assert_one_open_case_per_conversation(engine, conversation_id):
    with engine.begin() as connection:
        connection.execute(insert(cases).values(**_case_row(conversation_id, "closed")))
        connection.execute(insert(cases).values(**_case_row(conversation_id, "closed")))
        connection.execute(insert(cases).values(**_case_row(conversation_id, "open")))
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(cases).values(**_case_row(conversation_id, "acknowledged")))


# --- from empty ------------------------------------------------------------------------------


def test_migrate_from_empty_then_again_changes_nothing(engine):
    assert current_version(engine) is None
    applied = migrate(engine)
    assert applied[-1] == LATEST_VERSION and len(set(applied)) == len(applied)
    assert current_version(engine) == LATEST_VERSION
    assert migrate(engine) == []
    assert current_version(engine) == LATEST_VERSION


def test_the_migrated_database_has_exactly_the_tables_the_code_uses(engine):
    migrate(engine)
    assert differences(engine) == []


def test_the_comparison_sees_a_database_that_differs_from_the_code(engine):
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_cases_closed_at"))
    assert [difference[0] for difference in differences(engine)] == ["add_index"]


def test_several_processes_migrating_at_once_apply_each_revision_once(database_url):
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
        assert sorted(results, key=len)[:-1] == [[]] * (len(engines) - 1)
        assert sorted(results, key=len)[-1][-1] == LATEST_VERSION
        assert current_version(engines[0]) == LATEST_VERSION
    finally:
        for engine in engines:
            engine.dispose()


def test_a_database_newer_than_the_code_is_refused(engine):
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    with pytest.raises(MigrationError, match="newer than this code"):
        migrate(engine)


# --- from before alembic ---------------------------------------------------------------------


def test_a_database_from_the_hand_written_migrations_is_adopted_with_its_data(engine):
    create_legacy_database(engine)
    with engine.begin() as connection:
        connection.execute(insert(cases).values(**_case_row("c-legacy", "open")))
    assert current_version(engine) == "0001"

    applied = migrate(engine)

    assert "0001" not in applied  # stamped, not run again over the tables it would create
    assert current_version(engine) == LATEST_VERSION
    assert not inspect(engine).has_table("schema_version")
    assert differences(engine) == []
    with engine.connect() as connection:
        assert connection.execute(select(cases.c.conversation_id)).scalars().all() == ["c-legacy"]
    assert migrate(engine) == []


def test_an_adopted_database_still_allows_one_open_case_per_conversation(engine):
    create_legacy_database(engine)
    migrate(engine)
    assert_one_open_case_per_conversation(engine, "c1")


def test_a_hand_written_version_this_code_does_not_know_is_refused_and_left_alone(engine):
    create_legacy_database(engine, version=2)
    with pytest.raises(MigrationError, match="hand-written schema version 2"):
        migrate(engine)
    assert inspect(engine).has_table("schema_version")
    assert not inspect(engine).has_table("alembic_version")


def test_alembic_command_line_adopts_and_checks_the_configured_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    try:
        create_legacy_database(engine)
        assert alembic_command(["upgrade", "head"]) == 0
        assert current_version(engine) == LATEST_VERSION
        assert not inspect(engine).has_table("schema_version")
        assert alembic_command(["check"]) == 0  # autogenerate finds nothing to write
    finally:
        engine.dispose()


# --- what the database itself enforces -------------------------------------------------------


def test_the_database_itself_refuses_a_second_open_case(engine):
    migrate(engine)
    assert_one_open_case_per_conversation(engine, "c1")


def test_the_database_refuses_an_unknown_status(engine):
    migrate(engine)
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(cases).values(**_case_row("c2", "lost")))


def test_the_database_refuses_an_unknown_officer_role(engine):
    migrate(engine)
    now = utcnow()
    with pytest.raises(IntegrityError):
        with engine.begin() as connection:
            connection.execute(insert(officers).values(
                username="x", display_name="X", password_hash="-", countries="", role="boss",
                active=True, created_at=now, updated_at=now,
            ))
