"""The ASGI apps of the two eventing functions; the functions themselves are thin adapters.

- ``adapter_app``: the Alertmanager webhook (any path) -> one CloudEvent per alert,
  posted to the sink (``K_SINK``). 202 once all are delivered; 400 for a bad webhook
  (Alertmanager does not retry it); 5xx when the sink fails (Alertmanager retries).
- ``reindex_app``: one CloudEvent per request (binary or structured) -> the handlers.
  A reindex answers with its ``reindex.completed`` event (a Knative reply, routed by
  the Broker); other events get 202 and an empty body.
Both are built on the shared HTTP edge (``smartops.edge``): error bodies, request ids,
access logs, ``GET /metrics``.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import SecretStr

from smartops.config import Settings
from smartops.edge import create_app
from smartops.errors import PayloadTooLarge, SmartopsError
from smartops.eventing.alertmanager import parse_webhook, to_events
from smartops.eventing.envelope import from_http, to_binary
from smartops.eventing.handlers import Handlers
from smartops.eventing.routes import check_event_sender
from smartops.eventing.sink import Sink
from smartops.metrics import Metrics

log = logging.getLogger(__name__)


async def _body(request: Request, settings: Settings) -> bytes:
    body = await request.body()
    if len(body) > settings.max_body_bytes:
        raise PayloadTooLarge(f"The body is larger than {settings.max_body_bytes} bytes.")
    return body


def adapter_app(
    settings: Settings, metrics: Metrics, sink: Sink, *, webhook_token: SecretStr | None = None
) -> FastAPI:
    """The alert adapter; with ``webhook_token`` only that bearer token may post."""
    app = create_app("smartops alert adapter", metrics, settings.max_body_bytes)

    @app.post("/{path:path}", status_code=202)
    async def webhook(request: Request) -> dict[str, object]:
        check_event_sender(settings, webhook_token, request.headers.get("authorization"))
        body = await _body(request, settings)
        try:
            events = to_events(parse_webhook(body, max_bytes=settings.max_body_bytes))
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
    app = create_app("smartops reindex", metrics, settings.max_body_bytes)

    @app.post("/{path:path}", response_model=None)
    async def receive(request: Request) -> Response:
        body = await _body(request, settings)
        event = from_http(dict(request.headers), body, max_bytes=settings.max_body_bytes)
        outcome = await handlers.handle(event)
        if outcome.reply is not None:
            headers, body = to_binary(outcome.reply)
            return Response(body, status_code=200, headers=headers)
        return Response(status_code=202, headers={"X-Smartops-Outcome": outcome.status})

    return app
