"""The fee checker as a form: start it, ask each question, check each answer, give the verdict.

Thin over bot/: answers are read by bot.facts.fees.answers, the verdict comes from bot.facts.fees.check and
its words from bot.facts.fees.messages and bot/replies/messages.yml. What she wrote is never logged.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.tracker_state import conversation_language
from bot.facts.fees import answers
from bot.facts.fees.messages import CHARGE_NAMES
from bot.facts.fees.occupations import occupations_for
from bot.replies.catalogue import render
from bot.understanding.text import fold, nfc

logger = logging.getLogger(__name__)

FORM = "fee_check_form"
#: The form's slots, in the order it asks them (domain.yml forms.fee_check_form).
SLOTS = (
    "fee_country",
    "fee_occupation",
    "fee_signed_on",
    "fee_months",
    "fee_salary",
    "fee_service_fee",
    "fee_brokerage_fee",
    "fee_deposit",
    "fee_other",
)
CHARGE_SLOTS = {
    "fee_service_fee": "service_fee",
    "fee_brokerage_fee": "brokerage_fee",
    "fee_deposit": "deposit",
    "fee_other": "other",
}
PROBLEM = "fee_problem"
STOPPED = "fee_check_stopped"

#: Short words that stop the form even when the classifier reads them as something else:
#: "dừng" (stop) folds to "dung" like "đúng" (yes), so only its marks tell them apart.
STOP_WORDS_MARKED = frozenset({"dừng", "dừng lại", "dừng đi", "ngừng", "ngừng lại", "thôi", "thôi ạ", "hủy", "thoát"})
STOP_WORDS_FOLDED = frozenset({
    "thoi", "thoi a", "da thoi", "dung lai", "dung lai di", "ngung lai", "huy", "huy bo", "thoat",
    "stop", "cancel", "quit", "exit", "end", "stop it",
})


def _reset_events() -> List[Dict[str, Any]]:
    return [SlotSet(slot, None) for slot in SLOTS] + [SlotSet(PROBLEM, None), SlotSet(STOPPED, None)]


def _says_stop(text: str) -> bool:
    cleaned = " ".join(nfc(text or "").lower().replace(".", " ").replace("!", " ").split())
    return cleaned in STOP_WORDS_MARKED or " ".join(fold(cleaned).split()) in STOP_WORDS_FOLDED


class ActionStartFeeCheck(Action):
    """A fresh check: what an earlier one left is cleared; the country is reused when known."""

    def name(self) -> str:
        return "action_start_fee_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        language = conversation_language(tracker.slots)
        events = _reset_events()
        country = answers.normalise_country(tracker.get_slot("country")) if tracker.get_slot("country") else None
        if country is not None and country.ok:
            events.append(SlotSet("fee_country", country.value))
        occupation = _occupation_in(tracker.latest_message)
        if occupation:
            events.append(SlotSet("fee_occupation", occupation))
        dispatcher.utter_message(text=render("fee_check_intro", language))
        return events


def _occupation_in(latest_message: Dict[str, Any]) -> Optional[str]:
    """The job her first message named, when it says which of the checker's jobs it is."""
    found = set()
    for entity in latest_message.get("entities") or []:
        if entity.get("entity") == "occupation":
            parsed = answers.parse_occupation(str(entity.get("value") or ""))
            if parsed.ok:
                found.add(parsed.value)
    return found.pop() if len(found) == 1 else None


class ValidateFeeCheckForm(FormValidationAction):
    """Reads each answer; a wrong one empties its slot and names the problem for the re-ask."""

    def name(self) -> str:
        return "validate_fee_check_form"

    def _checked(self, slot: str, parsed: answers.Answer, tracker: Tracker) -> Dict[str, Any]:
        if parsed.ok:
            return {slot: parsed.value, PROBLEM: None}
        if tracker.get_slot("requested_slot") != slot:
            return {slot: None}  # not her answer to this question (e.g. left by an earlier turn)
        return {slot: None, PROBLEM: {"key": f"fee_retry_{parsed.problem}", "slot": slot, "values": parsed.params}}

    def _stopping(self, slot: str, value: Any, tracker: Tracker) -> Optional[Dict[str, Any]]:
        if tracker.get_slot("requested_slot") == slot and isinstance(value, str) and _says_stop(value):
            return {slot: None, STOPPED: True, "requested_slot": None}
        return None

    def validate_fee_country(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if value is None:
            return {"fee_country": None}
        stop = self._stopping("fee_country", value, tracker)
        if stop:
            return stop
        checked = self._checked("fee_country", answers.normalise_country(value), tracker)
        if checked["fee_country"]:
            checked["country"] = checked["fee_country"]  # where she works: what the helpline knows of her
        return checked

    def validate_fee_occupation(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if value is None:
            return {"fee_occupation": None}
        return self._stopping("fee_occupation", value, tracker) or self._checked(
            "fee_occupation", answers.parse_occupation(str(value), tracker.get_slot("fee_country")), tracker
        )

    def validate_fee_signed_on(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if value is None:
            return {"fee_signed_on": None}
        return self._stopping("fee_signed_on", value, tracker) or self._checked(
            "fee_signed_on", answers.parse_signed_on(str(value)), tracker
        )

    def validate_fee_months(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if value is None:
            return {"fee_months": None}
        return self._stopping("fee_months", value, tracker) or self._checked(
            "fee_months", answers.parse_months(str(value)), tracker
        )

    def validate_fee_salary(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict) -> Dict[str, Any]:
        if value is None:
            return {"fee_salary": None}
        return self._stopping("fee_salary", value, tracker) or self._checked(
            "fee_salary", answers.parse_salary(str(value), tracker.get_slot("fee_country")), tracker
        )

    def _charge(self, slot: str, value: Any, tracker: Tracker) -> Dict[str, Any]:
        if value is None:
            return {slot: None}
        return self._stopping(slot, value, tracker) or self._checked(
            slot, answers.parse_charge(str(value), tracker.get_slot("fee_country")), tracker
        )

    def validate_fee_service_fee(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._charge("fee_service_fee", value, tracker)

    def validate_fee_brokerage_fee(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._charge("fee_brokerage_fee", value, tracker)

    def validate_fee_deposit(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._charge("fee_deposit", value, tracker)

    def validate_fee_other(self, value, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._charge("fee_other", value, tracker)


class _AskFee(Action):
    """Asks for one slot; after an answer it could not read, says what would do instead."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        language = conversation_language(tracker.slots)
        problem = tracker.get_slot(PROBLEM)
        if isinstance(problem, dict) and problem.get("slot") == self.slot:
            text = _retry_text(problem, self.slot, language)
        else:
            text = render(f"fee_ask_{self.slot[len('fee_'):]}", language)
        if self.slot == "fee_occupation":
            buttons = occupation_buttons(language, tracker.get_slot("fee_country"))
            dispatcher.utter_message(text=text, buttons=buttons)
        else:
            dispatcher.utter_message(text=text)
        return []


def _retry_text(problem: Dict[str, Any], slot: str, language: str) -> str:
    values = {str(k): str(v) for k, v in (problem.get("values") or {}).items()}
    if "local" in values:  # "25000 Đài tệ" in Vietnamese, "25000 TWD" in English
        values["local"] = answers.currency_word(values["local"], language)
    if slot in CHARGE_SLOTS:
        values.setdefault("charge", CHARGE_NAMES[language][CHARGE_SLOTS[slot]])
    try:
        return render(str(problem.get("key")), language, **values)
    except (KeyError, IndexError):  # a key or value this version does not know: ask plainly
        return render(f"fee_ask_{slot[len('fee_'):]}", language)


def occupation_buttons(language: str, country: Optional[str] = None) -> List[Dict[str, str]]:
    """The jobs that exist in her country, in plain words. Titles carry no number: SMS and Zalo
    number the lines themselves. Button n sends "n", which she can also type."""
    return [
        {"title": render(f"occupation_{code}", language), "payload": str(number)}
        for number, code in enumerate(occupations_for(country), start=1)
    ]


class ActionAskFeeCountry(_AskFee):
    slot = "fee_country"


class ActionAskFeeOccupation(_AskFee):
    slot = "fee_occupation"


class ActionAskFeeSignedOn(_AskFee):
    slot = "fee_signed_on"


class ActionAskFeeMonths(_AskFee):
    slot = "fee_months"


class ActionAskFeeSalary(_AskFee):
    slot = "fee_salary"


class ActionAskFeeServiceFee(_AskFee):
    slot = "fee_service_fee"


class ActionAskFeeBrokerageFee(_AskFee):
    slot = "fee_brokerage_fee"


class ActionAskFeeDeposit(_AskFee):
    slot = "fee_deposit"


class ActionAskFeeOther(_AskFee):
    slot = "fee_other"


class ActionFeeCheckResult(Action):
    """Every question answered: the verdict, the cap, the rule and its date, what to do next."""

    def name(self) -> str:
        return "action_fee_check_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        from bot.facts.fees import RequestError, check, parse_request
        from bot.facts.fees.messages import verdict_messages

        language = conversation_language(tracker.slots)
        values = {slot: tracker.get_slot(slot) for slot in SLOTS}
        if tracker.get_slot(STOPPED) or any(values[slot] is None for slot in SLOTS):
            dispatcher.utter_message(text=render("fee_check_stopped", language))
            return _reset_events()
        try:
            request = answers.build_request(
                values["fee_country"],
                values["fee_occupation"],
                values["fee_months"],
                values["fee_salary"],
                {charge: values[slot] for slot, charge in CHARGE_SLOTS.items()},
                values["fee_signed_on"],
            )
            verdict = check(parse_request(request))
        except (RequestError, ValueError, ArithmeticError) as error:
            # Only the kind of error: the values are what she wrote.
            logger.warning("fee check failed: %s", type(error).__name__)
            dispatcher.utter_message(text=render("fee_check_failed", language))
            return _reset_events()
        for text in verdict_messages(verdict, language):
            dispatcher.utter_message(text=text)
        return _reset_events()


class ActionStopFeeCheck(Action):
    """She wants to stop: say so kindly and forget the half-given answers."""

    def name(self) -> str:
        return "action_stop_fee_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(text=render("fee_check_stopped", conversation_language(tracker.slots)))
        return _reset_events()
