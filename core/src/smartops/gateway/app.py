"""The gateway's FastAPI application: the OpenAI routes over the pipeline (on the shared edge)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.middleware.cors import CORSMiddleware

from smartops.answers.stage import MODE_HEADER, MODES
from smartops.chat import parse_chat_request
from smartops.edge import create_app as create_edge_app
from smartops.errors import InvalidRequest
from smartops.gateway import sections, streaming, ws
from smartops.gateway.auth import authenticate, identify
from smartops.metrics import CONTENT_TYPE
from smartops.services import Services
from smartops.turn import AnswerMode, ReadinessCheck, Turn

log = logging.getLogger(__name__)
READY_TIMEOUT_S = 1.0


def create_app(services: Services) -> FastAPI:
    """The ASGI app of the gateway over already built services."""
    settings = services.settings
    app = create_edge_app(
        "smartops gateway", services.metrics, settings.max_body_bytes, metrics_route=False
    )
    app.state.services = services
    _add_routes(app, services)
    ws.add_routes(app, services)
    sections.add_routes(app, settings)  # the sources' section pages
    if services.eventing is not None:  # the Alertmanager webhook and CloudEvents, in process
        from smartops.eventing import routes as eventing_routes

        eventing_routes.add_routes(
            app,
            settings,
            services.eventing.handlers,
            webhook_token=settings.eventing.webhook_token,
        )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "X-Smartops-Cache", "X-Smartops-Route"],
        )
    return app


def answer_mode(value: str | None) -> AnswerMode | None:
    """The answer mode a request asks for (``X-Smartops-Answer-Mode``), if any."""
    if value is None:
        return None
    for mode in MODES:
        if value.strip().lower() == mode:
            return mode
    raise InvalidRequest(
        f"Unknown answer mode '{value[:40]}': use one of {', '.join(MODES)}.",
        param="X-Smartops-Answer-Mode",
    )


def route_headers(turn: Turn) -> dict[str, str]:
    """The response headers a turn sets (cache hit or miss, the route it took)."""
    return {**turn.headers, "X-Smartops-Route": turn.route}


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
        turn = Turn(
            request=chat,
            request_id=request.state.request_id,
            principal=principal,
            answer_mode=answer_mode(request.headers.get(MODE_HEADER)),
        )
        turn.notices.extend(chat.notices)
        answer = await pipeline.prepare(turn)
        if not chat.stream:
            body = await streaming.complete(answer, turn, settings.model_id)
            return JSONResponse(body, headers=route_headers(turn))
        return StreamingResponse(
            streaming.sse(answer, turn, settings.model_id),
            media_type="text/event-stream",
            headers={
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
                **route_headers(turn),
            },
        )

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # With an API key, readiness and metrics need it too: they name every backend.
    # (Knative probes the function through func-python's own endpoints, not these.)
    @app.get("/readyz", response_model=None)
    async def readyz(request: Request) -> JSONResponse:
        authenticate(settings, request.headers.get("authorization"))
        checks = await _run_checks(services.readiness)
        ready = all(checks.values())
        body: dict[str, object] = {"status": "ready" if ready else "not ready", "checks": checks}
        if services.optional_checks:
            body["optional"] = await _run_checks(services.optional_checks)
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/metrics")
    async def metrics_text(request: Request) -> Response:
        authenticate(settings, request.headers.get("authorization"))
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
