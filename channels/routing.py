"""Who handles a message: the bot, a person who holds the conversation, or staff tooling.

The pipeline asks a Router and does the mechanics (recording, queueing, finishing the inbox entry)
itself. The channel layer ships only `BotOnly`; the application injects a richer router (the
duty officers' one lives in bot/escalation/routing.py) when it composes the connectors, so the
channels never import what escalates.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Protocol

from channels.inbox import Inbound


@dataclass(frozen=True)
class Holding:
    """A conversation's state towards people: its open case (where her messages are copied) and
    whether a person has taken it (then the bot stays out)."""

    case_id: Optional[int] = None
    held: bool = False


NOT_HELD = Holding()


class Router(Protocol):
    async def command(self, channel: str, inbound: Inbound) -> Optional[Dict[str, str]]:
        """A message from staff that is a command (an officer's "OK TW-0042"): the event to
        record on the handoff stream instead of a turn. None for everyone else."""

    async def holding(self, conversation_id: str) -> Holding:
        """Whether the conversation has an open case and whether a person holds it."""


class BotOnly:
    """No people in the loop: every message goes to the bot."""

    async def command(self, channel: str, inbound: Inbound) -> Optional[Dict[str, str]]:
        return None

    async def holding(self, conversation_id: str) -> Holding:
        return NOT_HELD
