"""func-python's instanced-function contract, once, for every smartops Knative function.

func-python calls ``start(cfg)`` on startup with the environment, ``handle`` for every
request other than its own health probes, ``ready``/``alive`` for those probes, and
``stop`` on shutdown. A function only says how to build its ASGI app from Settings
(``build``), what to close on stop (``self.closers``) and, if it has one, why it is not
ready yet (``not_ready``). All behaviour lives in the ``smartops`` library.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from smartops.config import Settings
from smartops.logs import configure_logging

log = logging.getLogger("smartops.function")


class FunctionAdapter:
    name = "function"

    def __init__(self) -> None:
        self.app: Any = None
        self.closers: list[Callable[[], Awaitable[None]]] = []

    def build(self, settings: Settings, cfg: Mapping[str, str]) -> Any:
        """The function's ASGI app (append what must be closed to ``self.closers``)."""
        raise NotImplementedError

    def not_ready(self) -> str | None:
        """Why the function cannot serve yet, once built (None: it can)."""
        return None

    def start(self, cfg: Mapping[str, str]) -> None:
        settings = Settings.from_mapping(cfg)
        configure_logging(settings.log_level)
        self.app = self.build(settings, cfg)
        log.info("function started", extra={"function": self.name})

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        if self.app is None:
            self.start({})
        await self.app(scope, receive, send)

    def ready(self) -> tuple[bool, str]:
        if self.app is None:
            return False, "starting"
        reason = self.not_ready()
        return (False, reason) if reason else (True, "ready")

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
        log.info("function stopping", extra={"function": self.name})
