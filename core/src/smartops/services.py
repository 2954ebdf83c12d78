"""The composition root: builds every long-lived object of a process from Settings.

Edges (the gateway function, ``smartops up``, ``smartops ask``, the other functions)
call ``build_services`` once and pass the result down. The shared backends are built
first; each feature's ``build`` returns what it contributes; the stage order is written
here and nowhere else:

    routing    one typed decision per message: knowledge, live_read, write, investigate,
               confirm, cancel or clarify (every later stage acts on its routes only)
    alerts     live alert questions from the alert store (eventing)
    actions    reads, writes (dry run, then confirmation) and decisions on them
    investigate  the cause of a broken workload or alert, from evidence (no model)
    cache      answer-cache hits; docs-cache sections for the prompt (knowledge only)
    knowledge  retrieval and the assembled prompt (the InferenceGraph; knowledge only)
    answer     the extract, an abstention, or a checked synthesis (smartops.answers)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from redis.asyncio import Redis

from smartops import actions, answers, cache, knowledge, routing
from smartops.cache.service import CacheBackend
from smartops.composition import Contribution, Shared
from smartops.config import Settings
from smartops.eventing import wiring as eventing_wiring
from smartops.eventing.wiring import Eventing
from smartops.investigate import stage as investigations
from smartops.knowledge.embedder import Embedder
from smartops.llm import LLMClient
from smartops.metrics import Metrics
from smartops.pipeline import Pipeline
from smartops.redis_client import connect_redis
from smartops.turn import Closer, ReadinessCheck


@dataclass
class Services:
    settings: Settings
    metrics: Metrics
    llm: LLMClient
    pipeline: Pipeline
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    # Backends the answer can go without: reported by /readyz, never make it fail.
    optional_checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    closers: list[Closer] = field(default_factory=list)
    # Work to do once before serving (the embedded stack awaits it before READY).
    startup: list[Closer] = field(default_factory=list)
    redis: Redis | None = None
    embedder: Embedder | None = None
    cache_backend: CacheBackend | None = None
    eventing: Eventing | None = None

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            await close()


def _shared(settings: Settings, metrics: Metrics) -> tuple[Shared, Contribution]:
    """The LLM client, the Redis client and the embedding model (loaded on first use)."""
    llm = LLMClient(settings.llm, metrics)
    own = Contribution(readiness={"llm": llm.ping}, closers=[llm.aclose])
    redis = connect_redis(settings) if settings.redis_url else None
    if redis is not None:

        async def redis_ready() -> bool:
            return bool(await redis.ping())

        own.optional_checks["redis"] = redis_ready
        own.closers.append(redis.aclose)
    return Shared(settings, metrics, llm, redis, Embedder(settings.embed)), own


def build_services(settings: Settings, metrics: Metrics | None = None) -> Services:
    metrics = metrics or Metrics()
    shared, own = _shared(settings, metrics)
    cached = cache.build(shared)
    investigating = investigations.build(shared)
    eventing = eventing_wiring.build(shared, cached.backend, investigating.alerts)
    # The stage order, in one place (see the module docstring).
    parts = [
        routing.build(shared),
        eventing,
        actions.build(shared),
        investigating,
        cached,
        knowledge.build(shared),
        answers.build(shared),
    ]
    pipeline = Pipeline(settings, shared.llm, metrics, [p.stage for p in parts if p.stage])
    services = Services(
        settings=settings,
        metrics=metrics,
        llm=shared.llm,
        pipeline=pipeline,
        redis=shared.redis,
        embedder=shared.embedder,
        cache_backend=cached.backend,
        eventing=eventing.eventing,
    )
    for part in (own, *parts):
        services.readiness.update(part.readiness)
        services.optional_checks.update(part.optional_checks)
        services.closers.extend(part.closers)
        services.startup.extend(part.startup)
    return services
