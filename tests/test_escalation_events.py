"""Case events from the channels into the case store: messages, officers' acknowledgements,
erasure; an officer of another country cannot acknowledge."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.cases.rota import load_rota
from bot.cases.store import CaseStore
from bot.escalation.events import CaseEventWriter
from channels.handoff import CASE_EVENTS, case_event

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def writer(tmp_path, redis_client, redis_url):
    store = CaseStore.connect(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    events = CaseEventWriter(store, client, load_rota(ROOT / "config" / "rota.example.yml"))
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
