"""The provider connectors as the helpline runs them: channels/ with escalation's routing.

credentials.yml names these classes. The channel layer knows nothing of duty officers; here, where
the application is composed, each connector gets the router that sends officers' commands to the
case store and keeps conversations an officer has taken away from the bot, and Rasa's handler is
given to the pipeline with the agent behind it (channels/turns.py `AgentBot`), so that a message
can be judged without a turn (over the rate limit, or when the action server fails). The Telegram
connector also takes an officer's Acknowledge button pressed in a group chat (a desk's group),
which the channel layer ignores like any group message.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, List

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint
from sanic.request import Request

from bot.escalation.routing import EscalationRouter, group_acknowledgement
from channels import telegram, twilio, zalo
from channels.inbox import Inbound
from channels.turns import AgentBot

logger = logging.getLogger(__name__)


def _with_agent(blueprint_of: Callable[[Any], Blueprint], on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
    bot = AgentBot(on_new_message)
    blueprint = blueprint_of(bot)

    @blueprint.listener("before_server_start")
    async def know_the_agent(app, _loop) -> None:
        bot.app = app

    return blueprint


class TwilioInput(twilio.TwilioInput):
    router_factory = staticmethod(EscalationRouter)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return _with_agent(super().blueprint, on_new_message)


class TelegramInput(telegram.TelegramInput):
    router_factory = staticmethod(EscalationRouter)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return _with_agent(super().blueprint, on_new_message)

    async def read_webhook(self, request: Request, body: bytes) -> List[Inbound]:
        inbounds = await super().read_webhook(request, body)  # authenticated and parsed, or 4xx
        if inbounds:
            return inbounds
        update = telegram.parse_update(request.headers.get("content-type"), body, self.telegram.sender().bot)
        pressed = group_acknowledgement(update, self.name())
        return [pressed] if pressed is not None else []


class ZaloInput(zalo.ZaloInput):
    router_factory = staticmethod(EscalationRouter)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return _with_agent(super().blueprint, on_new_message)
