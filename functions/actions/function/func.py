"""Thin adapter: func-python's instanced-function contract over smartops' action service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import redis.asyncio as aioredis

from smartops.actions.http import create_actions_app
from smartops.actions.service import ActionService
from smartops.config import Settings
from smartops.logs import configure_logging
from smartops.metrics import Metrics

log = logging.getLogger("smartops.function.actions")


class ActionsFunction:
    def __init__(self) -> None:
        self.app: Any = None
        self.service: ActionService | None = None
        self.redis: aioredis.Redis | None = None

    def start(self, cfg: Mapping[str, str]) -> None:
        settings = Settings.from_mapping(cfg)
        configure_logging(settings.log_level)
        self.redis = aioredis.Redis.from_url(settings.redis_url) if settings.redis_url else None
        self.service = ActionService.build(settings, Metrics(), self.redis)
        self.app = create_actions_app(self.service)
        log.info(
            "actions function started", extra={"kubernetes": self.service.executors.kube.configured}
        )

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        if self.app is None:
            self.start({})
        await self.app(scope, receive, send)

    def ready(self) -> tuple[bool, str]:
        return (self.app is not None, "ready" if self.app is not None else "starting")

    def alive(self) -> tuple[bool, str]:
        return True, "alive"

    def stop(self) -> None:
        service, self.service = self.service, None
        if service is None:
            return
        client = self.redis

        async def close() -> None:
            await service.aclose()
            if client is not None:
                await client.aclose()

        try:
            asyncio.get_running_loop().create_task(close())
        except RuntimeError:
            asyncio.run(close())


def new() -> ActionsFunction:
    return ActionsFunction()
