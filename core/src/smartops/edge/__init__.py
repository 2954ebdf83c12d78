"""The one HTTP edge of every smartops ASGI app (gateway, functions, transformers' peers).

``create_app`` builds a FastAPI app with the error mapping (the error hierarchy to
OpenAI error bodies, once), the request context (request id in and out, body limit,
access log, HTTP metrics) and ``GET /metrics``. ``parse_body`` decodes a body with the one
bounded parser (``smartops.body``) and validates it against a pydantic model with the
one conversion of ``ValidationError``. Outgoing calls use
``smartops.edge.client``.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from smartops.body import invalid_from_validation, parse_json
from smartops.edge.middleware import RequestContext
from smartops.errors import InternalError, InvalidRequest, MethodNotAllowed, NotFound, SmartopsError
from smartops.logs import get_request_id
from smartops.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


def create_app(
    title: str, metrics: Metrics, max_body_bytes: int, *, metrics_route: bool = True
) -> FastAPI:
    """An app with the error mapping, the request context and (by default) /metrics."""
    app = FastAPI(title=title, docs_url=None, redoc_url=None)
    add_error_handlers(app)
    if metrics_route:

        @app.get("/metrics")
        async def metrics_text() -> Response:
            return Response(metrics.render(), media_type=CONTENT_TYPE)

    app.add_middleware(RequestContext, metrics=metrics, max_body_bytes=max_body_bytes)
    return app


def error_response(error: SmartopsError, request: Request | None = None) -> JSONResponse:
    """The OpenAI error body for ``error``, logged once with its status."""
    fields = {"error": error.message, "status": error.status}
    if request is not None:
        fields["path"] = request.url.path
    if error.status >= 500:
        log.error("request failed", extra=fields)
    else:
        log.info("request rejected", extra=fields)
    return JSONResponse(error.to_body(), status_code=error.status)


def add_error_handlers(app: FastAPI) -> None:
    """Map the error hierarchy to OpenAI error bodies: the one mapping of every edge."""

    async def on_smartops(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SmartopsError)
        return error_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {"msg": "invalid request", "loc": ()}
        param = ".".join(str(p) for p in first.get("loc", ())) or None
        return error_response(InvalidRequest(f"Invalid request: {first.get('msg')}", param=param))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            error: SmartopsError = NotFound(f"No route {request.method} {request.url.path}.")
        elif exc.status_code == 405:
            error = MethodNotAllowed(
                f"Method {request.method} is not allowed on {request.url.path}."
            )
        else:
            error = InvalidRequest(str(exc.detail))
        response = error_response(error, request)
        response.headers.update(exc.headers or {})  # 405 keeps its Allow header
        return response

    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(InternalError(f"Internal error (request {get_request_id()})."))

    app.add_exception_handler(SmartopsError, on_smartops)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)


def parse_body(model: type[M], raw: bytes | dict[str, Any], what: str = "request") -> M:
    """``raw`` (JSON bytes or an already decoded object) validated as ``model``."""
    data = raw if isinstance(raw, dict) else parse_json(raw or b"{}", what=f"the {what}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from_validation(exc, what=what) from None
