"""Fake Twilio: the one endpoint the helpline calls (create a Message, for replies and officer
SMS alerts, channels/twilio.py TwilioSender) and Twilio's error bodies.

twilio.rest.Client(sid, token, http_client=AsyncTwilioHttpClient()) with client.api.base_url set
to the fake's URL posts here; the client appends /2010-04-01/Accounts/<sid>/Messages.json.
The segment count it reports is the helpline's own (channels/segments.py).
"""
from __future__ import annotations

import binascii
import email.utils
import re
import secrets
from datetime import datetime, timezone
from functools import partial
from typing import Any, Dict, Optional

from aiohttp import BasicAuth, web

from channels.fakes.config import same_secret
from channels.fakes.server import Provider, answer, http_phrase, injected, record_of
from channels.fakes.state import FailureStyle, FakeState
from channels.segments import count_segments

MAX_BODY_CHARS = 1600
API_VERSION = "2010-04-01"
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")

_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21617: "The concatenated message body exceeds the 1600 character limit.",
}
_DEFAULT_CODE_BY_STATUS = {400: 21610, 401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}


def twilio_error_body(status: int, code: Optional[int] = None, message: Optional[str] = None) -> Dict[str, Any]:
    """Twilio's JSON error: code, message, more_info and status (and detail for a 20003)."""
    code = code if code is not None else _DEFAULT_CODE_BY_STATUS.get(status, status)
    body: Dict[str, Any] = {
        "code": code, "message": message or _MESSAGES.get(code, http_phrase(status)),
        "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status,
    }
    if code == 20003:
        body["detail"] = "Your AccountSid or AuthToken was incorrect."
    return body


def _authorised(header: Optional[str], sid: str, token: str) -> bool:
    """HTTP Basic auth with the account SID and auth token."""
    try:
        given = BasicAuth.decode(header or "")
    except (ValueError, binascii.Error):
        return False
    return same_secret(given.login, sid) and same_secret(given.password, token)


def _problem(to: str, sender: str, text: str) -> Optional[int]:
    """Twilio's error code for a form it would refuse, checked in Twilio's order."""
    if not to:
        return 21604
    if not _E164.match(to):
        return 21211
    if not sender:
        return 21603
    if not text:
        return 21602
    if len(text) > MAX_BODY_CHARS:
        return 21617
    return None


def _message_resource(account_sid: str, sid: str, to: str, sender: str, text: str, segments: int) -> Dict[str, Any]:
    """The Message resource Twilio returns with a 201, as the twilio client parses it."""
    created = email.utils.format_datetime(datetime.now(timezone.utc).replace(microsecond=0))
    uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json"
    return {
        "account_sid": account_sid, "api_version": API_VERSION, "body": text, "date_created": created,
        "date_sent": None, "date_updated": created, "direction": "outbound-api", "error_code": None,
        "error_message": None, "from": sender, "messaging_service_sid": None, "num_media": "0",
        "num_segments": str(segments), "price": None, "price_unit": "USD", "sid": sid, "status": "queued",
        "subresource_uris": {"media": uri.replace(".json", "/Media.json")}, "to": to, "uri": uri,
    }


async def create_message(state: FakeState, request: web.Request) -> web.Response:
    record = record_of(request)
    record["endpoint"] = "Messages"
    form = await request.post()
    params = {key: value for key, value in form.items() if isinstance(value, str)}
    record["params"] = params
    to, sender, text = params.get("To", ""), params.get("From", ""), params.get("Body", "")
    record["to"] = to or None
    account_sid = request.match_info["account_sid"]
    config = state.config

    if not _authorised(request.headers.get("Authorization"), config.twilio_account_sid, config.twilio_auth_token):
        return answer(request, twilio_error_body(401, 20003), "rejected", 401, 20003,
                      headers={"WWW-Authenticate": 'Basic realm="Twilio API"'})
    if account_sid != config.twilio_account_sid:
        body = twilio_error_body(404, 20404, f"The requested resource {request.path} was not found")
        return answer(request, body, "rejected", 404, 20404)
    failure = state.take_failure("twilio", "Messages", to)
    if failure is not None:
        return injected(request, failure)
    problem = _problem(to, sender, text)
    if problem is not None:
        return answer(request, twilio_error_body(400, problem), "rejected", 400, problem)

    sid = "SM" + secrets.token_hex(16)
    segments = count_segments(text).segments
    extra = {"from": sender, "status_callback": params.get("StatusCallback"), "num_segments": segments}
    state.keep_sent("twilio", to, text, sid, extra)
    return answer(request, _message_resource(account_sid, sid, to, sender, text, segments), "accepted", 201)


def add_routes(app: web.Application, state: FakeState) -> None:
    app.router.add_post(f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json", partial(create_message, state))


TWILIO = Provider(
    name="twilio",
    path_prefixes=(f"/{API_VERSION}/",),
    failures=FailureStyle(send_endpoint="Messages", default_status=500, error_body=twilio_error_body, error_field="code"),
    add_routes=add_routes,
)
