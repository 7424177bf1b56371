"""Faults between a message and its turn (docs/reliability.md, guarantees 1 and 2): the action
server refusing, timing out or down for good, and a flood over the rate limit.

The turns run Rasa 3.6's own `MessageProcessor._run_action` against a fake action server on
loopback, so what is tested is how the installed Rasa reports a failed custom action (it logs and
drops the action's events) and that the pipeline catches it: the message stays in the inbox and
is retried until the action ran; after the last try a critical one gets the emergency reply and
its case opening is queued for the escalation side, which needs no action server.
"""
from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace
from typing import Any, Dict, List, Optional

import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.escalation.routing import EscalationRouter
from channels.handoff import CASE_OPENINGS
from channels.turns import AgentBot, TurnIncomplete
from tests.channel_harness import drained
from tests.support.echo_channel import echo_message
from tests.support.serving import free_port
from tests.support.waiting import eventually

DANGER_REPLY = "Gọi 113 ngay. / Call 113 now."
HOTLINE = "+84 981 84 84 84"


class FakeActionServer:
    """An action server on loopback that fails as told: "refuse" (HTTP 500), "ok", or "off"
    (the port closed: connection refused)."""

    def __init__(self) -> None:
        self.modes: List[str] = []
        self.calls = 0
        self.port = free_port()
        self._runner: Optional[web.AppRunner] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"

    async def _webhook(self, request: web.Request) -> web.Response:
        self.calls += 1
        mode = self.modes.pop(0) if self.modes else "ok"
        if mode == "refuse":
            return web.Response(status=500, text="the action crashed")
        return web.json_response({"events": [], "responses": [{"text": DANGER_REPLY}]})

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhook", self._webhook)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class ProcessorBot:
    """Stands in for Rasa's agent: each turn runs one custom action the way Rasa 3.6's
    processor runs it, and `parse` is the NLU's judgment (severity by `critical_words`)."""

    def __init__(self, action_url: str, critical_words: tuple = ()) -> None:
        self.action = RemoteAction("action_respond_to_danger", EndpointConfig(action_url))
        self.critical_words = critical_words
        self.turns: List[str] = []
        self.hang_first = False

    async def __call__(self, message: UserMessage) -> None:
        self.turns.append(message.text)
        if self.hang_first and len(self.turns) == 1:
            await asyncio.Event().wait()  # the action server never answers this one
        processor = MessageProcessor.__new__(MessageProcessor)
        processor.domain = Domain.empty()
        tracker = DialogueStateTracker(message.sender_id, [])
        await processor._run_action(self.action, tracker, message.output_channel,
                                    TemplatedNaturalLanguageGenerator({}), PolicyPrediction([], "RulePolicy"))

    async def parse(self, text: str) -> Dict[str, Any]:
        critical = any(word in text for word in self.critical_words)
        return {"text": text, "intent": {"name": "emergency_other" if critical else "greet"}, "entities": [],
                "severity": "critical" if critical else "none"}


@pytest.fixture
async def action_server():
    server = FakeActionServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def start_with(running, monkeypatch):
    """A running echo pipeline whose bot is a ProcessorBot."""
    async def start(bot: ProcessorBot, router_of=None, **settings):
        pipeline, _stub = await running(**settings)
        pipeline._on_new_message = bot
        if router_of is not None:
            pipeline.router = router_of(pipeline.redis)
        return pipeline

    return start


def texts(pipeline) -> List[str]:
    return [item.text for item in pipeline.sender.sent]


async def test_a_refusing_action_server_keeps_the_message_until_the_action_runs(start_with, action_server):
    action_server.modes = ["refuse", "refuse"]  # then it answers
    bot = ProcessorBot(action_server.url)
    pipeline = await start_with(bot)
    await pipeline.accept(echo_message("chu danh em, cuu em", "f1"))
    await eventually(lambda: pipeline.sender.sent, timeout=30)
    await eventually(lambda: drained(pipeline.redis, pipeline.channel))
    assert texts(pipeline) == [DANGER_REPLY]  # the action's reply, once; no hotline notice
    assert action_server.calls == 3 and len(bot.turns) == 3


async def test_a_turn_that_times_out_is_retried(start_with, action_server):
    bot = ProcessorBot(action_server.url)
    bot.hang_first = True
    pipeline = await start_with(bot)
    pipeline.turn_timeout_seconds = 0.5
    await pipeline.accept(echo_message("em bi nhot trong phong, cuu em", "t1"))
    await eventually(lambda: pipeline.sender.sent, timeout=30)
    await eventually(lambda: drained(pipeline.redis, pipeline.channel))
    assert texts(pipeline) == [DANGER_REPLY] and len(bot.turns) == 2


async def test_action_server_down_for_good_a_critical_message_still_gets_help_and_a_case(start_with):
    down = ProcessorBot(f"http://127.0.0.1:{free_port()}/webhook")  # nothing listens there
    pipeline = await start_with(down, EscalationRouter)
    message = echo_message("chu danh em, cuu em", "d1")
    await pipeline.accept(message)
    await eventually(lambda: pipeline.sender.sent, timeout=40)
    await eventually(lambda: drained(pipeline.redis, pipeline.channel))
    [reply] = texts(pipeline)
    assert "Gọi ngay" in reply and HOTLINE in reply  # the emergency reply, with the 24/7 hotline
    assert len(down.turns) == 3  # the retry budget, then the path without the action server
    [(_id, fields)] = await pipeline.redis.xrange(CASE_OPENINGS)
    opening = json.loads(fields["opening"])
    assert opening["severity"] == "critical" and opening["channel"] == "echo"
    assert opening["at"] == message.received_at  # the case will be dated from when she wrote
    assert opening["conversation_id"] == await pipeline.identities.conversation_id("echo", message.address)


async def test_a_harmless_message_the_bot_keeps_failing_on_gets_the_hotline_and_no_case(start_with):
    down = ProcessorBot(f"http://127.0.0.1:{free_port()}/webhook")
    pipeline = await start_with(down, EscalationRouter)
    await pipeline.accept(echo_message("xin chao", "h1"))
    await eventually(lambda: pipeline.sender.sent, timeout=40)
    assert "hệ thống đang lỗi" in texts(pipeline)[0] and HOTLINE in texts(pipeline)[0]
    assert await pipeline.redis.xlen(CASE_OPENINGS) == 0


async def test_a_flood_cannot_mute_a_critical_message(start_with, action_server):
    bot = ProcessorBot(action_server.url, critical_words=("they took everything",))
    pipeline = await start_with(bot, rate_limit_messages=2)
    for index in range(6):  # someone floods her number
        await pipeline.accept(echo_message(f"spam {index}", f"s{index}"))
    # Over the limit: judged all the same, by the NLU (the safety net alone would not see it).
    await pipeline.accept(echo_message("please help they took everything", "c1"))
    await pipeline.accept(echo_message("chu danh em", "c2"))  # and by the safety net
    await eventually(lambda: len(bot.turns) == 4)
    await eventually(lambda: drained(pipeline.redis, pipeline.channel))
    assert bot.turns == ["spam 0", "spam 1", "please help they took everything", "chu danh em"]
    assert texts(pipeline).count(DANGER_REPLY) == 4 and sum("1 phút" in text for text in texts(pipeline)) == 1


async def test_before_the_model_is_loaded_a_turn_is_kept_not_lost():
    answered: List[str] = []

    async def rasa_handler(message: UserMessage) -> None:
        answered.append(message.text)

    class Agent:
        ready = False

        def is_ready(self) -> bool:
            return self.ready

        async def parse_message(self, text: str) -> Dict[str, Any]:
            return {"text": text, "severity": "critical"}

    agent = Agent()
    bot = AgentBot(rasa_handler)
    bot.app = SimpleNamespace(ctx=SimpleNamespace(agent=agent))
    with pytest.raises(TurnIncomplete):
        await bot(UserMessage("cuu em"))
    assert await bot.parse("cuu em") is None  # no NLU yet: the safety net judges alone
    agent.ready = True
    await bot(UserMessage("cuu em"))
    assert answered == ["cuu em"] and (await bot.parse("cuu em"))["severity"] == "critical"
