"""The fee checker form's actions, offline: a tracker in, the messages and slots out."""
import logging

import pytest
import yaml
from rasa_sdk.events import SlotSet

from actions.fees import (
    SLOTS,
    ActionAskFeeCountry,
    ActionAskFeeDeposit,
    ActionAskFeeMonths,
    ActionAskFeeOccupation,
    ActionAskFeeSalary,
    ActionAskFeeServiceFee,
    ActionFeeCheckResult,
    ActionStartFeeCheck,
    ActionStopFeeCheck,
    ValidateFeeCheckForm,
)
from actions.information import ActionAnswerQuestion
from bot.understanding.intents import DANGER_INTENTS
from tests.support.trackers import run_action as run
from tests.support.trackers import tracker as conversation

with open("domain.yml", encoding="utf-8") as _file:
    DOMAIN = yaml.safe_load(_file)

FILLED = {
    "fee_country": "TW", "fee_occupation": "domestic_worker", "fee_signed_on": "2025-03-01",
    "fee_months": "36", "fee_salary": "20000 TWD",
    "fee_service_fee": "25000 TWD", "fee_brokerage_fee": "0", "fee_deposit": "0", "fee_other": "0",
}


def tracker(slots=None, text="...", intent="inform_details", entities=(), requested=None, events=()):
    """Her message; with `requested`, the fee checker form is active and asking for that slot."""
    asking = {"requested_slot": requested} if requested else {}
    return conversation(intent, {**(slots or {}), **asking}, text=text, entities=entities,
                        form="fee_check_form" if requested else None, events=events)


async def answer(slot, text, slots=None, language="vi"):
    """She answers the question for ``slot``: what the form's validation makes of it."""
    values = {"language": language, **(slots or {}), slot: text}
    events = [SlotSet(slot, text)]  # the candidate Rasa hands over
    messages, result = await run(ValidateFeeCheckForm(), tracker(values, text=text, requested=slot, events=events))
    assert messages == []  # the ask action speaks, not the validation
    return {event["name"]: event["value"] for event in result}


# --- starting -----------------------------------------------------------------------------------


async def test_starting_clears_an_earlier_check_reuses_the_country_and_says_how_to_stop():
    messages, events = await run(ActionStartFeeCheck(), tracker({"country": "TW", "fee_months": "12"}))
    assert [m["text"] for m in messages] == [
        "Mình hỏi vài câu ngắn để xem bạn đóng phí có đúng luật không. Muốn thôi, nhắn: dừng."
    ]
    assert SlotSet("fee_months", None) in events
    assert events[-1] == SlotSet("fee_country", "TW")


async def test_starting_in_english_without_a_known_country_takes_the_job_from_her_message():
    messages, events = await run(
        ActionStartFeeCheck(),
        tracker({"language": "en"}, entities=[{"entity": "occupation", "value": "domestic_worker"}]),
    )
    assert "To stop, text: stop." in messages[0]["text"]
    assert SlotSet("fee_occupation", "domestic_worker") in events
    assert not any(e["event"] == "slot" and e["name"] == "fee_country" and e["value"] for e in events)


async def test_starting_never_takes_vietnam_as_the_country_to_check():
    _, events = await run(ActionStartFeeCheck(), tracker({"country": "VN"}))
    assert not any(e["name"] == "fee_country" and e["value"] for e in events)


async def test_a_vague_job_in_her_first_message_is_asked_about_later():
    _, events = await run(ActionStartFeeCheck(), tracker(entities=[{"entity": "occupation", "value": "caregiver"}]))
    assert not any(e["name"] == "fee_occupation" and e["value"] for e in events)


# --- asking -------------------------------------------------------------------------------------


async def test_the_occupation_question_offers_the_jobs_of_her_country_numbered_once():
    [message], _ = await run(ActionAskFeeOccupation(), tracker({"fee_country": "TW"}, requested="fee_occupation"))
    assert message["text"] == "Bạn làm nghề gì? Nhắn số:"
    buttons = message["buttons"]
    assert len(buttons) == 10 and "Thực tập sinh" not in [b["title"] for b in buttons]  # Japan's only
    assert buttons[0] == {"title": "Giúp việc nhà", "payload": "1"}  # the channel numbers the lines
    assert buttons[-1] == {"title": "Việc khác", "payload": "10"}
    assert all(not b["payload"].startswith("/") for b in buttons)  # "/" is blanked: payloads are text
    [message], _ = await run(ActionAskFeeOccupation(), tracker({"language": "en", "fee_country": "KR"}, requested="fee_occupation"))
    assert message["buttons"][0] == {"title": "Factory", "payload": "1"}
    assert "Domestic work" not in [b["title"] for b in message["buttons"]]
    [message], _ = await run(ActionAskFeeOccupation(), tracker({"fee_country": "JP"}, requested="fee_occupation"))
    assert message["buttons"][0] == {"title": "Thực tập sinh", "payload": "1"}


@pytest.mark.parametrize(
    "action, vi, en",
    [
        (ActionAskFeeCountry(), "Bạn làm việc (hoặc sắp đi làm) ở nước nào?", "Which country do you work in (or are going to)?"),
        (ActionAskFeeMonths(), "Hợp đồng của bạn bao lâu? Ví dụ: 36 tháng, 3 năm.", "How long is your contract? For example: 36 months, 3 years."),
        (ActionAskFeeSalary(), "Lương mỗi tháng bao nhiêu, tiền gì?", "What is your monthly salary, and in what money?"),
        (ActionAskFeeServiceFee(), "tiền dịch vụ", "service fee"),
        (ActionAskFeeDeposit(), "tiền cọc hay tiền ký quỹ", "deposit or guarantee money"),
    ],
)
async def test_each_question_in_her_language(action, vi, en):
    [message], _ = await run(action, tracker(requested=action.slot))
    assert vi in message["text"]
    [message], _ = await run(action, tracker({"language": "en"}, requested=action.slot))
    assert en in message["text"]


async def test_after_an_answer_it_could_not_read_the_question_says_what_would_do():
    problem = {"key": "fee_retry_months_unit", "slot": "fee_months", "values": {"n": "3"}}
    [message], _ = await run(ActionAskFeeMonths(), tracker({"fee_problem": problem}, requested="fee_months"))
    assert message["text"] == "3 tháng hay 3 năm? Ví dụ: 3 năm."
    problem = {"key": "fee_retry_charge", "slot": "fee_service_fee", "values": {}}
    [message], _ = await run(ActionAskFeeServiceFee(), tracker({"fee_problem": problem, "language": "en"}, requested="fee_service_fee"))
    assert message["text"].startswith("Sorry, how much was the service fee?")
    # a problem with another question does not change this one
    [message], _ = await run(ActionAskFeeSalary(), tracker({"fee_problem": problem}, requested="fee_salary"))
    assert message["text"].startswith("Lương mỗi tháng")


async def test_a_problem_this_version_does_not_know_falls_back_to_the_plain_question():
    problem = {"key": "fee_retry_nonexistent", "slot": "fee_months", "values": {}}
    [message], _ = await run(ActionAskFeeMonths(), tracker({"fee_problem": problem}, requested="fee_months"))
    assert message["text"].startswith("Hợp đồng của bạn bao lâu?")


# --- validating ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slot, text, value",
    [
        ("fee_country", "Dai Loan", "TW"), ("fee_country", "nhat", "JP"),
        ("fee_occupation", "1", "domestic_worker"), ("fee_occupation", "lam nha may", "factory"),
        ("fee_months", "36 thang", "36"), ("fee_months", "3 nam", "36"), ("fee_months", "2 năm rưỡi", "30"),
        ("fee_salary", "1000 usd", "1000 USD"), ("fee_salary", "25000 Đài tệ", "25000 TWD"),
        ("fee_service_fee", "45tr", "45000000 VND"), ("fee_service_fee", "45 trieu", "45000000 VND"),
        ("fee_brokerage_fee", "khong co", "0"), ("fee_brokerage_fee", "0", "0"),
        ("fee_deposit", "không biết", "unknown"), ("fee_other", "ko", "0"),
        ("fee_signed_on", "15/3/2025", "2025-03-15"), ("fee_signed_on", "thang 3 nam 2025", "2025-03-01"),
        ("fee_signed_on", "không biết", "unknown"), ("fee_signed_on", "chua ky", "unknown"),
    ],
)
async def test_free_text_answers_are_understood(slot, text, value):
    slots = await answer(slot, text, {"fee_country": "TW"} if slot != "fee_country" else None)
    assert slots[slot] == value
    assert slots["fee_problem"] is None


async def test_the_country_she_names_in_the_form_is_remembered_for_the_conversation():
    slots = await answer("fee_country", "bên Hàn ạ")
    assert slots["fee_country"] == "KR" and slots["country"] == "KR"


@pytest.mark.parametrize(
    "slot, text, key",
    [
        ("fee_country", "abc", "fee_retry_country"), ("fee_country", "Việt Nam", "fee_retry_country_home"),
        ("fee_occupation", "chăm sóc người già", "fee_retry_occupation_caregiver"),
        ("fee_occupation", "13", "fee_retry_occupation"), ("fee_months", "3", "fee_retry_months_unit"),
        ("fee_months", "lâu lắm", "fee_retry_months"), ("fee_salary", "27000", "fee_retry_salary_currency"),
        ("fee_salary", "không biết", "fee_retry_salary_unknown"), ("fee_service_fee", "5000", "fee_retry_charge_currency"),
        ("fee_deposit", "nhiều lắm", "fee_retry_charge"), ("fee_signed_on", "hôm qua hôm kia", "fee_retry_signed_on"),
        ("fee_signed_on", "6/2026", "fee_retry_signed_on_day"), ("fee_signed_on", "2026", "fee_retry_signed_on_month"),
    ],
)
async def test_an_answer_it_cannot_read_empties_the_slot_and_names_the_problem(slot, text, key):
    slots = await answer(slot, text, {"fee_country": "TW"} if slot != "fee_country" else None)
    assert slots[slot] is None
    assert slots["fee_problem"]["key"] == key and slots["fee_problem"]["slot"] == slot


@pytest.mark.parametrize("text", ["dừng", "Dừng lại", "thôi", "thoi", "stop", "cancel", "hủy"])
async def test_a_stop_word_the_classifier_missed_still_ends_the_form(text):
    slots = await answer("fee_months", text)
    assert slots["requested_slot"] is None and slots["fee_check_stopped"] is True
    assert slots["fee_months"] is None


async def test_dung_without_marks_is_not_a_stop_word_since_it_may_mean_yes():
    slots = await answer("fee_deposit", "dung")
    assert "fee_check_stopped" not in slots


async def test_a_value_left_from_before_is_checked_quietly():
    # At activation the form validates what ActionStartFeeCheck prefilled: no problem is raised.
    events = [SlotSet("fee_country", "VN")]
    _, result = await run(ValidateFeeCheckForm(), tracker({"fee_country": "VN"}, events=events))
    assert {e["name"]: e["value"] for e in result} == {"fee_country": None}


# --- the verdict --------------------------------------------------------------------------------


async def test_the_verdict_over_the_cap_cites_the_rule_and_says_what_to_do_then_forgets_the_answers():
    messages, events = await run(ActionFeeCheckResult(), tracker(FILLED))
    found, next_step = (m["text"] for m in messages)
    assert found.startswith("Bạn hỏi là đúng: tiền dịch vụ vượt mức cho phép, tối đa 20.000 TWD")
    assert "kiểm tra 06/12/2026" in found and "Thông tư 21/2021" in found
    assert "15/05/2024" not in found  # the circular's start date is never shown as a check
    assert next_step.startswith("Đừng trả thêm.")
    assert all(SlotSet(slot, None) in events for slot in SLOTS)


async def test_the_verdict_in_english_for_a_prohibited_brokerage_fee():
    slots = {**FILLED, "language": "en", "fee_service_fee": "10000 TWD", "fee_brokerage_fee": "1500 USD"}
    messages, _ = await run(ActionFeeCheckResult(), tracker(slots))
    found, next_step = (m["text"] for m in messages)
    assert "the law does not allow a brokerage fee" in found and "Law 69/2020 Art. 7(8)" in found
    assert "checked 6 Dec 2026" in found and "1 Jan 2022" not in found
    assert next_step.startswith("Do not pay it.")


async def test_a_charge_in_dong_against_a_salary_in_taiwan_dollars_is_compared_about_at_a_dated_rate():
    slots = {**FILLED, "fee_service_fee": "45000000 VND"}  # about 59,875 TWD: far over 20,000
    messages, _ = await run(ActionFeeCheckResult(), tracker(slots))
    text = messages[0]["text"]
    assert text.startswith("Bạn hỏi là đúng: tiền dịch vụ vượt mức cho phép, tối đa 20.000 TWD")
    assert "khoảng" in text and "tỷ giá ngày 11/04/2024" in text
    slots = {**FILLED, "fee_service_fee": "1500 USD"}  # no reference rate for dollars: cannot tell
    messages, _ = await run(ActionFeeCheckResult(), tracker(slots))
    assert messages[0]["text"].startswith("Mình chưa chắc: phí và lương khác loại tiền")


async def test_charges_she_does_not_know_are_left_out_and_the_rest_judged():
    slots = {**FILLED, "fee_service_fee": "unknown", "fee_brokerage_fee": "unknown", "fee_deposit": "unknown"}
    messages, _ = await run(ActionFeeCheckResult(), tracker(slots))
    assert messages[0]["text"].startswith("Các khoản bạn kể có vẻ đúng luật.")


async def test_a_stopped_or_unfinished_form_gives_no_verdict():
    messages, events = await run(ActionFeeCheckResult(), tracker({**FILLED, "fee_check_stopped": True}))
    assert [m["text"] for m in messages] == ["Mình dừng rồi. Cần gì bạn cứ nhắn, bất cứ lúc nào."]
    assert SlotSet("fee_check_stopped", None) in events
    messages, _ = await run(ActionFeeCheckResult(), tracker({**FILLED, "fee_other": None}))
    assert len(messages) == 1 and "dừng" in messages[0]["text"]


async def test_a_broken_value_never_crashes_and_never_logs_what_she_wrote(caplog):
    slots = {**FILLED, "fee_salary": "lots of money SECRET-WORDS"}
    with caplog.at_level(logging.DEBUG):
        messages, _ = await run(ActionFeeCheckResult(), tracker(slots))
    assert messages[0]["text"].startswith("Xin lỗi, mình chưa kiểm tra được.")
    assert "SECRET-WORDS" not in caplog.text


async def test_stopping_says_so_kindly_and_forgets_the_answers():
    messages, events = await run(ActionStopFeeCheck(), tracker({**FILLED, "language": "en"}))
    assert [m["text"] for m in messages] == ["Stopped. Text me any time you need help."]
    assert all(SlotSet(slot, None) in events for slot in SLOTS)


# --- the FAQ points to the checker --------------------------------------------------------------


async def test_a_question_about_legal_fees_offers_the_checker():
    messages, _ = await run(ActionAnswerQuestion(), tracker(intent="info_fees"))
    text = messages[0]["text"]
    assert "Luật 69/2020 Điều 23(4)(a), kiểm tra 06/12/2026" in text and text.endswith("nhắn: kiểm tra phí.")
    assert "01/01/2022" not in text  # the Law's start date is not a check date
    messages, _ = await run(ActionAnswerQuestion(), tracker({"language": "en"}, intent="info_deposit"))
    assert "check fees" not in messages[0]["text"] and "may have changed" in messages[0]["text"]


# --- the domain keeps danger out of the form's answers --------------------------------------------


def test_no_danger_intent_is_ever_taken_as_an_answer_to_the_form():
    for slot in SLOTS:
        [mapping] = DOMAIN["slots"][slot]["mappings"]
        assert mapping["type"] == "from_text"
        assert set(DANGER_INTENTS) | {"stop", "request_human"} <= set(mapping["not_intent"]), slot
        assert mapping["conditions"] == [{"active_loop": "fee_check_form", "requested_slot": slot}]
    assert DOMAIN["forms"]["fee_check_form"]["required_slots"] == list(SLOTS)


def test_every_form_question_and_re_ask_exists_in_both_languages():
    from bot.replies.catalogue import catalogue

    messages = catalogue()
    for slot in SLOTS:
        assert f"fee_ask_{slot[len('fee_'):]}" in messages
        assert f"action_ask_{slot}" in DOMAIN["actions"]
    for problem in ("country", "country_home", "occupation", "occupation_caregiver", "occupation_fishing",
                    "months", "months_unit", "salary", "salary_unknown", "salary_currency", "charge",
                    "charge_currency", "signed_on", "signed_on_month", "signed_on_day"):
        assert f"fee_retry_{problem}" in messages


async def test_asking_for_the_currency_names_the_local_money_in_her_words():
    problem = {"key": "fee_retry_salary_currency", "slot": "fee_salary", "values": {"amount": "25000", "local": "TWD"}}
    [message], _ = await run(ActionAskFeeSalary(), tracker({"fee_problem": problem}, requested="fee_salary"))
    assert message["text"] == "25000 là tiền gì? Ví dụ: 25000 Đài tệ hay 25000 usd."
    [message], _ = await run(ActionAskFeeSalary(), tracker({"fee_problem": problem, "language": "en"}, requested="fee_salary"))
    assert message["text"] == "25000 in what money? For example: 25000 TWD or 25000 USD."


def test_every_danger_intent_interrupts_the_fee_checker_with_the_danger_reply():
    with open("data/rules/fees.yml", encoding="utf-8") as file:
        rules = yaml.safe_load(file)["rules"]
    [rule] = [r for r in rules if r.get("condition") == [{"active_loop": "fee_check_form"}]
              and r["steps"][-3:-1] == [{"action": "action_respond_to_danger"}, {"action": "action_deactivate_loop"}]]
    assert {step["intent"] for step in rule["steps"][0]["or"]} == set(DANGER_INTENTS)
