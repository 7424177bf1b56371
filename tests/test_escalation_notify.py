"""Alerting officers from the case store: the on-duty officer first, the backup at the SLA, then
the desk; every attempt a case event; a restart in the middle loses nothing; every kind of case,
a request for a person included, has an SLA."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import pytest
import yaml
from sqlalchemy import select

from bot.cases.rota import RotaError, load_rota, parse_rota, sla_seconds
from bot.cases.schema import notifications
from bot.cases.store import Case, CaseStore
from bot.escalation.notify import Notifier, NotifyError, schedule_step, summary_text
from bot.runtime.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
MONDAY_10_TAIPEI = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Taipei


class FakeSender:
    def __init__(self, failures: int = 0, retryable: bool = True) -> None:
        self.sent: List[Tuple[str, str, str]] = []
        self.failures = failures
        self.retryable = retryable

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def notify(self, address: str, cases: Sequence[Case], text: str, link: Optional[str]) -> None:
        if self.failures:
            self.failures -= 1
            raise NotifyError("provider down", retryable=self.retryable)
        for case in cases:
            self.sent.append((address, case.number, text))


@pytest.fixture
def store(tmp_path):
    return CaseStore.connect(f"sqlite:///{tmp_path / 'cases.sqlite3'}")


@pytest.fixture
def rota():
    return load_rota(ROOT / "config" / "rota.example.yml")


def notifier(store, rota, telegram=None, sms=None, max_attempts=3):
    return Notifier(store, rota, {"telegram": telegram or FakeSender(), "sms": sms or FakeSender()},
                    sla_seconds={"critical": 120, "high": 900}, max_attempts=max_attempts,
                    console_url="https://console.example.org")


def critical_case(store, rota):
    store.clock = lambda: MONDAY_10_TAIPEI
    case = store.open_case("twilio-abc", "twilio", "TW", "vi", "critical")
    schedule_step(store, rota, case, 0, MONDAY_10_TAIPEI)
    return case


def rows(store, case):
    with store.engine.begin() as connection:
        return connection.execute(select(notifications).where(notifications.c.case_id == case.id).order_by(notifications.c.id)).mappings().all()


async def test_the_on_duty_officer_gets_a_summary_without_the_transcript(store, rota):
    case = critical_case(store, rota)
    store.record_message(case.id, "in", "chu danh em, cuu em", "worker")
    telegram, sms = FakeSender(), FakeSender()
    await notifier(store, rota, telegram, sms).run_once(MONDAY_10_TAIPEI)
    assert [(address, number) for address, number, _ in telegram.sent] == [("100000101", case.number)]
    assert [(address, number) for address, number, _ in sms.sent] == [("+84900000101", case.number)]
    text = telegram.sent[0][2]
    assert "critical" in text.lower() and "Đài Loan" in text and f"OK {case.number}" in text
    assert "https://console.example.org/cases/" in text and "cuu em" not in text
    kinds = [event.kind for event in store.get_case(case.id).events]
    assert kinds.count("notified") == 2


async def test_nobody_acknowledges_so_the_backup_then_the_desk_are_alerted_at_the_sla(store, rota):
    case = critical_case(store, rota)
    telegram, sms = FakeSender(), FakeSender()
    alerts = notifier(store, rota, telegram, sms)
    await alerts.run_once(MONDAY_10_TAIPEI)
    await alerts.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=60))
    assert {row["officer"] for row in rows(store, case)} == {"tw-nguyen-thi-lan"}
    await alerts.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=121))
    assert "tw-do-van-khoa" in {row["officer"] for row in rows(store, case)}
    assert ("+84900000104", case.number) in [(a, n) for a, n, _ in sms.sent]
    await alerts.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=250))
    assert rows(store, case)[-1]["officer"] == "vn-desk"
    # Still nobody: the desk is alerted again at each SLA.
    desk_steps = {row["step"] for row in rows(store, case) if row["officer"] == "vn-desk"}
    await alerts.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=380))
    assert len({row["step"] for row in rows(store, case) if row["officer"] == "vn-desk"}) == len(desk_steps) + 1


async def test_an_acknowledged_case_stops_the_chain(store, rota):
    case = critical_case(store, rota)
    alerts = notifier(store, rota)
    await alerts.run_once(MONDAY_10_TAIPEI)
    store.acknowledge(case.id, "tw-nguyen-thi-lan")
    await alerts.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=600))
    assert {row["officer"] for row in rows(store, case)} == {"tw-nguyen-thi-lan"}


async def test_failed_sends_are_retried_and_every_attempt_is_a_case_event(store, rota):
    case = critical_case(store, rota)
    telegram = FakeSender(failures=1)
    alerts = notifier(store, rota, telegram)
    await alerts.run_once(MONDAY_10_TAIPEI)
    assert not telegram.sent
    await alerts.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=5))
    assert telegram.sent
    kinds = [event.kind for event in store.get_case(case.id).events]
    assert "notify_failed" in kinds and kinds.count("notified") == 2


async def test_a_restart_in_the_middle_loses_nothing(store, rota):
    case = critical_case(store, rota)
    # The process that opened the case died before sending: a new notifier finds the rows.
    telegram = FakeSender()
    await notifier(CaseStore(store.engine), rota, telegram).run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=3))
    assert [number for _, number, _ in telegram.sent] == [case.number]


def test_the_summary_names_severity_country_language_and_case_only(store, rota):
    case = critical_case(store, rota)
    text = summary_text(case, None)
    assert case.number in text and "vi" in text and "twilio" in text


# --- an SLA for every kind of case ----------------------------------------------------------


def request_case(store, rota):
    """She asked for a person; no danger found (severity none)."""
    store.clock = lambda: MONDAY_10_TAIPEI
    case = store.open_case("twilio-person", "twilio", "TW", "vi", "none")
    schedule_step(store, rota, case, 0, MONDAY_10_TAIPEI)
    return case


def test_every_kind_of_case_has_an_sla_from_the_settings_or_the_rota():
    settings = Settings(_env_file=None, sla_critical_seconds=60, sla_high_seconds=600)
    assert sla_seconds(settings) == {"critical": 60, "high": 600, "none": 600}  # a request: the high one
    document = yaml.safe_load((ROOT / "config" / "rota.example.yml").read_text(encoding="utf-8"))
    with_sla = parse_rota({**document, "sla": {"request": 300, "critical": 90}})
    assert sla_seconds(settings, with_sla) == {"critical": 90, "high": 600, "none": 300}
    for wrong in ({"urgent": 60}, {"request": 2}, {"high": "15 min"}, [300]):
        with pytest.raises(RotaError, match="sla"):
            parse_rota({**document, "sla": wrong})


async def test_a_request_for_a_person_escalates_at_its_sla(store, rota):
    case = request_case(store, rota)
    telegram, sms = FakeSender(), FakeSender()
    document = yaml.safe_load((ROOT / "config" / "rota.example.yml").read_text(encoding="utf-8"))
    table = sla_seconds(Settings(_env_file=None, sla_high_seconds=900), parse_rota({**document, "sla": {"request": 300}}))
    alerts = Notifier(store, rota, {"telegram": telegram, "sms": sms}, sla_seconds=table, max_attempts=3,
                      console_url=None)
    await alerts.run_once(MONDAY_10_TAIPEI)
    assert "MUỐN GẶP CÁN BỘ / ASKS FOR AN OFFICER" in telegram.sent[0][2]
    await alerts.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=299))
    assert {row["officer"] for row in rows(store, case)} == {"tw-nguyen-thi-lan"}
    await alerts.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=301))
    assert "tw-do-van-khoa" in {row["officer"] for row in rows(store, case)}
    assert ("+84900000104", case.number) in [(a, n) for a, n, _ in sms.sent]


async def test_without_a_table_entry_a_request_takes_the_high_sla(store, rota):
    case = request_case(store, rota)
    alerts = notifier(store, rota)  # sla_seconds names critical and high only
    await alerts.run_once(MONDAY_10_TAIPEI)
    await alerts.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=899))
    assert {row["officer"] for row in rows(store, case)} == {"tw-nguyen-thi-lan"}
    await alerts.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=901))
    assert "tw-do-van-khoa" in {row["officer"] for row in rows(store, case)}
