"""A channel without a provider, for testing the shared pipeline: an adapter that records what it
sends, and a bot that answers "you said: <text>" and remembers what it was asked."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.core.channels.channel import UserMessage

from bot.runtime.settings import Settings
from channels.inbox import Inbound
from channels.outbox import OutboxItem, SendError
from channels.pipeline import Context
from channels.segments import split_words

ADDRESS = "+84900000001"


class RecordingSender:
    def __init__(self) -> None:
        self.sent: List[OutboxItem] = []
        self.failures: List[SendError] = []

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def send(self, item: OutboxItem) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(item)


class EchoAdapter:
    name = "echo"
    native_buttons = False

    def __init__(self) -> None:
        self._sender = RecordingSender()

    def sender(self) -> RecordingSender:
        return self._sender

    def parts(self, text: str, gsm7: bool) -> List[str]:
        return split_words(text, 200)

    async def keyword(self, inbound: Inbound, context: Context) -> Optional[List[str]]:
        if inbound.text == "STOP":
            await context.optouts.add(inbound.address)
            return []
        return None


class EchoBot:
    """Stands in for Rasa's agent."""

    def __init__(self) -> None:
        self.seen: List[UserMessage] = []

    async def __call__(self, message: UserMessage) -> None:
        self.seen.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"you said: {message.text}")


def pipeline_settings(**overrides: Any) -> Settings:
    values: Dict[str, Any] = dict(
        claim_idle_seconds=1, rate_limit_messages=5, rate_limit_window_seconds=60, outbox_max_attempts=3, worker_name="test",
    )
    values.update(overrides)
    return Settings(**values)


def echo_message(text: str, message_id: str = "m1", address: str = ADDRESS) -> Inbound:
    return Inbound("echo", address, message_id, text)
