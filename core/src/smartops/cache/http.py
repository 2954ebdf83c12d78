"""The cache function's HTTP API: lookup, store, invalidate, reload, and CloudEvents.

``POST /`` takes the CloudEvents the Broker delivers: ``dev.smartops.docs.changed.v1``
reloads the given docs, ``dev.smartops.reindex.completed.v1`` all configured docs. Either
starts a new knowledge generation only when the cached sections changed; the reindex run
itself already advanced it if the index changed (the same Redis), so a run is never
counted twice and a run that changed nothing keeps the answer cache. Other types are
refused with a 400 (the Trigger's filter should never send them). ``POST /invalidate``
is the unconditional invalidation.
"""

from __future__ import annotations

from fastapi import FastAPI, Request

from smartops.cache.models import (
    InvalidateRequest,
    LookupRequest,
    LookupResult,
    ReloadReport,
    ReloadRequest,
    StoreRequest,
)
from smartops.cache.service import CacheService
from smartops.edge import create_app, parse_body
from smartops.errors import InvalidRequest
from smartops.eventing import envelope
from smartops.eventing.models import DOCS_CHANGED, REINDEX_COMPLETED, DocsChangedData
from smartops.metrics import Metrics


def create_cache_app(service: CacheService, metrics: Metrics, max_body_bytes: int) -> FastAPI:
    app = create_app("smartops cache", metrics, max_body_bytes)

    @app.post("/lookup")
    async def lookup(request: Request) -> LookupResult:
        return await service.lookup(parse_body(LookupRequest, await request.body()))

    @app.post("/store")
    async def store(request: Request) -> dict[str, str]:
        await service.store(parse_body(StoreRequest, await request.body()))
        return {"status": "stored"}

    @app.post("/invalidate")
    async def invalidate(request: Request) -> ReloadReport:
        body = parse_body(InvalidateRequest, await request.body() or b"{}")
        return ReloadReport(generation=await service.invalidate(body.reason))

    @app.post("/reload")
    async def reload(request: Request) -> ReloadReport:
        return await service.reload(parse_body(ReloadRequest, await request.body() or b"{}"))

    @app.post("/")
    async def cloudevent(request: Request) -> ReloadReport:
        event = envelope.from_http(dict(request.headers), await request.body())
        if event.type == DOCS_CHANGED:
            data = parse_body(DocsChangedData, event.data)
            return await service.reload(ReloadRequest(paths=data.paths, change=event.id))
        if event.type == REINDEX_COMPLETED:
            return await service.reload(ReloadRequest(change=event.id))
        raise InvalidRequest(f"The cache function does not handle events of type {event.type}.")

    return app
