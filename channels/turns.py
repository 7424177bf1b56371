"""A Rasa turn, and whether its work was done; and the judgment of a message without a turn.

Rasa 3.6 does not tell the caller of `Agent.handle_message` that a custom action failed: its
`MessageProcessor._run_action` catches the action server's error (refused connection, 5xx,
timeout, a malformed answer), logs "Encountered an exception while running action ..." on the
`rasa.core.processor` logger, drops the action's events and finishes the turn as if nothing
happened. A turn runs in one asyncio task, so a logging handler on that logger can tell which
turn it belongs to through a context variable: `watching()` collects the failures of the turn
run inside it, and the pipeline then keeps the message instead of counting it as handled.

`judge()` is the pipeline's view of a message's danger: the NLU parse when there is one (the
`severity` and `triage` fields written by bot/nlu/triage_annotator.py), never below what the
deterministic safety net finds in the text, so a message is judged even when Rasa cannot run.
"""
from __future__ import annotations

import contextlib
import contextvars
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional

from rasa.core.channels.channel import UserMessage

from bot.understanding.safety import scan
from bot.understanding.severity import Severity
from channels.streams import RetryLater

FAILED_ACTION_LOG = "Encountered an exception while running action"
RASA_PROCESSOR_LOGGER = "rasa.core.processor"


class TurnIncomplete(RetryLater):
    """The turn ran but its work was not done (an action failed, timed out, or lost events)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class TurnProbe:
    failures: List[str] = field(default_factory=list)


_current: contextvars.ContextVar[Optional[TurnProbe]] = contextvars.ContextVar("helpline_turn", default=None)


class _ActionFailureHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        probe = _current.get()
        if probe is None:
            return
        message = str(record.msg)
        if message.startswith(FAILED_ACTION_LOG):
            probe.failures.append(message.split("'")[1] if "'" in message else "an action")


_handler = _ActionFailureHandler(level=logging.ERROR)


def install() -> None:
    """Listen to Rasa's processor for failed actions (idempotent). Its level is kept at ERROR
    or below: a quieter configuration must not hide a failed turn from the pipeline."""
    processor_logger = logging.getLogger(RASA_PROCESSOR_LOGGER)
    if _handler not in processor_logger.handlers:
        processor_logger.addHandler(_handler)
    if processor_logger.getEffectiveLevel() > logging.ERROR:
        processor_logger.setLevel(logging.ERROR)


@contextlib.contextmanager
def watching() -> Iterator[TurnProbe]:
    """The failures of the turn run inside this block (and only of that turn)."""
    install()
    probe = TurnProbe()
    token = _current.set(probe)
    try:
        yield probe
    finally:
        _current.reset(token)


@dataclass(frozen=True)
class Judgment:
    """How dangerous a message is, and what escalation needs to open a case without Rasa."""

    severity: Severity
    intent: Optional[str] = None
    country: Optional[str] = None

    @property
    def critical(self) -> bool:
        return self.severity >= Severity.critical

    @property
    def danger(self) -> bool:
        return self.severity >= Severity.high

    def dump(self) -> Dict[str, str]:
        return {"severity": self.severity.name, "intent": self.intent or "", "country": self.country or ""}

    @classmethod
    def load(cls, fields: Dict[str, str]) -> Judgment:
        return cls(Severity[fields.get("severity") or "none"], fields.get("intent") or None, fields.get("country") or None)


def judge(text: str, parse: Optional[Dict[str, Any]] = None) -> Judgment:
    """The parse's severity, raised (never lowered) by the safety net's phrase rules."""
    severity, intent, country = Severity.none, None, None
    if parse:
        try:
            severity = Severity[str(parse.get("severity") or "none")]
        except KeyError:
            severity = Severity.none
        intent = ((parse.get("triage") or {}).get("intent") or (parse.get("intent") or {}).get("name")) or None
        country = next((str(e.get("value")) for e in parse.get("entities") or [] if e.get("entity") == "country"), None)
    hit = scan(text) if text else None
    if hit is not None and hit.severity > severity:
        severity, intent = hit.severity, hit.intent
    return Judgment(severity, intent, country)


class AgentBot:
    """Rasa's message handler as the pipeline uses it: a turn, and the NLU alone (`parse`) for
    judging a message without a turn. The agent is the one the Sanic app holds (`app`, set when
    the server starts), so a reloaded model is used at once."""

    def __init__(self, handler: Callable[[UserMessage], Awaitable[Any]]) -> None:
        self.handler = handler
        self.app: Any = None

    def _agent(self) -> Any:
        agent = getattr(getattr(self.app, "ctx", None), "agent", None)
        return agent if agent is not None and agent.is_ready() else None

    async def __call__(self, message: UserMessage) -> None:
        # Rasa answers nothing, and says so only at INFO, while no model is loaded.
        if self.app is not None and self._agent() is None:
            raise TurnIncomplete("no model is loaded yet")
        await self.handler(message)

    async def parse(self, text: str) -> Optional[Dict[str, Any]]:
        agent = self._agent()
        return await agent.parse_message(text) if agent is not None else None
