"""How officers are alerted: Telegram (with Acknowledge and Open buttons) and SMS; and how they
are told, on the same channel, that their acknowledgement counted (`tell`: plain text, no
buttons).

The same provider accounts and base URLs as the worker channels, so a staging or demo setup
against the local fake providers alerts officers there too.
"""
from __future__ import annotations

import logging
from typing import Dict, Optional, Sequence

from pydantic import SecretStr
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.cases.store import Case
from bot.escalation.notify import NotifyError, OfficerSender
from bot.escalation.routing import ACK_CALLBACK
from bot.runtime.settings import Settings
from channels.outbox import OutboxItem, SendError
from channels.segments import to_gsm7
from channels.telegram import api_base_url
from channels.twilio import TwilioSender

logger = logging.getLogger(__name__)


class TelegramOfficerSender:
    def __init__(self, token: str, settings: Settings) -> None:
        self.token = token
        self.settings = settings
        self.bot: Optional[Bot] = None

    async def start(self) -> None:
        self.bot = Bot(self.token, base_url=api_base_url(self.settings))
        await self.bot.initialize()

    async def close(self) -> None:
        if self.bot is not None:
            await self.bot.shutdown()

    async def notify(self, address: str, cases: Sequence[Case], text: str, link: Optional[str]) -> None:
        if self.bot is None:
            raise NotifyError("the Telegram sender is not started")
        rows = [[InlineKeyboardButton(_ack_title(case, len(cases)), callback_data=ACK_CALLBACK.format(case_id=case.id))] for case in cases]
        if link and link.startswith("https://"):  # Telegram refuses URL buttons it cannot open
            rows[0].append(InlineKeyboardButton("Mở / Open", url=link))
        await self._send(address, text, InlineKeyboardMarkup(rows))

    async def tell(self, address: str, text: str) -> None:
        """A plain message to an officer's chat (the confirmation of an acknowledgement)."""
        await self._send(address, text, None)

    async def _send(self, address: str, text: str, markup: Optional[InlineKeyboardMarkup]) -> None:
        if self.bot is None:
            raise NotifyError("the Telegram sender is not started")
        try:
            await self.bot.send_message(chat_id=address, text=text, reply_markup=markup)
        except RetryAfter:
            raise NotifyError("Telegram asked to wait (429)") from None
        except (Forbidden, BadRequest) as error:
            raise NotifyError(f"Telegram refused: {type(error).__name__}", retryable=False) from None
        except (NetworkError, TelegramError) as error:
            raise NotifyError(f"Telegram unreachable: {type(error).__name__}") from None


class SmsOfficerSender:
    def __init__(self, account_sid: str, auth_token: str, from_number: str, settings: Settings) -> None:
        self.sender = TwilioSender(account_sid, auth_token, from_number, settings)

    async def start(self) -> None:
        await self.sender.start()

    async def close(self) -> None:
        await self.sender.close()

    async def notify(self, address: str, cases: Sequence[Case], text: str, link: Optional[str]) -> None:
        await self._send(address, f"officer-{cases[0].id}", text)

    async def tell(self, address: str, text: str) -> None:
        """A plain SMS to an officer (the confirmation of an acknowledgement)."""
        await self._send(address, "officer-confirmation", text)

    async def _send(self, address: str, reference: str, text: str) -> None:
        try:
            await self.sender.send(OutboxItem("twilio", address, reference, to_gsm7(text)))
        except SendError as error:
            raise NotifyError(error.reason, retryable=error.retryable) from None


def _ack_title(case: Case, listed: int) -> str:
    return "Nhận ca / Acknowledge" if listed == 1 else f"Nhận / Ack {case.number}"


def officer_senders(settings: Settings) -> Dict[str, OfficerSender]:
    """Senders for the channels that have credentials; the others are skipped (and each
    notification that needed one is recorded as failed, so the next officer is tried)."""
    senders: Dict[str, OfficerSender] = {}
    enabled = settings.enabled_channels()
    if "telegram" in enabled:
        senders["telegram"] = TelegramOfficerSender(_secret(settings.telegram_bot_token), settings)
    if "twilio" in enabled:
        senders["sms"] = SmsOfficerSender(
            _secret(settings.twilio_account_sid), _secret(settings.twilio_auth_token), _secret(settings.twilio_from_number),
            settings,
        )
    return senders


def _secret(value: Optional[SecretStr]) -> str:
    # An enabled channel has all its variables: Settings refuses to load otherwise.
    assert value is not None, "an enabled channel without its credentials"
    return value.get_secret_value()
