"""The danger and question actions, offline: a tracker in, the reply and the slots out."""
import pytest
from rasa_sdk.events import SlotSet

from actions.danger import ActionRespondToDanger
from actions.information import ActionCountryGiven, ActionGiveContacts
from tests.support.trackers import run_action, tracker

HOTLINE = "+84 981 84 84 84"


async def run(action, tracker_):
    """The texts the action sent, and its events."""
    messages, events = await run_action(action, tracker_)
    return [m["text"] for m in messages], events


async def test_critical_with_a_known_country_gives_its_emergency_number_and_the_hotline_first_thing():
    [text], events = await run(ActionRespondToDanger(), tracker("emergency_violence", {"country": "TW"}, severity="critical"))
    assert "Cảnh sát 110" in text and HOTLINE in text
    assert "nước nào" not in text  # no question about the country she already gave
    assert SlotSet("escalation_needed", "critical") in events
    assert SlotSet("severity", "critical") in events
    assert SlotSet("awaiting_country", False) in events


async def test_critical_without_a_country_gives_the_hotline_and_asks_where_she_is():
    [text], events = await run(ActionRespondToDanger(), tracker("emergency_confinement", severity="critical"))
    assert HOTLINE in text and text.endswith("Bạn đang ở nước nào?")
    assert SlotSet("awaiting_country", True) in events


async def test_critical_never_claims_an_officer_is_coming_without_escalation(monkeypatch):
    monkeypatch.setattr("actions.danger.escalator", lambda: None)
    [text], _ = await run(ActionRespondToDanger(), tracker("emergency_violence", {"country": "JP"}, severity="critical"))
    assert "Cán bộ lãnh sự trực đang được báo" not in text


async def test_high_acknowledges_gives_the_best_service_and_offers_a_human_in_english():
    [text], events = await run(
        ActionRespondToDanger(), tracker("abuse_unpaid_wages", {"country": "TW", "language": "en"}, severity="high")
    )
    assert text.startswith("I'm sorry this is happening")
    assert "1955" in text and "text: human" in text
    assert SlotSet("escalation_needed", "high") in events


async def test_an_unsure_critical_reading_asks_one_question_whether_she_is_safe():
    [text], _ = await run(
        ActionRespondToDanger(), tracker("emergency_sexual_assault", {"country": "SA"}, severity="critical", uncertain=True)
    )
    assert text.count("?") == 1 and "an toàn" in text


async def test_severity_only_goes_up_in_a_conversation():
    _, events = await run(ActionRespondToDanger(), tracker("abuse_threats", {"severity": "critical", "country": "KR"}, severity="high"))
    assert SlotSet("severity", "critical") in events


async def test_after_a_critical_message_her_country_brings_its_emergency_numbers():
    slots = {"country": "MY", "awaiting_country": True, "escalation_needed": "critical", "danger_intent": "emergency_violence"}
    [text], events = await run(ActionCountryGiven(), tracker("inform_country", slots))
    assert "999" in text and HOTLINE in text
    assert SlotSet("awaiting_country", False) in events


async def test_a_country_given_out_of_the_blue_is_acknowledged():
    [text], _ = await run(ActionCountryGiven(), tracker("inform_country", {"country": "JP"}))
    assert "Nhật Bản" in text


@pytest.mark.parametrize("language, phrase", [("vi", "Số cần biết ở Hàn Quốc"), ("en", "Numbers to know in South Korea")])
async def test_contacts_for_a_known_country(language, phrase):
    [text], _ = await run(ActionGiveContacts(), tracker("info_contacts", {"country": "KR", "language": language}))
    assert text.startswith(phrase) and HOTLINE in text


async def test_contacts_without_a_country_give_the_hotline_and_ask():
    [text], events = await run(ActionGiveContacts(), tracker("info_contacts"))
    assert HOTLINE in text and "nước nào" in text
    assert SlotSet("awaiting_country", True) in events
