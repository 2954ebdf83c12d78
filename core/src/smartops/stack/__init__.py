"""The embedded stack: everything smartops needs, started locally with zero configuration.

Real servers as child processes (redis-server, llama.cpp's OpenAI server), the gateway
in this process under uvicorn. ``smartops up`` takes the data dir's lock, prints
``READY <url>`` once all of it answers, restarts a server that crashes, and stops every
child by PID on Ctrl-C or SIGTERM; the children also die with it on ``kill -9``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import uvicorn
import uvloop

from smartops.config import Settings
from smartops.gateway import create_app
from smartops.services import build_services
from smartops.stack.components import EMBEDDED_LLM_REQUEST_ID_HEADER, start_llm, start_redis
from smartops.stack.knowledge import index_knowledge, index_prometheus_rules, with_knowledge
from smartops.stack.lock import ChildState, DataDirLock, StackState, in_use
from smartops.stack.procs import Child, Supervisor, free_port
from smartops.stack.sandbox import sandboxed

log = logging.getLogger(__name__)
_CONNECT_TIMEOUT_S = 0.5


@dataclass
class Embedded:
    """The started backends of one stack, and the settings that point at them."""

    settings: Settings
    supervisor: Supervisor
    state: StackState
    _write_lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, name: str, child: Child, url: str) -> None:
        """Note a (re)started child in ``stack.json``."""
        with self._write_lock:
            self.state.children[name] = ChildState(pid=child.pid or 0, url=url)
            self.state.write(self.settings.data_dir)

    def serving(self, url: str) -> None:
        with self._write_lock:
            self.state.url = url
            self.state.write(self.settings.data_dir)

    def llm_ready(self) -> Callable[[], Awaitable[bool]] | None:
        """Readiness of the embedded LLM, when this stack started it (else None)."""
        if "llm" not in self.state.children:
            return None
        return llm_ready(self.supervisor, self.state.children["llm"].url)

    def restarted(self, child: Child) -> None:
        known = self.state.children.get(child.name)
        if known is not None:
            self.record(child.name, child, known.url)


def llm_ready(supervisor: Supervisor, base_url: str) -> Callable[[], Awaitable[bool]]:
    """The process is alive (not crashed, not restarting) and its port accepts.

    llama.cpp's ``GET /v1/models`` waits for the lock a generation holds, so asking it
    would report the server down whenever it is busy answering; this never asks it.
    """
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80

    async def ready() -> bool:
        if not supervisor.healthy("llm"):
            return False
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), _CONNECT_TIMEOUT_S
            )
        except (OSError, TimeoutError):
            return False
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True

    return ready


@contextlib.contextmanager
def embedded(settings: Settings, always_lock: bool = False) -> Iterator[Embedded]:
    """Start the backends that are not configured, supervised; stop them on exit.

    The data dir's lock is taken whenever a server is started on it (or always, for
    ``smartops up``), and every child inherits it.
    """
    if not always_lock:
        settings = _use_running_stack(settings)
    needs_redis, needs_llm = not settings.redis_url, not settings.llm.configured
    with contextlib.ExitStack() as exits:
        lock_fds: tuple[int, ...] = ()
        if always_lock or needs_redis or needs_llm:
            lock = exits.enter_context(DataDirLock(settings.data_dir))
            StackState.remove(settings.data_dir)  # a killed stack's, if any
            exits.callback(StackState.remove, settings.data_dir)
            lock_fds = (lock.fd,)
        stack = Embedded(settings, Supervisor(), StackState(pid=os.getpid()))
        stack.supervisor.on_restart = stack.restarted
        exits.callback(stack.supervisor.stop_all)
        changes: dict[str, object] = {}
        if needs_redis:
            url = start_redis(settings, stack.supervisor, restart=True, pass_fds=lock_fds)
            stack.record("redis", _child(stack.supervisor, "redis"), url)
            changes["redis_url"] = url
        if needs_llm:
            url = start_llm(settings, stack.supervisor, restart=True, pass_fds=lock_fds)
            stack.record("llm", _child(stack.supervisor, "llm"), url)
            changes["llm_base_url"] = url
            changes["llm_request_id_header"] = EMBEDDED_LLM_REQUEST_ID_HEADER
            changes["llm_embedded"] = True
        if changes:
            stack.settings = settings.with_changes(**changes)
        yield stack


def _use_running_stack(settings: Settings) -> Settings:
    """The settings pointed at the servers of the stack running on this data dir, if any
    (``smartops ask`` next to ``smartops up``), instead of starting a second Redis there."""
    state = StackState.read(settings.data_dir) if in_use(settings.data_dir) else None
    if state is None:
        return settings
    changes: dict[str, object] = {}
    if not settings.redis_url and "redis" in state.children:
        changes["redis_url"] = state.children["redis"].url
    if not settings.llm.configured and "llm" in state.children:
        changes["llm_base_url"] = state.children["llm"].url
        changes["llm_request_id_header"] = EMBEDDED_LLM_REQUEST_ID_HEADER
        changes["llm_embedded"] = True
    return settings.with_changes(**changes) if changes else settings


def _child(supervisor: Supervisor, name: str) -> Child:
    child = supervisor.get(name)
    assert child is not None
    return child


@contextlib.contextmanager
def backends(settings: Settings) -> Iterator[Settings]:
    """Start the backends that are not configured; yield settings that point at them."""
    with embedded(settings) as stack:
        yield stack.settings


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def run_stack(settings: Settings, sandbox: str | None = None) -> None:
    """``smartops up``: start the backends and serve the gateway until interrupted;
    with ``sandbox`` (a scenario folder, or ``demo``), against the Kubernetes API
    simulator serving it."""
    # SIGTERM, and SIGINT even when a script started us in the background (where it is
    # ignored by default), unwind through ``embedded`` so every child is stopped.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGINT, _exit_on_signal)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with embedded(settings, always_lock=True) as stack, contextlib.ExitStack() as exits:
        if sandbox:
            stack.settings = exits.enter_context(sandboxed(stack.settings, sandbox))
        stack.settings = stack.settings.with_changes(port=stack.settings.port or free_port())
        index_knowledge(stack.settings)  # --knowledge DIR: indexed before READY
        index_prometheus_rules(stack.settings)  # what Prometheus has loaded, if configured
        stack.settings = with_knowledge(stack.settings)
        uvloop.run(_serve(stack))  # the loop uvicorn itself would pick


async def _serve(stack: Embedded) -> None:
    settings = stack.settings
    services = build_services(settings)
    llm_ready = stack.llm_ready()
    if llm_ready is not None:
        services.readiness["llm"] = llm_ready
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
        url = f"http://{settings.host}:{settings.port}/v1"
        stack.serving(url)
        print(f"READY {url}", flush=True)
        sys.stdout.flush()
    try:
        await serving
    finally:
        await services.aclose()
        log.info("gateway stopped")
