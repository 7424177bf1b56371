"""The rows of the connector tables (nyaruka/courier's test cases, for this helpline): what a
webhook sent to a connector should do (`Incoming`), what a bot's replies should cause at the
provider (`Outgoing`), the pieces they are made of (Webhook, Turn, Call, Signature, Outcome),
how a row's expectations are compared (`matches`, `is_call`), and the `Provider` each table is
written for. tests/channel_harness.py runs them."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import pytest

from bot.runtime.settings import Settings
from channels.base import WebhookInput

# --- what a row expects -----------------------------------------------------------------------


class Containing:
    """Expects a text with all these parts."""

    def __init__(self, *parts: str) -> None:
        self.parts = parts

    def __call__(self, text: Any) -> bool:
        return isinstance(text, str) and all(part in text for part in self.parts)

    def __repr__(self) -> str:
        return f"containing{self.parts!r}"


class _Absent:
    def __repr__(self) -> str:
        return "absent"


ABSENT = _Absent()  # expects a parameter not to be sent at all

Expected = Any  # a value; a predicate (Containing, a lambda); ABSENT; a mapping of those (a subset)


def matches(expected: Expected, actual: Any) -> bool:
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            (name not in actual) if value is ABSENT else (name in actual and matches(value, actual[name]))
            for name, value in expected.items()
        )
    if callable(expected):
        return bool(expected(actual))
    return expected == actual


# --- the rows -----------------------------------------------------------------------------------


class Signature(enum.Enum):
    VALID = "signed as the provider signs"
    FORGED = "signed with the wrong secret"
    UNSIGNED = "no signature added (the row's own headers may carry one)"


@dataclass(frozen=True)
class Webhook:
    """A request to the connector. A mapping body is encoded as the provider sends it (a form
    for Twilio, JSON for the others); bytes are sent as they are."""

    body: Union[bytes, Mapping[str, Any]]
    signature: Signature = Signature.VALID
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: Optional[str] = None  # None: the provider's own
    path: str = "webhook"  # under /webhooks/<channel>/


@dataclass(frozen=True)
class Turn:
    """What the bot got: the text (a button's payload for a choice) and, when the row says, the
    message id ("<channel>:<provider id>": the id repeat deliveries are recognised by)."""

    text: str
    message_id: Optional[str] = None


@dataclass(frozen=True)
class Call:
    """A request at the fake provider: its path as the fake records it ("/bot<token>/sendMessage"),
    a subset of its parameters, and what the fake did (accepted, ok, injected, rejected)."""

    path: str
    params: Mapping[str, Expected] = field(default_factory=dict)
    outcome: str = "accepted"


def is_call(call: Call, request: Dict[str, Any]) -> bool:
    """The fake's record of a request is this call."""
    return request["path"] == call.path and request["outcome"] == call.outcome and matches(call.params, request["params"])


@dataclass(frozen=True)
class Incoming:
    name: str
    webhook: Webhook
    status: int = 200  # a 200 answers with the provider's acknowledgement, anything else with a reason
    bot: Optional[Turn] = None  # None: nothing reached the bot
    reply: Expected = None  # the one text she got back at the provider; None: nothing
    recorded: Optional[bool] = None  # kept for the workers; None: whenever the answer is 200
    offered: Sequence[Mapping[str, str]] = ()  # buttons offered to her before
    opted_out_before: bool = False
    opted_out: Optional[bool] = None  # checked when set; True also checks that nothing reaches her later
    calls: Sequence[Call] = ()  # other provider requests this webhook causes (answering a button press)
    sender: Optional[str] = None  # whose message it is, when not the provider's usual worker
    logged: Optional[str] = None
    unlogged: Sequence[str] = ()  # never in the logs (her address never is, on any row)


class Outcome(enum.Enum):
    SENT = "every reply accepted, after retries when the calls show failures"
    DEAD_LETTER = "given up: in the dead letters"
    OPTED_OUT = "she is opted out, and a later message to her makes no request"


@dataclass(frozen=True)
class Outgoing:
    name: str
    replies: Sequence[Mapping[str, Any]]  # what the bot answers, as Rasa gives it
    calls: Sequence[Call]  # every request the provider gets, in order
    errors: Sequence[Mapping[str, Any]] = ()  # FakeProviders.fail arguments, for her address unless `to` is given
    outcome: Outcome = Outcome.SENT
    reason: Expected = None  # the dead letter's reason
    texts: Optional[Callable[[List[str]], bool]] = None  # a property of the texts the provider accepted
    said: str = "xin chao"  # what she wrote
    settings: Mapping[str, Any] = field(default_factory=dict)


# --- a provider, as the rows need it ----------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    name: str  # the connector's: /webhooks/<name>/
    address: str  # the worker the rows' messages come from
    connector: Callable[[Settings], WebhookInput]
    encode: Callable[[Mapping[str, Any]], bytes]
    content_type: str
    sign: Callable[[str, bytes, Signature], Dict[str, str]]  # (path, body, how) -> headers
    message: Callable[[str, int], Mapping[str, Any]]  # (text, a number for its id) -> her text message
    acknowledgement: str  # the body of a 200
    acknowledgement_type: str = "application/json"
    quiet_paths: Sequence[str] = ()  # requests the connector makes on its own (PTB's getMe)
    secrets: Sequence[str] = ()  # never in a dead letter's reason


def row_ids(rows: Sequence[Union[Incoming, Outgoing]]) -> List[Any]:
    return [pytest.param(row, id=row.name) for row in rows]
