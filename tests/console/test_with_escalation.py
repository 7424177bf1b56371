"""The console with the real CaseActions (bot.escalation.case_actions) and Redis: what an officer
does in the console reaches the worker's conversation."""
from __future__ import annotations

import json
import uuid

import pytest

from tests.console.conftest import Browser, build_app, serve


@pytest.fixture
def linked(env, redis_url):
    import redis
    import redis.asyncio as aioredis

    from bot.escalation.case_actions import CaseActions
    from bot.escalation.link import HANDOFF_KEY
    from channels.identity import ADDRESS_KEY
    from channels.inbox import STREAM_KEY as INBOX_KEY

    sync = redis.Redis.from_url(redis_url, decode_responses=True)
    conversation = f"+8869{uuid.uuid4().int % 10 ** 8:08d}"
    sync.hset(ADDRESS_KEY.format(conversation_id=conversation), mapping={"channel": "twilio", "address": conversation})
    inbox = INBOX_KEY.format(channel="twilio")
    start = (sync.xrevrange(inbox, count=1) or [("0-0", None)])[0][0]
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)

    def sent():
        messages = [json.loads(fields["message"]) for _, fields in sync.xrange(inbox, min=f"({start}")]
        return [message["text"] for message in messages if message["address"] == conversation]

    def in_handoff():
        return bool(sync.exists(HANDOFF_KEY.format(conversation_id=conversation)))

    yield CaseActions(env.store, client), conversation, sent, in_handoff
    sync.delete(ADDRESS_KEY.format(conversation_id=conversation), HANDOFF_KEY.format(conversation_id=conversation))
    sync.close()


async def test_take_reply_close_from_the_console_reach_her_conversation(env, linked):
    actions, conversation, sent, in_handoff = linked
    case = env.open_case(conversation, messages=[("in", "cuu em")])
    async with serve(build_app(env, actions=actions)) as base:
        browser = Browser(base)
        try:
            await browser.login("lan")
            response, body = await browser.post(f"/cases/{case.id}/take")
            assert response.status == 200 and in_handoff()
            assert "Cán bộ lãnh sự đã vào cuộc trò chuyện" in sent()[-1]
            response, body = await browser.post(f"/cases/{case.id}/reply", {"text": "Chị ở đâu?"})
            assert response.status == 200 and sent()[-1] == "Chị ở đâu?"
            response, body = await browser.post(f"/cases/{case.id}/close", {"reason": "an toàn"})
            assert response.status == 200, body[-600:]
            assert "Đã đóng vụ việc." in body and not in_handoff()
            assert "Cán bộ lãnh sự đã kết thúc cuộc trò chuyện" in sent()[-1]
        finally:
            await browser.close()
    kinds = [event.kind for event in env.store.get_case(case.id).events]
    assert kinds[-1] == "closed" and kinds.count("message_out") == 3
