"""The gateway's FastAPI application: routes, and the one mapping of errors to responses."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from smartops.chat import parse_chat_request
from smartops.errors import (
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    SmartopsError,
)
from smartops.gateway import streaming, ws
from smartops.gateway.auth import authenticate, identify
from smartops.gateway.middleware import RequestContext
from smartops.metrics import CONTENT_TYPE
from smartops.pipeline import Turn
from smartops.services import ReadinessCheck, Services

log = logging.getLogger(__name__)
READY_TIMEOUT_S = 1.0


def create_app(services: Services) -> FastAPI:
    """The ASGI app of the gateway over already built services."""
    settings = services.settings
    app = FastAPI(title="smartops gateway", version="0.1.0", docs_url=None, redoc_url=None)
    app.state.services = services
    add_error_handlers(app)
    _add_routes(app, services)
    ws.add_routes(app, services)
    if services.eventing is not None:  # the Alertmanager webhook and CloudEvents, in process
        from smartops.eventing import routes as eventing_routes

        eventing_routes.add_routes(app, services)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "X-Smartops-Cache"],
        )
    app.add_middleware(
        RequestContext, metrics=services.metrics, max_body_bytes=settings.max_body_bytes
    )
    return app


def _error_response(error: SmartopsError, request: Request) -> JSONResponse:
    if error.status >= 500:
        log.error("request failed", extra={"error": error.message, "status": error.status})
    else:
        log.info("request rejected", extra={"error": error.message, "status": error.status})
    return JSONResponse(error.to_body(), status_code=error.status)


def add_error_handlers(app: FastAPI) -> None:
    """Map the error hierarchy to OpenAI error bodies: the one mapping of an HTTP edge."""

    async def on_smartops(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SmartopsError)
        return _error_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {"msg": "invalid request", "loc": ()}
        param = ".".join(str(p) for p in first.get("loc", ())) or None
        error = InvalidRequest(f"Invalid request: {first.get('msg')}", param=param)
        return _error_response(error, request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            error: SmartopsError = NotFound(f"No route {request.method} {request.url.path}.")
        elif exc.status_code == 405:
            error = MethodNotAllowed(
                f"Method {request.method} is not allowed on {request.url.path}."
            )
        else:
            error = InvalidRequest(str(exc.detail))
        return _error_response(error, request)

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        rid = getattr(request.state, "request_id", "")
        return _error_response(InternalError(f"Internal error (request {rid})."), request)

    app.add_exception_handler(SmartopsError, on_smartops)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


def _add_routes(app: FastAPI, services: Services) -> None:
    settings = services.settings
    pipeline = services.pipeline

    @app.get("/v1/models")
    async def list_models(request: Request) -> dict[str, Any]:
        authenticate(settings, request.headers.get("authorization"))
        return {
            "object": "list",
            "data": [
                {"id": settings.model_id, "object": "model", "created": 0, "owned_by": "smartops"}
            ],
        }

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> Response:
        client = request.client.host if request.client else None
        principal = identify(settings, request.headers, client)
        chat = parse_chat_request(await request.body(), settings)
        turn = Turn(request=chat, request_id=request.state.request_id, principal=principal)
        if not chat.stream:
            body = await streaming.complete(pipeline, turn, settings.model_id)
            return JSONResponse(body, headers=turn.headers)
        await streaming.prime(pipeline, turn)
        return StreamingResponse(
            streaming.sse(pipeline, turn, settings.model_id),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no", **turn.headers},
        )

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", response_model=None)
    async def readyz() -> JSONResponse:
        checks = await _run_checks(services.readiness)
        ready = all(checks.values())
        body: dict[str, object] = {"status": "ready" if ready else "not ready", "checks": checks}
        if services.optional_checks:
            body["optional"] = await _run_checks(services.optional_checks)
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(services.metrics.render(), media_type=CONTENT_TYPE)


async def _run_checks(checks: dict[str, ReadinessCheck]) -> dict[str, bool]:
    names = list(checks)

    async def check(name: str) -> bool:
        started = time.perf_counter()
        try:
            return await asyncio.wait_for(checks[name](), READY_TIMEOUT_S)
        except Exception:
            log.warning("readiness check failed", extra={"check": name})
            return False
        finally:
            log.debug("readiness", extra={"check": name, "ms": time.perf_counter() - started})

    results = await asyncio.gather(*(check(name) for name in names))
    return dict(zip(names, results, strict=True))
