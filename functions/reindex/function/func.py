"""Thin adapter: func-python's instanced-function contract over smartops' event handlers.

Each request is one CloudEvent (binary or structured mode), decoded by
``smartops.eventing.envelope``; all behaviour lives in ``smartops.eventing``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from smartops.config import Settings
from smartops.eventing.apps import reindex_app
from smartops.eventing.wiring import Eventing, build_eventing, cag_reloader
from smartops.logs import configure_logging
from smartops.metrics import Metrics

log = logging.getLogger("smartops.function.reindex")


class ReindexFunction:
    def __init__(self) -> None:
        self.app: Any = None
        self.eventing: Eventing | None = None
        self.closers: list[Any] = []

    def start(self, cfg: Mapping[str, str]) -> None:
        settings = Settings.from_mapping(cfg)
        configure_logging(settings.log_level)
        metrics = Metrics()
        reload = None
        if settings.cache_url:
            from smartops.cache.client import CacheClient

            client = CacheClient(settings.cache_url)
            self.closers.append(client.aclose)
            reload = cag_reloader(settings, client)
        self.eventing = build_eventing(settings, metrics, reload_docs=reload)
        self.closers.append(self.eventing.aclose)
        self.app = reindex_app(settings, metrics, self.eventing.handlers)
        log.info("reindex function started", extra={"paths": settings.eventing_reindex_paths})

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    def ready(self) -> tuple[bool, str]:
        return (self.app is not None, "ready" if self.app is not None else "starting")

    def alive(self) -> tuple[bool, str]:
        return True, "alive"

    def stop(self) -> None:
        closers, self.closers = self.closers, []

        async def close_all() -> None:
            for close in reversed(closers):
                await close()

        try:
            asyncio.get_running_loop().create_task(close_all())
        except RuntimeError:
            asyncio.run(close_all())
        log.info("reindex function stopping")


def new() -> ReindexFunction:
    return ReindexFunction()
