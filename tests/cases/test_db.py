"""Where the case store lives: DATABASE_URL or the SQLite file, which only its owner may read."""
from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cases.db import database_url, make_engine
from bot.cases.migrate import migrate
from bot.runtime.settings import Settings


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def state_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    monkeypatch.delenv("DATABASE_URL", raising=False)
    state = tmp_path / "state" / "helpline"
    monkeypatch.setenv("HELPLINE_STATE_DIR", str(state))
    return state


def test_the_default_store_is_a_sqlite_file_in_the_state_dir(state_dir):
    url = database_url()
    assert url == f"sqlite:///{state_dir / 'cases.sqlite3'}"
    engine = make_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    assert (state_dir / "cases.sqlite3").exists()


def test_the_sqlite_file_and_the_folders_made_for_it_are_for_their_owner_only(state_dir):
    engine = make_engine(database_url())
    try:
        migrate(engine)
        with engine.connect() as connection:  # the write-ahead log files exist while in use
            connection.exec_driver_sql("SELECT 1")
            files = sorted(state_dir.iterdir())
            assert [path.name for path in files][:1] == ["cases.sqlite3"]
            assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
    finally:
        engine.dispose()
    assert mode(state_dir) == 0o700
    assert mode(state_dir.parent) == 0o700


def test_an_existing_folder_keeps_its_mode(tmp_path):
    tmp_path.chmod(0o755)
    engine = make_engine(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    engine.dispose()
    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / "cases.sqlite3") == 0o600


def test_database_url_wins_and_postgres_scheme_is_normalised(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", " postgres://helpline:secret@db.example:5432/helpline ")
    assert database_url() == "postgresql://helpline:secret@db.example:5432/helpline"
    assert database_url(Settings(database_url=" ")).startswith("sqlite:///")


def test_settings_refuse_another_database_without_showing_the_url(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "mysql://helpline:secret@db.example/helpline")
    with pytest.raises(ValidationError) as raised:
        Settings()
    assert "PostgreSQL or SQLite" in str(raised.value)
    assert "secret" not in str(raised.value)


def test_a_blank_rota_file_means_no_rota():
    assert Settings(rota_file="  ").rota_file is None
    assert Settings(rota_file=" config/rota.yml ").rota_file == "config/rota.yml"


def test_other_databases_are_refused_without_showing_the_password():
    with pytest.raises(ValueError) as raised:
        make_engine("mysql://helpline:secret@db.example/helpline")
    assert "secret" not in str(raised.value)
    assert "PostgreSQL or SQLite" in str(raised.value)
