"""The knowledge generation: a counter in Redis that moves when the knowledge changes.

Cached answers are keyed by it, so a new generation invalidates every answer cached
before the knowledge changed, at once and without scanning keys.

It derives from the content: each part of the knowledge (the docs cache, each index
collection) records a fingerprint of what it holds (``fingerprint``: a hash of its
sections' or chunks' ids and content hashes), and ``advance`` starts a new generation
only when a part's fingerprint differs from the recorded one. A restart, a reload or a
reindex that changed nothing keeps the generation and with it the answer cache; a
change made while no process was watching (a crash between the write and the bump) is
still noticed the next time the part is fingerprinted. ``bump`` is the unconditional
invalidation (``POST /invalidate``).

One change can touch several parts: a ``docs.changed`` event re-ingests the index and
reloads the docs cache. ``advance`` takes the change's id (the event id): a part that
changed under the same id as the last new generation records its fingerprint without
starting another one, so one event invalidates the answer cache once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any, cast

from redis.asyncio import Redis

GENERATION_KEY = "smartops:knowledge:generation"
PARTS_KEY = f"{GENERATION_KEY}:parts"  # part -> fingerprint of its content
LAST_KEY = f"{GENERATION_KEY}:last"  # why the last generation started

# KEYS: generation, parts, last; ARGV: part, fingerprint, reason, change id.
_ADVANCE = """
local old = redis.call('HGET', KEYS[2], ARGV[1])
local value = tonumber(redis.call('GET', KEYS[1]) or '0')
if old == ARGV[2] then return value end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[4] ~= '' and value > 0 and redis.call('HGET', KEYS[3], 'change') == ARGV[4] then
  return value
end
local new = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[3], 'reason', ARGV[3], 'part', ARGV[1], 'change', ARGV[4])
return new
"""


def fingerprint(items: Iterable[tuple[str, str]]) -> str:
    """A content fingerprint of (id, content hash) pairs, independent of their order."""
    digest = hashlib.sha256()
    for item_id, item_hash in sorted(items):
        digest.update(f"{item_id}\0{item_hash}\n".encode())
    return digest.hexdigest()[:32]


async def current(redis: Redis) -> int:
    """The current knowledge generation (0 before the first change)."""
    value = await redis.get(GENERATION_KEY)
    return int(value) if value is not None else 0


async def advance(redis: Redis, part: str, content: str, reason: str = "", change: str = "") -> int:
    """The generation once ``part`` holds content with fingerprint ``content``: a new
    one if that differs from the fingerprint recorded for the part, else the current;
    never a second new one for the same ``change`` id (see the module docstring)."""
    args: list[Any] = [GENERATION_KEY, PARTS_KEY, LAST_KEY, part, content, reason or part]
    args.append(change)
    value = await cast(Any, redis.eval(_ADVANCE, 3, *args))
    return int(value)


async def bump(redis: Redis, reason: str = "") -> int:
    """Start a new generation unconditionally; returns the new value."""
    pipe = redis.pipeline(transaction=True)
    pipe.incr(GENERATION_KEY)
    pipe.hset(LAST_KEY, mapping={"reason": reason or "reindex", "change": ""})
    new_value, _ = await pipe.execute()
    return int(new_value)
