"""Fixtures for eventing: the gateway with the eventing routes over real Redis.

The gateway app is built over real services (Redis, the packaged embedding model, the
docs cache holding a runbook) and served in process through httpx's ASGI transport.
The LLM URL points at a closed port: alert questions must be answered without it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from smartops.cache.models import ReloadRequest
from smartops.config import Settings
from smartops.eventing.wiring import Eventing
from smartops.gateway import create_app
from smartops.services import Services, build_services

DATA = Path(__file__).parent / "data"
EVENTING_DB = 7  # a Redis database of its own: other tests flush database 0


@dataclass
class Gateway:
    client: httpx.AsyncClient
    services: Services
    eventing: Eventing
    redis: Redis
    settings: Settings
    docs: Path


def db_url(redis_url: str) -> str:
    return redis_url.rsplit("/", 1)[0] + f"/{EVENTING_DB}"


def webhook(**changes: Any) -> dict[str, Any]:
    """The sample webhook, with the first alert's fields changed."""
    body: dict[str, Any] = json.loads((DATA / "webhook.json").read_text())
    body["alerts"][0].update(changes)
    return body


@pytest.fixture
async def gateway(tmp_path: Path, redis_url: str) -> AsyncIterator[Gateway]:
    docs = tmp_path / "docs"
    shutil.copytree(DATA / "runbooks", docs / "runbooks")
    url = db_url(redis_url)
    redis = Redis.from_url(url)
    await redis.flushdb()
    settings = Settings(
        data_dir=tmp_path / "data",
        redis_url=url,
        llm_base_url="http://127.0.0.1:9/v1",
        cag_paths=[str(docs / "runbooks")],
        eventing_reindex_paths=[str(docs)],
        eventing_canary_file=DATA / "canary.jsonl",
    )
    services = build_services(settings)
    assert services.cache_backend is not None and services.eventing is not None
    await services.cache_backend.reload(ReloadRequest())
    app = create_app(services)  # the eventing routes come with it
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield Gateway(client, services, services.eventing, redis, settings, docs)
    await services.aclose()
    await redis.flushdb()
    await redis.aclose()
