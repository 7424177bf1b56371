"""`python -m bot outbox dead` lists replies that could not be sent; `outbox replay` queues them again.

Addresses are masked and texts left out unless --show-text is given: an operator sees why a
reply failed without reading the conversation.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import List, Optional

import redis.asyncio as aioredis

from bot.runtime.privacy import mask_id
from bot.runtime.settings import SettingsError, load_settings
from channels.outbox import OutboxItem, dead_letters, replay_dead_letters


async def _run(args: argparse.Namespace, url: str) -> int:
    client = aioredis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=5)
    try:
        if args.action == "dead":
            letters = await dead_letters(client, args.limit)
            if not letters:
                print("No dead letters.")
            for letter in letters:
                item = OutboxItem.load(letter["item"])
                when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(letter["at"]))
                line = f"{letter['id']}  {when} UTC  {item.channel:8} {mask_id(item.address)}  {item.origin:7} {letter['reason']}"
                print(line + (f"\n    {item.text}" if args.show_text else ""))
            return 0
        ids = None if args.all else args.ids
        if not args.all and not args.ids:
            print("Say which: `outbox replay <id> ...` or `outbox replay --all`.", file=sys.stderr)
            return 2
        print(f"Queued {await replay_dead_letters(client, ids)} dead letter(s) again.")
        return 0
    finally:
        await client.close()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot outbox", description=__doc__)
    actions = parser.add_subparsers(dest="action", required=True)
    dead = actions.add_parser("dead", help="list dead letters, newest first")
    dead.add_argument("--limit", type=int, default=50)
    dead.add_argument("--show-text", action="store_true", help="also print each reply's text")
    replay = actions.add_parser("replay", help="queue dead letters again")
    replay.add_argument("ids", nargs="*")
    replay.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    url = settings.redis_url or f"redis://127.0.0.1:{settings.embedded_redis_port}/0"
    try:
        return asyncio.run(_run(args, url))
    except OSError as error:
        print(f"Cannot reach Redis at port {settings.embedded_redis_port} or REDIS_URL: {error}", file=sys.stderr)
        return 1
