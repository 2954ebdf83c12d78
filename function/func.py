"""Thin adapter: func-python's instanced-function contract over the smartops gateway.

func-python calls ``start(cfg)`` on startup with the environment, ``handle`` for every
request other than its own health probes, ``ready``/``alive`` for those probes, and
``stop`` on shutdown. All behaviour lives in the ``smartops`` library.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from smartops.config import Settings
from smartops.gateway import create_app
from smartops.logs import configure_logging
from smartops.services import Services, build_services

log = logging.getLogger("smartops.function")


class Gateway:
    def __init__(self) -> None:
        self.services: Services | None = None
        self.app: Any = None

    def start(self, cfg: Mapping[str, str]) -> None:
        settings = Settings.from_mapping(cfg)
        configure_logging(settings.log_level)
        self.services = build_services(settings)
        self.app = create_app(self.services)
        log.info("gateway started", extra={"llm": settings.llm_base_url})

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        if self.app is None:
            self.start({})
        await self.app(scope, receive, send)

    def ready(self) -> tuple[bool, str]:
        return (self.app is not None, "ready" if self.app is not None else "starting")

    def alive(self) -> tuple[bool, str]:
        return True, "alive"

    def stop(self) -> None:
        if self.services is not None:
            services, self.services = self.services, None
            try:
                asyncio.get_running_loop().create_task(services.aclose())
            except RuntimeError:
                asyncio.run(services.aclose())


def new() -> Gateway:
    return Gateway()
