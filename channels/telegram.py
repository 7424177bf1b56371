"""Telegram with python-telegram-bot 22: an authenticated webhook in, the Bot API out.

- Every webhook must carry the secret set with `python -m bot telegram set-webhook` in
  X-Telegram-Bot-Api-Secret-Token (compared in constant time); without it: 403, nothing parsed.
- The Update is parsed with PTB; anything that is not one (broken JSON, not UTF-8, missing
  fields, wrong types) is a 400. The update_id is the dedupe id.
- Private-chat messages are handled: text as written ("/start" is a greeting, any other "/..."
  is plain text), no text (photo, sticker) → the "not_text" reply. A button press (callback
  query, data "c<index>") becomes the choice at that index, and the query is answered so the
  button stops spinning. Groups, channels, edits and other updates are acknowledged and ignored.
- Replies go out with a Bot initialised on Sanic's loop, split into 4096 UTF-16 units at word
  boundaries, buttons as an inline keyboard. RetryAfter is honoured; 403 (she blocked the bot)
  opts the chat out until she writes again.

The bot token is in every Bot API URL: httpx's request log is silenced and error texts are
redacted. Chat ids are logged only through bot.runtime.privacy.mask_id.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dtm
import hmac
import json
import logging
import re
import sys
import warnings
from typing import Any, Dict, List, Optional, Set

from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import UpdateType
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.replies.catalogue import render
from bot.runtime.privacy import mask_id
from bot.runtime.settings import Settings, SettingsError, load_settings
from channels.base import WebhookInput, required
from channels.core import InputRejected, clean_text
from channels.inbox import Inbound
from channels.outbox import OutboxItem, SendError
from channels.pipeline import Context
from channels.segments import TELEGRAM_MAX_UTF16_UNITS, split_words, utf16_units

logger = logging.getLogger(__name__)

# httpx logs every request URL at INFO, and Telegram's URLs contain the bot token; PTB logs the
# parameters of every call (chat ids, texts) at DEBUG.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)
logging.getLogger("telegram").setLevel(logging.INFO)

SECRET_HEADER = "x-telegram-bot-api-secret-token"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
ALLOWED_UPDATES = [UpdateType.MESSAGE.value, UpdateType.CALLBACK_QUERY.value]
GREETING = "xin chào"

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_START = re.compile(r"^/start(?:@[A-Za-z0-9_]+)?(?:\s.*)?$", re.DOTALL)
_CHOICE = re.compile(r"c(\d{1,3})")
_OFFICER_ACK = re.compile(r"ack:\d{1,12}")
_UPDATE_TYPES = [member.value for member in UpdateType]
SECRET_RULE = "1 to 256 characters, only A-Z, a-z, 0-9, _ and -"


def valid_secret(secret: str) -> bool:
    return bool(_SECRET.fullmatch(secret))


def api_base_url(settings: Settings) -> str:
    """What PTB's Bot(base_url=...) takes: it appends the token, then /<method>."""
    return f"{settings.telegram_api_base_url.rstrip('/')}/bot"


def redact(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


# --- the webhook ---------------------------------------------------------------------------


def check_secret(header: Optional[str], secret: str) -> None:
    if not header:
        raise InputRejected(403, "missing X-Telegram-Bot-Api-Secret-Token")
    if not hmac.compare_digest(header.encode("utf-8", "replace"), secret.encode("utf-8")):
        raise InputRejected(403, "invalid X-Telegram-Bot-Api-Secret-Token")


def parse_update(content_type: Optional[str], body: bytes, bot: Optional[Bot] = None) -> Update:
    """The Update in an authenticated webhook body; InputRejected (4xx) for anything else."""
    if (content_type or "").split(";")[0].strip().lower() != "application/json":
        raise InputRejected(415, "Telegram webhooks are application/json")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InputRejected(400, "the body must be JSON in UTF-8") from None
    if not isinstance(data, dict):
        raise InputRejected(400, "the body must be a JSON object (a Telegram Update)")
    try:
        update = Update.de_json(data, bot)
    except Exception:  # noqa: BLE001  (PTB raises whatever a malformed object makes it raise)
        raise InputRejected(400, "the body is not a Telegram Update") from None
    if not _is_int(update.update_id):
        raise InputRejected(400, "the Update has no valid update_id")
    return update


def update_type(update: Update) -> str:
    for name in _UPDATE_TYPES:
        if getattr(update, name, None) is not None:
            return name
    return "unknown"


def _is_int(value: Any) -> bool:
    """An id as Telegram sends them: an integer that fits 64 bits (never a bool or a string)."""
    return isinstance(value, int) and not isinstance(value, bool) and -(2 ** 63) < value < 2 ** 63


def _chat(message: Any) -> Any:
    chat = getattr(message, "chat", None)
    if chat is None or not _is_int(getattr(chat, "id", None)):
        raise InputRejected(400, "the message has no valid chat")
    return chat


def _kind(value: Any) -> str:
    """A chat or update type for the log: attacker-chosen text, so bounded and quoted."""
    return repr(str(value)[:32])


def message_text(value: Any) -> str:
    """The worker's text, NFC and without control characters; "" when there is none."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputRejected(400, "the message text must be a string")
    if _START.match(value.strip()):
        return GREETING
    try:
        return clean_text(value)
    except InputRejected as rejected:
        if rejected.status == 400:  # nothing left once blanks and control characters go
            return ""
        raise


def read_update(update: Update, channel: str) -> List[Inbound]:
    """What the pipeline takes from an Update: one Inbound, or nothing for what is ignored."""
    update_id = str(update.update_id)
    if update.message is not None:
        message = update.message
        chat = _chat(message)
        if chat.type != "private":
            logger.info("Ignored a Telegram message in a %s chat", _kind(chat.type))
            return []
        return [Inbound(channel, str(chat.id), update_id, message_text(message.text))]
    if update.callback_query is not None:
        query = update.callback_query
        if query.message is None:  # a button on an inline-mode message: not ours
            logger.info("Ignored a Telegram button press without a chat")
            return []
        chat = _chat(query.message)
        if chat.type != "private":
            logger.info("Ignored a Telegram button press in a %s chat", _kind(chat.type))
            return []
        if isinstance(query.data, str) and _OFFICER_ACK.fullmatch(query.data):
            # An officer's Acknowledge button on a case notification (bot/escalation/notify.py).
            return [Inbound(channel, str(chat.id), update_id, "", extra={"callback_data": query.data})]
        match = _CHOICE.fullmatch(query.data) if isinstance(query.data, str) else None
        if match is None:
            logger.info("Ignored a Telegram button press with unknown data")
            return []
        return [Inbound(channel, str(chat.id), update_id, "", choice=int(match.group(1)))]
    logger.info("Ignored a Telegram %s update", _kind(update_type(update)))
    return []


# --- replies ---------------------------------------------------------------------------------


def keyboard(buttons: List[Dict[str, Any]]) -> Optional[InlineKeyboardMarkup]:
    """One button a row (Vietnamese titles are long); callback data is the choice's index."""
    if not buttons:
        return None
    rows = []
    for index, button in enumerate(buttons):
        title = str(button.get("title") or button.get("payload") or index + 1)
        rows.append([InlineKeyboardButton(title, callback_data=f"c{index}")])  # well under 64 bytes
    return InlineKeyboardMarkup(rows)


def _seconds(value: Any) -> float:
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)


class TelegramSender:
    def __init__(self, token: str, settings: Settings) -> None:
        self.token = token
        self.base_url = api_base_url(settings)
        self.bot: Optional[Bot] = None
        self._tasks: Set[asyncio.Task] = set()

    async def start(self) -> None:
        """Called on Sanic's loop (after_server_start): the Bot's HTTP client is bound to it.

        A Telegram outage at start-up does not stop the helpline: the client is ready anyway,
        and sends that fail are retried by the outbox.
        """
        self.bot = Bot(self.token, base_url=self.base_url)
        try:
            await self.bot.initialize()
        except InvalidToken:  # its message contains the token
            logger.error("Telegram rejected TELEGRAM_BOT_TOKEN: replies on Telegram will fail until it is fixed")
        except TelegramError as error:
            logger.warning("Telegram could not be reached at start (%s); sending will retry", type(error).__name__)

    async def close(self) -> None:
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self.bot is not None:
            await self.bot.shutdown()
            self.bot = None

    async def send(self, item: OutboxItem) -> None:
        if self.bot is None:
            raise SendError("the Telegram sender is not started", retryable=True)
        chat_id: Any = int(item.address) if item.address.lstrip("-").isdigit() else item.address
        try:
            message = await self.bot.send_message(chat_id=chat_id, text=item.text, reply_markup=keyboard(item.buttons))
        except RetryAfter as error:
            with warnings.catch_warnings():  # PTB 22.2+ warns when retry_after is read as an int
                warnings.simplefilter("ignore")
                delay = _seconds(error.retry_after)
            raise SendError(f"Telegram flood control: retry after {delay:.0f} s", retryable=True, retry_after=delay) from None
        except Forbidden as error:  # bot blocked, user deactivated
            raise SendError(f"Telegram 403: {self.redacted(error)}", retryable=False, opted_out=True) from None
        except (InvalidToken, EndPointNotFound):
            raise SendError("Telegram rejected the bot token", retryable=False) from None
        except BadRequest as error:  # before NetworkError, which it subclasses
            raise SendError(f"Telegram 400: {self.redacted(error)}", retryable=False) from None
        except (ChatMigrated, Conflict) as error:
            raise SendError(f"Telegram refused: {type(error).__name__}", retryable=False) from None
        except NetworkError as error:  # TimedOut, 5xx, connection errors
            raise SendError(f"cannot reach Telegram ({type(error).__name__})", retryable=True) from None
        except TelegramError as error:  # e.g. an invalid server response: try again later
            raise SendError(f"Telegram error ({type(error).__name__})", retryable=True) from None
        logger.info("Telegram message %s sent to %s", message.message_id, mask_id(item.address))

    def answer_soon(self, callback_query_id: str) -> None:
        """Stop the pressed button's spinner, without holding up the webhook's answer."""
        task = asyncio.get_running_loop().create_task(self._answer(callback_query_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, callback_query_id: str) -> None:
        try:
            if self.bot is None:
                raise RuntimeError("the Telegram sender is not started")
            await self.bot.answer_callback_query(callback_query_id)
        except Exception as error:  # noqa: BLE001  (the message is recorded; a spinner is all that is left)
            logger.warning("Could not answer a Telegram button press (%s)", type(error).__name__)

    def redacted(self, error: Exception) -> str:
        return redact(str(error), self.token)[:200]


class TelegramAdapter:
    name = "telegram"
    native_buttons = True

    def __init__(self, token: str, settings: Settings) -> None:
        self._sender = TelegramSender(token, settings)

    def sender(self) -> TelegramSender:
        return self._sender

    def parts(self, text: str, gsm7: bool) -> List[str]:
        # No SMS cost on Telegram: gsm7 is ignored and the reply keeps its diacritics.
        return split_words(text, TELEGRAM_MAX_UTF16_UNITS, utf16_units)

    async def keyword(self, inbound: Inbound, context: Context) -> Optional[List[str]]:
        if await context.optouts.contains(inbound.address):
            # She blocked the bot once (a send got 403); writing again means she unblocked it.
            await context.optouts.remove(inbound.address)
            logger.info("%s is reachable on Telegram again", mask_id(inbound.address))
        if inbound.choice is None and not inbound.text.strip():
            return [render("not_text", context.language)]
        return None


class TelegramInput(WebhookInput):
    channel_name = "telegram"

    def __init__(self, bot_token: str, webhook_secret: str, settings: Settings) -> None:
        if not valid_secret(webhook_secret):
            raise SettingsError(f"credentials.yml: the telegram webhook_secret (TELEGRAM_WEBHOOK_SECRET) must be {SECRET_RULE}.")
        self.telegram = TelegramAdapter(bot_token, settings)
        super().__init__(self.telegram, settings)
        self.webhook_secret = webhook_secret

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> TelegramInput:
        token, secret = required(credentials, "telegram", "bot_token", "webhook_secret")
        return cls(token, secret, load_settings())

    async def read_webhook(self, request: Request, body: bytes) -> List[Inbound]:
        check_secret(request.headers.get(SECRET_HEADER), self.webhook_secret)
        update = parse_update(request.headers.get("content-type"), body, self.telegram.sender().bot)
        inbounds = read_update(update, self.name())
        query = update.callback_query
        if query is not None and isinstance(query.id, str) and query.id:
            request.ctx.callback_query_id = query.id
        return inbounds

    async def receive(self, request: Request) -> HTTPResponse:
        answer = await super().receive(request)
        query_id = getattr(request.ctx, "callback_query_id", None)
        if query_id and answer.status == 200:  # recorded (or a repeat): the press can be answered
            self.telegram.sender().answer_soon(query_id)
        return answer


# --- python -m bot telegram set-webhook --------------------------------------------------------


async def set_webhook(settings: Settings) -> str:
    """Register the helpline's webhook with Telegram; returns what to tell the operator."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else ""
    public_url = (settings.public_url or "").rstrip("/")
    if not token:
        raise SettingsError("TELEGRAM_BOT_TOKEN is not set: put the token @BotFather gave you in the environment or .env.")
    if not valid_secret(secret):
        raise SettingsError(
            f"TELEGRAM_WEBHOOK_SECRET must be {SECRET_RULE} (Telegram's rule). Make one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    if not public_url.startswith("https://"):
        raise SettingsError("HELPLINE_PUBLIC_URL must be the https address Telegram calls (e.g. https://helpline.example.org).")
    url = public_url + WEBHOOK_PATH
    try:
        async with Bot(token, base_url=api_base_url(settings)) as bot:
            await bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
            info = await bot.get_webhook_info()
    except InvalidToken:  # its message contains the token
        raise SettingsError("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather.") from None
    except TelegramError as error:
        raise SettingsError(f"Telegram refused the webhook: {redact(str(error), token)}") from None
    lines = [
        f"Telegram webhook set: {info.url or url}",
        f"Updates sent: {', '.join(info.allowed_updates or ALLOWED_UPDATES)}; secret token set; pending updates kept.",
        f"Pending updates: {info.pending_update_count}.",
    ]
    if info.last_error_message:
        lines.append(f"Telegram's last delivery error: {redact(info.last_error_message, token)}")
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot telegram", description="Telegram channel tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "set-webhook",
        help="point Telegram at HELPLINE_PUBLIC_URL/webhooks/telegram/webhook with TELEGRAM_WEBHOOK_SECRET",
    )
    parser.parse_args(argv)
    try:
        print(asyncio.run(set_webhook(load_settings())))
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    return 0
