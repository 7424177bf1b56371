"""python -m bot officers: officer accounts for the console and its API.

    python -m bot officers add <username> --countries TW,JP [--role officer|desk|admin]
                               [--name "Display Name"] [--password-stdin]
    python -m bot officers list
    python -m bot officers token <username>      # prints a new API token, once
    python -m bot officers disable <username>    # also revokes the API token
    python -m bot officers enable <username>
    python -m bot officers unlock <username> [--address IP]   # clears failed sign-ins

The database is DATABASE_URL, else the SQLite file in HELPLINE_STATE_DIR (default .run);
it is migrated first. The password is asked twice on the terminal, or read from the first
line of stdin with --password-stdin. Exit 0 on success, 2 on bad input (the reason on
stderr), 1 when the database cannot be used.

`unlock` needs no database: it clears the failed sign-ins counted for the username (and, with
--address, for that client address) in the console's Redis (REDIS_URL, else `make run`'s
embedded one), so the officer signs in at once instead of waiting out the delay.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import List, Optional

PROG = "python -m bot officers"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # exit 2 with one clear line (argparse's default, shorter)
        self.print_usage(sys.stderr)
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Officer accounts for the console and its API.")
    commands = parser.add_subparsers(dest="action", required=True, metavar="{add,list,token,disable,enable,unlock}",
                                     parser_class=_Parser)
    add = commands.add_parser("add", help="create an account")
    add.add_argument("username")
    add.add_argument("--countries", default="", help="ISO codes the officer covers, e.g. TW,JP")
    add.add_argument("--role", default="officer", help="officer (default), desk or admin")
    add.add_argument("--name", default=None, help="display name (default: the username)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    commands.add_parser("list", help="list accounts")
    for action, text in (("token", "print a new API token (replaces the old one)"),
                         ("disable", "disable an account and revoke its token"),
                         ("enable", "enable a disabled account")):
        sub = commands.add_parser(action, help=text)
        sub.add_argument("username")
    unlock = commands.add_parser("unlock", help="clear an account's failed sign-ins")
    unlock.add_argument("username")
    unlock.add_argument("--address", default=None, help="also clear this client address's failures")
    return parser


def _unlock(username: str, address: Optional[str]) -> int:
    from bot.console.security import LoginThrottle
    from bot.runtime.redis_client import redis_client
    from bot.runtime.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"officers unlock: {error}", file=sys.stderr)
        return 2
    url = settings.redis_url or f"redis://127.0.0.1:{settings.embedded_redis_port}/0"
    keys = LoginThrottle().keys(username, address or "")[: 2 if address else 1]
    client = redis_client(url, decode_responses=True)
    try:
        cleared = client.delete(*keys)
    except Exception as error:  # noqa: BLE001 - refused, timeout, auth: the same advice
        print(f"officers unlock: cannot reach the console's Redis ({type(error).__name__}). A console "
              f"without REDIS_URL keeps its counts in memory: restarting it clears them.", file=sys.stderr)
        return 1
    finally:
        client.close()
    whose = username + (f" and of {address}" if address else "")
    print(f"Cleared the failed sign-ins of {whose}." if cleared else f"No failed sign-ins were recorded for {whose}.")
    return 0


def _read_password(from_stdin: bool) -> str:
    from bot.cases.passwords import PasswordError

    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        if not password:
            raise PasswordError("no password on stdin")
        return password
    if not sys.stdin.isatty():
        raise PasswordError("no terminal to ask for the password; use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise PasswordError("the passwords do not match")
    return first


def main(argv: Optional[List[str]] = None) -> int:
    if list(argv or [])[:1] == ["help"]:
        print(__doc__.strip())
        return 0
    try:
        args = _parser().parse_args(list(argv or []))
    except SystemExit as stop:
        return int(stop.code or 0)
    if args.action == "unlock":
        return _unlock(args.username, args.address)

    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.cases.db import database_url, describe_url, make_engine
    from bot.cases.migrate import MigrationError, migrate
    from bot.cases.officers import OfficerError, OfficerStore
    from bot.cases.passwords import PasswordError
    from bot.runtime.validation_errors import describe

    try:
        url = database_url()
        engine = make_engine(url)
    except ValidationError as error:
        print(f"officers: invalid configuration: {describe(error, upper=True)}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"officers: {error}", file=sys.stderr)
        return 2
    try:
        migrate(engine)
        store = OfficerStore(engine)
        if args.action == "add":
            password = _read_password(args.password_stdin)
            account = store.add(args.username, password, args.countries, args.role, args.name)
            print(
                f"Added {account.role} {account.username} ({account.display_name}), countries: "
                f"{','.join(account.countries) or 'all'}."
            )
        elif args.action == "list":
            accounts = store.list()
            if not accounts:
                print(f"No officers yet. Add one with: {PROG} add <username> --countries TW")
            for account in accounts:
                print(
                    f"{account.username:<24} {account.role:<8} "
                    f"{'active' if account.active else 'disabled':<9} "
                    f"{','.join(account.countries) or 'all':<16} "
                    f"{'token' if account.has_token else '-':<6} {account.display_name}"
                )
        elif args.action == "token":
            token = store.new_token(args.username)
            print(token)
            print(
                f"New API token for {args.username}; it is shown only this once and replaces any "
                f"earlier one. Send it as 'Authorization: Bearer <token>'.",
                file=sys.stderr,
            )
        elif args.action in ("disable", "enable"):
            account = store.set_active(args.username, args.action == "enable")
            print(f"{account.username} is {'active' if account.active else 'disabled'}.")
        return 0
    except (OfficerError, PasswordError) as error:
        print(f"officers {args.action}: {error}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, MigrationError) as error:
        reason = getattr(error, "orig", None) or error
        print(
            f"officers {args.action}: the case database {describe_url(url)} cannot be used: "
            f"{type(reason).__name__}: {str(reason).splitlines()[0] if str(reason) else ''}",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
