"""The duty rota: who is alerted for a worker in which country, and when.

A YAML file (example: ``config/rota.example.yml``; the real one is named by ``ROTA_FILE`` and
holds officers' contact details, so it stays out of version control)::

    desk:                           # the fallback desk in Vietnam: always last in every chain
      id: vn-desk
      name: Citizen protection desk, Hanoi
      timezone: Asia/Ho_Chi_Minh
      hours: ["24/7"]               # optional, default 24/7
      contacts: {telegram: "-1000000000000", sms: "+84900000000"}
    officers:
      - id: tw-le-thi-hoa            # the officer's console username, if they have one
        name: Le Thi Hoa
        countries: [TW]
        timezone: Asia/Taipei
        hours: ["mon-fri 08:00-18:00", "sat 22:00-06:00"]   # local time; overnight allowed
        contacts: {telegram: "100000001", sms: "+84900000001"}
        backups: [tw-pham-van-nam, vn-desk]                 # ordered; must exist; no cycles
        ack_pin: "482913"            # optional: 4-8 digits, for "OK TW-0042 482913" by SMS

An optional ``sla: {critical: 120, high: 900, request: 900}`` sets the seconds to acknowledge,
by kind of case (``bot.cases.sla``); ``sla_seconds(settings, rota)`` gives the whole table.

Hours are weekly ranges in the officer's own time zone (``bot.cases.duty_hours``): a range that
ends before it starts runs overnight (``fri 22:00-06:00`` is Friday 22:00 to Saturday 06:00).

``load_rota`` validates everything when the helpline starts: a malformed entry stops it with
the file and the entry named. ``on_duty(rota, country, at)`` gives the escalation chain.
"""
from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple, Union

import yaml
from pydantic import BaseModel, Field, SecretStr, validator

from bot.cases.duty_hours import read_hours
from bot.cases.officers import DESTINATION_COUNTRIES
from bot.cases.sla import parse_sla, sla_table
from bot.facts.base import StrictModel, iana_time_zone
from bot.facts.loading import parse_entry
from bot.runtime.settings import Settings

DESK_COUNTRY = "VN"
DEFAULT_DESK_TIMEZONE = "Asia/Ho_Chi_Minh"
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_TELEGRAM_CHAT = re.compile(r"^-?\d{1,20}$")


class RotaError(ValueError):
    """The rota cannot be used; the message names the file and the entry."""


class DutyRange(BaseModel):
    """A weekly range: on ``days`` (0 = Monday) from ``start`` to ``end`` minutes after local
    midnight; ``end <= start`` runs into the next day."""

    days: FrozenSet[int]
    start: int
    end: int
    text: str

    def covers(self, local: dt.datetime) -> bool:
        minute = local.hour * 60 + local.minute
        day = local.weekday()
        if self.start < self.end:
            return day in self.days and self.start <= minute < self.end
        return (day in self.days and minute >= self.start) or (
            (day - 1) % 7 in self.days and minute < self.end
        )


def parse_range(text: str) -> DutyRange:
    """``"mon-fri 08:00-18:00"`` -> DutyRange; ValueError with the reason otherwise."""
    return DutyRange(**read_hours(text)._asdict())


class Contacts(StrictModel):
    telegram: Optional[str] = None  # a Telegram chat id (negative for groups)
    sms: Optional[str] = None  # E.164, e.g. +84900000001

    @validator("telegram", "sms", pre=True)
    def _as_text(cls, value):
        if isinstance(value, bool):
            raise ValueError("expected text")
        return str(value) if isinstance(value, int) else value

    @validator("telegram")
    def _telegram(cls, value):
        if value is not None and not _TELEGRAM_CHAT.match(value):
            raise ValueError("a Telegram chat id is a whole number, like 100000001 or -1000000000000")
        return value

    @validator("sms")
    def _sms(cls, value):
        if value is not None:
            value = re.sub(r"[\s().-]", "", value)
            if not _E164.match(value):
                raise ValueError("an SMS number must be E.164: '+', country code and number")
        return value

    def __repr__(self) -> str:  # contact details never in a repr or a log line
        channels = [name for name in ("telegram", "sms") if getattr(self, name)]
        return f"Contacts({', '.join(channels)})"

    __str__ = __repr__


class Officer(StrictModel):
    """One person (or the desk) on the rota. ``hours`` holds the parsed ranges."""

    id: str
    name: str = Field(..., min_length=1, max_length=200)
    role: str = "officer"  # "desk" for the fallback desk
    countries: Tuple[str, ...] = ()
    timezone: str
    hours: Tuple[DutyRange, ...]
    contacts: Contacts
    backups: Tuple[str, ...] = ()
    # Acknowledging by SMS needs a secret (a sender number can be forged): the code printed in
    # each alert, or this PIN. Never logged (SecretStr).
    ack_pin: Optional[SecretStr] = None

    class Config:
        allow_mutation = False

    @validator("ack_pin", pre=True)
    def _ack_pin(cls, value):
        if value is None:
            return None
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if text is None or not re.fullmatch(r"\d{4,8}", text):
            raise ValueError("ack_pin is 4 to 8 digits, written in quotes (\"4829\")")
        return text

    @validator("id")
    def _id(cls, value):
        if not _ID.match(value):
            raise ValueError("ids are 2-64 lower-case letters, digits, '.', '_' or '-'")
        return value

    @validator("countries", pre=True)
    def _countries(cls, value):
        if isinstance(value, str):
            value = [value]
        codes = []
        for item in value or ():
            code = str(item).strip().upper()
            if code not in DESTINATION_COUNTRIES:
                raise ValueError(
                    f"unknown country {item!r}; use ISO codes: {', '.join(DESTINATION_COUNTRIES)}"
                )
            codes.append(code)
        return tuple(codes)

    _timezone = iana_time_zone("timezone")

    @validator("hours", pre=True)
    def _hours(cls, value):
        if isinstance(value, str):
            value = [value]
        if not value:
            raise ValueError("at least one range of on-duty hours")
        return tuple(item if isinstance(item, DutyRange) else parse_range(item) for item in value)

    @validator("contacts")
    def _some_contact(cls, value):
        if not (value.telegram or value.sms):
            raise ValueError("at least one contact channel (telegram or sms)")
        return value

    @validator("backups", pre=True)
    def _backups(cls, value):
        if isinstance(value, str):
            value = [value]
        return tuple(value or ())

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def is_on_duty(self, at: dt.datetime) -> bool:
        local = _aware(at).astimezone(self.zone)
        return any(duty.covers(local) for duty in self.hours)

    def __repr__(self) -> str:
        return f"Officer({self.id!r}, role={self.role!r}, countries={list(self.countries)})"

    __str__ = __repr__


class Rota(BaseModel):
    desk: Officer
    officers: Tuple[Officer, ...]
    source: str = "<memory>"
    sla: Dict[str, int] = {}  # the rota's own seconds to acknowledge, by case severity

    def get(self, officer_id: str) -> Officer:
        if officer_id == self.desk.id:
            return self.desk
        for officer in self.officers:
            if officer.id == officer_id:
                return officer
        raise KeyError(officer_id)

    def by_id(self) -> Dict[str, Officer]:
        return {self.desk.id: self.desk, **{officer.id: officer for officer in self.officers}}

    def countries_without_officers(self) -> List[str]:
        covered = {code for officer in self.officers for code in officer.countries}
        return [code for code in DESTINATION_COUNTRIES if code not in covered]


def _aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.tzinfo.utcoffset(at) is None:
        raise ValueError("on_duty needs an aware datetime (with a time zone), e.g. in UTC")
    return at


def on_duty(rota: Rota, country: Optional[str], at: dt.datetime) -> List[Officer]:
    """Whom to alert, in order: the officers covering ``country`` who are on duty at ``at``
    (in rota order), then their backups level by level (backups of backups next; a backup is
    called whether or not its own hours cover ``at``: naming someone a backup means they may be
    woken), then the fallback desk, always last and always present. No one appears twice."""
    _aware(at)
    code = (country or "").upper()
    chain: List[Officer] = []
    seen = {rota.desk.id}
    level = [o for o in rota.officers if code in o.countries and o.is_on_duty(at)]
    index = rota.by_id()
    while level:
        next_level: List[Officer] = []
        for officer in level:
            if officer.id in seen:
                continue
            seen.add(officer.id)
            chain.append(officer)
            next_level.extend(index[backup] for backup in officer.backups)
        level = next_level
    chain.append(rota.desk)
    return chain


# --- loading --------------------------------------------------------------------------------


def _entry_name(entry: object, position: Union[int, str]) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return entry["id"]
    return f"#{position}" if isinstance(position, int) else position


def _parse_entry(path: str, entry: object, position: Union[int, str], **overrides) -> Officer:
    name = _entry_name(entry, position)
    if not isinstance(entry, dict):
        raise RotaError(f"{path}: entry {name}: expected a mapping of id, name, timezone, hours, contacts")
    return parse_entry(Officer, {**entry, **overrides}, f"{path}: entry {name}", RotaError)


def parse_rota(document: object, source: str = "<memory>") -> Rota:
    """A Rota from parsed YAML; RotaError naming ``source`` and the entry when invalid."""
    if not isinstance(document, dict):
        raise RotaError(f"{source}: expected a mapping with 'desk:' and 'officers:'")
    unknown = set(document) - {"desk", "officers", "sla"}
    if unknown:
        raise RotaError(f"{source}: unknown top-level keys: {', '.join(sorted(map(str, unknown)))}")
    if "desk" not in document:
        raise RotaError(f"{source}: no 'desk:' (the fallback desk in Vietnam is required)")
    desk_entry = document["desk"]
    if isinstance(desk_entry, dict):
        desk_entry = {"timezone": DEFAULT_DESK_TIMEZONE, "hours": ["24/7"], **desk_entry}
        if desk_entry.get("role", "desk") != "desk" or desk_entry.get("countries"):
            raise RotaError(
                f"{source}: entry {_entry_name(desk_entry, 'desk')}: the desk takes no role or "
                f"countries; it covers every country"
            )
    desk = _parse_entry(source, desk_entry, "desk", role="desk")
    if desk.backups:
        raise RotaError(f"{source}: entry {desk.id}: the desk has no backups; it is the last resort")
    if desk.timezone not in ("Asia/Ho_Chi_Minh", "Asia/Saigon"):
        raise RotaError(
            f"{source}: entry {desk.id}: the fallback desk is in Vietnam; "
            f"its timezone is Asia/Ho_Chi_Minh"
        )

    entries = document.get("officers") or []
    if not isinstance(entries, list):
        raise RotaError(f"{source}: 'officers:' must be a list")
    officers: List[Officer] = []
    ids = {desk.id}
    for position, entry in enumerate(entries, start=1):
        if isinstance(entry, dict) and entry.get("role", "officer") != "officer":
            raise RotaError(
                f"{source}: entry {_entry_name(entry, position)}: role must be 'officer' "
                f"(the desk is 'desk:')"
            )
        officer = _parse_entry(source, entry, position)
        if officer.id in ids:
            raise RotaError(f"{source}: entry {officer.id}: duplicate id")
        if not officer.countries:
            raise RotaError(f"{source}: entry {officer.id}: no countries (countries: [TW, ...])")
        ids.add(officer.id)
        officers.append(officer)

    for officer in [desk, *officers]:
        for backup in officer.backups:
            if backup == officer.id:
                raise RotaError(f"{source}: entry {officer.id}: lists itself as its backup")
            if backup not in ids:
                raise RotaError(f"{source}: entry {officer.id}: backup {backup!r} is not on the rota")
        if len(set(officer.backups)) != len(officer.backups):
            raise RotaError(f"{source}: entry {officer.id}: a backup is listed twice")
    cycle = _find_cycle([desk, *officers])
    if cycle:
        raise RotaError(f"{source}: entry {cycle[0]}: the backup chain loops: {' -> '.join(cycle)}")
    return Rota(desk=desk, officers=tuple(officers), source=source, sla=_parse_sla(document.get("sla"), source))


def _parse_sla(section: object, source: str) -> Dict[str, int]:
    try:
        return parse_sla(section)
    except ValueError as error:
        raise RotaError(f"{source}: sla: {error}") from None


def sla_seconds(settings: Settings, rota: Optional[Rota] = None) -> Dict[str, int]:
    """Seconds to acknowledge, for every case severity: the rota's ``sla:``, then the settings
    (bot.cases.sla)."""
    return sla_table(settings.sla_critical_seconds, settings.sla_high_seconds, rota.sla if rota is not None else {})


def _find_cycle(entries: Sequence[Officer]) -> Optional[List[str]]:
    graph = {entry.id: entry.backups for entry in entries}
    state: Dict[str, int] = {}  # 1: on the current path, 2: done
    path: List[str] = []

    def visit(node: str) -> Optional[List[str]]:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for entry in entries:
        if entry.id not in state:
            found = visit(entry.id)
            if found:
                return found
    return None


def load_rota(path: Union[str, Path]) -> Rota:
    """Read and validate a rota file; RotaError (file and entry named) when anything is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RotaError(f"{path}: cannot read the rota: {error.strerror}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise RotaError(f"{path}: not valid YAML: {error}") from None
    return parse_rota(document, source=str(path))


def configured_rota(settings: Optional[Settings] = None) -> Optional[Rota]:
    """The rota named by ROTA_FILE (environment or .env), validated; None when unset."""
    settings = settings or Settings()
    if not settings.rota_file:
        return None
    return load_rota(settings.rota_file)
