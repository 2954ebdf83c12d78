"""The gateway (every stage, the eventing routes) and the two eventing function apps,
in process, for the fuzz suite and the crash-shape regressions.

One fixture, ``target``, builds everything: real Redis (a database of its own), the
packaged embedding model, the docs cache and a reindex root holding one runbook, and
the echo upstream (``smartops.bench.echo_upstream``, a real server on a loopback port)
as the LLM, so that a valid chat goes the whole way and answers 200. Requests go
through httpx's ASGI transport; WebSocket sessions through a small ASGI driver
(``ws_session``) on the same event loop, so an exception that escapes the app (what a
server reports as close code 1006) fails the test instead of vanishing in a thread.

The tests are synchronous and drive one ``asyncio.Runner`` that lives as long as the
fixture, so the app's Redis and HTTP clients stay on one loop across all examples.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from smartops.cache.models import ReloadRequest
from smartops.config import Settings
from smartops.eventing.apps import adapter_app, reindex_app
from smartops.eventing.sink import Sink
from smartops.gateway import create_app
from smartops.logs import get_request_id
from smartops.metrics import Metrics
from smartops.services import Services, build_services
from smartops.stack.procs import Child, free_port, port_open
from tests.fuzz.asgi_ws import WsResult, ws_session

EVENTING_DATA = Path(__file__).parents[1] / "eventing" / "data"
FUZZ_DB = 9  # a Redis database of its own: other tests flush theirs
ALLOWED_5XX = {503, 504}  # documented: a backend down (LLM, Redis, a busy reindex) or slow


@dataclass
class Line:
    """One log record as the JSON formatter would write it: its request id at emit."""

    level: int
    logger: str
    message: str
    request_id: str
    fields: dict[str, Any]


class Capture(logging.Handler):
    """Keeps every record from INFO up, with the request id current when it was logged."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[Line] = []

    def emit(self, record: logging.LogRecord) -> None:
        rid = getattr(record, "request_id", None) or get_request_id()
        fields = {k: v for k, v in vars(record).items() if k in ("status", "path", "error")}
        self.lines.append(Line(record.levelno, record.name, record.getMessage(), rid, fields))

    def take(self) -> list[Line]:
        lines, self.lines = self.lines, []
        return lines


@dataclass
class Exchange:
    request_id: str
    response: httpx.Response
    lines: list[Line]

    @property
    def status(self) -> int:
        return self.response.status_code

    def error(self) -> dict[str, Any]:
        body: dict[str, Any] = self.response.json()["error"]
        return body


@dataclass
class Target:
    runner: asyncio.Runner
    services: Services
    settings: Settings
    gateway: httpx.AsyncClient
    adapter: httpx.AsyncClient
    reindex: httpx.AsyncClient
    app: Any
    docs: Path
    logs: Capture
    counts: dict[str, int] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)

    def run(self, coro: Any) -> Any:
        return self.runner.run(coro)

    def send(
        self,
        method: str,
        path: str,
        *,
        content: bytes = b"",
        headers: dict[str, str] | None = None,
        app: str = "gateway",
    ) -> Exchange:
        """One request with an id of its own; the log lines written while it ran."""
        rid = uuid.uuid4().hex
        client: httpx.AsyncClient = getattr(self, app)
        self.logs.take()
        response = self.run(
            client.request(
                method, path, content=content, headers={**(headers or {}), "x-request-id": rid}
            )
        )
        self.counts[f"{app} {method} {path}"] = self.counts.get(f"{app} {method} {path}", 0) + 1
        self.statuses[response.status_code] += 1
        return Exchange(rid, response, self.logs.take())

    def ws(self, frames: list[str | bytes], headers: dict[str, str] | None = None) -> WsResult:
        return self.run(ws_session(self.app, "/v1/chat/completions/ws", frames, headers or {}))


@contextmanager
def echo_upstream(tmp: Path) -> Iterator[str]:
    """The echo upstream on a free loopback port (stopped by its PID): it answers every
    chat at once, so the fuzz spends its time on the edges; no answer text is checked."""
    port = free_port()
    child = Child(
        "echo-upstream",
        [sys.executable, "-m", "smartops.bench.echo_upstream", "--port", str(port)],
        tmp / "echo.log",
    )
    child.start()
    try:
        child.wait_ready(lambda: port_open("127.0.0.1", port), 30)
        yield f"http://127.0.0.1:{port}"
    finally:
        child.stop()


def _docs(tmp: Path) -> Path:
    """A reindex root with one runbook, a nested folder and a symlink loop in it."""
    docs = tmp / "docs"
    shutil.copytree(EVENTING_DATA / "runbooks", docs / "runbooks")
    (docs / "guides").mkdir()
    (docs / "guides" / "restart.md").write_text("# Restart\n\nRoll the deployment.\n")
    (docs / "loop").symlink_to(docs / "loop")
    return docs


def fuzz_settings(tmp: Path, redis_url: str, llm_url: str, docs: Path) -> Settings:
    return Settings(
        data_dir=tmp / "data",
        redis_url=redis_url.rsplit("/", 1)[0] + f"/{FUZZ_DB}",
        llm_base_url=f"{llm_url}/v1",
        llm_connect_retries=0,
        cag_paths=[str(docs / "runbooks")],
        eventing_reindex_paths=[str(docs)],
        eventing_sink_url=f"{llm_url}/sink",  # the echo upstream answers any POST with 200
        eventing_sink_retries=0,
        # Alert documents stay in Redis only: embedding each into the index would spend
        # the fuzz budget on the model, not on the edges under test.
        eventing_alerts_index=False,
    )


@pytest.fixture(scope="package")
def target(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Target]:
    """The one place the apps under fuzz are built (adapt it when the composition moves)."""
    tmp = tmp_path_factory.mktemp("fuzz")
    docs = _docs(tmp)
    capture = Capture()
    root = logging.getLogger()
    previous = root.level
    with asyncio.Runner() as runner, ExitStack() as stack:
        llm_url = stack.enter_context(echo_upstream(tmp))
        settings = fuzz_settings(tmp, redis_url, llm_url, docs)
        services = build_services(settings)
        assert services.eventing is not None, "eventing needs Redis"
        stack.callback(runner.run, _cleanup(services))
        runner.run(_prepare(services))
        app = create_app(services)
        metrics = Metrics()
        sink = Sink(settings.eventing, metrics)
        stack.callback(runner.run, sink.aclose())
        functions = (
            adapter_app(settings, metrics, sink),
            reindex_app(settings, metrics, services.eventing.handlers),
        )
        clients = [_client(a) for a in (app, *functions)]
        for client in clients:
            stack.callback(runner.run, client.aclose())
        root.addHandler(capture)
        root.setLevel(logging.INFO)
        found = Target(runner, services, settings, *clients, app=app, docs=docs, logs=capture)
        try:
            yield found
        finally:
            root.removeHandler(capture)
            root.setLevel(previous)
            total = sum(found.counts.values())
            print(f"\nfuzz: {total} requests, statuses {dict(sorted(found.statuses.items()))}")


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


async def _prepare(services: Services) -> None:
    assert services.redis is not None and services.cache_backend is not None
    await services.redis.flushdb()
    await services.cache_backend.reload(ReloadRequest())


async def _cleanup(services: Services) -> None:
    redis: Redis | None = services.redis
    if redis is not None:
        await redis.flushdb()
    await services.aclose()


def is_openai_error(body: bytes) -> bool:
    """``{"error": {"message": str, "type": str, "code": ...}}``, nothing else on top."""
    try:
        document = json.loads(body)
    except ValueError:
        return False
    error = document.get("error") if isinstance(document, dict) else None
    return (
        isinstance(error, dict)
        and isinstance(error.get("message"), str)
        and bool(error["message"])
        and isinstance(error.get("type"), str)
        and "code" in error
        and "Traceback" not in error["message"]
    )


def assert_sound(exchange: Exchange) -> None:
    """What every answer must be, whatever was sent: no 5xx but the documented ones, an
    OpenAI error body for every error, and its own request id on every error log line
    and on the one access line (which carries the status that was sent)."""
    response, rid = exchange.response, exchange.request_id
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    assert response.status_code < 500 or response.status_code in ALLOWED_5XX, (
        where,
        response.text[:300],
    )
    if response.status_code >= 400 and response.request.method != "HEAD":
        assert is_openai_error(response.content), (where, response.text[:300])
    assert response.headers.get("x-request-id") == rid, where
    for line in exchange.lines:
        if line.level >= logging.WARNING:
            assert line.request_id == rid, (where, line)
    access = [ln for ln in exchange.lines if ln.logger == "smartops.access"]
    assert len(access) == 1, (where, access)
    assert access[0].request_id == rid and access[0].fields.get("status") == response.status_code
