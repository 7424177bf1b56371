"""What every connector does to untrusted input before Rasa sees it.

Rasa's NLU normaliser blanks a leading "/" (the "/intent{...}" shortcut) for every channel, so
the text kept here is exactly what the worker wrote, only NFC-normalised and bounded.
"""
from __future__ import annotations

import re
from typing import Any

from bot.understanding.text import nfc

MAX_BODY_BYTES = 64 * 1024
MAX_TEXT_CHARS = 4096
MAX_SENDER_CHARS = 128

# In a text, tabs and line breaks are hers; in a sender field nothing but printable characters is.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SENDER_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


class InputRejected(Exception):
    """Bad input: answered with `status` and a short reason, and nothing is processed."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def clean_text(value: Any) -> str:
    if not isinstance(value, str):
        raise InputRejected(400, "the message text must be a string")
    text = _CONTROL.sub("", nfc(value)).strip()
    if not text:
        raise InputRejected(400, "the message text is empty")
    if len(text) > MAX_TEXT_CHARS:
        raise InputRejected(413, f"the message text is longer than {MAX_TEXT_CHARS} characters")
    return text


def clean_sender(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise InputRejected(400, "the sender must be a non-empty string")
    if len(value) > MAX_SENDER_CHARS or _SENDER_CONTROL.search(value):
        raise InputRejected(400, "the sender is too long or has control characters")
    return value.strip()


def clean_phone_number(value: Any) -> str:
    """An SMS sender: a phone number in E.164 ("+84901234567"), nothing else."""
    number = clean_sender(value)
    if not E164.match(number):
        raise InputRejected(400, "the sender is not a phone number in E.164 form")
    return number
