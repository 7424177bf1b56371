"""What the Twilio, Telegram and Zalo connectors share: the webhook route and its answers.

A connector only says how its provider authenticates and shapes a webhook (`read_webhook`) and
how to acknowledge it; this base bounds the body, turns bad input into a 4xx, records the
message through the shared pipeline before acknowledging, and answers 503 (so the provider
retries) when the message could not be recorded. It never answers 500.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

import redis.asyncio as aioredis
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from redis.exceptions import RedisError
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.runtime.settings import Settings, SettingsError
from channels.core import MAX_BODY_BYTES, InputRejected
from channels.inbox import Inbound
from channels.pipeline import ChannelAdapter, ChannelPipeline
from channels.routing import BotOnly, Router

logger = logging.getLogger(__name__)


def required(credentials: Optional[Dict[str, Any]], channel: str, *names: str) -> List[str]:
    """Values from the channel's credentials.yml section; start-up stops when one is missing."""
    credentials = credentials or {}
    missing = [name for name in names if not str(credentials.get(name) or "").strip()]
    if missing:
        raise SettingsError(f"credentials.yml: the {channel} channel needs {', '.join(missing)}.")
    return [str(credentials[name]).strip() for name in names]


class PipelineOutput(OutputChannel):
    """Rasa's way to message a conversation outside a turn (trigger_intent, events with side
    effects): straight into the channel's outbox, addressed by the conversation id."""

    def __init__(self, connector: WebhookInput) -> None:
        self.connector = connector

    def name(self) -> str:
        return self.connector.name()

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        pipeline = self.connector.pipeline
        if pipeline is None or not await pipeline.send_to_conversation(recipient_id, text, origin="bot"):
            logger.warning("No %s address known for a conversation; message not sent", self.name())


def bot_only(_redis: aioredis.Redis) -> Router:
    return BotOnly()


class WebhookInput(InputChannel):
    """Subclasses set `channel_name`, build `adapter`, and implement `read_webhook`.

    `router_factory` decides who handles each message (see channels/routing.py); the application
    that composes the connectors sets it (bot/connectors.py), the channel layer only knows the bot.
    """

    channel_name = ""
    router_factory: Callable[[aioredis.Redis], Router] = staticmethod(bot_only)

    def __init__(self, adapter: ChannelAdapter, settings: Settings) -> None:
        self.adapter = adapter
        self.settings = settings
        self.pipeline: Optional[ChannelPipeline] = None

    @classmethod
    def name(cls) -> str:
        return cls.channel_name

    async def read_webhook(self, request: Request, body: bytes) -> List[Inbound]:
        """Authenticate (raise InputRejected(403)) and parse (InputRejected(4xx)) one webhook."""
        raise NotImplementedError

    def acknowledge(self) -> HTTPResponse:
        return response.json({"ok": True})

    def add_routes(self, blueprint: Blueprint) -> None:
        """Extra routes a provider needs (Twilio's status callback)."""

    def reject(self, rejected: InputRejected) -> HTTPResponse:
        return response.json({"error": rejected.reason}, status=rejected.status)

    async def receive(self, request: Request) -> HTTPResponse:
        body = request.body or b""
        try:
            if len(body) > MAX_BODY_BYTES:
                raise InputRejected(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
            inbounds = await self.read_webhook(request, body)
        except InputRejected as rejected:
            if rejected.status in (401, 403):
                logger.warning("Rejected a %s webhook: %s", self.name(), rejected.reason)
            return self.reject(rejected)
        if self.pipeline is None:
            return response.json({"error": "starting up"}, status=503)
        try:
            for inbound in inbounds:
                await self.pipeline.accept(inbound)
        except (RedisError, OSError) as error:
            logger.error("Could not record a %s message (%s); the provider will retry", self.name(), type(error).__name__)
            return response.json({"error": "try again"}, status=503)
        return self.acknowledge()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint(f"helpline_{self.name()}", __name__)

        @blueprint.listener("after_server_start")
        async def start_pipeline(_app, _loop) -> None:
            if not self.settings.redis_url:
                raise SettingsError("REDIS_URL is not set: the channels keep messages in Redis.")
            redis = aioredis.Redis.from_url(
                self.settings.redis_url, decode_responses=True, socket_connect_timeout=5, socket_timeout=10,
                health_check_interval=30,
            )
            self.pipeline = ChannelPipeline(self.adapter, redis, self.settings, type(self).router_factory(redis))
            await self.pipeline.start(on_new_message)

        @blueprint.listener("before_server_stop")
        async def stop_pipeline(_app, _loop) -> None:
            if self.pipeline is not None:
                await self.pipeline.stop()
                await self.pipeline.redis.close()

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            return await self.receive(request)

        self.add_routes(blueprint)
        return blueprint

    def get_output_channel(self) -> Optional[OutputChannel]:
        return PipelineOutput(self)
