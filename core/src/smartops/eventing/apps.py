"""The ASGI apps of the two eventing functions; the functions themselves are thin adapters.

- ``adapter_app``: the Alertmanager webhook (any path) -> one CloudEvent per alert,
  posted to the sink (``K_SINK``). 202 once all are delivered; 400 for a bad webhook
  (Alertmanager does not retry it); 5xx when the sink fails (Alertmanager retries).
- ``reindex_app``: one CloudEvent per request (binary or structured) -> the handlers.
  A reindex answers with its ``reindex.completed`` event (a Knative reply, routed by
  the Broker); other events get 202 and an empty body.
Both serve ``GET /metrics``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from smartops.config import Settings
from smartops.errors import InternalError, PayloadTooLarge, SmartopsError
from smartops.eventing.alertmanager import parse_webhook, to_events
from smartops.eventing.envelope import from_http, to_binary
from smartops.eventing.handlers import Handlers
from smartops.eventing.sink import Sink
from smartops.gateway.auth import authenticate
from smartops.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)


def _errors(app: FastAPI) -> None:
    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        error = exc if isinstance(exc, SmartopsError) else InternalError("Internal error.")
        if error is not exc:
            log.exception("unhandled error")
        level = logging.ERROR if error.status >= 500 else logging.WARNING
        log.log(
            level,
            "request failed",
            extra={"status": error.status, "error": error.message, "path": request.url.path},
        )
        return JSONResponse(error.to_body(), status_code=error.status)

    app.add_exception_handler(SmartopsError, on_error)
    app.add_exception_handler(Exception, on_error)


async def _body(request: Request, settings: Settings) -> bytes:
    body = await request.body()
    if len(body) > settings.max_body_bytes:
        raise PayloadTooLarge(f"The body is larger than {settings.max_body_bytes} bytes.")
    return body


def _metrics_route(app: FastAPI, metrics: Metrics) -> None:
    @app.get("/metrics")
    async def metrics_text() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)


def adapter_app(settings: Settings, metrics: Metrics, sink: Sink) -> FastAPI:
    app = FastAPI(title="smartops alert adapter", docs_url=None, redoc_url=None)
    _errors(app)
    _metrics_route(app, metrics)

    @app.post("/{path:path}", status_code=202)
    async def webhook(request: Request) -> dict[str, object]:
        authenticate(settings, request.headers.get("authorization"))
        body = await _body(request, settings)
        try:
            events = to_events(parse_webhook(body))
        except SmartopsError as exc:
            metrics.alert_webhooks.labels("rejected").inc()
            log.warning("alertmanager webhook rejected", extra={"error": exc.message})
            raise
        try:
            await sink.send_all(events)
        except SmartopsError:
            metrics.alert_webhooks.labels("failed").inc()
            raise
        metrics.alert_webhooks.labels("accepted").inc()
        log.info("alertmanager webhook forwarded", extra={"events": len(events)})
        return {"events": [{"id": e.id, "type": e.type, "subject": e.subject} for e in events]}

    return app


def reindex_app(settings: Settings, metrics: Metrics, handlers: Handlers) -> FastAPI:
    app = FastAPI(title="smartops reindex", docs_url=None, redoc_url=None)
    _errors(app)
    _metrics_route(app, metrics)

    @app.post("/{path:path}", response_model=None)
    async def receive(request: Request) -> Response:
        event = from_http(dict(request.headers), await _body(request, settings))
        outcome = await handlers.handle(event)
        if outcome.reply is not None:
            headers, body = to_binary(outcome.reply)
            return Response(body, status_code=200, headers=headers)
        return Response(status_code=202, headers={"X-Smartops-Outcome": outcome.status})

    return app
