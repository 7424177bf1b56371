"""Officer accounts for the console and its API.

Roles: ``officer`` sees and works the cases of the countries they cover; ``desk`` (the fallback
desk in Vietnam) and ``admin`` see every case. Usernames match the ``id`` of the officer's
entry in the duty rota, so a rota alert and a console login are the same person.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from sqlalchemy import select, update
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import IntegrityError

from bot.cases import passwords
from bot.cases.db import utcnow
from bot.cases.schema import officers

log = logging.getLogger(__name__)

ROLES = ("officer", "desk", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

#: Destination countries an officer may cover (ISO 3166-1 alpha-2).
DESTINATION_COUNTRIES: Tuple[str, ...] = (
    "TW", "JP", "KR", "MY", "SA", "AE", "SG", "TH", "CN", "DE", "RO", "QA", "KW",
)


class OfficerError(ValueError):
    """Bad input for an officer account; the message says what to fix."""


class UnknownOfficer(OfficerError, LookupError):
    pass


@dataclass(frozen=True)
class OfficerAccount:
    id: int
    username: str
    display_name: str
    countries: Tuple[str, ...]
    role: str
    active: bool
    has_token: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    def countries_visible(self) -> Optional[Tuple[str, ...]]:
        """For ``CaseStore.list_cases``: None (everything) for the desk and admins."""
        return None if self.role in ("desk", "admin") else self.countries

    def can_see(self, country: Optional[str]) -> bool:
        visible = self.countries_visible()
        return visible is None or (country is not None and country in visible)


def parse_countries(value: Iterable[str] | str) -> Tuple[str, ...]:
    """``"TW, jp"`` or ``["TW", "JP"]`` -> ``("TW", "JP")``; unknown codes raise."""
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = []
    for item in items:
        code = item.strip().upper()
        if not code:
            continue
        if code not in DESTINATION_COUNTRIES:
            raise OfficerError(
                f"unknown country {item.strip()!r}: use ISO codes of the destination countries "
                f"({', '.join(DESTINATION_COUNTRIES)})"
            )
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _account(row: Row) -> OfficerAccount:
    return OfficerAccount(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        countries=tuple(code for code in row.countries.split(",") if code),
        role=row.role,
        active=bool(row.active),
        has_token=row.token_hash is not None,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class OfficerStore:
    def __init__(self, engine: Engine, clock: Callable[[], dt.datetime] = utcnow):
        self.engine = engine
        self.clock = clock

    def add(
        self,
        username: str,
        password: str,
        countries: Iterable[str] | str = (),
        role: str = "officer",
        display_name: Optional[str] = None,
    ) -> OfficerAccount:
        if not USERNAME.match(username or ""):
            raise OfficerError(
                f"bad username {username!r}: 2-64 characters, lower-case letters, digits, "
                f"'.', '_' or '-', starting with a letter or digit"
            )
        if role not in ROLES:
            raise OfficerError(f"bad role {role!r}: one of {', '.join(ROLES)}")
        codes = parse_countries(countries)
        if role == "officer" and not codes:
            raise OfficerError("an officer must cover at least one country (--countries TW,JP)")
        passwords.check_password_policy(password)
        name = (display_name or username).strip()
        if not name or len(name) > 200:
            raise OfficerError("the display name must have 1 to 200 characters")
        now = self.clock()
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    officers.insert().values(
                        username=username,
                        display_name=name,
                        password_hash=passwords.hash_password(password),
                        countries=",".join(codes),
                        role=role,
                        active=True,
                        created_at=now,
                        updated_at=now,
                    )
                )
        except IntegrityError:
            raise OfficerError(f"an officer named {username!r} already exists") from None
        log.info("Officer %s added (role %s, countries %s).", username, role, ",".join(codes) or "all")
        return self.get(username)

    def get(self, username: str) -> OfficerAccount:
        with self.engine.connect() as connection:
            row = connection.execute(select(officers).where(officers.c.username == username)).first()
        if row is None:
            raise UnknownOfficer(f"no officer named {username!r}")
        return _account(row)

    def list(self) -> List[OfficerAccount]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(officers).order_by(officers.c.username)).all()
        return [_account(row) for row in rows]

    def _update(self, username: str, **values) -> None:
        values["updated_at"] = self.clock()
        with self.engine.begin() as connection:
            result = connection.execute(
                update(officers).where(officers.c.username == username).values(**values)
            )
        if result.rowcount == 0:
            raise UnknownOfficer(f"no officer named {username!r}")

    def set_active(self, username: str, active: bool) -> OfficerAccount:
        """Disable (which also revokes the API token) or enable an account."""
        values: Dict[str, Any] = {"active": active}
        if not active:
            values.update(token_hash=None, token_created_at=None)
        self._update(username, **values)
        log.info("Officer %s %s.", username, "enabled" if active else "disabled")
        return self.get(username)

    def set_password(self, username: str, password: str) -> None:
        passwords.check_password_policy(password)
        self._update(username, password_hash=passwords.hash_password(password))

    def new_token(self, username: str) -> str:
        """A new API bearer token for an active officer, replacing any earlier one. Returned
        once; only its hash is kept."""
        if not self.get(username).active:
            raise OfficerError(f"officer {username!r} is disabled; enable the account first")
        token = passwords.new_token()
        self._update(username, token_hash=passwords.token_hash(token), token_created_at=self.clock())
        log.info("Officer %s: new API token issued.", username)
        return token

    def authenticate(self, username: str, password: str) -> Optional[OfficerAccount]:
        """The active account for this username and password, else None. Takes as long for an
        unknown username as for a wrong password."""
        with self.engine.connect() as connection:
            row = connection.execute(select(officers).where(officers.c.username == username)).first()
        if row is None:
            passwords.dummy_verify(password)
            return None
        if not passwords.verify_password(password, row.password_hash) or not row.active:
            return None
        if passwords.needs_rehash(row.password_hash):
            self._update(username, password_hash=passwords.hash_password(password))
        return _account(row)

    def by_token(self, token: str) -> Optional[OfficerAccount]:
        """The active account whose API token this is, else None."""
        if not token or not token.startswith(passwords.TOKEN_PREFIX):
            return None
        with self.engine.connect() as connection:
            row = connection.execute(
                select(officers).where(officers.c.token_hash == passwords.token_hash(token))
            ).first()
        if row is None or not row.active:
            return None
        return _account(row)
