"""Case events from the channels into the case store: messages, officers' acknowledgements,
erasure; an officer of another country cannot acknowledge; an acknowledgement is confirmed back to
the officer on the channel they used (fake senders)."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import List, Tuple

import pytest
import redis.asyncio as aioredis

from bot.cases.rota import load_rota
from bot.cases.store import CaseStore
from bot.escalation.events import CaseEventWriter
from bot.escalation.notify import NotifyError
from channels.handoff import CASE_EVENTS, case_event

ROOT = Path(__file__).resolve().parent.parent


class FakeMessenger:
    """An officer channel that records what it was asked to tell, or refuses."""

    def __init__(self, down: bool = False) -> None:
        self.told: List[Tuple[str, str]] = []
        self.down = down

    async def tell(self, address: str, text: str) -> None:
        if self.down:
            raise NotifyError("503 from the provider")
        self.told.append((address, text))


@pytest.fixture
def messengers():
    return {"telegram": FakeMessenger(), "sms": FakeMessenger()}


@pytest.fixture
async def writer(tmp_path, redis_client, redis_url, messengers):
    store = CaseStore.connect(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    events = CaseEventWriter(store, client, load_rota(ROOT / "config" / "rota.example.yml"), messengers=messengers)
    worker = events.worker("test", claim_idle_seconds=1)
    worker.start()
    yield store, client
    await worker.stop()
    await client.close()


async def settled(client) -> None:
    for _ in range(200):
        if not await client.xlen(CASE_EVENTS):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("case events not written in time")


async def test_messages_and_an_acknowledgement_reach_the_case(writer):
    store, client = writer
    case = store.open_case("twilio-abc", "twilio", "TW", "vi", "critical")
    await client.xadd(CASE_EVENTS, case_event("message_in", case_id=case.id, text="cuu em"))
    await client.xadd(CASE_EVENTS, case_event("message_out", case_id=case.id, text="Gọi 110"))
    await client.xadd(CASE_EVENTS, case_event("officer_ack", officer="tw-nguyen-thi-lan", case=case.number, channel="telegram"))
    await settled(client)
    loaded = store.get_case(case.id)
    assert [(e.kind, e.detail.get("text")) for e in loaded.events if e.kind.startswith("message")] == [
        ("message_in", "cuu em"), ("message_out", "Gọi 110")]
    assert loaded.status == "acknowledged" and loaded.assigned_officer == "tw-nguyen-thi-lan"


async def test_an_officer_of_another_country_cannot_acknowledge(writer):
    store, client = writer
    case = store.open_case("twilio-abc", "twilio", "TW", "vi", "critical")
    await client.xadd(CASE_EVENTS, case_event("officer_ack", officer="jp-le-hoang-nam", case=str(case.id), channel="telegram"))
    await settled(client)
    assert store.get_case(case.id).status == "open"


async def test_erasure_removes_her_cases(writer):
    store, client = writer
    store.open_case("twilio-abc", "twilio", "TW", "vi", "high")
    await client.xadd(CASE_EVENTS, case_event("erase", conversation_id="twilio-abc"))
    await settled(client)
    assert store.list_cases(conversation_id="twilio-abc") == []


# --- the acknowledgement confirmed back --------------------------------------------------------


async def test_a_button_press_is_confirmed_in_the_officers_chat(writer, messengers):
    store, client = writer
    case = store.open_case("twilio-abc", "twilio", "TW", "vi", "critical")
    await client.xadd(CASE_EVENTS, case_event("officer_ack", officer="tw-nguyen-thi-lan", case=str(case.id), channel="telegram"))
    await settled(client)
    assert messengers["telegram"].told == [("100000101", f"✅ Đã nhận ca {case.number} / Case {case.number} acknowledged")]
    assert messengers["sms"].told == []
    assert [(event.kind, event.detail) for event in store.get_case(case.id).events if event.kind == "notified"] == [
        ("notified", {"officer": "tw-nguyen-thi-lan", "channel": "telegram", "about": "acknowledgement"})]


async def test_ok_by_sms_with_the_pin_is_confirmed_by_sms(writer, messengers):
    store, client = writer
    case = store.open_case("twilio-abc", "twilio", "TW", "vi", "critical")
    await client.xadd(CASE_EVENTS, case_event("officer_ack", officer="tw-nguyen-thi-lan", case=case.number, channel="twilio", code="482913"))
    await settled(client)
    assert store.get_case(case.id).status == "acknowledged"
    assert messengers["sms"].told == [("+84900000101", f"✅ Đã nhận ca {case.number} / Case {case.number} acknowledged")]
    assert messengers["telegram"].told == []


async def test_a_refused_sms_acknowledgement_is_not_confirmed(writer, messengers):
    store, client = writer
    case = store.open_case("twilio-abc", "twilio", "TW", "vi", "critical")
    await client.xadd(CASE_EVENTS, case_event("officer_ack", officer="tw-nguyen-thi-lan", case=case.number, channel="twilio"))
    await settled(client)
    assert store.get_case(case.id).status == "open"
    assert messengers["sms"].told == [] and messengers["telegram"].told == []


async def test_a_press_in_the_desks_group_is_confirmed_in_the_group_naming_who_pressed(writer, messengers):
    store, client = writer
    case = store.open_case("twilio-abc", "twilio", "JP", "vi", "critical")
    await client.xadd(CASE_EVENTS, case_event("officer_ack", officer="jp-le-hoang-nam", case=case.number, channel="telegram", via="vn-desk"))
    await settled(client)
    [(address, text)] = messengers["telegram"].told
    assert address == "-1000000000100" and case.number in text and "jp-le-hoang-nam" in text


async def test_an_acknowledgement_after_a_colleagues_is_told_who_holds_the_case(writer, messengers):
    store, client = writer
    case = store.open_case("twilio-abc", "twilio", "TW", "vi", "critical")
    store.acknowledge(case.id, "tw-tran-minh-duc")
    await client.xadd(CASE_EVENTS, case_event("officer_ack", officer="tw-nguyen-thi-lan", case=case.number, channel="telegram"))
    await settled(client)
    assert store.get_case(case.id).assigned_officer == "tw-tran-minh-duc"
    [(address, text)] = messengers["telegram"].told
    assert address == "100000101" and "tw-tran-minh-duc" in text and "already" in text


@pytest.mark.parametrize("messengers", [{"telegram": FakeMessenger(down=True)}])
async def test_a_confirmation_that_cannot_go_leaves_the_acknowledgement_standing(writer, messengers):
    store, client = writer
    case = store.open_case("twilio-abc", "twilio", "TW", "vi", "critical")
    await client.xadd(CASE_EVENTS, case_event("officer_ack", officer="tw-nguyen-thi-lan", case=case.number, channel="telegram"))
    await settled(client)
    loaded = store.get_case(case.id)
    assert loaded.status == "acknowledged"
    [failed] = [event for event in loaded.events if event.kind == "notify_failed"]
    assert failed.detail["about"] == "acknowledgement" and failed.detail["will_retry"] is False
