"""Thin adapter: func-python's instanced-function contract over smartops' alert adapter.

``K_SINK`` (set by the SinkBinding) is where the events go; all behaviour lives in
``smartops.eventing``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from smartops.config import Settings
from smartops.eventing.apps import adapter_app
from smartops.eventing.sink import Sink
from smartops.logs import configure_logging
from smartops.metrics import Metrics

log = logging.getLogger("smartops.function.alert_adapter")


class AlertAdapter:
    def __init__(self) -> None:
        self.app: Any = None
        self.sink: Sink | None = None

    def start(self, cfg: Mapping[str, str]) -> None:
        settings = Settings.from_mapping(cfg)
        configure_logging(settings.log_level)
        metrics = Metrics()
        self.sink = Sink(settings, metrics, url=cfg.get("K_SINK") or settings.eventing_sink_url)
        self.app = adapter_app(settings, metrics, self.sink)
        log.info("alert adapter started", extra={"sink": self.sink.url or "(none)"})

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    def ready(self) -> tuple[bool, str]:
        if self.app is None or self.sink is None:
            return False, "starting"
        return (True, "ready") if self.sink.url else (False, "no K_SINK")

    def alive(self) -> tuple[bool, str]:
        return True, "alive"

    def stop(self) -> None:
        if self.sink is not None:
            sink, self.sink = self.sink, None
            try:
                asyncio.get_running_loop().create_task(sink.aclose())
            except RuntimeError:
                asyncio.run(sink.aclose())
        log.info("alert adapter stopping")


def new() -> AlertAdapter:
    return AlertAdapter()
