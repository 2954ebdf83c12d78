"""The cache stage: answer-cache hits skip everything; CAG sections join the prompt.

It never blocks or fails an answer: every call to the cache backend has a deadline
(``SMARTOPS_CACHE_DEADLINE_MS``); a slow, cold or failing cache is a miss, counted in
``smartops_cache_lookups_total{result="error"}``.

What is shared between users: answers to standalone questions (a conversation of one
user message), under the same model and the same client system prompt, and the docs
cache. What is not: anything with conversation history, answers that ran an action,
hit an error or a degraded backend, and questions longer than
``SMARTOPS_CACHE_MAX_QUESTION_CHARS`` (Open WebUI's title and tag tasks embed whole
chats in one long message).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

from smartops.cache.models import CachedSource, DocsMatch, LookupRequest, StoreRequest
from smartops.cache.normalize import scope
from smartops.cache.service import CacheBackend
from smartops.config import Settings
from smartops.knowledge.embedder import embedding_signature
from smartops.metrics import Metrics
from smartops.query import QueryEmbedder, query_vector
from smartops.turn import Reply, Source, Turn

log = logging.getLogger(__name__)
CACHE_HEADER = "X-Smartops-Cache"
T = TypeVar("T")


class CacheStage:
    name = "cache"

    def __init__(
        self, settings: Settings, backend: CacheBackend, embedder: QueryEmbedder, metrics: Metrics
    ) -> None:
        self.settings = settings
        self.backend = backend
        self.embedder = embedder
        self.metrics = metrics
        self.deadline_s = settings.cache.deadline_ms / 1000

    def _scope(self, turn: Turn) -> str | None:
        request = turn.request
        history = [m for m in request.messages[:-1] if m.role in ("user", "assistant", "tool")]
        if history or len(request.question) > self.settings.cache.max_question_chars:
            return None
        systems = [m.text for m in request.messages if m.role in ("system", "developer")]
        model = f"{self.settings.model_id}|{self.settings.llm.model or self.settings.llm.base_url}"
        # An extract is not a synthesis: each answer mode has its own entries.
        mode = turn.answer_mode or self.settings.answer_mode
        return scope(f"{model}|{embedding_signature(self.settings.embed)}|{mode}", systems)

    def sharing_scope(self, turn: Turn) -> str | None:
        """Identical concurrent questions in this scope share one lookup and one answer
        (``smartops.flights``)."""
        return self._scope(turn) if self.settings.cache.enabled else None

    async def _call(self, call: Awaitable[T]) -> T | None:
        try:
            return await asyncio.wait_for(call, self.deadline_s)
        except Exception as exc:  # the cache never fails an answer
            self.metrics.cache.labels("error").inc()
            log.warning("cache unavailable", extra={"error": f"{type(exc).__name__}: {exc}"})
            return None

    async def before(self, turn: Turn) -> Reply | None:
        turn.headers[CACHE_HEADER] = "miss"
        key = self._scope(turn) if self.settings.cache.enabled else None
        turn.cache_scope = key
        question = turn.request.question
        if key is not None:
            exact = await self._call(
                self.backend.lookup(
                    LookupRequest(scope=key, question=question, docs=False, semantic=False)
                )
            )
            if exact is not None and exact.answer is not None:
                return self._hit(turn, exact.answer.answer, exact.answer.sources, "exact")
        vector = await query_vector(turn, self.embedder, self.metrics)
        found = await self._call(
            self.backend.lookup(
                LookupRequest(
                    scope=key or "none",
                    question=question,
                    vector=vector.tolist(),
                    semantic=key is not None,
                )
            )
        )
        if found is not None and found.answer is not None:
            return self._hit(turn, found.answer.answer, found.answer.sources, "semantic")
        self.metrics.cache.labels("miss" if key is not None else "skip").inc()
        if found is not None and found.docs is not None:
            self._add_docs(turn, found.docs)
        return None

    def _hit(self, turn: Turn, answer: str, sources: list[CachedSource], how: str) -> Reply:
        turn.headers[CACHE_HEADER] = "hit"
        turn.cacheable = False  # already stored
        turn.cache_hit = how
        self.metrics.cache.labels("hit").inc()
        return Reply(answer, [Source(s.source, s.title, s.heading, s.url) for s in sources])

    def _add_docs(self, turn: Turn, match: DocsMatch) -> None:
        """The docs cache's sections go to the prompt assembler, within the same token
        budget as the retrieved hits. Retrieval still runs: a docs-cache match (an alert
        name, a title) finds the runbook, not the rule or the how-to page beside it."""
        for section in match.sections:
            turn.cached_context.append(
                {
                    "source": section.source,
                    "title": section.title,
                    "heading": section.heading,
                    "url": section.url,
                    "text": section.text,
                    "similarity": match.score,  # 1.0 for an exact key (an alert name)
                }
            )

    async def after(self, turn: Turn, answer: str) -> None:
        key = turn.cache_scope
        if not (turn.cacheable and key and answer.strip()) or turn.cache_hit:
            return
        vector = turn.query_vector
        request = StoreRequest(
            scope=key,
            question=turn.request.question,
            answer=answer,
            vector=vector.tolist() if vector is not None else None,
            sources=[
                CachedSource(source=s.source, title=s.title, heading=s.heading, url=s.url)
                for s in dict.fromkeys(turn.sources)
            ],
        )
        # Stored before the stream ends (bounded by the deadline), so a repeat that
        # arrives right after the answer already hits.
        await self._call(self.backend.store(request))
