"""Escalation in the dialogue with a real case store (SQLite) and the example rota: a critical
message opens a case at once; a high one asks first; yes opens it, no is recorded and respected."""
from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet
from sqlalchemy import select

from actions.answers import ActionTakeAnswer
from actions.danger import ActionRespondToDanger
from actions.escalation import ActionEscalate
from bot.cases.schema import notifications
from tests.support.escalation import escalation_on
from tests.support.trackers import run_action as run
from tests.support.trackers import tracker as conversation

HOTLINE = "+84 981 84 84 84"
CONVERSATION = "twilio-abc123"


@pytest.fixture
def escalation(tmp_path, redis_client, redis_url, monkeypatch):
    return escalation_on(tmp_path, redis_url, monkeypatch)


def tracker(intent, slots=None, **message):
    """A worker in Taiwan writing over SMS."""
    return conversation(intent, {"country": "TW", **(slots or {})}, sender_id=CONVERSATION, metadata={"channel": "twilio"}, **message)


async def test_critical_opens_the_case_before_telling_her_an_officer_is_alerted(escalation, redis_client):
    messages, events = await run(ActionRespondToDanger(), tracker("emergency_violence", severity="critical", text="chu danh em"))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert case.severity == "critical" and case.consent == "not_required" and case.country == "TW"
    assert "Cán bộ lãnh sự trực đang được báo" in messages[0]["text"] and HOTLINE in messages[0]["text"]
    assert SlotSet("case_number", case.number) in events
    assert redis_client.get(f"helpline:case:{CONVERSATION}") == str(case.id)
    with escalation.store.engine.begin() as connection:
        first = connection.execute(select(notifications).where(notifications.c.case_id == case.id)).mappings().all()
    assert first and {row["step"] for row in first} == {0}


async def test_a_second_critical_message_joins_the_open_case(escalation):
    await run(ActionRespondToDanger(), tracker("emergency_violence", severity="critical"))
    await run(ActionRespondToDanger(), tracker("emergency_confinement", severity="critical"))
    assert len(escalation.store.list_cases(conversation_id=CONVERSATION)) == 1


async def test_high_asks_for_consent_with_three_choices_and_opens_nothing(escalation):
    messages, events = await run(ActionRespondToDanger(), tracker("abuse_passport_withheld", severity="high"))
    assert messages[1]["text"].startswith("Bạn có muốn cán bộ lãnh sự liên hệ bạn không?")
    assert [b["title"] for b in messages[1]["buttons"]] == ["Có, nhắn tin ở đây", "Có, gọi cho tôi", "Không, cảm ơn"]
    assert "gặp người" not in messages[0]["text"]  # the question replaces the "text: human" hint
    assert SlotSet("question_asked", "consent") in events
    assert escalation.store.list_cases(conversation_id=CONVERSATION) == []


async def test_yes_call_me_opens_a_case_with_consent_and_the_call_preference(escalation):
    asked = {"severity": "high", "question_asked": "consent"}
    messages, events = await run(ActionTakeAnswer(), tracker("affirm", asked, text="Có, gọi cho tôi"))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert (case.severity, case.consent, case.contact_preference) == ("high", "given", "call")
    assert case.number in messages[0]["text"] and "gọi số này" in messages[0]["text"]
    assert [r.decision for r in escalation.store.consent_records(CONVERSATION)] == ["given"]
    assert SlotSet("question_asked", None) in events
    assert not any("chưa hiểu" in m.get("text", "") for m in messages)


@pytest.mark.parametrize("answer, intent", [("1", "nlu_fallback"), ("Có, nhắn tin ở đây", "affirm"), ("dạ được ạ", "affirm"),
                                            ("ok chi", "affirm"), ("co nhan em nha", "nlu_fallback")])
async def test_consent_by_number_button_text_or_her_own_words_opens_a_chat_case(escalation, answer, intent):
    messages, _ = await run(ActionTakeAnswer(), tracker(intent, {"severity": "high", "question_asked": "consent"}, text=answer))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert (case.consent, case.contact_preference) == ("given", "chat")
    assert case.number in messages[0]["text"]


async def test_gọi_em_nhé_is_consent_to_a_call(escalation):
    await run(ActionTakeAnswer(), tracker("nlu_fallback", {"severity": "high", "question_asked": "consent"}, text="goi em nhe"))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    assert case.contact_preference == "call"


async def test_once_a_case_is_open_asking_again_says_so_and_never_asks_for_gặp_người(escalation):
    await run(ActionTakeAnswer(), tracker("affirm", {"severity": "high", "question_asked": "consent"}, text="1"))
    [case] = escalation.store.list_cases(conversation_id=CONVERSATION)
    messages, _ = await run(ActionEscalate(), tracker("request_human", {"case_number": case.number}, text="cho em gap can bo"))
    assert case.number in messages[0]["text"] and "gặp người" not in messages[0]["text"]
    assert len(escalation.store.list_cases(conversation_id=CONVERSATION)) == 1


async def test_no_is_recorded_opens_no_case_and_still_gives_referrals(escalation):
    messages, events = await run(ActionTakeAnswer(), tracker("deny", {"severity": "high", "question_asked": "consent"}, text="khong"))
    assert escalation.store.list_cases(conversation_id=CONVERSATION) == []
    assert [r.decision for r in escalation.store.consent_records(CONVERSATION)] == ["declined"]
    assert "không báo ai" in messages[0]["text"] and "1955" in messages[0]["text"]


async def test_without_escalation_asking_for_a_person_gives_the_hotline(monkeypatch):
    monkeypatch.setattr("actions.escalation.escalator", lambda: None)
    messages, _ = await run(ActionEscalate(), tracker("request_human", text="cho em gap nguoi"))
    assert HOTLINE in messages[0]["text"]


async def test_a_broken_case_store_never_claims_an_officer(escalation, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(escalation, "open", broken)
    messages, events = await run(ActionRespondToDanger(), tracker("emergency_violence", severity="critical"))
    assert "Cán bộ lãnh sự trực đang được báo" not in messages[0]["text"] and HOTLINE in messages[0]["text"]
