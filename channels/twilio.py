"""SMS over Twilio: signed webhooks in, REST API out, segment-aware replies.

- Every webhook (messages and delivery status) is checked with twilio's RequestValidator against
  the public URL Twilio called (HELPLINE_PUBLIC_URL + the path and query as sent), since a proxy
  in front changes scheme and host; anything unsigned or forged gets 403.
- The webhook is answered at once with empty TwiML; the reply goes out later through the REST
  API with twilio's async client, so a slow turn never makes Twilio retry or fall back.
- STOP and its variants opt the number out (and nothing is sent to it any more), START opts it
  back in, HELP gets a fixed answer with the 24/7 hotline; none of them reaches Rasa.
- She writes without diacritics → the reply is folded to GSM-7 (160 characters a segment, not
  70) and capped at SMS_MAX_SEGMENTS, cut at a word boundary.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Dict, List, Optional
from urllib.parse import parse_qsl

import aiohttp
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.replies.catalogue import render
from bot.runtime.privacy import mask_id
from bot.runtime.settings import Settings, load_settings
from channels.base import WebhookInput, required
from channels.core import InputRejected, clean_phone_number, clean_text
from channels.inbox import Inbound
from channels.outbox import OutboxItem, SendError
from channels.pipeline import Context, hotline_text
from channels.segments import fit_sms

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
START_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
DELIVERY_KEY = "helpline:delivery:{sid}"
DELIVERY_TTL_SECONDS = 7 * 24 * 3600
UNSUBSCRIBED = 21610
MAX_ID_CHARS = 64

# twilio's HTTP client logs every request, phone numbers included, at INFO.
_quiet = logging.getLogger("helpline.twilio_http")
_quiet.setLevel(logging.WARNING)


class FormParams(dict):
    """The form as RequestValidator wants it: every value of a repeated name, as sent."""

    def __init__(self, pairs: List[tuple]) -> None:
        super().__init__()
        self._all: Dict[str, List[str]] = {}
        for name, value in pairs:
            self._all.setdefault(name, []).append(value)
            self.setdefault(name, value)

    def getall(self, name: str) -> List[str]:
        return self._all[name]


def parse_form(request: Request, body: bytes) -> FormParams:
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise InputRejected(415, "Twilio webhooks are application/x-www-form-urlencoded")
    try:
        return FormParams(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True, errors="strict"))
    except (UnicodeDecodeError, ValueError):
        raise InputRejected(400, "the form is not valid UTF-8 form data") from None


def _field(form: FormParams, name: str) -> str:
    value = form.get(name)
    if not value or len(value) > MAX_ID_CHARS:
        raise InputRejected(400, f"the form has no valid {name}")
    return value


class TwilioSender:
    def __init__(self, account_sid: str, auth_token: str, from_number: str, settings: Settings) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.from_number = from_number
        self.api_base_url = settings.twilio_api_base_url
        self.status_callback = f"{(settings.public_url or '').rstrip('/')}/webhooks/twilio/status"
        self.client: Optional[Client] = None

    async def start(self) -> None:
        http = AsyncTwilioHttpClient(timeout=15, logger=_quiet)
        self.client = Client(self.account_sid, self.auth_token, http_client=http)
        self.client.api.base_url = self.api_base_url

    async def close(self) -> None:
        if self.client is not None:
            await self.client.http_client.close()

    async def send(self, item: OutboxItem) -> None:
        assert self.client is not None, "start() first"
        try:
            message = await self.client.messages.create_async(
                to=item.address, from_=self.from_number, body=item.text, status_callback=self.status_callback,
            )
        except TwilioRestException as error:
            reason = f"Twilio {error.status} error {error.code}"
            if error.code == UNSUBSCRIBED:
                raise SendError(reason, retryable=False, opted_out=True) from None
            raise SendError(reason, retryable=error.status == 429 or error.status >= 500) from None
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            raise SendError(f"cannot reach Twilio ({type(error).__name__})", retryable=True) from None
        logger.info("SMS %s sent to %s", message.sid, mask_id(item.address))


class TwilioAdapter:
    name = "twilio"
    native_buttons = False

    def __init__(self, account_sid: str, auth_token: str, from_number: str, settings: Settings) -> None:
        self.settings = settings
        self._sender = TwilioSender(account_sid, auth_token, from_number, settings)

    def sender(self) -> TwilioSender:
        return self._sender

    def parts(self, text: str, gsm7: bool) -> List[str]:
        fitted = fit_sms(text, gsm7=gsm7, max_segments=self.settings.sms_max_segments)
        if fitted.truncated:
            logger.warning("An SMS reply was cut to %d segments", self.settings.sms_max_segments)
        return [fitted.text]

    async def keyword(self, inbound: Inbound, context: Context) -> Optional[List[str]]:
        word = inbound.text.strip().upper()
        kind = inbound.extra.get("opt_out_type") or ""
        if word in STOP_WORDS or kind == "STOP":
            await context.optouts.add(inbound.address)
            logger.info("%s opted out of SMS", mask_id(inbound.address))
            return []  # Twilio itself confirms; nothing can be sent after STOP
        if word in START_WORDS or kind == "START":
            await context.optouts.remove(inbound.address)
            logger.info("%s opted back in to SMS", mask_id(inbound.address))
            return [render("sms_started", context.language, hotline=hotline_text())]  # in her language
        if word in HELP_WORDS or kind == "HELP":
            return [render("sms_help", context.language, hotline=hotline_text())]
        if not inbound.text.strip():
            return [render("not_text", context.language)]
        return None


class TwilioInput(WebhookInput):
    channel_name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, from_number: str, settings: Settings) -> None:
        super().__init__(TwilioAdapter(account_sid, auth_token, from_number, settings), settings)
        self.validator = RequestValidator(auth_token)
        self.public_url = (settings.public_url or "").rstrip("/")

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> TwilioInput:
        sid, token, number = required(credentials, "twilio", "account_sid", "auth_token", "from_number")
        return cls(sid, token, number, load_settings())

    def signed_url(self, request: Request) -> str:
        # The path and query exactly as sent, on the public base URL Twilio called.
        return self.public_url + request.raw_url.decode("utf-8", errors="replace")

    def verified_form(self, request: Request, body: bytes) -> FormParams:
        signature = request.headers.get("x-twilio-signature")
        if not signature:
            raise InputRejected(403, "missing X-Twilio-Signature")
        form = parse_form(request, body)
        if not self.validator.validate(self.signed_url(request), form, signature):
            raise InputRejected(403, "invalid X-Twilio-Signature")
        return form

    async def read_webhook(self, request: Request, body: bytes) -> List[Inbound]:
        form = self.verified_form(request, body)
        sid = _field(form, "MessageSid")
        sender = clean_phone_number(_field(form, "From"))
        if "Body" not in form and not form.get("NumMedia", "0").strip("0"):
            raise InputRejected(400, "the form has neither Body nor media")
        # The same cleaning as every channel; a picture may come with no text at all.
        text = clean_text(form["Body"]) if form.get("Body", "").strip() else ""
        extra = {"opt_out_type": form["OptOutType"].upper()} if form.get("OptOutType") else {}
        return [Inbound(self.name(), sender, sid, text, extra=extra)]

    def acknowledge(self) -> HTTPResponse:
        return response.text(EMPTY_TWIML, content_type="text/xml")

    def add_routes(self, blueprint: Blueprint) -> None:
        @blueprint.route("/status", methods=["POST"])
        async def status(request: Request) -> HTTPResponse:
            return await self.delivery_status(request)

    async def delivery_status(self, request: Request) -> HTTPResponse:
        try:
            form = self.verified_form(request, request.body or b"")
            sid = _field(form, "MessageSid")
            status = _field(form, "MessageStatus")
        except InputRejected as rejected:
            return self.reject(rejected)
        if self.pipeline is None:
            return response.json({"error": "starting up"}, status=503)
        error_code = form.get("ErrorCode", "")
        key = DELIVERY_KEY.format(sid=sid)
        async with self.pipeline.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"status": status, "error_code": error_code, "at": f"{time.time():.0f}"})
            pipe.expire(key, DELIVERY_TTL_SECONDS)
            await pipe.execute()
        if error_code == str(UNSUBSCRIBED) and form.get("To"):
            await self.pipeline.optouts.add(form["To"])
        if status in ("failed", "undelivered"):
            logger.warning("SMS %s to %s %s (error %s)", sid, mask_id(form.get("To", "")), status, error_code or "none")
        return response.text("", status=204)
