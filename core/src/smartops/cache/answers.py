"""The semantic answer cache in Redis.

An answer is stored under its sharing scope (model and the client's system prompt) and
the knowledge generation: ``smartops:answers:{scope}:{generation}:{digest}`` with a TTL,
its question's vector in a VectorSet beside it. A new generation (any reindex) makes
every older answer unreachable at once; the old keys expire by themselves.

Questions and answers are redacted (``smartops.redact``) before they are stored or
keyed: a secret in a user's message or in an answer never reaches Redis. Lookups key
the redacted question the same way, so a repeat still hits.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import numpy as np
from redis.asyncio import Redis

from smartops.cache import generation
from smartops.cache.models import CachedAnswer, CachedSource
from smartops.cache.normalize import digest, identifiers, normalize
from smartops.cache.vectors import VectorSet
from smartops.redact import redact, secrets_in

PREFIX = "smartops:answers"
_MAX_MIRRORS = 32


class AnswerCache:
    def __init__(self, redis: Redis, *, ttl_s: int, threshold: float) -> None:
        self.redis = redis
        self.ttl_s = ttl_s
        self.threshold = threshold
        self._mirrors: OrderedDict[str, VectorSet] = OrderedDict()

    def _mirror(self, key: str) -> VectorSet:
        mirror = self._mirrors.pop(key, None) or VectorSet(key)
        self._mirrors[key] = mirror
        while len(self._mirrors) > _MAX_MIRRORS:
            self._mirrors.popitem(last=False)
        return mirror

    @staticmethod
    def _base(scope: str, gen: int) -> str:
        return f"{PREFIX}:{scope}:{gen}"

    async def exact(self, scope: str, question: str) -> CachedAnswer | None:
        gen = await generation.current(self.redis)
        key = f"{self._base(scope, gen)}:{digest(normalize(redact(question)))}"
        raw = await self.redis.get(key)
        return CachedAnswer.model_validate_json(raw) if raw else None

    async def similar(
        self, scope: str, question: str, vector: np.ndarray
    ) -> tuple[CachedAnswer, float] | None:
        """The closest stored answer above the threshold that names the same identifiers."""
        gen = await generation.current(self.redis)
        base = self._base(scope, gen)
        mirror = self._mirror(f"{base}:vectors")
        await mirror.refresh(self.redis)
        wanted = sorted(identifiers(redact(question)))
        for item_id, score in mirror.best(vector, k=3):
            if score < self.threshold:
                break
            raw = await self.redis.get(f"{base}:{item_id}")
            if raw is None:  # expired: forget its vector
                await mirror.remove(self.redis, [item_id])
                continue
            entry = CachedAnswer.model_validate_json(raw)
            if entry.identifiers == wanted:
                return entry, score
        return None

    async def store(
        self,
        scope: str,
        question: str,
        vector: np.ndarray | None,
        answer: str,
        sources: list[CachedSource],
    ) -> None:
        gen = await generation.current(self.redis)
        base = self._base(scope, gen)
        known = secrets_in(question)  # masked in the answer too, even where it echoes them bare
        question = redact(question)
        item_id = digest(normalize(question))
        entry = CachedAnswer(
            question=question,
            answer=redact(answer, known),
            sources=sources,
            identifiers=sorted(identifiers(question)),
            created=time.time(),
        )
        await self.redis.set(f"{base}:{item_id}", entry.model_dump_json(), ex=self.ttl_s)
        if vector is not None:
            await self._mirror(f"{base}:vectors").add(self.redis, item_id, vector, self.ttl_s)
