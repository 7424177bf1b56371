"""Officer accounts: the KDF, tokens, the store, and `python -m bot officers`."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cases import passwords
from bot.cases.migrate import migrate
from bot.cases.officers import OfficerError, OfficerStore, UnknownOfficer
from bot.cases.schema import officers as officers_table
from bot.cli.officers import main as officers

REPO = Path(__file__).resolve().parents[2]
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
PYTHON = str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable
PASSWORD = "correct horse battery staple"


# --- the KDF ---------------------------------------------------------------------------------


def test_scrypt_hash_carries_its_parameters_and_verifies(monkeypatch):
    monkeypatch.setattr(passwords, "SCRYPT_LOG_N", 15)  # the production cost
    stored = passwords.hash_password(PASSWORD)
    algorithm, params, salt, key = stored.split("$")
    assert (algorithm, params) == ("scrypt", "ln=15,r=8,p=3")
    assert PASSWORD not in stored
    assert passwords.verify_password(PASSWORD, stored)
    assert not passwords.verify_password(PASSWORD + "!", stored)
    assert not passwords.needs_rehash(stored)


def test_each_hash_has_its_own_salt():
    assert passwords.hash_password(PASSWORD) != passwords.hash_password(PASSWORD)


def test_pbkdf2_hashes_verify_and_ask_for_a_rehash():
    stored = passwords.hash_password(PASSWORD, algorithm="pbkdf2_sha256")
    assert stored.startswith("pbkdf2_sha256$i=600000$")
    assert passwords.verify_password(PASSWORD, stored)
    assert not passwords.verify_password("wrong password!!", stored)
    assert passwords.needs_rehash(stored)


@pytest.mark.parametrize("stored", ["", "plain", "md5$x$y$z", "scrypt$ln=x$AA$AA", "scrypt$ln=40,r=8,p=1$AA$AA"])
def test_a_malformed_or_unknown_hash_never_verifies(stored):
    assert passwords.verify_password(PASSWORD, stored) is False


def test_weaker_scrypt_parameters_ask_for_a_rehash(monkeypatch):
    weak = passwords.hash_password(PASSWORD)  # the tests' cheap cost (ln=10)
    monkeypatch.setattr(passwords, "SCRYPT_LOG_N", 15)
    assert passwords.needs_rehash(weak)


def test_verification_compares_in_constant_time(monkeypatch):
    compared = []
    real = passwords.hmac.compare_digest

    def counting(a, b):
        compared.append(1)
        return real(a, b)

    monkeypatch.setattr(passwords.hmac, "compare_digest", counting)
    passwords.verify_password(PASSWORD, passwords.hash_password(PASSWORD))
    assert compared == [1]


def test_tokens_are_random_and_stored_as_sha256():
    token = passwords.new_token()
    assert token.startswith("hlp_") and len(token) > 40 and token != passwords.new_token()
    assert len(passwords.token_hash(token)) == 64 and token not in passwords.token_hash(token)


# --- the store -------------------------------------------------------------------------------


@pytest.fixture
def accounts(engine):
    migrate(engine)
    return OfficerStore(engine)


def test_add_authenticate_and_see_only_ones_countries(accounts):
    added = accounts.add("tw-lan", PASSWORD, "tw, jp", display_name="Nguyen Thi Lan")
    assert added.countries == ("TW", "JP") and added.role == "officer" and added.active
    assert accounts.authenticate("tw-lan", PASSWORD) == added
    assert accounts.authenticate("tw-lan", "wrong password!") is None
    assert accounts.authenticate("nobody", PASSWORD) is None
    assert added.countries_visible() == ("TW", "JP")
    assert added.can_see("TW") and not added.can_see("KR") and not added.can_see(None)
    desk = accounts.add("vn-desk", PASSWORD, role="desk")
    assert desk.countries_visible() is None and desk.can_see(None)


def test_tokens_are_kept_only_as_hashes_and_die_with_the_account(accounts, engine):
    accounts.add("tw-lan", PASSWORD, ["TW"])
    token = accounts.new_token("tw-lan")
    assert accounts.by_token(token).username == "tw-lan"
    with engine.connect() as connection:
        row = connection.execute(select(officers_table)).one()
    assert token not in str(tuple(row)) and row.token_hash == passwords.token_hash(token)
    newer = accounts.new_token("tw-lan")
    assert accounts.by_token(token) is None and accounts.by_token(newer) is not None
    accounts.set_active("tw-lan", False)
    assert accounts.by_token(newer) is None
    assert accounts.authenticate("tw-lan", PASSWORD) is None
    with pytest.raises(OfficerError, match="disabled"):
        accounts.new_token("tw-lan")
    assert accounts.by_token("hlp_forged") is None and accounts.by_token("") is None


def test_a_login_with_old_parameters_is_rehashed(accounts, engine, monkeypatch):
    accounts.add("tw-lan", PASSWORD, ["TW"])
    monkeypatch.setattr(passwords, "SCRYPT_LOG_N", 11)
    assert accounts.authenticate("tw-lan", PASSWORD) is not None
    with engine.connect() as connection:
        stored = connection.execute(select(officers_table.c.password_hash)).scalar()
    assert stored.startswith("scrypt$ln=11,")


@pytest.mark.parametrize(
    "username, countries, role, password, message",
    [
        ("Tw Lan", "TW", "officer", PASSWORD, "bad username"),
        ("tw-lan", "Taiwan", "officer", PASSWORD, "unknown country"),
        ("tw-lan", "VN", "officer", PASSWORD, "unknown country"),
        ("tw-lan", "", "officer", PASSWORD, "at least one country"),
        ("tw-lan", "TW", "boss", PASSWORD, "bad role"),
        ("tw-lan", "TW", "officer", "short", "at least 12 characters"),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(accounts, username, countries, role, password, message):
    with pytest.raises(ValueError, match=message):
        accounts.add(username, password, countries, role)


def test_usernames_are_unique(accounts):
    accounts.add("tw-lan", PASSWORD, ["TW"])
    with pytest.raises(OfficerError, match="already exists"):
        accounts.add("tw-lan", PASSWORD, ["JP"])
    with pytest.raises(UnknownOfficer):
        accounts.set_active("nobody", False)


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """`python -m bot officers ...` in-process against a SQLite file in a fresh state dir."""
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("HELPLINE_STATE_DIR", str(tmp_path / "state"))

    def run(*argv, stdin=""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = officers(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_add_list_token_disable(cli, tmp_path):
    code, out, err = cli("add", "tw-lan", "--countries", "TW,JP", "--name", "Nguyen Thi Lan",
                         "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, err
    assert "Added officer tw-lan (Nguyen Thi Lan), countries: TW,JP." in out
    assert (tmp_path / "state" / "cases.sqlite3").exists()
    assert cli("add", "admin", "--role", "admin", "--password-stdin", stdin=PASSWORD)[0] == 0

    code, out, _ = cli("list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[1].split()[:5] == ["tw-lan", "officer", "active", "TW,JP", "-"]
    assert lines[0].split()[:4] == ["admin", "admin", "active", "all"]

    code, out, err = cli("token", "tw-lan")
    token = out.strip()
    assert code == 0 and token.startswith("hlp_") and "shown only this once" in err
    from bot.cases.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'state' / 'cases.sqlite3'}")
    try:
        account = OfficerStore(engine).by_token(token)
        assert account is not None and account.username == "tw-lan"
    finally:
        engine.dispose()
    assert "token" in cli("list")[1].splitlines()[1]

    code, out, _ = cli("disable", "tw-lan")
    assert code == 0 and "tw-lan is disabled." in out
    assert "disabled" in cli("list")[1].splitlines()[1]


@pytest.mark.parametrize(
    "argv, stdin, message",
    [
        (("add", "tw-lan", "--countries", "XX", "--password-stdin"), PASSWORD, "unknown country 'XX'"),
        (("add", "tw-lan", "--countries", "TW", "--password-stdin"), "short\n", "at least 12"),
        (("add", "tw-lan", "--countries", "TW", "--password-stdin"), "", "no password on stdin"),
        (("add", "tw-lan", "--countries", "TW"), "", "use --password-stdin"),
        (("add", "tw-lan", "--countries", "TW", "--role", "chief", "--password-stdin"), PASSWORD, "bad role"),
        (("token", "nobody"), "", "no officer named 'nobody'"),
        (("disable", "nobody"), "", "no officer named 'nobody'"),
        (("add",), "", "required: username"),
        (("fly",), "", "invalid choice"),
        ((), "", "required"),
    ],
)
def test_cli_bad_input_exits_2_with_a_clear_message(cli, argv, stdin, message):
    code, out, err = cli(*argv, stdin=stdin)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert PASSWORD not in out + err


def test_cli_duplicate_exits_2(cli):
    assert cli("add", "tw-lan", "--countries", "TW", "--password-stdin", stdin=PASSWORD)[0] == 0
    code, _, err = cli("add", "tw-lan", "--countries", "TW", "--password-stdin", stdin=PASSWORD)
    assert code == 2 and "already exists" in err


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_cli_asks_the_password_twice_on_a_terminal(cli, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Terminal(""))
    answers = iter([PASSWORD, PASSWORD + " typo", PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert officers(["add", "tw-lan", "--countries", "TW"]) == 2
    assert "the passwords do not match" in capsys.readouterr().err
    assert officers(["add", "tw-lan", "--countries", "TW"]) == 0


def test_cli_through_python_m_bot(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO), HELPLINE_STATE_DIR=str(tmp_path / "state"))
    env.pop("DATABASE_URL", None)

    def run(*argv, stdin=""):
        return subprocess.run([PYTHON, "-m", "bot", "officers", *argv], input=stdin, text=True,
                              capture_output=True, cwd=tmp_path, env=env, timeout=120)

    done = run("add", "kr-son", "--countries", "KR", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert run("list").stdout.split()[:4] == ["kr-son", "officer", "active", "KR"]
    bad = run("add", "kr-son", "--countries", "Korea", "--password-stdin", stdin=PASSWORD)
    assert bad.returncode == 2 and "unknown country" in bad.stderr
    broken = dict(env, DATABASE_URL="postgresql://nobody@127.0.0.1:1/nothing")
    down = subprocess.run([PYTHON, "-m", "bot", "officers", "list"], text=True, capture_output=True,
                          cwd=tmp_path, env=broken, timeout=120)
    assert down.returncode == 1 and "cannot be used" in down.stderr and "Traceback" not in down.stderr
