"""The composition root: builds every long-lived object of a process from Settings.

Edges (the gateway function, ``smartops up``, ``smartops ask``, the other functions)
call ``build_services`` once and pass the result down. Features add their stages and
readiness checks here, so the gateway never changes shape when they arrive.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from redis.asyncio import Redis

from smartops import actions, cache, knowledge
from smartops.cache.stage import CacheStage
from smartops.config import Settings
from smartops.eventing import wiring as eventing_wiring
from smartops.eventing.wiring import Eventing
from smartops.knowledge.embedder import Embedder
from smartops.llm import LLMClient
from smartops.metrics import Metrics
from smartops.pipeline import Pipeline, Stage
from smartops.redis_client import connect_redis

ReadinessCheck = Callable[[], Awaitable[bool]]


@dataclass
class Services:
    settings: Settings
    metrics: Metrics
    llm: LLMClient
    pipeline: Pipeline
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    # Backends the answer can go without: reported by /readyz, never make it fail.
    optional_checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Work to do once before serving (the embedded stack awaits it before READY).
    startup: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    redis: Redis | None = None
    embedder: Embedder | None = None
    cache_stage: CacheStage | None = None
    eventing: Eventing | None = None

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            await close()


def _shared_backends(services: Services) -> None:
    """The Redis client and the embedding model (loaded on first use) every stage shares."""
    settings = services.settings
    services.embedder = Embedder(settings)
    if settings.redis_url:
        redis = connect_redis(settings)
        services.redis = redis

        async def redis_ready() -> bool:
            return bool(await redis.ping())

        services.optional_checks["redis"] = redis_ready
        services.closers.append(redis.aclose)


def build_services(settings: Settings, metrics: Metrics | None = None) -> Services:
    metrics = metrics or Metrics()
    llm = LLMClient(settings, metrics)
    stages: list[Stage] = []
    pipeline = Pipeline(settings, llm, metrics, stages)
    services = Services(settings=settings, metrics=metrics, llm=llm, pipeline=pipeline)
    services.readiness["llm"] = llm.ping
    services.closers.append(llm.aclose)
    _shared_backends(services)
    actions.install(services)  # Actions: the first stage (reads only the user's message)
    cache.install(services)  # Cache: answer-cache hits skip the rest; CAG sections join
    knowledge.install(services)  # Knowledge: retrieval context with numbered citations
    # Eventing: alert documents answer "which alerts are firing?" (its stage goes first).
    services.eventing = eventing_wiring.install(services)
    return services
