"""One constructor for every Redis client a process opens (cache, actions, eventing).

Every call is bounded by ``redis_timeout_ms`` unless the caller names a roomier timeout
(eventing's transactions and stream writes). Clients never retry a timed-out call: the
cache treats a slow Redis as a miss, and the other callers report the error.
"""

from __future__ import annotations

from redis.asyncio import Redis

from smartops.config import Settings


def connect_redis(settings: Settings, timeout_s: float | None = None) -> Redis:
    """An asyncio Redis client for ``settings.redis_url`` (no I/O until first used)."""
    timeout = settings.redis_timeout_ms / 1000 if timeout_s is None else timeout_s
    return Redis.from_url(
        settings.redis_url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry_on_timeout=False,
        health_check_interval=0,
    )
