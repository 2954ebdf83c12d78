"""Cache-augmented generation: the Redis docs cache (CAG) and the semantic answer cache."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smartops.services import Services


def install(services: Services) -> None:
    """Add the cache stage: in process over Redis, or through the cache function."""
    from smartops.cache.client import CacheClient
    from smartops.cache.models import ReloadRequest
    from smartops.cache.service import CacheBackend, CacheService
    from smartops.cache.stage import CacheStage

    settings = services.settings
    embedder = services.embedder
    if not settings.cache_enabled or embedder is None:
        return
    backend: CacheBackend
    if settings.cache_url:
        client = CacheClient(settings.cache_url)
        services.closers.append(client.aclose)
        backend = client
    elif services.redis is not None:
        service = CacheService(settings, services.redis, embedder.embed_batch)
        backend = service
        if settings.cag_paths:

            async def preload() -> None:
                await service.reload(ReloadRequest())

            services.startup.append(preload)
    else:
        return
    stage = CacheStage(settings, backend, embedder, services.metrics)
    services.pipeline.stages.append(stage)
    services.cache_stage = stage
