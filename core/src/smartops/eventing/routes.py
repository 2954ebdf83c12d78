"""The embedded stack's eventing routes on the gateway's port: the same path, in process.

``POST /webhooks/alertmanager`` takes Alertmanager's webhook, fans it out into the same
CloudEvents the adapter function posts to the Broker, and dispatches them here to the
same handlers the reindex function runs. ``POST /events`` takes any CloudEvent (binary
or structured mode), as the reindex function does.

Who may post: with a webhook token (``webhook_token``, the setting
``SMARTOPS_EVENTING_WEBHOOK_TOKEN``) both routes need exactly that bearer token, and the
API key does not open them; without one they need the API key when one is configured;
with neither they are open (docs/eventing.md weighs this). Alertmanager sends the
token with ``http_config.authorization``.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import SecretStr

from smartops.body import MAX_BYTES
from smartops.config import Settings
from smartops.errors import AuthenticationError, ClientError, SmartopsError
from smartops.eventing.alertmanager import parse_webhook, to_events
from smartops.eventing.envelope import from_http, to_binary
from smartops.eventing.handlers import Handlers
from smartops.gateway.auth import authenticate, bearer_token

log = logging.getLogger(__name__)


def check_event_sender(
    settings: Settings, webhook_token: SecretStr | None, authorization: str | None
) -> None:
    """The webhook token when one is set (constant time), else the API key if any."""
    if webhook_token is None:
        authenticate(settings, authorization)
        return
    given = bearer_token(authorization)
    if given is None:
        raise AuthenticationError(
            "Missing webhook token: send 'Authorization: Bearer <token>' "
            "(Alertmanager: http_config.authorization).",
            code="missing_webhook_token",
        )
    if not hmac.compare_digest(given.encode(), webhook_token.get_secret_value().encode()):
        raise AuthenticationError("Incorrect webhook token.", code="invalid_webhook_token")


def add_routes(
    app: FastAPI,
    settings: Settings,
    handlers: Handlers,
    *,
    webhook_token: SecretStr | None = None,
) -> None:

    @app.post("/webhooks/alertmanager")
    async def alertmanager_webhook(request: Request) -> JSONResponse:
        check_event_sender(settings, webhook_token, request.headers.get("authorization"))
        body = await request.body()
        result = await receive_webhook(handlers, body, max_bytes=settings.max_body_bytes)
        return JSONResponse(result)

    @app.post("/events", response_model=None)
    async def cloudevent(request: Request) -> Response:
        check_event_sender(settings, webhook_token, request.headers.get("authorization"))
        body = await request.body()
        event = from_http(dict(request.headers), body, max_bytes=settings.max_body_bytes)
        outcome = await handlers.handle(event)
        if outcome.reply is not None:
            headers, body = to_binary(outcome.reply)
            return Response(body, status_code=200, headers=headers)
        return JSONResponse({"status": outcome.status, **outcome.detail})


async def receive_webhook(
    handlers: Handlers, body: bytes, *, max_bytes: int = MAX_BYTES
) -> dict[str, Any]:
    """Validate the whole webhook first (nothing is written for a bad one), then dispatch."""
    metrics = handlers.metrics
    try:
        events = to_events(parse_webhook(body, max_bytes=max_bytes))
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
