"""The REST channel at /webhooks/rest/webhook, hardened.

Same request and reply as Rasa's built-in REST channel ({"sender", "message"} in, a JSON list of
replies out) but: bodies and texts are bounded, malformed input gets a 4xx with a reason, and
nothing the worker wrote is logged. Who may use it (`access`): anyone when Rasa listens on a
loopback interface only and no REST_CHANNEL_TOKEN is set (make run, make shell, the tests);
only requests with "Authorization: Bearer <REST_CHANNEL_TOKEN>" when a token is set; nobody when
Rasa listens on another interface without a token, since the provider webhooks share its port.
"""
from __future__ import annotations

import hmac
import ipaddress
import json
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.runtime.privacy import mask_id
from bot.runtime.settings import Settings, load_settings
from channels.core import MAX_BODY_BYTES, InputRejected, clean_sender, clean_text

logger = logging.getLogger(__name__)


def parse_rest_body(body: bytes) -> Dict[str, Any]:
    if len(body) > MAX_BODY_BYTES:
        raise InputRejected(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputRejected(400, "the body must be JSON in UTF-8") from None
    if not isinstance(payload, dict):
        raise InputRejected(400, 'the body must be a JSON object: {"sender": ..., "message": ...}')
    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise InputRejected(400, "metadata must be a JSON object")
    return {
        "sender": clean_sender(payload.get("sender", "default")),
        "message": clean_text(payload.get("message")),
        "metadata": metadata or None,
    }


OPEN, TOKEN, OFF = "open", "token", "off"


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def access(settings: Settings) -> str:
    if settings.rest_token is not None and settings.rest_token.get_secret_value():
        return TOKEN
    return OPEN if is_loopback(settings.host) else OFF


def refusal(request: Request, settings: Settings) -> Optional[InputRejected]:
    """Why this request may not use the channel, or None."""
    mode = access(settings)
    if mode == OFF:
        return InputRejected(403, "the REST channel is off: Rasa listens beyond this machine and REST_CHANNEL_TOKEN is not set")
    if mode == TOKEN:
        assert settings.rest_token is not None
        given = request.headers.get("authorization", "")
        expected = f"Bearer {settings.rest_token.get_secret_value()}"
        if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
            return InputRejected(401, "the REST channel needs Authorization: Bearer <REST_CHANNEL_TOKEN>")
    return None


class RestInput(InputChannel):
    def __init__(self, settings: Optional[Settings] = None) -> None:
        self.settings = settings or Settings()

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> RestInput:
        return cls(load_settings())

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint(f"helpline_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            refused = refusal(request, self.settings)
            if refused is not None:
                return response.json({"error": refused.reason}, status=refused.status)
            try:
                payload = parse_rest_body(request.body or b"")
            except InputRejected as rejected:
                return response.json({"error": rejected.reason}, status=rejected.status)
            collector = CollectingOutputChannel()
            message = UserMessage(
                payload["message"],
                collector,
                payload["sender"],
                input_channel=self.name(),
                metadata=payload["metadata"],
            )
            try:
                await on_new_message(message)
            except CancelledError:
                logger.error("REST message from %s timed out", mask_id(payload["sender"]))
            except Exception:  # the worker still gets an answer; the trace has no content
                logger.exception("REST message from %s failed", mask_id(payload["sender"]))
                return response.json({"error": "the helpline could not process this message"}, status=503)
            return response.json(collector.messages)

        return webhook

    def get_output_channel(self) -> Optional[CollectingOutputChannel]:
        return CollectingOutputChannel()
