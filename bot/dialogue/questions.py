"""The questions with choices the helpline asks, and how her answer is read against the question
she was last asked.

She may answer with the number of a choice, the button (its payload is the choice's text), the
choice's text typed back, or the words a worker would use ("dạ được", "ok chị", "gọi em nhé",
"không cần"). All of these are read here, before any classifier's intent; the intent (affirm,
deny) is the last resort. A message that is not an answer (a new danger, a question) returns None
and the dialogue answers it as any other message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from bot.replies.catalogue import render
from bot.understanding.language import LANGUAGES
from bot.understanding.text import fold

_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")


@dataclass(frozen=True)
class Choice:
    key: str
    title: str  # a bot/replies/messages.yml key: the button's text in each language
    words: Tuple[str, ...]  # folded phrases that mean this choice, matched as whole words


@dataclass(frozen=True)
class Question:
    name: str
    text: str  # a messages.yml key
    choices: Tuple[Choice, ...]
    on_affirm: str  # the choice a plain yes means
    on_deny: str  # the choice a plain no means

    def buttons(self, language: str) -> List[Dict[str, str]]:
        # The payload is the choice's own text: what she would type, read back here.
        return [{"title": render(c.title, language), "payload": render(c.title, language)} for c in self.choices]

    def choice(self, key: str) -> Choice:
        return next(c for c in self.choices if c.key == key)


CONSENT = Question(
    "consent",
    "consent_question",
    (
        Choice("chat", "consent_chat", ("nhan tin", "nhan o day", "nhan em", "nhan cho em", "chat", "message me", "text me")),
        Choice("call", "consent_call", ("goi", "goi em", "goi dien", "dien thoai", "call", "phone", "phone me", "call me")),
        Choice("no", "consent_no", ("khong can", "ko can", "k can", "khoi", "thoi khoi", "khong muon", "no thanks", "no thank")),
    ),
    on_affirm="chat",
    on_deny="no",
)

SAFE_NOW = Question(
    "safe_now",
    "safe_now_question",
    (
        Choice("safe", "safe_now_yes", ("an toan", "em on", "e on", "on roi", "khong sao", "ko sao", "k sao", "yen tam",
                                         "safe", "i am ok", "im ok", "i'm ok", "fine")),
        Choice("unsafe", "safe_now_no", ("khong an toan", "ko an toan", "k an toan", "chua an toan", "nguy hiem", "so lam",
                                           "cuu", "giup em", "not safe", "unsafe", "help me", "danger")),
    ),
    on_affirm="safe",
    on_deny="unsafe",
)

QUESTIONS: Dict[str, Question] = {q.name: q for q in (CONSENT, SAFE_NOW)}

AFFIRM_INTENTS = ("affirm",)
DENY_INTENTS = ("deny",)


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def _titles(choice: Choice) -> List[str]:
    return [fold(render(choice.title, language)).strip(" .!") for language in LANGUAGES]


def answer_to(question: Question, text: str, intent: Optional[str] = None) -> Optional[str]:
    """The key of the choice her message picks, or None when it is not an answer."""
    number = _NUMBER.match(text or "")
    if number:
        index = int(number.group(1)) - 1
        return question.choices[index].key if 0 <= index < len(question.choices) else None
    folded = fold(text or "").strip(" .!?")
    if not folded:
        return None
    for choice in question.choices:
        if folded in _titles(choice):
            return choice.key
    # Longest phrases first, so "khong an toan" wins over "an toan".
    phrases = sorted(((p, c.key) for c in question.choices for p in c.words), key=lambda pair: -len(pair[0]))
    for phrase, key in phrases:
        if _contains(folded, phrase):
            return key
    if intent in AFFIRM_INTENTS:
        return question.on_affirm
    if intent in DENY_INTENTS:
        return question.on_deny
    return None
