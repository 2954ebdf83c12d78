"""The cache service: answer cache + docs cache over Redis, as the cache function serves it.

The gateway uses it in process (embedded stack) or through ``CacheClient`` over HTTP
(the Knative cache function); both have the same four operations.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Protocol

import numpy as np
from redis.asyncio import Redis

from smartops.cache import generation
from smartops.cache.answers import AnswerCache
from smartops.cache.docs import DocsCache, EmbedBatch
from smartops.cache.models import (
    LookupRequest,
    LookupResult,
    ReloadReport,
    ReloadRequest,
    StoreRequest,
)
from smartops.config import Settings
from smartops.errors import InvalidRequest
from smartops.knowledge.documents import files_under

log = logging.getLogger(__name__)
DOCS_PART = "docs"  # the docs cache's part of the knowledge generation


class CacheBackend(Protocol):
    async def lookup(self, request: LookupRequest) -> LookupResult: ...

    async def store(self, request: StoreRequest) -> None: ...

    async def invalidate(self, reason: str) -> int: ...

    async def reload(self, request: ReloadRequest) -> ReloadReport: ...


class CacheService:
    def __init__(self, settings: Settings, redis: Redis, embed: EmbedBatch) -> None:
        self.settings = settings
        self.redis = redis
        self.embed = embed
        self.answers = AnswerCache(
            redis, ttl_s=settings.cache.ttl_s, threshold=settings.cache.similarity
        )
        self.docs = DocsCache.from_settings(redis, settings)
        self._reload_lock = asyncio.Lock()

    async def lookup(self, request: LookupRequest) -> LookupResult:
        entry = await self.answers.exact(request.scope, request.question)
        if entry is not None:
            return LookupResult(answer=entry, how="exact", score=1.0)
        vector = np.asarray(request.vector, dtype=np.float32) if request.vector else None
        if vector is not None and request.semantic:
            found = await self.answers.similar(request.scope, request.question, vector)
            if found is not None:
                return LookupResult(answer=found[0], how="semantic", score=found[1])
        docs = await self.docs.lookup(request.question, vector) if request.docs else None
        return LookupResult(docs=docs)

    async def store(self, request: StoreRequest) -> None:
        vector = np.asarray(request.vector, dtype=np.float32) if request.vector else None
        await self.answers.store(
            request.scope, request.question, vector, request.answer, request.sources
        )

    async def invalidate(self, reason: str) -> int:
        new = await generation.bump(self.redis, reason)
        log.info("answer cache invalidated", extra={"generation": new, "reason": reason})
        return new

    async def reload(self, request: ReloadRequest) -> ReloadReport:
        """Re-read docs (given paths, or all configured folders); a new generation only
        when the cached sections changed (a restart with the same docs keeps answers)."""
        async with self._reload_lock:
            report = await self._reload(request.paths)
            content = await self.docs.rebuild_keys()
            report.generation = await generation.advance(
                self.redis, DOCS_PART, content, "docs changed", request.change
            )
        log.info("docs cache reloaded", extra=report.model_dump())
        return report

    async def _reload(self, paths: list[str] | None) -> ReloadReport:
        configured = list(self.settings.cag.paths)
        given = paths if paths is not None else configured
        for path in given:
            if not any(_within(path, root) for root in configured):
                raise InvalidRequest(f"'{path}' is not under a configured docs folder.")
        files = dict(await asyncio.to_thread(markdown_files, given))
        # A given folder that lost files: its sources that no longer exist are removed.
        known = [s for s in await self.docs.sources() if any(_within(s, p) for p in given)]
        report = ReloadReport()
        for source in sorted(set(files) | set(known)):
            file = files.get(source)
            text = await asyncio.to_thread(file.read_text, "utf-8") if file else None
            new, embedded, removed = await self.docs.load_file(source, text, self.embed)
            report.files += 1 if file else 0
            report.sections += new
            report.embedded += embedded
            report.removed += removed
        return report


def markdown_files(paths: list[str]) -> list[tuple[str, Path]]:
    """(source as given, file) for every markdown file under the given paths; the walk
    never leaves a given folder (``files_under``: symlinks out of it are skipped)."""
    found: list[tuple[str, Path]] = []
    for given in paths:
        path = Path(given)
        if path.is_file() and path.suffix == ".md":
            found.append((given, path))
        elif path.is_dir():
            for file in files_under(path):
                if file.suffix == ".md":
                    found.append((f"{given.rstrip('/')}/{file.relative_to(path).as_posix()}", file))
    return found


def _within(path: str, root: str) -> bool:
    """Whether ``path`` is ``root`` or below it, comparing resolved paths."""
    p, r = Path(path).resolve(), Path(root).resolve()
    return p == r or r in p.parents
