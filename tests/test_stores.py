"""The Redis tracker and lock stores, against a real Redis server."""
import threading

from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.runtime.tracker_stores import RedisUrlLockStore, RedisUrlTrackerStore
from tests.support.trackers import domain


async def test_a_conversation_outlives_its_tracker_store(redis_url, redis_client):
    store = RedisUrlTrackerStore(domain(), host=redis_url)
    tracker = DialogueStateTracker.from_events(
        "worker-1", [UserUttered("chu giu ho chieu"), SlotSet("language", "vi")]
    )
    await store.save(tracker)

    reopened = RedisUrlTrackerStore(domain(), host=redis_url)  # as after a restart
    restored = await reopened.retrieve("worker-1")
    assert restored.latest_message.text == "chu giu ho chieu"
    assert restored.get_slot("language") == "vi"


async def test_every_conversation_has_an_expiry(redis_url, redis_client, monkeypatch):
    monkeypatch.setenv("TRACKER_TTL_SECONDS", "3600")
    store = RedisUrlTrackerStore(domain(), host=redis_url)
    await store.save(DialogueStateTracker.from_events("worker-2", [UserUttered("hi")]))
    [key] = redis_client.keys("helpline:tracker:*")
    assert 0 < redis_client.ttl(key) <= 3600


def test_tickets_are_unique_across_processes(redis_url, redis_client):
    """Two stores stand for two Rasa processes behind a load balancer."""
    stores = [RedisUrlLockStore(url=redis_url) for _ in range(2)]
    issued = []
    guard = threading.Lock()

    def issue(store):
        for _ in range(25):
            ticket = store.issue_ticket("worker-3", lock_lifetime=60)
            with guard:
                issued.append(ticket)

    threads = [threading.Thread(target=issue, args=(stores[i % 2],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(issued) == list(range(len(issued)))


def test_a_released_lock_leaves_nothing_behind(redis_url, redis_client):
    store = RedisUrlLockStore(url=redis_url)
    ticket = store.issue_ticket("worker-4")
    assert store.get_lock("worker-4").is_locked(ticket) is False  # first in line
    store.cleanup("worker-4", ticket)
    assert store.get_lock("worker-4") is None
    assert redis_client.keys("helpline:lock:*") == []
