"""`python -m bot simulate sms|telegram|zalo "text"`: one correctly signed provider webhook to the
running helpline, then what the (fake) provider was asked to send back."""
from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from typing import List, Optional

from bot.cli.demo import apply_demo_environment, demo_enabled, fake_port
from bot.runtime.settings import Settings, SettingsError, load_settings
from channels.segments import count_segments
from channels.simulate import BUILDERS, SAMPLE_ADDRESSES, Secrets, channel_of


def _secret(value) -> str:
    return value.get_secret_value() if value is not None else ""


def secrets_from(settings: Settings) -> Secrets:
    return Secrets(
        public_url=settings.public_url or f"http://127.0.0.1:{settings.rasa_port}",
        twilio_auth_token=_secret(settings.twilio_auth_token),
        twilio_account_sid=_secret(settings.twilio_account_sid),
        twilio_number=_secret(settings.twilio_from_number),
        telegram_secret=_secret(settings.telegram_webhook_secret),
        zalo_app_id=_secret(settings.zalo_app_id),
        zalo_oa_secret_key=_secret(settings.zalo_oa_secret_key),
    )


def provider_url(settings: Settings, channel: str) -> str:
    return {"twilio": settings.twilio_api_base_url, "telegram": settings.telegram_api_base_url, "zalo": settings.zalo_api_base_url}[channel]


def fetch_sent(base_url: str, channel: str) -> List[dict]:
    with urllib.request.urlopen(f"{base_url.rstrip('/')}/_fake/sent?provider={channel}", timeout=5) as response:
        return json.loads(response.read())


def channel_missing(channel: str) -> bool:
    try:
        return channel not in load_settings().enabled_channels()
    except SettingsError:
        return True


def fake_answers() -> bool:
    """`make demo` is running: its fake provider answers on FAKE_PROVIDERS_PORT."""
    try:
        fetch_sent(f"http://127.0.0.1:{fake_port()}", "twilio")
        return True
    except OSError:
        return False


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot simulate", description=__doc__)
    parser.add_argument("channel", choices=sorted(BUILDERS))
    parser.add_argument("text")
    parser.add_argument("--from", dest="address", default=None, help="the worker's number / chat id / Zalo id")
    parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait for replies (default 30)")
    args = parser.parse_args(argv)
    channel = channel_of(args.channel)
    if demo_enabled() or (channel_missing(channel) and fake_answers()):
        apply_demo_environment()
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"Cannot simulate: {error}", file=sys.stderr)
        return 2
    if channel not in settings.enabled_channels():
        print(f"The {channel} channel has no credentials here, and no demo is running: start one "
              f"with `make demo`, or set the channel's variables (see .env.example).", file=sys.stderr)
        return 2
    address = args.address or SAMPLE_ADDRESSES[channel]
    message_id = f"simulated-{time.time_ns()}"
    path, body, headers = BUILDERS[channel](secrets_from(settings), address, args.text, message_id)
    fake = provider_url(settings, channel)
    try:
        before = len(fetch_sent(fake, channel))
    except OSError:
        print(f"No fake provider answers at {fake}: replies would go to the real {channel} API, "
              f"so this command only sends.", file=sys.stderr)
        before = None
    request = urllib.request.Request(f"http://127.0.0.1:{settings.rasa_port}{path}", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        print(f"The helpline does not answer on port {settings.rasa_port} ({error}). Is `make demo` running?", file=sys.stderr)
        return 1
    print(f"→ {channel} webhook {path}: HTTP {status}")
    if status != 200 or before is None:
        return 0 if status == 200 else 1
    deadline = time.monotonic() + args.wait
    shown, quiet_since = before, time.monotonic()
    while time.monotonic() < deadline:
        sent = [m for m in fetch_sent(fake, channel)]
        for message in sent[shown:]:
            if str(message.get("to")) == address:
                line = f"← {channel} to {address}: {message['text']}"
                if channel == "twilio":
                    count = count_segments(message["text"])
                    line += f"\n   ({count.encoding}, {count.segments} segment{'s' if count.segments != 1 else ''})"
                print(line)
                quiet_since = time.monotonic()
        if len(sent) > shown:
            shown = len(sent)
        if shown > before and time.monotonic() - quiet_since > 2:
            return 0
        time.sleep(0.2)
    if shown == before:
        print(f"No reply reached the fake provider within {args.wait:.0f} s.", file=sys.stderr)
        return 1
    return 0
