"""The cache function: func-python's contract over smartops' cache service."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from smartops.cache.http import create_cache_app
from smartops.cache.models import ReloadRequest
from smartops.cache.service import CacheService
from smartops.config import Settings
from smartops.funcadapter import FunctionAdapter
from smartops.knowledge.embedder import Embedder
from smartops.metrics import Metrics
from smartops.redis_client import connect_redis


class CacheFunction(FunctionAdapter):
    name = "cache"

    def __init__(self) -> None:
        super().__init__()
        self._preload: asyncio.Task[Any] | None = None

    def build(self, settings: Settings, cfg: Mapping[str, str]) -> Any:
        redis = connect_redis(settings)
        self.closers.append(redis.aclose)
        service = CacheService(settings, redis, Embedder(settings.embed).embed_batch)
        if settings.cag.paths:  # preloaded in the background; not ready until done
            self._preload = asyncio.get_running_loop().create_task(service.reload(ReloadRequest()))
        return create_cache_app(service, Metrics(), settings.max_body_bytes)

    def not_ready(self) -> str | None:
        loading = self._preload is not None and not self._preload.done()
        return "loading docs" if loading else None


def new() -> CacheFunction:
    return CacheFunction()
