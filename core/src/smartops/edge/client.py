"""The one httpx client factory: every outgoing call carries the request id.

``http_client`` returns an ``httpx.AsyncClient`` whose request hook adds the current
request id (``smartops.logs``) under the given header, unless the caller set it, so
the id reaches every downstream service: the graph, the predictor, the functions, the
event sink, Prometheus, Alertmanager. ``transport_error`` maps httpx's transport
failures to the error hierarchy once.
"""

from __future__ import annotations

from typing import Any

import httpx

from smartops.errors import UpstreamTimeout, UpstreamUnavailable
from smartops.logs import REQUEST_ID_HEADER, get_request_id


def http_client(
    *,
    timeout: float | httpx.Timeout,
    request_id_header: str = REQUEST_ID_HEADER,
    **options: Any,
) -> httpx.AsyncClient:
    """An AsyncClient that forwards the request id on every request."""

    async def add_request_id(request: httpx.Request) -> None:
        request_id = get_request_id()
        if request_id and request_id_header not in request.headers:
            request.headers[request_id_header] = request_id

    hooks = options.pop("event_hooks", {})
    hooks.setdefault("request", []).append(add_request_id)
    return httpx.AsyncClient(timeout=timeout, event_hooks=hooks, **options)


def transport_error(exc: httpx.HTTPError, backend: str) -> UpstreamUnavailable:
    """A failure to reach ``backend``: 504 on a timeout, 503 otherwise."""
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamTimeout(f"The {backend} did not answer in time ({type(exc).__name__}).")
    return UpstreamUnavailable(f"The {backend} cannot be reached ({type(exc).__name__}).")
