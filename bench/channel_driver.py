"""Driving one provider channel of a running Stack: signed webhooks in, and the replies the fake
provider accepted, each with when it was accepted."""
from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp

from channels.fakes import FakeProviders
from tests.support.stack import Stack, worker_address

REPLY_TIMEOUT_SECONDS = 60
POLL_SECONDS = 0.01
MISSING_REPLIES = "missing replies"
Script = Sequence[Tuple[str, str]]  # (role, text) per message


def epoch(iso: str) -> float:
    """The fake's `at` ("2026-11-23T23:01:02.123456Z") in seconds since the epoch."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


class Mailbox:
    """What the fake provider accepted for one provider, by recipient: (epoch seconds, text)."""

    def __init__(self, fake: FakeProviders, provider: str) -> None:
        self.fake = fake
        self.provider = provider
        self.by_address: Dict[str, List[Tuple[float, str]]] = defaultdict(list)
        self.read = 0
        self.polled = 0.0

    def accepted_since(self, start: int) -> List[dict]:
        """The fake's accepted messages (every provider's) from index `start` on."""
        try:
            return self.fake.sent_since(start)
        except LookupError:
            raise RuntimeError("the fake provider forgot messages: use fewer conversations") from None

    def replies(self, address: str) -> List[Tuple[float, str]]:
        now = time.monotonic()
        if now - self.polled >= POLL_SECONDS:
            self.polled = now
            new = self.accepted_since(self.read)
            self.read += len(new)
            for record in new:
                if record["provider"] == self.provider:
                    self.by_address[str(record["to"])].append((epoch(record["at"]), record["text"]))
        return self.by_address[address]

    async def wait(self, address: str, count: int, timeout: float) -> bool:
        """Until `address` has `count` replies in all; False after `timeout` seconds."""
        end = time.monotonic() + timeout
        while len(self.replies(address)) < count:
            if time.monotonic() > end:
                return False
            await asyncio.sleep(POLL_SECONDS)
        return True

    async def settle(self, address: str, quiet: float) -> int:
        """Until no new reply came for `quiet` seconds; the number of replies then."""
        count = len(self.replies(address))
        while await self.wait(address, count + 1, quiet):
            count = len(self.replies(address))
        return count


@dataclass
class Sent:
    at: float  # epoch seconds, just before the request
    before: int  # replies the address had then
    ack_s: Optional[float]  # request sent → 200 answer read; None otherwise
    error: Optional[str]


@dataclass
class Turn:
    """One webhook of a measured conversation and what came of it."""

    script: str
    role: str
    ack_s: Optional[float] = None
    error: Optional[str] = None
    replies: List[Tuple[float, str]] = field(default_factory=list)  # (seconds after sending, text)


class Driver:
    def __init__(self, session: aiohttp.ClientSession, stack: Stack, channel: str, mailbox: Mailbox) -> None:
        self.session = session
        self.stack = stack
        self.channel = channel
        self.mailbox = mailbox

    async def send(self, address: str, text: str, message_id: str) -> Sent:
        path, body, headers = self.stack.webhook(self.channel, address, text, message_id)
        before = len(self.mailbox.replies(address))
        at, started = time.time(), time.perf_counter()
        try:
            async with self.session.post(self.stack.base_url + path, data=body, headers=headers) as answer:
                await answer.read()
                elapsed = time.perf_counter() - started
        except asyncio.TimeoutError:
            return Sent(at, before, None, "timeout")
        except aiohttp.ClientError as error:
            return Sent(at, before, None, type(error).__name__)
        if answer.status != 200:
            return Sent(at, before, None, f"HTTP {answer.status}")
        return Sent(at, before, elapsed, None)

    async def calibrate(self, address: str, script: Script, tag: str, quiet: float) -> List[List[str]]:
        """The replies to each message of the script, once each turn has been quiet for `quiet` s."""
        turns = []
        for index, (_role, text) in enumerate(script):
            sent = await self.send(address, text, f"{tag}-{index}")
            if sent.error:
                raise RuntimeError(f"calibration: the {self.channel} webhook answered {sent.error} to {text!r}")
            if not await self.mailbox.wait(address, sent.before + 1, REPLY_TIMEOUT_SECONDS):
                raise RuntimeError(f"calibration: no {self.channel} reply to {text!r} in {REPLY_TIMEOUT_SECONDS} s")
            count = await self.mailbox.settle(address, quiet)
            turns.append([text for _, text in self.mailbox.replies(address)[sent.before:count]])
        return turns

    async def converse(self, address: str, name: str, script: Script, expected: Sequence[int], tag: str) -> List[Turn]:
        """The script `name`, each message once the previous one's `expected` replies arrived."""
        turns = []
        for index, ((role, text), count) in enumerate(zip(script, expected)):
            sent = await self.send(address, text, f"{tag}-{index}")
            turn = Turn(name, role, sent.ack_s, sent.error)
            if sent.error is None:
                if not await self.mailbox.wait(address, sent.before + count, REPLY_TIMEOUT_SECONDS):
                    turn.error = MISSING_REPLIES
                arrived = self.mailbox.replies(address)[sent.before:sent.before + count]
                turn.replies = [(at - sent.at, reply) for at, reply in arrived]
            turns.append(turn)
        return turns


def unique_addresses(provider: str, tags: Sequence[str]) -> List[str]:
    """An address of the provider's kind per tag, never the same one twice."""
    taken, addresses = set(), []
    for tag in tags:
        address = worker_address(provider, tag)
        while address in taken:
            tag += "'"
            address = worker_address(provider, tag)
        taken.add(address)
        addresses.append(address)
    return addresses
