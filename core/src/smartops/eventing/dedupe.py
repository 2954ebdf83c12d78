"""Idempotency: one dedupe record per CloudEvent id in Redis, with a TTL.

``claim`` sets the record to ``processing`` with SET NX and a short TTL: only one
delivery of an id runs at a time. ``done`` then sets it to ``done`` with the long TTL,
so every later delivery of that id is a duplicate. ``release`` (after a failure)
deletes the claim, so the retry runs again. A handler that dies mid-way leaves a
claim that expires after the short TTL; the Broker's retry then runs it again.
"""

from __future__ import annotations

import hashlib
from enum import Enum

from redis.asyncio import Redis

PREFIX = "smartops:events:seen:"
PROCESSING = "processing"
DONE = "done"


class Claim(Enum):
    NEW = "new"  # ours to process
    DUPLICATE = "duplicate"  # already processed
    BUSY = "busy"  # another delivery of the same id is being processed


def dedupe_key(source: str, event_id: str) -> str:
    """CloudEvents are unique by (source, id)."""
    digest = hashlib.sha256(f"{source}\0{event_id}".encode()).hexdigest()[:40]
    return PREFIX + digest


class Dedupe:
    def __init__(self, redis: Redis, ttl_s: int, claim_ttl_s: int) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self.claim_ttl_s = claim_ttl_s

    async def claim(self, source: str, event_id: str) -> Claim:
        key = dedupe_key(source, event_id)
        if await self.redis.set(key, PROCESSING, nx=True, ex=self.claim_ttl_s):
            return Claim.NEW
        state = await self.redis.get(key)
        if state is None:  # expired between the two calls: try once more
            ok = await self.redis.set(key, PROCESSING, nx=True, ex=self.claim_ttl_s)
            return Claim.NEW if ok else Claim.BUSY
        return Claim.DUPLICATE if _text(state) == DONE else Claim.BUSY

    async def done(self, source: str, event_id: str) -> None:
        await self.redis.set(dedupe_key(source, event_id), DONE, ex=self.ttl_s)

    async def release(self, source: str, event_id: str) -> None:
        await self.redis.delete(dedupe_key(source, event_id))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
