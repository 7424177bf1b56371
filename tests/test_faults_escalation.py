"""Faults on the escalation side (docs/reliability.md, guarantees 2 and 3): the case store locked,
the alert provider down, a flood of alerts, and acknowledgements that try to be forged."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import List, Optional, Sequence

import pytest
import redis.asyncio as aioredis
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from telegram import Update

import bot.cases.db as case_db
from bot.cases.rota import load_rota
from bot.cases.schema import notifications
from bot.cases.store import Case, CaseStore
from bot.escalation.events import CaseEventWriter
from bot.escalation.notify import Notifier, NotifyError, schedule_step
from bot.escalation.opening import Escalator, PendingOpenings
from bot.escalation.routing import ack_code, group_acknowledgement
from channels.handoff import CASE_EVENTS, CASE_KEY, CASE_OPENINGS, case_event
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parent.parent
MONDAY_10_TAIPEI = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
KEY = b"test-ack-key"


class Provider:
    """An officer alert provider that is down for `down` sends, and counts messages."""

    def __init__(self, down: int = 0) -> None:
        self.down = down
        self.messages: List[List[str]] = []  # the case numbers of each message sent

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def notify(self, address: str, cases: Sequence[Case], text: str, link: Optional[str]) -> None:
        if self.down:
            self.down -= 1
            raise NotifyError("503 from the provider")
        self.messages.append([case.number for case in cases])


@pytest.fixture
def rota():
    return load_rota(ROOT / "config" / "rota.example.yml")


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(case_db, "SQLITE_BUSY_SECONDS", 0.2)  # a locked store fails fast here
    return CaseStore.connect(f"sqlite:///{tmp_path / 'cases.sqlite3'}")


def notifier(store, rota, telegram: Provider, sms: Provider, sla: int = 120) -> Notifier:
    return Notifier(store, rota, {"telegram": telegram, "sms": sms}, sla_seconds={"critical": sla, "high": 900},
                    max_attempts=3, console_url=None, ack_key=KEY)


def open_critical(store, rota, conversation: str) -> Case:
    store.clock = lambda: MONDAY_10_TAIPEI
    case = store.open_case(conversation, "twilio", "TW", "vi", "critical")
    schedule_step(store, rota, case, 0, MONDAY_10_TAIPEI)
    return case


def statuses(store, case) -> List[str]:
    with store.engine.begin() as connection:
        return [row.status for row in connection.execute(select(notifications).where(notifications.c.case_id == case.id))]


# --- the case store locked ------------------------------------------------------------------


async def test_a_case_the_locked_store_cannot_take_is_opened_when_it_returns_and_alerts(store, rota, redis_url, redis_client, tmp_path):
    escalator = Escalator(store, rota, redis_url, case_ttl_seconds=3600)
    lock = sqlite3.connect(tmp_path / "cases.sqlite3", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # another process holds the store
    with pytest.raises(OperationalError):
        escalator.open("twilio-locked", "twilio", "TW", "vi", "critical", consent="not_required")
    [(_id, fields)] = redis_client.xrange(CASE_OPENINGS)
    asked_at = json.loads(fields["opening"])["at"]
    lock.execute("ROLLBACK")  # the store returns
    lock.close()

    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    worker = PendingOpenings(store, rota, redis, 3600).worker("test", claim_idle_seconds=1)
    worker.start()
    try:
        await eventually(lambda: redis.exists(CASE_KEY.format(conversation_id="twilio-locked")))
    finally:
        await worker.stop()
        await redis.close()
    [case] = store.list_cases(conversation_id="twilio-locked")
    assert case.created_at.timestamp() == pytest.approx(asked_at, abs=0.01)  # her time, not the store's
    assert "opened_late" in [event.kind for event in store.get_case(case.id).events]
    telegram, sms = Provider(), Provider()
    await notifier(store, rota, telegram, sms).run_once()
    assert [case.number] in telegram.messages + sms.messages  # whoever is on duty for Taiwan now



# --- the provider down ----------------------------------------------------------------------


async def test_a_provider_outage_delays_an_alert_and_never_drops_it(store, rota):
    case = open_critical(store, rota, "twilio-outage")
    telegram, sms = Provider(down=8), Provider(down=8)  # more failures than NOTIFY_MAX_ATTEMPTS
    alerts = notifier(store, rota, telegram, sms, sla=3600)  # a long outage, still within the SLA
    now = MONDAY_10_TAIPEI
    for _ in range(40):
        await alerts.run_once(now)
        now += dt.timedelta(seconds=30)
    assert telegram.messages == [[case.number]] and sms.messages == [[case.number]]
    assert set(statuses(store, case)) == {"sent"}
    kinds = [event.kind for event in store.get_case(case.id).events]
    assert kinds.count("notify_failed") == 16 and kinds.count("notified") == 2


async def test_after_an_outage_the_waiting_cases_are_one_message_per_officer(store, rota):
    cases = [open_critical(store, rota, f"twilio-flood-{index}") for index in range(5)]
    telegram, sms = Provider(down=3), Provider(down=3)
    alerts = notifier(store, rota, telegram, sms)
    now = MONDAY_10_TAIPEI
    for _ in range(6):
        await alerts.run_once(now)
        now += dt.timedelta(seconds=20)
    numbers = sorted(case.number for case in cases)
    assert [sorted(message) for message in telegram.messages] == [numbers]
    assert [sorted(message) for message in sms.messages] == [numbers]


async def test_the_desks_repeats_are_grouped_per_sla_step(store, rota):
    telegram, sms = Provider(), Provider()
    alerts = notifier(store, rota, telegram, sms)
    for index in range(3):  # country unknown: the desk is the whole chain; cases 40 s apart
        store.clock = lambda: MONDAY_10_TAIPEI
        case = store.open_case(f"twilio-desk-{index}", "twilio", None, "vi", "critical")
        schedule_step(store, rota, case, 0, MONDAY_10_TAIPEI + dt.timedelta(seconds=40 * index))
    now = MONDAY_10_TAIPEI + dt.timedelta(seconds=5)
    for _ in range(40):  # ten minutes of rounds: each case repeats at the desk every SLA
        await alerts.run_once(now)
        now += dt.timedelta(seconds=15)
    desk_messages = len(telegram.messages)
    cases_alerted = sum(len(message) for message in telegram.messages)
    assert cases_alerted > desk_messages  # repeats went out together
    assert desk_messages <= 1 + 10 * 60 // 120 + 1  # the first alert, then at most one per SLA step


# --- acknowledgements that cannot be forged -------------------------------------------------


@pytest.fixture
async def events(store, rota, redis_url, redis_client):
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    worker = CaseEventWriter(store, client, rota, KEY).worker("test", claim_idle_seconds=1)
    worker.start()
    yield client
    await worker.stop()
    await client.close()


async def written(client) -> None:
    await eventually(lambda: _empty(client))


async def _empty(client) -> bool:
    return not await client.xlen(CASE_EVENTS)


async def test_ok_by_sms_from_an_officers_number_without_the_code_acknowledges_nothing(store, rota, events):
    case = open_critical(store, rota, "twilio-spoof")
    await events.xadd(CASE_EVENTS, case_event("officer_ack", officer="tw-nguyen-thi-lan", case=case.number, channel="twilio"))
    await events.xadd(CASE_EVENTS, case_event("officer_ack", officer="tw-nguyen-thi-lan", case=case.number, channel="twilio", code="000000"))
    await written(events)
    loaded = store.get_case(case.id)
    assert loaded.status == "open"
    assert [event.kind for event in loaded.events].count("ack_refused") == 2


@pytest.mark.parametrize("code", [ack_code(KEY, "TW-0001", "tw-nguyen-thi-lan"), "482913"])
async def test_ok_by_sms_with_the_code_from_the_alert_or_the_pin_acknowledges(store, rota, events, code):
    case = open_critical(store, rota, "twilio-real")
    assert case.number == "TW-0001"
    await events.xadd(CASE_EVENTS, case_event("officer_ack", officer="tw-nguyen-thi-lan", case=case.number, channel="twilio", code=code))
    await written(events)
    assert store.get_case(case.id).status == "acknowledged"


async def test_the_desk_acknowledges_only_what_was_escalated_to_it(store, rota, events):
    case = open_critical(store, rota, "twilio-desk")
    await events.xadd(CASE_EVENTS, case_event("officer_ack", officer="vn-desk", case=case.number, channel="telegram"))
    await written(events)
    assert store.get_case(case.id).status == "open"
    for step in (1, 2):  # nobody acknowledged: the backup, then the desk
        schedule_step(store, rota, case, step, MONDAY_10_TAIPEI)
    await events.xadd(CASE_EVENTS, case_event("officer_ack", officer="vn-desk", case=case.number, channel="telegram"))
    await written(events)
    assert store.get_case(case.id).status == "acknowledged"


async def test_a_button_in_the_desks_group_counts_for_the_rota_member_who_pressed_it(store, rota, events):
    case = open_critical(store, rota, "twilio-group")
    for step in (1, 2):
        schedule_step(store, rota, case, step, MONDAY_10_TAIPEI)
    stranger = case_event("officer_ack", officer="", case=case.number, channel="telegram", via="vn-desk")
    member = case_event("officer_ack", officer="jp-le-hoang-nam", case=case.number, channel="telegram", via="vn-desk")
    await events.xadd(CASE_EVENTS, stranger)
    await written(events)
    assert store.get_case(case.id).status == "open"
    await events.xadd(CASE_EVENTS, member)
    await written(events)
    loaded = store.get_case(case.id)
    assert (loaded.status, loaded.assigned_officer) == ("acknowledged", "jp-le-hoang-nam")
    [acknowledged] = [event for event in loaded.events if event.kind == "acknowledged"]
    assert acknowledged.detail == {"channel": "telegram", "via": "vn-desk"}


def test_a_group_button_press_is_read_with_who_pressed_it():
    update = Update.de_json({"update_id": 7, "callback_query": {
        "id": "q1", "data": "ack:42", "chat_instance": "1",
        "from": {"id": 100000201, "is_bot": False, "first_name": "Nam"},
        "message": {"message_id": 3, "date": 0, "chat": {"id": -1000000000100, "type": "supergroup", "title": "Desk"}},
    }}, None)
    pressed = group_acknowledgement(update, "telegram")
    assert pressed is not None and pressed.address == "-1000000000100"
    assert pressed.extra == {"callback_data": "ack:42", "pressed_by": "100000201"}
