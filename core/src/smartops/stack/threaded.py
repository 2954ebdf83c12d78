"""The gateway in a thread of this process, as ``smartops up`` serves it, and any ASGI
app on a free loopback port: for evaluations and tests that ask through HTTP without a
child process per scenario. Stopped by ``stop()`` / leaving the context."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from smartops.config import Settings
from smartops.errors import UpstreamUnavailable
from smartops.stack.procs import free_port

HOST = "127.0.0.1"


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """An ASGI app under uvicorn in a thread on a free loopback port; yields its URL."""
    port = free_port()
    config = uvicorn.Config(app, host=HOST, port=port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    if not server.started:
        raise UpstreamUnavailable(f"a server on port {port} did not start")
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


class GatewayThread:
    """The gateway as ``smartops up`` serves it (``build_services`` + ``create_app``),
    in its own thread and event loop, on ``port`` (default: a free one); ``url`` is its
    ``/v1`` once it is ready."""

    def __init__(self, settings: Settings, port: int | None = None) -> None:
        self.settings = settings.with_changes(port=port or free_port())
        self.url = f"http://{HOST}:{self.settings.port}/v1"
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._server: uvicorn.Server | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    async def _serve(self) -> None:
        from smartops.gateway import create_app
        from smartops.services import build_services

        try:
            services = build_services(self.settings)
            for work in services.startup:
                await work()
        except BaseException as exc:
            self._failed = exc
            self._ready.set()
            raise
        config = uvicorn.Config(
            create_app(services),
            host=HOST,
            port=self.settings.port,
            log_config=None,
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        task = asyncio.create_task(self._server.serve())
        while not self._server.started and not task.done():  # noqa: ASYNC110 - no event
            await asyncio.sleep(0.01)
        self._ready.set()
        try:
            await task
        finally:
            await services.aclose()

    def start(self, timeout: float = 120.0) -> None:
        self._thread.start()
        started = self._ready.wait(timeout) and self._server is not None and self._server.started
        if not started or self._failed is not None:
            why = (
                repr(self._failed) if self._failed else f"nothing serves port {self.settings.port}"
            )
            raise UpstreamUnavailable(f"the gateway did not start: {why}")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(15)
