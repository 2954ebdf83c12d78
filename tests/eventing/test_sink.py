"""Posting CloudEvents to a sink over real HTTP: retries with backoff, permanent 4xx."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response

from smartops.config import Settings
from smartops.errors import UpstreamError, UpstreamUnavailable
from smartops.eventing import envelope
from smartops.eventing.envelope import CloudEvent
from smartops.eventing.sink import Sink
from smartops.metrics import Metrics
from smartops.stack.procs import free_port

pytestmark = pytest.mark.integration
EVENT = CloudEvent(
    type="dev.smartops.alert.firing.v1",
    source="http://am",
    id="e-1",
    data={"x": "y"},
    subject="PaymentsHighErrorRate",
)


def broker(statuses: list[int], received: list[CloudEvent]) -> FastAPI:
    """A sink answering the given statuses in turn (then 202), keeping what it decoded."""
    app = FastAPI()

    @app.post("/")
    async def take(request: Request) -> Response:
        received.append(envelope.from_http(dict(request.headers), await request.body()))
        return Response(status_code=statuses.pop(0) if statuses else 202)

    return app


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await task


def sink(url: str, metrics: Metrics, retries: int = 3) -> Sink:
    settings = Settings(eventing_sink_retries=retries, eventing_sink_backoff_s=0.01)
    return Sink(settings.eventing, metrics, url=url)


async def test_transient_errors_are_retried_until_delivered() -> None:
    received: list[CloudEvent] = []
    metrics = Metrics()
    async with serving(broker([503, 429], received)) as url:
        client = sink(url, metrics)
        await client.send(EVENT)
        await client.aclose()
    assert received == [EVENT] * 3  # binary mode decodes back to the same event
    sample = metrics.registry.get_sample_value
    assert sample("smartops_event_sink_posts_total", {"result": "retried"}) == 2
    assert sample("smartops_event_sink_posts_total", {"result": "delivered"}) == 1


async def test_a_refusal_is_permanent_and_not_retried() -> None:
    received: list[CloudEvent] = []
    async with serving(broker([400], received)) as url:
        client = sink(url, Metrics())
        with pytest.raises(UpstreamError, match="status 400"):
            await client.send(EVENT)
        await client.aclose()
    assert len(received) == 1


async def test_an_unreachable_sink_fails_after_the_retries() -> None:
    client = sink(f"http://127.0.0.1:{free_port()}/", Metrics(), retries=2)
    with pytest.raises(UpstreamUnavailable, match="connection error"):
        await client.send(EVENT)
    await client.aclose()
