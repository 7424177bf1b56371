"""The case store's behaviour, on SQLite and (when reachable) PostgreSQL."""
from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from sqlalchemy import func, insert, select

from bot.cases.db import make_engine
from bot.cases.schema import case_events, cases, consent_records, notifications
from bot.cases.store import (
    CaseNotFound,
    CaseStore,
    InvalidTransition,
    InvalidValue,
    format_case_number,
    parse_case_number,
)

PHONE = "+84912345678"
SECRET_TEXT = "chu giu ho chieu cua em, em bi nhot trong nha"


def open_tw(store, conversation_id=PHONE, severity="critical", **extra):
    return store.open_case(conversation_id, "twilio", "TW", "vi", severity, **extra)


def kinds(store, case_id):
    return [event.kind for event in store.get_case(case_id).events]


# --- opening ---------------------------------------------------------------------------------


def test_a_new_case_is_committed_with_its_created_event(store, database_url):
    case = open_tw(store, summary="passport withheld")
    assert case.new and case.status == "open" and case.consent == "pending"
    assert case.number == format_case_number(case.id, "TW") and case.number.startswith("TW-")
    assert case.created_at == store.clock() and case.created_at.tzinfo is not None
    # Committed: another engine (another process) sees it at once.
    other = make_engine(database_url)
    try:
        with other.connect() as connection:
            assert connection.execute(select(cases.c.summary).where(cases.c.id == case.id)).scalar() == "passport withheld"
    finally:
        other.dispose()
    assert kinds(store, case.id) == ["created"]


def test_one_open_case_per_conversation_later_opens_join_it(store):
    first = open_tw(store, severity="high")
    again = open_tw(store, severity="high")
    assert again.id == first.id and not again.new
    assert store.list_cases(conversation_id=PHONE) == [again]


def test_opening_again_with_a_higher_severity_raises_it_never_lowers(store):
    first = open_tw(store, severity="high")
    raised = open_tw(store, severity="critical")
    assert raised.id == first.id and raised.severity == "critical"
    assert open_tw(store, severity="high").severity == "critical"
    assert kinds(store, first.id) == ["created", "severity_changed"]


def test_after_closing_a_new_message_opens_a_new_case(store):
    first = open_tw(store)
    store.close(first.id, "officer:an")
    second = open_tw(store)
    assert second.new and second.id != first.id and second.number != first.number


def test_unknown_country_cases_get_an_xx_number(store):
    case = store.open_case("tg-123", "telegram", None, "vi", "high")
    assert case.country is None and case.number.startswith("XX-")


def test_concurrent_opens_for_one_conversation_make_one_case(store, database_url, clock):
    workers = 6
    engines = [make_engine(database_url) for _ in range(workers)]
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def open_one(engine):
        barrier.wait()
        try:
            results.append(open_tw(CaseStore(engine, clock=clock), "race-1"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=open_one, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()
    assert errors == []
    assert len({case.id for case in results}) == 1
    assert sum(case.new for case in results) == 1
    with store.engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(cases).where(cases.c.conversation_id == "race-1")).scalar()
    assert count == 1


def test_losing_the_race_at_the_insert_returns_the_winners_case(store, clock, monkeypatch):
    """The look-then-insert race: the database refuses the second insert and the loser
    returns the case the winner committed in between."""
    winner = open_tw(store, "race-2")
    real_find = CaseStore._find_open
    calls = {"n": 0}

    def blind_once(self, connection, conversation_id, lock=False):
        calls["n"] += 1
        if calls["n"] == 1:
            return None  # did not see the winner's case yet
        return real_find(self, connection, conversation_id, lock)

    monkeypatch.setattr(CaseStore, "_find_open", blind_once)
    loser = open_tw(store, "race-2")
    assert loser.id == winner.id and not loser.new
    assert calls["n"] == 2


@pytest.mark.parametrize(
    "arguments, message",
    [
        (("c", "twilio", "Taiwan", "vi", "high"), "country"),
        (("c", "twilio", "TW", "vi", "urgent"), "severity"),
        (("", "twilio", "TW", "vi", "high"), "conversation_id"),
        (("c", "Twilio SMS", "TW", "vi", "high"), "channel"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(store, arguments, message):
    with pytest.raises(InvalidValue, match=message):
        store.open_case(*arguments)


# --- transitions -----------------------------------------------------------------------------


def test_acknowledge_take_close(store, clock):
    case = open_tw(store)
    clock.advance(seconds=40)
    acked = store.acknowledge(case.id, "tw-lan")
    assert acked.status == "acknowledged" and acked.assigned_officer == "tw-lan"
    assert acked.acknowledged_at - case.created_at == dt.timedelta(seconds=40)
    clock.advance(seconds=20)
    taken = store.take(case.id, "tw-lan")
    assert taken.status == "taken" and taken.taken_at == clock()
    closed = store.close(case.id, "tw-lan", reason="referred to shelter")
    assert closed.status == "closed" and closed.closed_at == clock()
    assert kinds(store, case.id) == ["created", "acknowledged", "taken", "closed"]


def test_take_straight_from_open_counts_as_acknowledged(store):
    case = open_tw(store)
    taken = store.take(case.id, "tw-lan")
    assert taken.status == "taken" and taken.acknowledged_at == taken.taken_at


def test_a_double_tapped_button_is_not_an_error_and_logs_once(store):
    case = open_tw(store)
    store.acknowledge(case.id, "tw-lan")
    assert store.acknowledge(case.id, "tw-lan").status == "acknowledged"
    store.take(case.id, "tw-lan")
    assert store.take(case.id, "tw-lan").status == "taken"
    assert store.acknowledge(case.id, "tw-lan").status == "taken"
    assert kinds(store, case.id) == ["created", "acknowledged", "taken"]


def test_invalid_transitions_say_why(store):
    case = open_tw(store)
    store.acknowledge(case.id, "tw-lan")
    with pytest.raises(InvalidTransition, match=f"cannot acknowledge case {case.number}: it is already acknowledged by tw-lan"):
        store.acknowledge(case.id, "tw-duc")
    with pytest.raises(InvalidTransition, match="reassign it before taking it"):
        store.take(case.id, "tw-duc")
    store.take(case.id, "tw-lan")
    with pytest.raises(InvalidTransition, match="already taken by tw-lan"):
        store.take(case.id, "tw-duc")
    store.close(case.id, "tw-lan")
    for move in (
        lambda: store.acknowledge(case.id, "tw-lan"),
        lambda: store.take(case.id, "tw-lan"),
        lambda: store.close(case.id, "tw-lan"),
        lambda: store.reassign(case.id, "tw-duc", "tw-lan"),
        lambda: store.raise_severity(case.id, "critical"),
        lambda: store.record_message(case.id, "in", "hello"),
    ):
        with pytest.raises(InvalidTransition, match="closed"):
            move()


def test_reassign_keeps_the_status_and_lets_the_new_officer_take(store):
    case = open_tw(store)
    store.acknowledge(case.id, "tw-lan")
    moved = store.reassign(case.id, "tw-duc", actor="tw-lan", reason="end of shift")
    assert moved.status == "acknowledged" and moved.assigned_officer == "tw-duc"
    assert store.take(case.id, "tw-duc").status == "taken"
    with pytest.raises(InvalidTransition, match="already with tw-duc"):
        store.reassign(case.id, "tw-duc", actor="admin")
    event = store.get_case(case.id).events[2]
    assert event.kind == "reassigned" and event.detail == {"from": "tw-lan", "to": "tw-duc", "reason": "end of shift"}


def test_an_unknown_case_is_not_found(store):
    with pytest.raises(CaseNotFound):
        store.acknowledge(4242, "tw-lan")
    with pytest.raises(CaseNotFound):
        store.get_case(4242)


def test_severity_only_goes_up(store):
    case = open_tw(store, severity="none")
    assert store.raise_severity(case.id, "high").severity == "high"
    assert store.raise_severity(case.id, "none").severity == "high"
    assert store.raise_severity(case.id, "critical", actor="safety_net").severity == "critical"
    events = [e for e in store.get_case(case.id).events if e.kind == "severity_changed"]
    assert [(e.detail["from"], e.detail["to"], e.actor) for e in events] == [
        ("none", "high", "bot"), ("high", "critical", "safety_net"),
    ]


# --- the audit trail -------------------------------------------------------------------------


def test_messages_and_notes_join_the_trail_in_order(store, clock):
    case = open_tw(store)
    store.record_message(case.id, "in", SECRET_TEXT)
    clock.advance(seconds=5)
    store.record_message(case.id, "out", "Chi oi, em o dau?", actor="tw-lan")
    store.add_note(case.id, "tw-lan", "called the broker")
    store.add_event(case.id, "notified", "system", {"officer": "tw-lan", "channel": "telegram"})
    found = store.get_case(case.id)
    assert [(e.kind, e.actor) for e in found.events] == [
        ("created", "bot"), ("message_in", "worker"), ("message_out", "tw-lan"),
        ("note", "tw-lan"), ("notified", "system"),
    ]
    assert found.events[1].detail == {"text": SECRET_TEXT}
    assert found.updated_at == clock()
    with pytest.raises(InvalidValue):
        store.add_event(case.id, "teleported")
    with pytest.raises(InvalidValue):
        store.record_message(case.id, "sideways", "x")


def test_reprs_hold_no_conversation_id_and_no_content(store):
    case = open_tw(store, summary=SECRET_TEXT)
    event = store.record_message(case.id, "in", SECRET_TEXT)
    for text in (repr(case), repr(event), repr(store.get_case(case.id))):
        assert PHONE not in text and SECRET_TEXT not in text


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_is_most_severe_first_then_longest_waiting(store, clock):
    high_old = store.open_case("a", "telegram", "TW", "vi", "high")
    clock.advance(minutes=1)
    critical_new = store.open_case("b", "twilio", "JP", "vi", "critical")
    clock.advance(minutes=1)
    none_old = store.open_case("c", "zalo", "TW", "vi", "none")
    clock.advance(minutes=1)
    critical_newer = store.open_case("d", "twilio", "TW", "en", "critical")
    clock.advance(minutes=1)
    high_new = store.open_case("e", "telegram", None, "vi", "high")
    queue = store.list_cases(status=["open", "acknowledged", "taken"])
    assert [c.id for c in queue] == [critical_new.id, critical_newer.id, high_old.id, high_new.id, none_old.id]
    assert critical_new.waiting(clock()) == dt.timedelta(minutes=3)


def test_the_queue_filters(store):
    tw = store.open_case("a", "telegram", "TW", "vi", "high")
    jp = store.open_case("b", "twilio", "JP", "vi", "critical")
    unknown = store.open_case("c", "zalo", None, "vi", "high")
    store.acknowledge(jp.id, "jp-nam")
    store.close(tw.id, "tw-lan")
    assert [c.id for c in store.list_cases(status="open")] == [unknown.id]
    assert [c.id for c in store.list_cases(country="tw")] == [tw.id]
    assert [c.id for c in store.list_cases(conversation_id="b")] == [jp.id]
    assert [c.id for c in store.list_cases(countries_visible=["TW", "KR"])] == [tw.id]
    # A case with no country is the desk's (countries_visible=None), never a country officer's.
    assert {c.id for c in store.list_cases()} == {tw.id, jp.id, unknown.id}
    assert store.list_cases(countries_visible=[]) == []
    with pytest.raises(InvalidValue):
        store.list_cases(status="lost")


def test_case_numbers_name_the_case(store):
    case = open_tw(store)
    assert parse_case_number(case.number) == case.id
    for spelling in (case.number, case.number.lower(), f"{case.id}", f"#{case.id}", f"tw {case.id}"):
        assert store.get_case_by_number(spelling).id == case.id
    with pytest.raises(CaseNotFound):
        store.get_case_by_number(f"JP-{case.id:04d}")
    with pytest.raises(CaseNotFound):
        store.get_case_by_number("hello")


# --- consent ---------------------------------------------------------------------------------


def test_a_declined_consent_is_logged_and_opens_nothing(store):
    record = store.record_consent(PHONE, "declined")
    assert record.decision == "declined" and record.case_id is None
    assert store.list_cases() == []
    assert [r.decision for r in store.consent_records(PHONE)] == ["declined"]


def test_consent_on_an_open_case_updates_it_and_its_trail(store):
    case = open_tw(store, severity="high")
    record = store.record_consent(PHONE, "given", method="other", contact_detail="+84900000999 after 21:00")
    assert record.case_id == case.id and record.method == "other"
    updated = store.get_case(case.id)
    assert (updated.consent, updated.contact_preference, updated.contact_detail) == ("given", "other", "+84900000999 after 21:00")
    assert updated.events[-1].kind == "consent_given" and updated.events[-1].detail == {"method": "other"}
    store.record_consent(PHONE, "declined")
    assert store.get_case(case.id).consent == "declined"
    with pytest.raises(InvalidValue):
        store.record_consent(PHONE, "maybe")


def test_imminent_danger_opens_without_asking(store):
    case = open_tw(store, consent="not_required")
    assert case.consent == "not_required"


# --- retention and erasure -------------------------------------------------------------------


def _add_notification(store, case_id, clock):
    with store.engine.begin() as connection:
        connection.execute(insert(notifications).values(
            case_id=case_id, officer="tw-lan", channel="telegram", step=0, status="sent",
            attempts=1, due_at=clock(), created_at=clock(), updated_at=clock(),
        ))


def _count(store, table):
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar()


def test_purge_deletes_old_closed_cases_with_their_transcripts_only(store, clock, caplog):
    old = open_tw(store, PHONE)
    store.record_message(old.id, "in", SECRET_TEXT)
    _add_notification(store, old.id, clock)
    store.record_consent(PHONE, "given", method="chat")
    store.close(old.id, "tw-lan")
    still_open = open_tw(store, "waiting")  # open for 100 days: never purged
    clock.advance(days=91)
    recent = open_tw(store, "recent")
    store.close(recent.id, "tw-lan")
    store.record_consent("declined-only", "declined")
    clock.advance(days=9)  # 100 days after the old case, 9 after the recent one

    with caplog.at_level(logging.INFO):
        counts = store.purge_closed_older_than(90)
    assert counts == {"cases": 1, "events": 4, "notifications": 1, "consent_records": 1}
    with pytest.raises(CaseNotFound):
        store.get_case(old.id)
    assert {c.id for c in store.list_cases()} == {still_open.id, recent.id}
    assert store.consent_records(PHONE) == []
    assert [r.decision for r in store.consent_records("declined-only")] == ["declined"]
    assert "purged 1 closed cases" in caplog.text
    assert SECRET_TEXT not in caplog.text and PHONE not in caplog.text
    assert store.purge_closed_older_than(90) == {"cases": 0, "events": 0, "notifications": 0, "consent_records": 0}


def test_purged_case_numbers_are_never_reused(store, clock):
    first = open_tw(store, "x")
    store.close(first.id, "tw-lan")
    clock.advance(days=100)
    store.purge_closed_older_than(90)
    assert open_tw(store, "y").id > first.id


def test_erasure_deletes_one_conversation_entirely(store, clock, caplog):
    first = open_tw(store)
    store.record_message(first.id, "in", SECRET_TEXT)
    store.close(first.id, "tw-lan")
    second = open_tw(store)
    store.record_consent(PHONE, "given", method="chat")
    _add_notification(store, second.id, clock)
    other = open_tw(store, "+84900000555")
    with caplog.at_level(logging.INFO):
        counts = store.erase_conversation(PHONE)
    assert counts == {"cases": 2, "events": 5, "notifications": 1, "consent_records": 1}
    assert store.list_cases(conversation_id=PHONE) == []
    assert store.consent_records(PHONE) == []
    assert [c.id for c in store.list_cases()] == [other.id]
    assert _count(store, case_events) == 1 and _count(store, consent_records) == 0
    assert PHONE not in caplog.text and SECRET_TEXT not in caplog.text
    assert "Erasure of" in caplog.text
    assert store.erase_conversation(PHONE)["cases"] == 0
