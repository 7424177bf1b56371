"""The case holds what happened before it opened: the session's messages, hers and the bot's,
copied into a new case's transcript once, her message that opened it marked; and the case page
shows them."""
from __future__ import annotations

import pytest

from actions.answers import ActionTakeAnswer
from actions.danger import ActionRespondToDanger
from bot.escalation.dialogue import session_history
from tests.support.escalation import escalation_on
from tests.support.trackers import run_action as run
from tests.support.trackers import tracker as conversation

CONVERSATION = "twilio-transcript-1"
OPENING = "cuu em voi, chu nhot em trong nha, danh em chay mau"


@pytest.fixture
def escalation(tmp_path, redis_client, redis_url, monkeypatch):
    return escalation_on(tmp_path, redis_url, monkeypatch)


def tracker(intent, slots=None, **message):
    return conversation(intent, {"country": "TW", **(slots or {})}, sender_id=CONVERSATION,
                        metadata={"channel": "twilio"}, **message)


def transcript(store, case_id):
    return [(e.kind, e.actor, e.detail.get("text"), bool(e.detail.get("opening")))
            for e in store.get_case(case_id).events if e.kind in ("message_in", "message_out")]


async def test_a_critical_message_opens_a_case_whose_transcript_starts_with_it(escalation):
    await run(ActionRespondToDanger(), tracker("emergency_violence", severity="critical", text=OPENING))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert transcript(escalation.store, case.id) == [("message_in", "worker", OPENING, True)]


async def test_a_case_opened_after_a_question_holds_the_session_and_marks_the_danger(escalation):
    """She told of her passport (high), was asked whether she is safe, and said she is not: the
    case holds all of it, the passport message marked as the one that opened it."""
    said = [{"event": "slot", "name": "question_asked", "value": "safe_now"},
            {"event": "bot", "text": "Chị có đang an toàn không?"},
            {"event": "user", "text": "khong an toan", "parse_data": {"intent": {"name": "deny"}, "severity": "none"}}]
    first = tracker("abuse_passport_withheld", {"severity": "high"},
                    severity="high", text="chu giu ho chieu, khong tra luong 3 thang", events=said)
    await run(ActionTakeAnswer(), first)
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert transcript(escalation.store, case.id) == [
        ("message_in", "worker", "chu giu ho chieu, khong tra luong 3 thang", True),
        ("message_out", "bot", "Chị có đang an toàn không?", False),
        ("message_in", "worker", "khong an toan", False),
    ]


async def test_a_case_joined_later_does_not_copy_the_conversation_again(escalation):
    await run(ActionRespondToDanger(), tracker("emergency_violence", severity="critical", text=OPENING))
    again = [{"event": "user", "text": "em so lam", "parse_data": {"severity": "critical"}}]
    await run(ActionRespondToDanger(), tracker("emergency_violence", severity="critical", text=OPENING, events=again))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert [text for _, _, text, _ in transcript(escalation.store, case.id)] == [OPENING]


def test_only_the_current_session_is_copied_and_a_message_without_danger_is_marked_last():
    events = [{"event": "user", "text": "old session"}, {"event": "session_started"},
              {"event": "user", "text": "xin chao", "parse_data": {"severity": "none"}},
              {"event": "bot", "text": "Chào chị"}, {"event": "slot"}, {"event": "user", "text": "  "},
              {"event": "user", "text": "giup em", "parse_data": {}}]
    assert session_history(events) == [("worker", "xin chao"), ("bot", "Chào chị"), ("opening", "giup em")]
    assert session_history([]) == []


async def test_the_case_page_shows_the_opening_message_marked(env, browser_for):
    case = env.open_case(messages=[])
    env.store.record_message(case.id, "in", OPENING, opening=True)
    env.store.record_message(case.id, "out", "Chị có đang an toàn không?")
    browser = await browser_for("lan")
    _, body = await browser.get(f"/cases/{case.id}")
    assert 'class="msg in opening"' in body and OPENING in body
    assert "Tin nhắn mở vụ việc" in body
