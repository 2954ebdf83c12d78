"""Pure ASGI middleware: request id, body size limit, access log and HTTP metrics.

Pure ASGI (not BaseHTTPMiddleware) so that streaming responses pass through untouched
and the per-request overhead stays in microseconds.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smartops.errors import PayloadTooLarge, SmartopsError
from smartops.logs import new_request_id, reset_request_id, set_request_id
from smartops.metrics import Metrics

log = logging.getLogger("smartops.access")
_ID_HEADER = b"x-request-id"
_MAX_ID_LEN = 128


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == _ID_HEADER:
            candidate: str = value.decode("latin-1").strip()
            if candidate and len(candidate) <= _MAX_ID_LEN and candidate.isprintable():
                return candidate
    return new_request_id()


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def send_error(send: Send, error: SmartopsError, request_id: str) -> None:
    body = json.dumps(error.to_body()).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (_ID_HEADER, request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContext:
    """Sets the request id for the request, enforces the body limit, logs and counts."""

    def __init__(self, app: ASGIApp, metrics: Metrics, max_body_bytes: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope)
        token = set_request_id(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = {"code": 0}
        try:
            if scope["type"] == "http":
                await self._http(scope, receive, send, request_id, status)
            else:
                await self.app(scope, receive, send)
        finally:
            self._record(scope, status["code"], time.perf_counter() - started)
            reset_request_id(token)

    async def _http(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, status: dict[str, int]
    ) -> None:
        length = _content_length(scope)
        if length is not None and length > self.max_body_bytes:
            status["code"] = PayloadTooLarge.status
            await send_error(send, self._too_large(), request_id)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise self._too_large()
            return message

        async def tagged_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((_ID_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, limited_receive, tagged_send)

    def _too_large(self) -> PayloadTooLarge:
        return PayloadTooLarge(
            f"Request body is larger than {self.max_body_bytes} bytes.", param="body"
        )

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = _route_of(scope)
        method = scope.get("method", "WS")
        self.metrics.requests.labels(route, method, str(status)).inc()
        self.metrics.request_latency.labels(route).observe(seconds)
        fields: dict[str, Any] = {
            "method": method,
            "path": scope.get("path", ""),
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
        }
        log.info("request", extra=fields)


def _route_of(scope: Scope) -> str:
    """The matched route template, never the raw path (bounded label cardinality)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"
