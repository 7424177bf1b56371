"""The conversation's moves: her answer read against the question asked last, the one question
("are you safe now?") both ways, her terms for contact, the case following the conversation."""
from __future__ import annotations

import datetime as dt

import pytest
from rasa_sdk.events import SlotSet

from actions.answers import ActionTakeAnswer
from actions.contact_terms import ActionContactTerms
from actions.danger import ActionRespondToDanger
from bot.dialogue.contact_terms import read_terms
from bot.dialogue.pending import question_pending
from bot.dialogue.policy import next_action
from bot.dialogue.questions import CONSENT, SAFE_NOW, answer_to
from bot.escalation.follow_up import follow_message
from channels.contact_hold import Hold
from tests.support.escalation import escalation_on
from tests.support.trackers import run_action as run
from tests.support.trackers import tracker as conversation

CONVERSATION = "twilio-def456"


@pytest.fixture
def escalation(tmp_path, redis_client, redis_url, monkeypatch):
    return escalation_on(tmp_path, redis_url, monkeypatch)


def tracker(intent, slots=None, **message):
    return conversation(intent, {"country": "TW", **(slots or {})}, sender_id=CONVERSATION, metadata={"channel": "twilio"}, **message)


# --- her answer, read against the question ---------------------------------------------------

@pytest.mark.parametrize("text, intent, expected", [
    ("1", None, "chat"), ("2.", None, "call"), ("3", None, "no"), ("4", None, None),
    ("Có, nhắn tin ở đây", None, "chat"), ("co, goi cho toi", None, "call"), ("Không, cảm ơn", None, "no"),
    ("dạ được", "affirm", "chat"), ("gọi em nhé", None, "call"), ("không cần đâu chị", None, "no"),
    ("em muốn hỏi về phí", "info_fees", None),
])
def test_consent_answers(text, intent, expected):
    assert answer_to(CONSENT, text, intent) == expected


@pytest.mark.parametrize("text, intent, expected", [
    ("1", None, "safe"), ("2", None, "unsafe"), ("em an toàn rồi", None, "safe"), ("khong an toan", None, "unsafe"),
    ("dạ không sao", None, "safe"), ("có", "affirm", "safe"), ("không", "deny", "unsafe"), ("I'm ok now", None, "safe"),
])
def test_safe_now_answers(text, intent, expected):
    assert answer_to(SAFE_NOW, text, intent) == expected


def test_only_the_question_asked_in_the_last_turn_is_pending():
    asked = [{"event": "user", "text": "chu giu ho chieu"}, {"event": "slot", "name": "question_asked", "value": "consent"},
             {"event": "user", "text": "1"}]
    assert question_pending(asked) == "consent"
    later = asked + [{"event": "slot", "name": "question_asked", "value": None}, {"event": "user", "text": "1"}]
    assert question_pending(later) is None
    assert question_pending(asked[:1] + [{"event": "user", "text": "hello"}, {"event": "user", "text": "1"}]) is None


def test_the_policy_takes_an_answer_but_never_a_critical_message():
    events = [{"event": "user"}, {"event": "slot", "name": "question_asked", "value": "consent"}, {"event": "user"}]
    assert next_action(events, "action_listen", "1", None, "none") == "action_take_answer"
    assert next_action(events, "action_listen", "nó đang đánh em, cứu", "emergency_violence", "critical") is None
    assert next_action(events, "action_listen", "em ở Đài Loan", "inform_country", "none") is None
    assert next_action(events, "action_take_answer", "1", None, "none") == "action_listen"


# --- the one question, both ways -------------------------------------------------------------

async def test_an_uncertain_danger_asks_one_question_with_the_hotline_and_pages_no_one(escalation):
    messages, events = await run(ActionRespondToDanger(), tracker("abuse_threats", severity="high", uncertain=True,
                                                                    text="hồi trước chủ cũ có đánh em"))
    assert len(messages) == 1 and "an toàn không" in messages[0]["text"] and "+84 981 84 84 84" in messages[0]["text"]
    assert [b["title"] for b in messages[0]["buttons"]] == ["Em an toàn", "Không an toàn"]
    assert SlotSet("question_asked", "safe_now") in events
    assert escalation.store.list_cases(conversation_id=CONVERSATION) == []


async def test_safe_now_pages_no_one(escalation):
    messages, events = await run(ActionTakeAnswer(), tracker("affirm", {"question_asked": "safe_now"}, text="dạ em an toàn"))
    assert escalation.store.list_cases(conversation_id=CONVERSATION) == []
    assert "mừng" in messages[0]["text"]
    assert not any(e.get("name") == "severity" and e.get("value") == "critical" for e in events)


async def test_not_safe_opens_a_critical_case_and_tells_her(escalation):
    messages, events = await run(ActionTakeAnswer(), tracker("deny", {"question_asked": "safe_now"}, text="khong an toan"))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert (case.severity, case.consent) == ("critical", "not_required")
    assert case.number in messages[0]["text"]
    assert SlotSet("severity", "critical") in events


# --- her terms -------------------------------------------------------------------------------

def test_her_terms_are_read_as_she_writes_them():
    assert read_terms("gọi em sau 9h tối nhé").after == 21 * 60
    assert read_terms("call me after 10pm").after == 22 * 60
    assert read_terms("chi nhan zalo thoi dung goi").channel == "zalo"
    assert read_terms("chi nhan zalo thoi dung goi").no_calls
    assert read_terms("đừng nhắn lại", hold=True).preference == "hold"


async def test_dont_text_me_back_holds_officer_messages_and_flags_the_case(escalation, redis_client):
    await run(ActionRespondToDanger(), tracker("emergency_violence", severity="critical"))
    messages, _ = await run(ActionContactTerms(), tracker("contact_hold", text="đừng nhắn lại cho em, em sẽ nhắn khi nào an toàn"))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert case.contact_preference == "hold"
    assert "contact_terms" in [e.kind for e in escalation.store.get_case(case.id).events]
    hold = Hold.load(redis_client.get(f"helpline:contact-hold:{CONVERSATION}"))
    assert hold.until_she_writes and hold.wait_seconds(dt.datetime.now(dt.timezone.utc)) > 0
    assert "không nhắn" in messages[0]["text"]


async def test_a_safe_hour_holds_officer_messages_until_then_in_her_time_zone(escalation, redis_client):
    await run(ActionRespondToDanger(), tracker("emergency_violence", severity="critical"))
    await run(ActionContactTerms(), tracker("contact_later", text="gọi em sau 9h tối, lúc đó chủ ngủ rồi"))
    hold = Hold.load(redis_client.get(f"helpline:contact-hold:{CONVERSATION}"))
    assert hold.time_zone == "Asia/Taipei"
    noon_in_taipei = dt.datetime(2026, 12, 6, 4, 0, tzinfo=dt.timezone.utc)
    assert hold.wait_seconds(noon_in_taipei) == 9 * 3600
    assert hold.wait_seconds(dt.datetime(2026, 12, 6, 13, 30, tzinfo=dt.timezone.utc)) == 0
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert "21:00" in (case.contact_detail or "")


async def test_withdrawn_consent_closes_the_case(escalation):
    await run(ActionTakeAnswer(), tracker("affirm", {"severity": "high", "question_asked": "consent"}, text="1"))
    messages, events = await run(ActionContactTerms(), tracker("withdraw_consent", text="thôi, em sợ công ty biết, hủy giúp em"))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert case.status == "closed" and case.consent == "withdrawn"
    assert SlotSet("case_number", None) in events and "hủy" in messages[0]["text"]


# --- the case follows the conversation -------------------------------------------------------

async def test_a_country_named_after_the_case_opened_moves_the_case_and_its_alerts(escalation):
    await run(ActionRespondToDanger(), conversation("emergency_violence", {}, sender_id=CONVERSATION,
                                                     metadata={"channel": "twilio"}, severity="critical"))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert case.country is None
    follow_message(escalation.store, escalation.rota, case.id, "em đang ở Đài Loan, chủ khóa cửa rồi")
    moved = escalation.store.get_case(case.id)
    assert moved.country == "TW"
    assert "details_changed" in [e.kind for e in moved.events]
    assert follow_message(escalation.store, escalation.rota, case.id, "em muốn về Việt Nam") is None


# --- replies for her situation ---------------------------------------------------------------

async def test_a_friend_reporting_a_ransom_gets_111_the_embassy_and_never_pay_alone(escalation):
    text = "ban gai e bi lua sang campuchia lam lua dao online, bon no doi 10 nghin do moi tha, e dang o viet nam"
    messages, _ = await run(ActionRespondToDanger(), conversation("emergency_someone_else", {"country": "KH"}, sender_id=CONVERSATION,
                                                                  metadata={"channel": "twilio"}, severity="critical", text=text))
    reply = messages[0]["text"]
    assert "111" in reply and "+855" in reply and "tiền chuộc" in reply
    assert "Bạn đang gặp nguy hiểm" not in reply


async def test_suicidal_thoughts_are_acknowledged_and_she_is_asked_whether_she_is_safe(escalation):
    messages, events = await run(ActionRespondToDanger(), tracker("emergency_suicidal", severity="critical", text="e ko muon song nua"))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert "an toàn không" in messages[0]["text"] and case.number in messages[0]["text"]
    assert SlotSet("question_asked", "safe_now") in events
    assert "Gọi ngay:\n" not in messages[0]["text"]  # not the generic numbers block


async def test_danger_told_again_with_a_case_open_says_the_case_is_open_not_the_same_block(escalation):
    first, _ = await run(ActionRespondToDanger(), tracker("emergency_violence", severity="critical", text="chu danh e"))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    again, _ = await run(ActionRespondToDanger(), tracker("emergency_violence", {"case_number": case.number}, severity="critical"))
    assert case.number in again[0]["text"] and again[0]["text"] != first[0]["text"]


def test_with_a_case_open_a_greeting_gets_where_the_case_stands():
    events = [{"event": "user", "text": "alo"}]
    assert next_action(events, "action_listen", "co ai doc tin nhan cua e ko", "greet", "none", case_open=True) == "action_case_status"
    assert next_action(events, "action_listen", "chào chị", "greet", "none", case_open=False) is None


def test_are_you_safe_is_asked_only_when_critical_is_the_likelier_danger():
    from bot.understanding.severity_model import SeverityEstimate, Thresholds
    from bot.understanding.triage import assess

    lines = Thresholds(page=0.5, ask=0.1, danger=0.3, familiar=0.1)
    wages = [{"name": "abuse_unpaid_wages", "confidence": 0.7}, {"name": "emergency_violence", "confidence": 0.2}]
    assert not assess("...", "abuse_unpaid_wages", 0.7, wages, SeverityEstimate(0.1, 0.7, 0.2, 0.7, lines)).uncertain
    assert assess("...", "abuse_unpaid_wages", 0.7, wages, SeverityEstimate(0.3, 0.3, 0.4, 0.7, lines)).uncertain


def test_after_danger_what_should_i_do_gets_the_next_steps_with_numbers():
    events = [{"event": "user", "text": "vo em mat lien lac 6 thang o a rap"}, {"event": "user", "text": "e phai lam sao chi"}]
    assert next_action(events, "action_listen", "e phai lam sao chi", "info_licence_check", "none", "critical") == "action_next_steps"
    assert next_action(events, "action_listen", "e phai lam sao chi", "info_licence_check", "none", "none") is None


async def test_the_next_steps_for_a_missing_wife_name_111_and_the_embassy():
    from actions.next_steps import ActionNextSteps

    messages, _ = await run(ActionNextSteps(), conversation("info_licence_check", {"country": "SA", "danger_intent": "emergency_someone_else"},
                                                         text="e phai lam sao chi"))
    assert "111" in messages[0]["text"] and "+966" in messages[0]["text"] and "Không tự trả tiền" in messages[0]["text"]


def test_the_policy_reads_a_bounded_tail_of_a_long_conversation():
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered

    from bot.dialogue.policy import latest_events

    long = [UserUttered(f"tin {n}") for n in range(300)]
    asked = long + [SlotSet("question_asked", "consent"), ActionExecuted("action_listen"), UserUttered("1")]
    tail = latest_events(asked)
    assert len(tail) <= 8 and tail[-1]["text"] == "1"
    assert next_action(tail, "action_listen", "1", None, "none") == "action_take_answer"
