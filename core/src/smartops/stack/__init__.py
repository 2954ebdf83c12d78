"""The embedded stack: everything smartops needs, started locally with zero configuration.

Real servers as child processes (redis-server, llama.cpp's OpenAI server), the gateway
in this process under uvicorn. ``smartops up`` prints ``READY <url>`` once all of it
answers, and stops every child by PID on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Iterator

import uvicorn

from smartops.config import Settings
from smartops.gateway import create_app
from smartops.services import build_services
from smartops.stack.components import EMBEDDED_LLM_REQUEST_ID_HEADER, start_llm, start_redis
from smartops.stack.procs import Supervisor, free_port

log = logging.getLogger(__name__)


@contextlib.contextmanager
def backends(settings: Settings) -> Iterator[Settings]:
    """Start the backends that are not configured; yield settings that point at them."""
    supervisor = Supervisor()
    try:
        changes: dict[str, object] = {}
        if not settings.redis_url:
            changes["redis_url"] = start_redis(settings, supervisor)
        if not settings.llm_configured:
            changes["llm_base_url"] = start_llm(settings, supervisor)
            changes["llm_request_id_header"] = EMBEDDED_LLM_REQUEST_ID_HEADER
        yield settings.with_changes(**changes) if changes else settings
    finally:
        supervisor.stop_all()


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def run_stack(settings: Settings) -> None:
    """``smartops up``: start the backends and serve the gateway until interrupted."""
    # SIGTERM, and SIGINT even when a script started us in the background (where it is
    # ignored by default), unwind through ``backends`` so every child is stopped.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, _exit_on_signal)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with backends(settings) as ready_settings:
        port = ready_settings.port or free_port()
        asyncio.run(_serve(ready_settings.with_changes(port=port)))


async def _serve(settings: Settings) -> None:
    services = build_services(settings)
    for prepare in services.startup:
        await prepare()
    app = create_app(services)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    # uvicorn captures SIGINT/SIGTERM while serving and re-raises them once it has shut
    # down; these handlers receive that re-raise, so the stack then stops its children.
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
    serving = asyncio.create_task(server.serve())
    while not server.started and not serving.done():  # noqa: ASYNC110 - uvicorn has no event
        await asyncio.sleep(0.01)
    if server.started:
        print(f"READY http://{settings.host}:{settings.port}/v1", flush=True)
        sys.stdout.flush()
    try:
        await serving
    finally:
        await services.aclose()
        log.info("gateway stopped")
