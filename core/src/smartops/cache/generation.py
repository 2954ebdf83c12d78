"""The knowledge generation: a counter in Redis that every reindex bumps.

Cached answers are keyed by it, so bumping it invalidates every answer cached before
the knowledge changed, at once and without scanning keys.
"""

from __future__ import annotations

from redis.asyncio import Redis

GENERATION_KEY = "smartops:knowledge:generation"


async def current(redis: Redis) -> int:
    """The current knowledge generation (0 before the first reindex)."""
    value = await redis.get(GENERATION_KEY)
    return int(value) if value is not None else 0


async def bump(redis: Redis, reason: str = "") -> int:
    """Start a new generation (after any reindex); returns the new value."""
    pipe = redis.pipeline(transaction=True)
    pipe.incr(GENERATION_KEY)
    pipe.hset(f"{GENERATION_KEY}:last", mapping={"reason": reason or "reindex"})
    new_value, _ = await pipe.execute()
    return int(new_value)
