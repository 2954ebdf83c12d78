"""Builds the eventing objects of a process once, from Settings (the composition root's part).

``build_eventing`` is what the reindex function and the tests use; ``build`` gives the
composition root (the embedded stack and the gateway) the alerts stage, the Redis
client's closer, and the handlers that ``routes.add_routes`` serves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from smartops.citations import docs_link
from smartops.composition import Contribution, Shared
from smartops.config import Settings
from smartops.eventing.alert_index import AlertIndex
from smartops.eventing.alerts import AlertStore
from smartops.eventing.dedupe import Dedupe
from smartops.eventing.handlers import Handlers, InvestigateAlert, ReloadDocs
from smartops.eventing.runbooks import CachedRunbooks, FirstFound, IndexedRunbooks
from smartops.eventing.runs import Reindexer, allowed_collections
from smartops.eventing.stage import AlertsStage
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index import open_index
from smartops.knowledge.index.base import Index
from smartops.metrics import Metrics
from smartops.redis_client import connect_redis

REDIS_TIMEOUT_S = 2.0


@dataclass
class Eventing:
    settings: Settings
    redis: Redis
    handlers: Handlers
    stage: AlertsStage
    indexes: dict[str, Index] = field(default_factory=dict)

    async def aclose(self) -> None:
        await self.redis.aclose()


def connect(settings: Settings) -> Redis:
    """Eventing's Redis client: transactions and stream writes get a roomier timeout
    than the answer cache's fail-fast one."""
    return connect_redis(settings, REDIS_TIMEOUT_S)


def build_eventing(
    settings: Settings,
    metrics: Metrics,
    *,
    embedder: Embedder | None = None,
    reload_docs: ReloadDocs | None = None,
    indexes: dict[str, Index] | None = None,
    any_collection: bool = False,
    investigate: InvestigateAlert | None = None,
) -> Eventing:
    """Handlers over Redis, the knowledge index (opened once per collection) and the model."""
    redis = connect(settings)
    opened: dict[str, Index] = indexes if indexes is not None else {}
    model = embedder or Embedder(settings.embed)

    def index_of(collection: str) -> Index:
        if collection not in opened:
            opened[collection] = open_index(settings, collection)
        return opened[collection]

    store = AlertStore(redis)
    docs = _docs_cache(settings, redis)
    resolvers = [
        r
        for r in (docs, IndexedRunbooks(_Lazy(index_of, settings.knowledge.collection)))
        if r is not None
    ]
    alert_index = (
        AlertIndex(_Lazy(index_of, settings.eventing.alerts_collection), model)
        if settings.eventing.alerts_index
        else None
    )
    handlers = Handlers(
        settings=settings,
        metrics=metrics,
        dedupe=Dedupe(redis, settings.eventing.dedupe_ttl_s, settings.eventing.claim_ttl_s),
        alerts=store,
        runbooks=FirstFound(resolvers),
        # Events may name only the configured collections (never create new ones); the
        # operator's own `smartops reindex --collection NAME` may name any.
        reindexer=Reindexer(
            settings,
            metrics,
            redis,
            model,
            index_of,
            collections=None if any_collection else allowed_collections(settings),
        ),
        reload_docs=reload_docs,
        index_alert=alert_index.upsert if alert_index else None,
        investigate=investigate,
    )
    live = bool(settings.actions.prometheus_url or settings.actions.alertmanager_url)
    alerts = AlertsStage(store, metrics, live=live, docs=partial(docs_link, settings))
    return Eventing(settings, redis, handlers, alerts, opened)


def _docs_cache(settings: Settings, redis: Redis) -> CachedRunbooks | None:
    if not settings.cache.enabled:
        return None
    from smartops.cache.docs import DocsCache

    docs = DocsCache.from_settings(redis, settings)
    return CachedRunbooks(docs)


class _Lazy:
    """An index opened on first use (so building the handlers reads no files)."""

    def __init__(self, opener: Callable[[str], Index], collection: str) -> None:
        self.opener = opener
        self.collection = collection

    def __getattr__(self, name: str) -> Any:
        return getattr(self.opener(self.collection), name)


def cag_reloader(settings: Settings, backend: Any) -> ReloadDocs:
    """Reload the CAG sections under the given paths (all configured ones for None)."""
    from smartops.cache.models import ReloadRequest

    async def reload(paths: list[str] | None, change: str = "") -> None:
        if not settings.cag.paths:
            return
        if paths is not None:
            paths = under_roots(paths, settings.cag.paths)
            if not paths:
                return
        await backend.reload(ReloadRequest(paths=paths, change=change))

    return reload


def under_roots(paths: list[str], roots: list[str]) -> list[str]:
    """The paths that lie under one of the roots (resolved paths compared)."""
    resolved = [Path(r).resolve() for r in roots]
    kept = []
    for given in paths:
        path = Path(given).resolve()
        if any(path == r or r in path.parents for r in resolved):
            kept.append(given)
    return kept


@dataclass
class EventingContribution(Contribution):
    """The alerts stage, and the eventing objects the gateway's routes serve."""

    eventing: Eventing | None = None


def build(
    shared: Shared, cache_backend: Any = None, investigate: InvestigateAlert | None = None
) -> EventingContribution:
    """Eventing over the process's backends: the alerts stage and the handlers; a firing
    alert is investigated once, bounded, when ``investigate`` is given."""
    settings = shared.settings
    if not settings.eventing.enabled or not settings.redis_url:
        return EventingContribution()
    reload = cag_reloader(settings, cache_backend) if cache_backend is not None else None
    eventing = build_eventing(
        settings,
        shared.metrics,
        embedder=shared.embedder,
        reload_docs=reload,
        investigate=investigate,
    )
    return EventingContribution(stage=eventing.stage, closers=[eventing.aclose], eventing=eventing)
