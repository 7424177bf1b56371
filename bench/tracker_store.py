"""python -m bench.tracker_store: a turn's tracker-store cost at turn 5 and turn 300, old store vs new.

Turn N of a conversation, as Rasa's processor plays it, against each store in turn: turns 1 to
N-1 are stored first (one save: the stored state is the same as after N-1 saves, and the old
store would take minutes to get to turn 300 one turn at a time), then the turn is timed: the
tracker is retrieved, the turn's events are added (her message with the parse data the NLU
pipeline writes, two slots, the action, the bot's reply, action_listen) and the tracker is saved.
Each in one conversation session, and again with turn 1 in an earlier session (she wrote a day
before: domain.yml's sessions last 24 hours). Reported, the median over fresh conversations: `retrieve` and `save` wall-clock times (the only
client of Redis), and the bytes Redis received for the save (its own INFO counter). The old store
is the one endpoints.yml named before (`RedisUrlTrackerStore`: Rasa's, rewriting the whole
conversation); the new one is `AppendOnlyRedisTrackerStore`. Redis: REDIS_URL if set (its
database is flushed), else a private embedded server. Not part of `make test` or `make bench`.

    python -m bench.tracker_store [--turns 300] [--conversations 15]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

HER_WORDS = ["chu giu ho chieu cua em", "em o dai loan", "phi moi gioi toi da la bao nhieu", "cam on ban nhieu"]


def session_start() -> List[Event]:
    return [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted(ACTION_LISTEN_NAME)]


def turn(number: int) -> List[Event]:
    """One turn as Rasa records it: her message, what the pipeline and the action set, the reply."""
    text = f"{HER_WORDS[number % len(HER_WORDS)]} ({number})"
    triage = {"severity": "high", "intent": "passport_confiscated", "confidence": 0.91, "uncertain": False}
    return [
        UserUttered(
            text,
            intent={"name": "passport_confiscated", "confidence": 0.91},
            entities=[{"entity": "country", "value": "TW", "start": 5, "end": 12, "extractor": "GazetteerExtractor"}],
            parse_data={
                "text": text,
                "intent_ranking": [{"name": "passport_confiscated", "confidence": 0.91}, {"name": "greet", "confidence": 0.04}],
                "severity": "high",
                "triage": triage,
            },
            input_channel="twilio",
            message_id=f"SM{number:030d}",
            metadata={"language": "vi"},
        ),
        SlotSet("severity", "high"),
        SlotSet("country", "TW"),
        ActionExecuted("action_triage_reply", policy="RulePolicy", confidence=1.0),
        BotUttered(f"Minh rat tiec chuyen nay ({number}). Goi 110 hoac duong day nong 24/7.", metadata={"utter_action": "utter_danger"}),
        ActionExecuted(ACTION_LISTEN_NAME, policy="RulePolicy", confidence=1.0),
    ]


async def play_turn(store: Any, sender_id: str, number: int) -> DialogueStateTracker:
    """Turn `number` (from 1): retrieve (or create), add its events, save; as Rasa's processor."""
    tracker = await store.retrieve(sender_id)
    if tracker is None:
        tracker = await store.create_tracker(sender_id, append_action_listen=False)
    for event in (session_start() if number == 1 else []) + turn(number):
        tracker.update(event)
    await store.save(tracker)
    return tracker


async def received_bytes(red: Any) -> int:
    return int((await red.info("stats"))["total_net_input_bytes"])


async def measure(store: Any, red: Any, sender_id: str, number: int, second_session: bool) -> Dict[str, float]:
    """Turn `number` of a conversation whose turns 1 to number-1 were saved (in one save: the
    stored state is the same as after saving them one by one); with `second_session`, she wrote
    turn 1 in an earlier session (a day before)."""
    history = store.init_tracker(sender_id)
    for earlier in range(1, number):
        for event in (session_start() if earlier in (1, 2 if second_session else 1) else []) + turn(earlier):
            history.update(event)
    if number > 1:
        await store.save(history)
    started = time.perf_counter()
    tracker = await store.retrieve(sender_id)
    if tracker is None:
        tracker = await store.create_tracker(sender_id, append_action_listen=False)
    retrieved = time.perf_counter()
    for event in (session_start() if number == 1 or (second_session and number == 2) else []) + turn(number):
        tracker.update(event)
    before = await received_bytes(red)
    saving = time.perf_counter()
    await store.save(tracker)
    saved = time.perf_counter()
    written = await received_bytes(red) - before
    return {"retrieve_ms": (retrieved - started) * 1000, "save_ms": (saved - saving) * 1000, "bytes": written}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def run(url: str, turns: int, conversations: int) -> None:
    import redis.asyncio as aioredis

    from bot.runtime.append_tracker_store import AppendOnlyRedisTrackerStore
    from bot.runtime.tracker_stores import RedisUrlTrackerStore
    from tests.support.trackers import domain

    red = aioredis.Redis.from_url(url, decode_responses=True)
    await red.flushdb()
    stores = {"old (RedisUrlTrackerStore)": RedisUrlTrackerStore(domain(), host=url),
              "new (AppendOnlyRedisTrackerStore)": AppendOnlyRedisTrackerStore(domain(), host=url)}
    marks = sorted({5, turns})
    print(f"turns {marks} of {conversations} conversations per store, {len(turn(1))} events a turn; medians")
    print(f"{'store':34} {'sessions':>8} {'turn':>5} {'retrieve ms':>12} {'save ms':>9} {'both ms':>9} {'bytes sent by save':>19}")
    for name, store in stores.items():
        for sessions, mark in [(1, mark) for mark in marks] + [(2, mark) for mark in marks if mark > 2]:
            cells = [await measure(store, red, f"bench-{name[:3]}-{sessions}-{mark}-{index}", mark, sessions == 2)
                     for index in range(conversations)]
            retrieve = statistics.median(cell["retrieve_ms"] for cell in cells)
            save = statistics.median(cell["save_ms"] for cell in cells)
            both = statistics.median(cell["retrieve_ms"] + cell["save_ms"] for cell in cells)
            written = statistics.median(cell["bytes"] for cell in cells)
            print(f"{name:34} {sessions:>8} {mark:>5} {retrieve:>12.2f} {save:>9.2f} {both:>9.2f} {written:>19,.0f}")
        if hasattr(store, "rewrites"):
            print(f"{'':34} saves that had to rewrite: {store.rewrites}")
    await red.flushdb()
    await red.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--conversations", type=int, default=15)
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops Redis
    url = os.environ.get("REDIS_URL")
    if url:
        asyncio.run(run(url, options.turns, options.conversations))
        return
    from bot.cli.run import embedded_redis_command, wait_for_redis

    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        process = subprocess.Popen(embedded_redis_command(port, Path(data_dir)), stdout=subprocess.DEVNULL)
        try:
            url = f"redis://127.0.0.1:{port}/0"
            wait_for_redis(url, 30, process)
            asyncio.run(run(url, options.turns, options.conversations))
        finally:
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main()
