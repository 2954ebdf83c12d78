"""The embedded stack's eventing routes on the gateway's port: the same path, in process.

``POST /webhooks/alertmanager`` takes Alertmanager's webhook, fans it out into the same
CloudEvents the adapter function posts to the Broker, and dispatches them here to the
same handlers the reindex function runs. ``POST /events`` takes any CloudEvent (binary
or structured mode), as the reindex function does. Both need the API key when one is
configured (Alertmanager: ``http_config.authorization``).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from smartops.errors import ClientError, InternalError, SmartopsError
from smartops.eventing.alertmanager import parse_webhook, to_events
from smartops.eventing.envelope import from_http, to_binary
from smartops.eventing.handlers import Handlers
from smartops.eventing.wiring import Eventing, install
from smartops.gateway.auth import authenticate
from smartops.services import Services

log = logging.getLogger(__name__)


def eventing_of(services: Services) -> Eventing:
    """The services' eventing, installed now unless the composition root already did."""
    found = install(services)
    if found is None:
        raise InternalError("Eventing is disabled or has no Redis (SMARTOPS_REDIS_URL).")
    return found


def add_routes(app: FastAPI, services: Services) -> None:
    handlers = eventing_of(services).handlers
    settings = services.settings

    @app.post("/webhooks/alertmanager")
    async def alertmanager_webhook(request: Request) -> JSONResponse:
        authenticate(settings, request.headers.get("authorization"))
        body = await request.body()
        result = await receive_webhook(handlers, body)
        return JSONResponse(result)

    @app.post("/events", response_model=None)
    async def cloudevent(request: Request) -> Response:
        authenticate(settings, request.headers.get("authorization"))
        event = from_http(dict(request.headers), await request.body())
        outcome = await handlers.handle(event)
        if outcome.reply is not None:
            headers, body = to_binary(outcome.reply)
            return Response(body, status_code=200, headers=headers)
        return JSONResponse({"status": outcome.status, **outcome.detail})


async def receive_webhook(handlers: Handlers, body: bytes) -> dict[str, Any]:
    """Validate the whole webhook first (nothing is written for a bad one), then dispatch."""
    metrics = handlers.metrics
    try:
        events = to_events(parse_webhook(body))
    except ClientError as exc:
        metrics.alert_webhooks.labels("rejected").inc()
        log.warning(
            "alertmanager webhook rejected", extra={"error": exc.message, "bytes": len(body)}
        )
        raise
    results = []
    try:
        for event in events:
            outcome = await handlers.handle(event)
            results.append(
                {
                    "id": event.id,
                    "type": event.type,
                    "subject": event.subject,
                    "outcome": outcome.status,
                }
            )
    except SmartopsError:
        metrics.alert_webhooks.labels("failed").inc()
        raise
    metrics.alert_webhooks.labels("accepted").inc()
    return {"events": results}
