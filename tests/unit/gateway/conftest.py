"""The gateway app in process, over an upstream address where nothing listens.

The knowledge features are off: these tests are about the HTTP edge and the LLM path,
which a knowledge question only takes after its evidence was found."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from smartops.config import Settings
from smartops.gateway import create_app
from smartops.services import build_services
from smartops.stack.procs import free_port

ClientFactory = Callable[..., httpx.AsyncClient]


def closed_upstream() -> str:
    """A loopback URL that refuses connections (a real 'LLM is down')."""
    return f"http://127.0.0.1:{free_port()}/v1"


@pytest.fixture
def settings() -> Settings:
    return Settings(
        llm_base_url=closed_upstream(),
        llm_connect_retries=1,
        knowledge_enabled=False,
        cache_enabled=False,
        max_body_bytes=4096,
        max_message_chars=1000,
    )


@pytest.fixture
async def make_client() -> AsyncIterator[ClientFactory]:
    made: list[httpx.AsyncClient] = []

    def factory(settings: Settings) -> httpx.AsyncClient:
        app = create_app(build_services(settings))
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        )
        made.append(client)
        return client

    yield factory
    for client in made:
        await client.aclose()


@pytest.fixture
async def client(make_client: ClientFactory, settings: Settings) -> httpx.AsyncClient:
    return make_client(settings)
