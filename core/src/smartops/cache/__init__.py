"""Cache-augmented generation: the Redis docs cache (CAG) and the semantic answer cache."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from smartops.composition import Contribution

if TYPE_CHECKING:
    from smartops.cache.service import CacheBackend
    from smartops.composition import Shared


@dataclass
class CacheContribution(Contribution):
    """The cache stage, and its backend (eventing reloads the docs cache through it)."""

    backend: CacheBackend | None = None


def build(shared: Shared) -> CacheContribution:
    """The cache stage: in process over Redis, or through the cache function."""
    from smartops.cache.client import CacheClient
    from smartops.cache.models import ReloadRequest
    from smartops.cache.service import CacheService
    from smartops.cache.stage import CacheStage

    settings, embedder = shared.settings, shared.embedder
    if not settings.cache.enabled or embedder is None:
        return CacheContribution()
    out = CacheContribution()
    if settings.cache.url:
        client = CacheClient(settings.cache.url)
        out.closers.append(client.aclose)
        out.backend = client
    elif shared.redis is not None:
        service = CacheService(settings, shared.redis, embedder.embed_batch)
        out.backend = service
        if settings.cag.paths:

            async def preload() -> None:
                await service.reload(ReloadRequest())

            out.startup.append(preload)
    else:
        return out
    out.stage = CacheStage(settings, out.backend, embedder, shared.metrics)
    return out
