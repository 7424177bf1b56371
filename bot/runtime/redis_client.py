"""A Redis client from REDIS_URL, with timeouts: shared by the Rasa stores and the runner.

Kept free of Rasa imports, so the runner (`make run`) stays a small process.
"""
from __future__ import annotations

import redis

CONNECT_TIMEOUT_SECONDS = 5
SOCKET_TIMEOUT_SECONDS = 10


def redis_client(url: str, decode_responses: bool) -> redis.Redis:
    if not url or "://" not in url:
        raise ValueError(
            "REDIS_URL must be a URL such as redis://127.0.0.1:6379/0 (rediss:// for TLS)."
        )
    return redis.Redis.from_url(
        url,
        decode_responses=decode_responses,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        health_check_interval=30,
    )
