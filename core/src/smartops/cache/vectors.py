"""Vectors kept in Redis and scored in process.

A Redis hash maps an id to float32 bytes; a version counter beside it changes on every
write. Each process keeps a numpy mirror and reloads it only when the version moved,
so a lookup costs one small Redis round trip plus a matrix product.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from redis.asyncio import Redis


@dataclass
class VectorSet:
    """The vectors under one Redis key, mirrored in this process."""

    key: str
    ids: list[str] = field(default_factory=list)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    version: bytes | None = None

    @property
    def version_key(self) -> str:
        return f"{self.key}:version"

    async def add(self, redis: Redis, item_id: str, vector: np.ndarray, ttl_s: int = 0) -> None:
        pipe = redis.pipeline(transaction=True)
        pipe.hset(self.key, item_id, np.asarray(vector, dtype=np.float32).tobytes())
        pipe.incr(self.version_key)
        if ttl_s:
            pipe.expire(self.key, ttl_s)
            pipe.expire(self.version_key, ttl_s)
        await pipe.execute()

    async def add_many(self, redis: Redis, item_ids: list[str], vectors: np.ndarray) -> None:
        if item_ids:
            data = np.asarray(vectors, dtype=np.float32)
            pipe = redis.pipeline(transaction=True)
            pipe.hset(
                self.key, mapping={i: v.tobytes() for i, v in zip(item_ids, data, strict=True)}
            )
            pipe.incr(self.version_key)
            await pipe.execute()

    async def remove(self, redis: Redis, item_ids: list[str]) -> None:
        if item_ids:
            pipe = redis.pipeline(transaction=True)
            pipe.hdel(self.key, *item_ids)
            pipe.incr(self.version_key)
            await pipe.execute()

    def sync(self, version: bytes | str | None, raw: dict[bytes | str, bytes | str] | None) -> None:
        """Adopt the Redis state when ``raw`` was read (the version had moved)."""
        self.version = as_bytes(version) if version is not None else None
        if raw is None:
            return
        self.ids = [as_text(k) for k in raw]
        self.matrix = (
            np.frombuffer(b"".join(as_bytes(v) for v in raw.values()), dtype=np.float32).reshape(
                len(raw), -1
            )
            if raw
            else np.zeros((0, 0), dtype=np.float32)
        )

    async def refresh(self, redis: Redis) -> None:
        version = await redis.get(self.version_key)
        if version is not None and as_bytes(version) == self.version:
            return
        raw = await redis.hgetall(self.key) if version is not None else {}
        self.sync(version, raw)

    def best(self, query: np.ndarray, k: int = 1) -> list[tuple[str, float]]:
        """The ``k`` most similar ids by cosine (vectors are L2-normalized)."""
        if not self.ids:
            return []
        scores = self.matrix @ np.asarray(query, dtype=np.float32)
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top]


def as_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def as_text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
