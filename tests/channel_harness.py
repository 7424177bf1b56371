"""The one harness the connector tables run on (nyaruka/courier's IncomingTestCase and
OutgoingTestCase, for this helpline).

For each row (tests/channel_rows.py: the row types, and the `Provider` a table is written for)
it serves the connector as `rasa run` mounts it, with a StubBot standing in for Rasa and the fake
provider APIs on loopback, sends the webhook signed as the provider signs it (a `Provider` says
how), and checks the answer, what reached the bot and every request that reached the fake
provider.

"Nothing else happened" is only ever asserted behind a barrier. An incoming row sends one more
message from the same worker through the same signed path (one worker's messages are handled in
order) and waits for the bot to get it; every row then waits for the channel's queues to be
empty (`drained`): once the inbox, the outbox and the waiting retries are, every message recorded
before has been answered, and every reply sent, given up or dropped. An outgoing row sends no
barrier message: its answer would be one more request at the provider, and on Telegram writing
again lifts an opt-out.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Dict, List, Mapping, Optional, Sequence

import aiohttp
import pytest
import redis.asyncio as aioredis
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.runtime.settings import Settings
from channels.base import WebhookInput
from channels.fakes import FakeConfig, FakeProviders
from channels.inbox import SEEN_KEY
from channels.inbox import STREAM_KEY as INBOX_KEY
from channels.outbox import DELAYED_KEY, dead_letters
from channels.outbox import STREAM_KEY as OUTBOX_KEY
from channels.pipeline import ChannelPipeline
from tests.channel_rows import Incoming, Outcome, Outgoing, Provider, Webhook, is_call, matches
from tests.support.echo_channel import EchoBot
from tests.support.serving import serve_app
from tests.support.waiting import eventually

FAKE = FakeConfig()
PUBLIC_URL = "https://helpline.example.org"  # what the providers call; a proxy forwards to our port
JOBS = [{"title": "Giúp việc nhà", "payload": "giup viec nha"}, {"title": "Nhà máy", "payload": "nha may"}]

_app_names = itertools.count()


class StubBot(EchoBot):
    """Stands in for Rasa and remembers every message it got. Given replies (as Rasa gives them:
    {"text": ..., "buttons": [...]}) it answers every message with them; otherwise it answers
    "you said: <text>", offers JOBS on "menu", and fails on "boom"."""

    def __init__(self, replies: Sequence[Mapping[str, Any]] = ()) -> None:
        super().__init__()
        self.replies = replies

    async def __call__(self, message: UserMessage) -> None:
        replies = self.replies or ([{"text": "Bạn làm nghề gì?", "buttons": JOBS}] if message.text == "menu" else [])
        if not replies and message.text != "boom":
            await super().__call__(message)
            return
        self.seen.append(message)
        if message.text == "boom":
            raise RuntimeError("the model crashed")
        for reply in replies:
            if reply.get("buttons"):
                await message.output_channel.send_text_with_buttons(message.sender_id, reply["text"], reply["buttons"])
            else:
                await message.output_channel.send_text_message(message.sender_id, reply["text"])


async def drained(redis: aioredis.Redis, channel: str) -> bool:
    """The channel's inbox, outbox and waiting retries are all empty, read in one transaction.

    An inbox entry leaves in the same transaction as its replies enter the outbox, and an outbox
    entry leaves only once sent, moved to the retries, dead-lettered or dropped."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xlen(INBOX_KEY.format(channel=channel))
        pipe.xlen(OUTBOX_KEY.format(channel=channel))
        pipe.zcard(DELAYED_KEY.format(channel=channel))
        counts = await pipe.execute()
    return not any(counts)


# --- serving one connector --------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    content_type: str


class Harness:
    """One served connector with its bot, the fake provider and Redis."""

    def __init__(self, provider: Provider, connector: WebhookInput, bot: StubBot, fake: FakeProviders,
                 redis: aioredis.Redis, http: aiohttp.ClientSession, base_url: str) -> None:
        self.provider = provider
        self.connector = connector
        self.bot = bot
        self.fake = fake
        self.redis = redis
        self.http = http
        self.base_url = base_url
        self._barriers: List[str] = []

    @property
    def pipeline(self) -> ChannelPipeline:
        assert self.connector.pipeline is not None, "the connector has not started"
        return self.connector.pipeline

    async def post(self, webhook: Webhook) -> Answer:
        body = webhook.body if isinstance(webhook.body, bytes) else self.provider.encode(webhook.body)
        path = f"/webhooks/{self.provider.name}/{webhook.path}"
        headers = {"Content-Type": webhook.content_type or self.provider.content_type}
        headers.update(self.provider.sign(path, body, webhook.signature))
        headers.update(webhook.headers)
        async with self.http.post(self.base_url + path, data=body, headers=headers) as answer:
            return Answer(answer.status, await answer.text(), answer.content_type)

    async def say(self, text: str, number: int) -> None:
        answer = await self.post(Webhook(self.provider.message(text, number)))
        assert answer.status == 200, answer.text

    async def drained(self) -> bool:
        return await drained(self.redis, self.provider.name)

    async def settle(self) -> None:
        """The barrier: her next message is handled and the queues are empty."""
        text = f"barrier {len(self._barriers) + 1}"
        self._barriers.append(text)
        await self.say(text, 900_000_000 + len(self._barriers))
        await eventually(lambda: text in [message.text for message in self.bot.seen])
        await eventually(self.drained)

    def turns(self) -> List[UserMessage]:
        return [message for message in self.bot.seen if message.text not in self._barriers]

    def calls(self) -> List[Dict[str, Any]]:
        return [request for request in self.fake.requests(self.provider.name) if request["path"] not in self.provider.quiet_paths]

    def replies(self) -> List[Dict[str, Any]]:
        """What the provider accepted, but the answers to barriers."""
        return [sent for sent in self.fake.sent(self.provider.name) if not any(text in sent["text"] for text in self._barriers)]

    async def conversation(self, address: str) -> str:
        return await self.pipeline.identities.conversation_id(self.provider.name, address)

    async def nothing_more_reaches(self, address: str) -> None:
        """A later message to her (an officer's) is handled without a request to the provider."""
        before = self.calls()
        assert await self.pipeline.send_to_conversation(await self.conversation(address), "Cán bộ lãnh sự đây.")
        await eventually(self.drained)
        assert self.calls() == before


@contextlib.asynccontextmanager
async def channel(provider: Provider, redis_url: str, bot: Optional[StubBot] = None, **settings: Any) -> AsyncIterator[Harness]:
    """Serve the provider's connector (on a clean Redis: take the redis_client fixture)."""
    async with FakeProviders(FAKE) as fake:
        values: Dict[str, Any] = dict(
            redis_url=redis_url, public_url=PUBLIC_URL, worker_name=f"{provider.name}-test", claim_idle_seconds=1,
            rate_limit_messages=50, outbox_max_attempts=3, twilio_api_base_url=fake.url,
            telegram_api_base_url=fake.url, zalo_api_base_url=fake.url, zalo_oauth_base_url=fake.url,
        )
        values.update(settings)
        connector = provider.connector(Settings(**values))
        bot = bot or StubBot()
        app = Sanic(f"channel_test_{next(_app_names)}")
        app.blueprint(connector.blueprint(bot), url_prefix=f"/webhooks/{provider.name}")
        redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
        serving = serve_app(app)  # entered and left by hand: its exit (the pipeline's stop) is awaited
        try:
            async with aiohttp.ClientSession() as http:
                base_url = await serving.__aenter__()
                try:
                    yield Harness(provider, connector, bot, fake, redis, http, base_url)
                finally:
                    await waking_blocked_reads(redis, serving.__aexit__(None, None, None))
        finally:
            await redis.close()


async def waking_blocked_reads(redis: aioredis.Redis, stopping: Awaitable[Any]) -> None:
    """Await `stopping` (pipelines stopping) while waking their workers' blocking stream reads.

    A stopping worker waits out its blocking read (a second); two workers a row would make the
    tables crawl. A woken read returns empty, as if it had timed out."""
    async def wake() -> None:
        while True:
            for client in await redis.client_list():
                if client.get("cmd") == "xreadgroup" and "b" in client.get("flags", ""):
                    await redis.client_unblock(int(client["id"]))
            await asyncio.sleep(0.01)

    waking = asyncio.create_task(wake())
    try:
        await stopping
    finally:
        waking.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waking


# --- running a row ------------------------------------------------------------------------------


async def check_incoming(provider: Provider, row: Incoming, redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    sender = row.sender or provider.address
    async with channel(provider, redis_url) as harness:
        if row.offered:
            async with harness.redis.pipeline(transaction=True) as pipe:
                harness.pipeline.choices.offer_in(pipe, await harness.conversation(sender), list(row.offered))
                await pipe.execute()
        if row.opted_out_before:
            await harness.pipeline.optouts.add(sender)

        answer = await harness.post(row.webhook)
        assert answer.status == row.status, answer.text
        if row.status == 200:
            assert (answer.text, answer.content_type) == (provider.acknowledgement, provider.acknowledgement_type)
        else:
            assert json.loads(answer.text)["error"]  # every refusal says why
        recorded = row.status == 200 if row.recorded is None else row.recorded
        # Recording happens before the answer: no need to wait for it.
        assert bool(await harness.redis.keys(SEEN_KEY.format(channel=provider.name, message_id="*"))) is recorded

        await harness.settle()
        turns = harness.turns()
        if row.bot is None:
            assert turns == []
        else:
            assert len(turns) == 1, [message.text for message in turns]
            turn = turns[0]
            assert turn.text == row.bot.text
            assert turn.input_channel == provider.name
            assert turn.sender_id == await harness.conversation(sender) and sender not in turn.sender_id
            if row.bot.message_id is not None:
                assert turn.message_id == row.bot.message_id
        replies = harness.replies()
        if row.reply is None:
            assert replies == []
        else:
            assert len(replies) == 1, replies
            reply = replies[0]
            assert reply["to"] == sender and matches(row.reply, reply["text"]), reply
        for call in row.calls:
            await eventually(lambda call=call: any(is_call(call, request) for request in harness.calls()))
        if row.opted_out is not None:
            assert await harness.pipeline.optouts.contains(sender) is row.opted_out
        if row.opted_out:
            assert harness.calls() == []  # not even the answer to the barrier
            await harness.nothing_more_reaches(sender)

    check_logs(caplog, sender, row.unlogged)
    if row.logged is not None:
        assert row.logged in caplog.text


async def check_outgoing(provider: Provider, row: Outgoing, redis_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    address = provider.address
    async with channel(provider, redis_url, StubBot(row.replies), **row.settings) as harness:
        for error in row.errors:
            harness.fake.fail(provider.name, **{"to": address, **error})
        await harness.say(row.said, 1)
        await eventually(harness.drained)
        assert [message.text for message in harness.bot.seen] == [row.said]

        letters = await dead_letters(harness.redis)
        if row.outcome is Outcome.DEAD_LETTER:
            assert len(letters) == 1, letters
            letter = letters[0]
            assert matches(row.reason, letter["reason"]), letter["reason"]
            assert not any(secret in letter["reason"] for secret in provider.secrets)
        else:
            assert letters == []
        opted_out = await harness.pipeline.optouts.contains(address)
        assert opted_out is (row.outcome is Outcome.OPTED_OUT)
        if opted_out:
            await harness.nothing_more_reaches(address)

        made = harness.calls()
        assert len(made) == len(row.calls), [(request["path"], request["outcome"], request["params"]) for request in made]
        for call, request in zip(row.calls, made):
            assert is_call(call, request), (call, request)
        texts = [sent["text"] for sent in harness.fake.sent(provider.name)]
        assert all(sent["to"] == address for sent in harness.fake.sent(provider.name))
        if row.texts is not None:
            assert row.texts(texts), texts
    check_logs(caplog, address, [reply["text"] for reply in row.replies])


def check_logs(caplog: pytest.LogCaptureFixture, address: str, unlogged: Sequence[str]) -> None:
    """No address or message in the logs, and no exception: a worker that crashed and was
    retried would otherwise pass for one that did what the row says."""
    for words in (address, *unlogged):
        assert words not in caplog.text
    assert [record.getMessage() for record in caplog.records if record.exc_info] == []
