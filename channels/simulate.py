"""Webhooks exactly as each provider sends them, correctly signed: for `python -m bot simulate`
and the tests. Twilio's are signed with twilio's own RequestValidator; Telegram's are real
Update JSON with the secret-token header; Zalo's are the documented event with its mac.
"""
from __future__ import annotations

import hashlib
import json
import time
import zlib
from dataclasses import dataclass
from typing import Callable, Dict, Tuple
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

Webhook = Tuple[str, bytes, Dict[str, str]]  # path, body, headers


@dataclass(frozen=True)
class Secrets:
    public_url: str
    twilio_auth_token: str
    twilio_account_sid: str
    twilio_number: str
    telegram_secret: str
    zalo_app_id: str
    zalo_oa_secret_key: str


def _number_id(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def twilio_sms(secrets: Secrets, address: str, text: str, message_id: str, *, forged: bool = False) -> Webhook:
    sid = "SM" + hashlib.sha256(message_id.encode()).hexdigest()[:32]
    form = {
        "ToCountry": "US", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid, "SmsStatus": "received",
        "Body": text, "To": secrets.twilio_number, "NumSegments": "1", "MessageSid": sid,
        "AccountSid": secrets.twilio_account_sid, "From": address, "ApiVersion": "2010-04-01",
    }
    path = "/webhooks/twilio/webhook"
    token = "forged-" + secrets.twilio_auth_token if forged else secrets.twilio_auth_token
    signature = RequestValidator(token).compute_signature(secrets.public_url.rstrip("/") + path, form)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    return path, urlencode(form).encode("utf-8"), headers


def telegram_update(secrets: Secrets, address: str, text: str, message_id: str, *, forged: bool = False) -> Webhook:
    chat_id = int(address)
    update = {
        "update_id": _number_id(message_id),
        "message": {
            "message_id": _number_id("m" + message_id) % 1_000_000,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
            "chat": {"id": chat_id, "first_name": "Lan", "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }
    headers = {
        "Content-Type": "application/json",
        "X-Telegram-Bot-Api-Secret-Token": "forged" if forged else secrets.telegram_secret,
    }
    return "/webhooks/telegram/webhook", json.dumps(update, ensure_ascii=False).encode("utf-8"), headers


def zalo_event(secrets: Secrets, address: str, text: str, message_id: str, *, forged: bool = False) -> Webhook:
    timestamp = str(int(time.time() * 1000))
    event = {
        "app_id": secrets.zalo_app_id,
        "user_id_by_app": "55" + address,
        "event_name": "user_send_text",
        "timestamp": timestamp,
        "sender": {"id": address},
        "recipient": {"id": "4358371528349756234"},
        "message": {"text": text, "msg_id": hashlib.sha1(message_id.encode()).hexdigest()},
    }
    body = json.dumps(event, ensure_ascii=False).encode("utf-8")
    key = "forged" if forged else secrets.zalo_oa_secret_key
    mac = hashlib.sha256(secrets.zalo_app_id.encode() + body + timestamp.encode() + key.encode()).hexdigest()
    headers = {"Content-Type": "application/json", "X-ZEvent-Signature": f"mac={mac}"}
    return "/webhooks/zalo/webhook", body, headers


BUILDERS: Dict[str, Callable[..., Webhook]] = {"sms": twilio_sms, "twilio": twilio_sms, "telegram": telegram_update, "zalo": zalo_event}
# An address that looks like each channel's: a phone number, a chat id, a Zalo user id.
SAMPLE_ADDRESSES = {"twilio": "+84900000001", "telegram": "700000001", "zalo": "8765432109876543210"}


def channel_of(name: str) -> str:
    return "twilio" if name == "sms" else name
