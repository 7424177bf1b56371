"""Two processes alerting from the same case store send each notification once: a notification
is claimed before it is sent, and a claim left by a process that died is taken back after its
timeout. On SQLite and on PostgreSQL; fake senders count the messages, and nothing sleeps."""
from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections import Counter
from pathlib import Path
from typing import Awaitable, Callable, List, Optional, Sequence, Tuple

import pytest
from sqlalchemy import select

from bot.cases.rota import load_rota
from bot.cases.schema import notifications
from bot.cases.store import Case, CaseStore
from bot.escalation.claims import claim
from bot.escalation.notify import Notifier, schedule_step
from tests.cases.conftest import database_url, postgres_database, postgres_url  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent
MONDAY_10_TAIPEI = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Taipei


class CountingSender:
    """Counts every (address, case) it is asked to send; `during` runs inside the send, while
    this process holds its claims (the other process's round, racing it)."""

    def __init__(self, sent: Counter) -> None:
        self.sent = sent
        self.during: Optional[Callable[[], Awaitable[None]]] = None

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def notify(self, address: str, cases: Sequence[Case], text: str, link: Optional[str]) -> None:
        during, self.during = self.during, None
        if during is not None:
            await during()
        await asyncio.sleep(0)  # let the other process's round run in between
        for case in cases:
            self.sent[(address, case.number)] += 1


@pytest.fixture
def rota():
    return load_rota(ROOT / "config" / "rota.example.yml")


@pytest.fixture
def stores(database_url):  # noqa: F811 - the fixture imported above
    """Two processes' connections to one case store."""
    first, second = CaseStore.connect(database_url), CaseStore.connect(database_url)
    yield first, second
    first.engine.dispose()
    second.engine.dispose()


def notifier(store: CaseStore, rota, sent: Counter, claim_seconds: float = 120) -> Notifier:
    return Notifier(store, rota, {"telegram": CountingSender(sent), "sms": CountingSender(sent)},
                    sla_seconds={"critical": 120, "high": 900}, max_attempts=3, console_url=None,
                    claim_seconds=claim_seconds)


def open_cases(store: CaseStore, rota, count: int) -> List[Case]:
    store.clock = lambda: MONDAY_10_TAIPEI
    opened = []
    for index in range(count):
        case = store.open_case(f"twilio-race-{index}", "twilio", "TW", "vi", "critical")
        schedule_step(store, rota, case, 0, MONDAY_10_TAIPEI)
        opened.append(case)
    return opened


def expected(store: CaseStore) -> Counter:
    """Every notification row, as the (address, case) a sender would be asked for."""
    rota = load_rota(ROOT / "config" / "rota.example.yml")
    wanted: Counter = Counter()
    for case in store.list_cases():
        with store.engine.begin() as connection:
            rows = connection.execute(select(notifications).where(notifications.c.case_id == case.id)).mappings().all()
        for row in rows:
            address = getattr(rota.get(row["officer"]).contacts, row["channel"])
            wanted[(address, case.number)] += 1
    return wanted


def statuses(store: CaseStore) -> Counter:
    with store.engine.begin() as connection:
        return Counter(connection.execute(select(notifications.c.status)).scalars())


async def test_two_notifiers_racing_for_the_same_due_notifications_send_each_once(stores, rota):
    first, second = stores
    open_cases(first, rota, 5)
    sent: Counter = Counter()
    one, two = notifier(first, rota, sent), notifier(second, rota, sent)
    await asyncio.gather(one.run_once(MONDAY_10_TAIPEI), two.run_once(MONDAY_10_TAIPEI))
    await asyncio.gather(one.run_once(MONDAY_10_TAIPEI), two.run_once(MONDAY_10_TAIPEI))
    assert sent == expected(first) and set(sent.values()) == {1}
    assert statuses(first) == Counter({"sent": sum(sent.values())})


async def test_a_round_that_runs_while_the_other_is_sending_sends_nothing_of_it(stores, rota):
    first, second = stores
    [case] = open_cases(first, rota, 1)
    sent: Counter = Counter()
    one, two = notifier(first, rota, sent), notifier(second, rota, sent)
    one.senders["telegram"].during = lambda: two.run_once(MONDAY_10_TAIPEI)  # type: ignore[attr-defined]
    await one.run_once(MONDAY_10_TAIPEI)
    await two.run_once(MONDAY_10_TAIPEI)
    assert sent == Counter({("100000101", case.number): 1, ("+84900000101", case.number): 1})


async def test_rows_read_by_both_are_sent_by_whoever_claims_them_first(stores, rota):
    first, second = stores
    open_cases(first, rota, 3)
    sent: Counter = Counter()
    one, two = notifier(first, rota, sent), notifier(second, rota, sent)
    stale = await asyncio.to_thread(two._waiting, MONDAY_10_TAIPEI)  # read before the other sends
    await one.run_once(MONDAY_10_TAIPEI)
    for group, rows in stale.items():  # then it tries to send what it read
        await two._attempt(group, rows, MONDAY_10_TAIPEI)
    assert sent == expected(first) and set(sent.values()) == {1}


def test_claims_made_at_the_same_moment_in_threads_go_to_one_claimant(stores, rota):
    first, second = stores
    open_cases(first, rota, 4)
    with first.engine.begin() as connection:
        rows = [dict(row) for row in connection.execute(select(notifications)).mappings()]
    barrier = threading.Barrier(2)
    won: List[Tuple[str, List[int]]] = []

    def race(store: CaseStore, claimant: str) -> None:
        barrier.wait()
        won.append((claimant, claim(store.engine, claimant, rows, MONDAY_10_TAIPEI)))

    threads = [threading.Thread(target=race, args=pair) for pair in ((first, "one"), (second, "two"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    claimed = [notification for _claimant, ids in won for notification in ids]
    assert sorted(claimed) == sorted(row["id"] for row in rows)  # every row, each to one claimant


async def test_a_claim_held_by_a_process_that_died_is_taken_back_after_its_timeout(stores, rota):
    first, second = stores
    [case] = open_cases(first, rota, 1)
    with first.engine.begin() as connection:
        rows = [dict(row) for row in connection.execute(select(notifications)).mappings()]
    assert len(claim(first.engine, "died-before-sending", rows, MONDAY_10_TAIPEI, seconds=30)) == len(rows)
    sent: Counter = Counter()
    survivor = notifier(second, rota, sent, claim_seconds=30)
    await survivor.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=20))
    assert not sent  # the claim is still live: maybe that process is sending
    await survivor.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=31))
    assert sent == Counter({("100000101", case.number): 1, ("+84900000101", case.number): 1})
    await survivor.run_once(MONDAY_10_TAIPEI + dt.timedelta(seconds=100))  # before the SLA
    assert set(sent.values()) == {1}


async def test_two_notifiers_reaching_the_sla_together_queue_the_next_step_once(stores, rota):
    first, second = stores
    [case] = open_cases(first, rota, 1)
    sent: Counter = Counter()
    one, two = notifier(first, rota, sent), notifier(second, rota, sent)
    await asyncio.gather(one.run_once(MONDAY_10_TAIPEI), two.run_once(MONDAY_10_TAIPEI))
    late = MONDAY_10_TAIPEI + dt.timedelta(seconds=121)
    await asyncio.gather(one.run_once(late), two.run_once(late))
    await asyncio.gather(one.run_once(late), two.run_once(late))
    with first.engine.begin() as connection:
        steps = Counter(connection.execute(select(notifications.c.step)).scalars())
    assert steps == Counter({0: 2, 1: 1})  # the backup has SMS only
    assert [event.kind for event in first.get_case(case.id).events].count("reassigned") == 1
    assert sent[("+84900000104", case.number)] == 1 and set(sent.values()) == {1}
