"""The cache function's HTTP API: lookup, store, invalidate, reload, and CloudEvents.

``POST /`` takes the CloudEvents the Broker delivers: ``dev.smartops.docs.changed.v1``
reloads the given docs and starts a new knowledge generation;
``dev.smartops.reindex.completed.v1`` starts a new generation (the index changed).
Other types are refused with a 400 (the Trigger's filter should never send them).
"""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import FastAPI, Request
from pydantic import BaseModel, ValidationError

from smartops.cache.models import (
    InvalidateRequest,
    LookupRequest,
    LookupResult,
    ReloadReport,
    ReloadRequest,
    StoreRequest,
)
from smartops.cache.service import CacheService
from smartops.errors import InvalidRequest
from smartops.eventing import envelope
from smartops.eventing.models import DOCS_CHANGED, REINDEX_COMPLETED, DocsChangedData
from smartops.gateway.app import add_error_handlers
from smartops.gateway.middleware import RequestContext
from smartops.metrics import Metrics

M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], raw: bytes | dict[str, Any]) -> M:
    try:
        if isinstance(raw, dict):
            return model.model_validate(raw)
        return model.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidRequest(f"Invalid request: {first['msg']} (at '{where}')") from None


def create_cache_app(service: CacheService, metrics: Metrics, max_body_bytes: int) -> FastAPI:
    app = FastAPI(title="smartops cache", docs_url=None, redoc_url=None)
    add_error_handlers(app)

    @app.post("/lookup")
    async def lookup(request: Request) -> LookupResult:
        return await service.lookup(_parse(LookupRequest, await request.body()))

    @app.post("/store")
    async def store(request: Request) -> dict[str, str]:
        await service.store(_parse(StoreRequest, await request.body()))
        return {"status": "stored"}

    @app.post("/invalidate")
    async def invalidate(request: Request) -> ReloadReport:
        body = _parse(InvalidateRequest, await request.body() or b"{}")
        return ReloadReport(generation=await service.invalidate(body.reason))

    @app.post("/reload")
    async def reload(request: Request) -> ReloadReport:
        return await service.reload(_parse(ReloadRequest, await request.body() or b"{}"))

    @app.post("/")
    async def cloudevent(request: Request) -> ReloadReport:
        event = envelope.from_http(dict(request.headers), await request.body())
        if event.type == DOCS_CHANGED:
            data = _parse(DocsChangedData, event.data)
            return await service.reload(ReloadRequest(paths=data.paths))
        if event.type == REINDEX_COMPLETED:
            return ReloadReport(generation=await service.invalidate(f"reindex {event.id}"))
        raise InvalidRequest(f"The cache function does not handle events of type {event.type}.")

    app.add_middleware(RequestContext, metrics=metrics, max_body_bytes=max_body_bytes)
    return app
