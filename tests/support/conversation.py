"""Conversations as data (tests/conversations/*.yml), and how a test talks them through a running
Stack: over a provider's signed webhook (what the fake provider was asked to send comes back)
or over the REST channel (the HTTP answer). tests/support/conversation_checks.py says what she
must have got; tests/e2e/test_conversations.py runs them. The format: tests/conversations/README.md.
"""
from __future__ import annotations

import json
import unicodedata
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import yaml

from tests.support.stack import Stack, worker_address
from tests.support.waiting import wait_until

CHANNELS = ("sms", "telegram", "zalo", "rest")
PROVIDER = {"sms": "twilio", "telegram": "telegram", "zalo": "zalo"}
SCENARIO_KEYS = {"id", "situation", "channels", "turns", "expect", "known_gap"}
TURN_KEYS = {"say", "press", "fill", "officer", "expect"}
KINDS = ("say", "press", "fill", "officer")
MAX_FILL_ANSWERS = 15
EXPECT_KEYS = {
    "case", "numbers", "numbers_any", "no_numbers", "says_any", "says_all", "never_says", "language", "encoding",
    "silent", "choices", "mentions_case", "allow_not_understood",
}
CASE_KEYS = {
    "opened", "severity", "severity_not", "country", "contact", "contact_not", "contact_detail_any",
    "consent", "status", "withdrawn", "alerted",
}


class ScenarioError(ValueError):
    """A conversation file that does not follow tests/conversations/README.md."""


@dataclass(frozen=True)
class Turn:
    say: Optional[str]  # what she types
    press: Optional[int]  # or the button she presses, counted from 1
    expect: Dict[str, Any]
    # or a form she fills in: [phrase of a question, her answer], in the order to try them
    fill: List[List[str]] = field(default_factory=list)
    officer: Optional[str] = None  # or what the duty officer writes to her from the console

    @property
    def shown(self) -> str:
        if self.officer is not None:
            return f"[the officer writes from the console] {self.officer}"
        if self.fill:
            return "[answers each question: " + "; ".join(f"{q} -> {a}" for q, a in self.fill) + "]"
        return self.say if self.say is not None else f"[button {self.press}]"


@dataclass(frozen=True)
class Scenario:
    id: str
    situation: str
    channels: List[str]
    turns: List[Turn]
    expect: Dict[str, Any]
    known_gap: Dict[str, str]  # channel -> what is missing
    source: str


@dataclass
class Reply:
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)


def _check_expect(expect: Any, where: str) -> Dict[str, Any]:
    if expect is None:
        return {}
    if not isinstance(expect, dict) or set(expect) - EXPECT_KEYS:
        raise ScenarioError(f"{where}: expect takes {sorted(EXPECT_KEYS)}, not {expect!r}")
    case = expect.get("case")
    if case is not None and (not isinstance(case, dict) or set(case) - CASE_KEYS):
        raise ScenarioError(f"{where}: case takes {sorted(CASE_KEYS)}, not {case!r}")
    return expect


def _scenario(raw: Dict[str, Any], source: str) -> Scenario:
    where = f"{source}: {raw.get('id', '?')}"
    if not isinstance(raw, dict) or set(raw) - SCENARIO_KEYS or not {"id", "situation", "channels", "turns"} <= set(raw):
        raise ScenarioError(f"{where}: a conversation has id, situation, channels, turns (and expect, known_gap)")
    channels = list(raw["channels"])
    if not channels or set(channels) - set(CHANNELS):
        raise ScenarioError(f"{where}: channels are some of {CHANNELS}")
    turns = []
    for index, turn in enumerate(raw["turns"], start=1):
        if not isinstance(turn, dict) or set(turn) - TURN_KEYS or len(set(KINDS) & set(turn)) != 1:
            raise ScenarioError(f"{where}, turn {index}: a turn has one of {', '.join(KINDS)}, and expect")
        if "officer" in turn and "rest" in channels:
            raise ScenarioError(f"{where}, turn {index}: an officer's reply goes out over her channel; REST has none")
        say, fill = turn.get("say"), turn.get("fill") or []
        if say is not None and not isinstance(say, str):
            raise ScenarioError(f"{where}, turn {index}: say takes text; quote it")
        if not all(isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair) for pair in fill):
            raise ScenarioError(f"{where}, turn {index}: fill takes [question phrase, answer] pairs, quoted")
        turns.append(Turn(say, turn.get("press"), _check_expect(turn.get("expect"), f"{where}, turn {index}"), fill, turn.get("officer")))
    gap = raw.get("known_gap") or {}
    if isinstance(gap, str):
        gap = {channel: gap for channel in channels}
    if set(gap) - set(channels) or not all(isinstance(text, str) and text.strip() for text in gap.values()):
        raise ScenarioError(f"{where}: known_gap is one line, or one line per channel of the conversation")
    return Scenario(str(raw["id"]), str(raw["situation"]), channels, turns,
                    _check_expect(raw.get("expect"), where), dict(gap), source)


def load_scenarios(directory: Path) -> List[Scenario]:
    """Every conversation of every *.yml under `directory`; ids are unique."""
    scenarios: List[Scenario] = []
    for path in sorted(directory.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        scenarios += [_scenario(raw, path.name) for raw in document.get("conversations", [])]
    ids = [scenario.id for scenario in scenarios]
    duplicates = sorted({one for one in ids if ids.count(one) > 1})
    if duplicates:
        raise ScenarioError(f"conversation ids used twice: {duplicates}")
    return scenarios


# --- talking --------------------------------------------------------------------------------


class Talker:
    """One worker on one channel, with an address of her own for this conversation."""

    channel: str

    def send(self, text: str) -> List[Reply]:
        raise NotImplementedError

    def press(self, number: int) -> List[Reply]:
        raise NotImplementedError

    def conversation_id(self) -> str:
        raise NotImplementedError


class ProviderTalker(Talker):
    """SMS, Telegram or Zalo: a signed webhook in; the turn is over once the channel has handled
    and answered everything it accepted (the stack's inbox and outbox are empty)."""

    def __init__(self, stack: Stack, channel: str, tag: str) -> None:
        self.stack, self.channel, self.provider = stack, channel, PROVIDER[channel]
        self.address = worker_address(self.provider, tag)
        self.tag = tag
        self.count = 0

    def sent(self) -> List[Reply]:
        """What the fake provider was asked to send her, with Telegram's buttons."""
        return [Reply(str(m["text"]), telegram_buttons(m.get("extra") or {}))
                for m in self.stack.fake.sent(self.provider) if str(m["to"]) == self.address]

    def turn(self, post: Callable[[str], int]) -> List[Reply]:
        """Whatever `post(message_id)` makes happen (a webhook, an officer's reply), and what
        she was sent once the channel has handled everything it had."""
        return self._turn(post)

    def _turn(self, post) -> List[Reply]:
        before = len(self.sent())
        self.count += 1
        status = post(f"{self.tag}-{self.count}")
        assert status == 200, f"the {self.channel} webhook answered {status}"
        wait_until(lambda: self.stack.answered(self.provider))
        return self.sent()[before:]

    def send(self, text: str) -> List[Reply]:
        return self._turn(lambda message_id: self.stack.post(self.stack.webhook(self.provider, self.address, text, message_id)))

    def press(self, number: int) -> List[Reply]:
        if self.channel != "telegram":  # a button on SMS and Zalo is a numbered line: she types the number
            return self.send(str(number))
        return self._turn(lambda message_id: self.stack.post(telegram_button(self.stack, self.address, number - 1, message_id)))

    def conversation_id(self) -> str:
        return self.stack.conversation_id(self.provider, self.address)


def telegram_buttons(extra: Dict[str, Any]) -> List[Dict[str, str]]:
    markup = extra.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    rows = (markup or {}).get("inline_keyboard") or []
    return [{"title": str(button.get("text")), "payload": str(button.get("callback_data"))} for row in rows for button in row]


def telegram_button(stack: Stack, chat_id: str, index: int, message_id: str):
    """The Update Telegram sends when she presses the `index`-th button (callback data c<index>)."""
    update_id = zlib.crc32(("button" + message_id).encode())  # Telegram's id, deduplicated on
    update = {
        "update_id": update_id,
        "callback_query": {
            "id": f"cb{update_id}", "from": {"id": int(chat_id), "is_bot": False, "first_name": "Lan"},
            "chat_instance": "1", "data": f"c{index}",
            "message": {"message_id": 7, "date": 0, "chat": {"id": int(chat_id), "type": "private"}, "text": "..."},
        },
    }
    secret = stack.settings.telegram_webhook_secret.get_secret_value()
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
    return "/webhooks/telegram/webhook", json.dumps(update).encode(), headers


class RestTalker(Talker):
    """The REST channel: the replies are the HTTP answer; a button press sends its payload."""

    channel = "rest"

    def __init__(self, stack: Stack, tag: str) -> None:
        self.stack = stack
        self.sender = f"conv-{tag}"
        self.buttons: List[Dict[str, str]] = []

    def send(self, text: str) -> List[Reply]:
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        request = urllib.request.Request(self.stack.base_url + "/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise AssertionError(f"the REST channel answered {error.code}") from None
        replies = [Reply(str(one.get("text") or ""), list(one.get("buttons") or [])) for one in answer]
        offered = [reply.buttons for reply in replies if reply.buttons]
        if offered:
            self.buttons = offered[-1]
        return replies

    def press(self, number: int) -> List[Reply]:
        assert 0 < number <= len(self.buttons), f"no button {number} was offered: {self.buttons}"
        button = self.buttons[number - 1]
        return self.send(str(button.get("payload") or button.get("title")))

    def conversation_id(self) -> str:
        return self.sender


def fold(text: str) -> str:
    """Lower case, without diacritics, đ as d: how a GSM-7 reply and her unaccented texts read."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def fill_in(worker: Talker, answers: List[List[str]], asked: List[Reply]) -> List[Tuple[str, List[Reply]]]:
    """Answers each question of a form (the last reply before her answer) with the answer of its
    first matching phrase, until a reply matches none: robust to the order of the questions.
    Each answer with the replies it got."""
    steps: List[Tuple[str, List[Reply]]] = []
    for _ in range(MAX_FILL_ANSWERS):
        question = fold(asked[-1].text) if asked else ""
        answer = next((a for phrase, a in answers if fold(phrase) in question), None)
        if answer is None:
            return steps
        asked = worker.send(answer)
        steps.append((answer, asked))
    raise AssertionError(f"the form asked more than {MAX_FILL_ANSWERS} questions")


def talker(stack: Stack, channel: str, tag: str) -> Talker:
    return RestTalker(stack, tag) if channel == "rest" else ProviderTalker(stack, channel, tag)
