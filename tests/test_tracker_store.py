"""The append-only Redis tracker store, against a real Redis server: what a save writes, what
comes back, conversations stored by the old store, expiry and erasure."""
from __future__ import annotations

import json
from typing import List

import pytest
from rasa.core.tracker_store import TrackerStore, check_if_tracker_store_async
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions
from rasa.utils.endpoints import read_endpoint_config

from bench.tracker_store import play_turn, session_start, turn
from bot.runtime.append_tracker_store import AppendOnlyRedisTrackerStore, event_digest, serialise_event, stored_event_dicts
from bot.runtime.paths import PROJECT_ROOT
from bot.runtime.tracker_stores import RedisUrlTrackerStore
from channels import erasure
from tests.support.trackers import domain

EVENTS, META, LEGACY = "helpline:tracker-events:{}", "helpline:tracker-meta:{}", "helpline:tracker:{}"


@pytest.fixture
async def store(redis_url, redis_client):  # redis_client flushes the test database
    opened = AppendOnlyRedisTrackerStore(domain(), host=redis_url)
    yield opened
    await opened.close()


def dicts(events) -> List[dict]:
    return [event.as_dict() for event in events]


async def play(store, sender_id: str, turns: int, first: int = 1) -> DialogueStateTracker:
    tracker = None
    for number in range(first, first + turns):
        tracker = await play_turn(store, sender_id, number)
    assert tracker is not None
    return tracker


async def new_session(store, sender_id: str, number: int) -> DialogueStateTracker:
    """Her next message after the session expired: Rasa starts a session on the retrieved tracker."""
    tracker = await store.retrieve(sender_id)
    for event in session_start() + turn(number):
        tracker.update(event)
    await store.save(tracker)
    return tracker


async def server_counters(redis_client) -> tuple:
    """Bytes Redis has received, and commands it has run (INFO itself included, a constant)."""
    received = int(redis_client.info("stats")["total_net_input_bytes"])
    commands = sum(stats["calls"] for stats in redis_client.info("commandstats").values())
    return received, commands


async def cost_of_save(store, redis_client, sender_id: str, number: int) -> tuple:
    tracker = await store.retrieve(sender_id)
    for event in turn(number):
        tracker.update(event)
    before = await server_counters(redis_client)
    await store.save(tracker)
    after = await server_counters(redis_client)
    return after[0] - before[0], after[1] - before[1]


def test_rasa_takes_it_as_an_asynchronous_store_from_endpoints_yml(redis_url, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    config = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "tracker_store")
    created = TrackerStore.create(config, domain())
    assert isinstance(created, AppendOnlyRedisTrackerStore)  # not wrapped in AwaitableTrackerStore
    assert check_if_tracker_store_async(created)


async def test_a_save_writes_as_much_at_turn_150_as_at_turn_5(store, redis_client):
    await play(store, "long", 4)
    bytes_at_5, commands_at_5 = await cost_of_save(store, redis_client, "long", 5)
    await play(store, "long", 144, first=6)
    bytes_at_150, commands_at_150 = await cost_of_save(store, redis_client, "long", 150)

    assert commands_at_150 == commands_at_5
    assert abs(bytes_at_150 - bytes_at_5) < 64  # the same events but for a few digits of numbering
    assert redis_client.llen(EVENTS.format("long")) == 3 + 150 * len(turn(1))
    assert store.rewrites == 0


async def test_the_old_store_writes_the_whole_conversation_every_turn(redis_url, redis_client):
    """What the measure above would show for the store it replaces."""
    old = RedisUrlTrackerStore(domain(), host=redis_url)
    await play(old, "long", 4)
    bytes_at_5, _ = await cost_of_save(old, redis_client, "long", 5)
    await play(old, "long", 45, first=6)
    bytes_at_51, _ = await cost_of_save(old, redis_client, "long", 51)
    assert bytes_at_51 > 5 * bytes_at_5


async def test_events_come_back_as_they_were_saved(store, redis_url):
    await play(store, "worker-1", 3)
    await new_session(store, "worker-1", 4)
    last = await play(store, "worker-1", 2, first=5)

    reopened = AppendOnlyRedisTrackerStore(domain(), host=redis_url)  # as after a restart
    full = await reopened.retrieve_full_tracker("worker-1")
    current = await reopened.retrieve("worker-1")
    await reopened.close()

    # Rasa's own Redis store returns the last session from `retrieve`, every one from the other
    expected_session = get_trackers_for_conversation_sessions(full)[-1]
    assert dicts(current.events) == dicts(expected_session.events) == dicts(last.events)
    assert current.events[0] == ActionExecuted("action_session_start")
    assert len(full.events) == 3 + 6 * len(turn(1)) + 3
    assert current.current_slot_values() == full.current_slot_values()
    assert current.latest_message.text == last.latest_message.text
    assert await reopened.exists("worker-1") and not await store.exists("nobody")
    assert await store.retrieve("nobody") is None
    assert list(await store.keys()) == ["worker-1"]


async def test_a_tracker_saved_from_the_full_history_appends_too(store):
    await play(store, "worker-2", 2)
    await new_session(store, "worker-2", 3)
    full = await store.retrieve_full_tracker("worker-2")
    full.update(UserUttered("after the full history"))
    await store.save(full)
    again = await store.retrieve_full_tracker("worker-2")
    assert dicts(again.events) == dicts(full.events)
    assert store.rewrites == 0


async def test_a_tracker_that_does_not_begin_with_the_stored_events_is_merged(store):
    await play(store, "worker-3", 2)
    stranger = DialogueStateTracker.from_events("worker-3", [UserUttered("written elsewhere")], domain().slots)
    await store.save(stranger)
    merged = await store.retrieve_full_tracker("worker-3")
    assert merged.events[-1].text == "written elsewhere"
    assert len(merged.events) == 3 + 2 * len(turn(1)) + 1
    assert store.rewrites == 1


async def test_a_conversation_of_the_old_store_is_read_then_moved_on_its_first_save(store, redis_url, redis_client):
    old = RedisUrlTrackerStore(domain(), host=redis_url)
    await play(old, "worker-4", 2)
    await new_session(old, "worker-4", 3)
    before_full = await old.retrieve_full_tracker("worker-4")
    before = await old.retrieve("worker-4")

    read = await store.retrieve("worker-4")
    assert dicts(read.events) == dicts(before.events)
    assert dicts((await store.retrieve_full_tracker("worker-4")).events) == dicts(before_full.events)
    assert await store.exists("worker-4") and list(await store.keys()) == ["worker-4"]

    for event in turn(4):
        read.update(event)
    await store.save(read)
    assert not redis_client.exists(LEGACY.format("worker-4"))
    after = await store.retrieve_full_tracker("worker-4")
    assert dicts(after.events) == dicts(before_full.events) + dicts(turn_events(read, 4))

    await play(store, "worker-4", 1, first=5)  # and from then on it appends
    assert redis_client.llen(EVENTS.format("worker-4")) == len(after.events) + len(turn(1))
    assert store.rewrites == 0


def turn_events(tracker: DialogueStateTracker, number: int) -> list:
    return list(tracker.events)[-len(turn(number)):]


async def test_every_conversation_has_an_expiry(redis_url, redis_client, monkeypatch):
    monkeypatch.setenv("TRACKER_TTL_SECONDS", "3600")
    store = AppendOnlyRedisTrackerStore(domain(), host=redis_url)
    await play(store, "worker-5", 2)
    old = RedisUrlTrackerStore(domain(), host=redis_url)
    await play(old, "worker-6", 1)
    await play(store, "worker-6", 1, first=2)  # moved from the old format
    await store.close()
    keys = [key.format(worker) for key in (EVENTS, META) for worker in ("worker-5", "worker-6")]
    assert sorted(redis_client.keys("helpline:*")) == sorted(keys)
    assert all(0 < redis_client.ttl(key) <= 3600 for key in keys)


async def test_erasure_deletes_every_key_of_the_conversation(store, redis_client, async_redis):
    await play(store, "worker-7", 2)
    await play(store, "someone-else", 1)
    redis_client.set(LEGACY.format("worker-7"), "{}")  # as if an old process wrote it meanwhile
    assert await erasure.handle(async_redis, "worker-7", "XOA") == "confirm"
    assert await erasure.handle(async_redis, "worker-7", "xoa") == "erased"
    assert redis_client.keys("*worker-7*") == ["helpline:erased:worker-7"]  # the mark, nothing of her
    assert await store.retrieve("worker-7") is None
    assert await store.retrieve("someone-else") is not None


def test_an_event_is_recognised_after_a_round_trip_through_redis():
    """Appending relies on it: the stored last event's digest must match the retrieved event's."""
    events = session_start() + turn(1) + [ActiveLoop("fee_form"), ActiveLoop(None), SlotSet("fees", None), UserUttered(None)]
    for event in events:
        back = Event.from_parameters(json.loads(serialise_event(event)))
        assert event_digest(back) == event_digest(event), event


async def test_tools_read_the_stored_events_of_either_format(store, redis_url, redis_client):
    await play(store, "new-format", 2)
    await play(RedisUrlTrackerStore(domain(), host=redis_url), "old-format", 2)
    for conversation in ("new-format", "old-format"):
        events = stored_event_dicts(redis_client, conversation)
        assert [event["event"] for event in events][-len(turn(2)):] == ["user", "slot", "slot", "action", "bot", "action"]
    assert stored_event_dicts(redis_client, "nobody") == []


async def test_two_processes_saving_one_conversation_keep_both_turns(store, redis_url):
    """The lock store keeps this from happening; if it did, neither turn would be lost."""
    await play(store, "worker-8", 2)
    other = AppendOnlyRedisTrackerStore(domain(), host=redis_url)  # a second Rasa process
    mine, theirs = await store.retrieve("worker-8"), await other.retrieve("worker-8")
    for tracker, number in ((mine, 3), (theirs, 4)):
        for event in turn(number):
            tracker.update(event)
    await store.save(mine)
    await other.save(theirs)
    texts = [event.text for event in (await store.retrieve_full_tracker("worker-8")).events if isinstance(event, UserUttered)]
    assert [text.split("(")[-1] for text in texts] == ["1)", "2)", "3)", "4)"]
    assert other.rewrites == 1
    await other.close()
