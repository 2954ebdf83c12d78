"""Thin adapter: func-python's instanced-function contract over smartops' cache service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from smartops.cache.http import create_cache_app
from smartops.cache.models import ReloadRequest
from smartops.cache.service import CacheService, connect_redis
from smartops.config import Settings
from smartops.knowledge.embedder import Embedder
from smartops.logs import configure_logging
from smartops.metrics import Metrics

log = logging.getLogger("smartops.function.cache")


class CacheFunction:
    def __init__(self) -> None:
        self.app: Any = None
        self.service: CacheService | None = None
        self._preload: asyncio.Task[Any] | None = None

    def start(self, cfg: Mapping[str, str]) -> None:
        settings = Settings.from_mapping(cfg)
        configure_logging(settings.log_level)
        embedder = Embedder(settings)
        self.service = CacheService(settings, connect_redis(settings), embedder.embed_batch)
        self.app = create_cache_app(self.service, Metrics(), settings.max_body_bytes)
        if settings.cag_paths:
            self._preload = asyncio.get_running_loop().create_task(
                self.service.reload(ReloadRequest())
            )
        log.info("cache function started", extra={"docs": settings.cag_paths})

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    def ready(self) -> tuple[bool, str]:
        if self.app is None:
            return False, "starting"
        if self._preload is not None and not self._preload.done():
            return False, "loading docs"
        return True, "ready"

    def alive(self) -> tuple[bool, str]:
        return True, "alive"

    def stop(self) -> None:
        log.info("cache function stopping")


def new() -> CacheFunction:
    return CacheFunction()
