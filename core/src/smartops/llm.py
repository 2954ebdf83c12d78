"""Client for any OpenAI-compatible chat upstream (KServe HF runtime, vLLM, llama.cpp).

httpx, streaming or not, connect/read timeouts, and bounded retries on connection
errors only: once a request has reached the upstream it is never sent twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx

from smartops.config import Settings
from smartops.errors import (
    InvalidRequest,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from smartops.logs import get_request_id
from smartops.metrics import Metrics

log = logging.getLogger(__name__)
BACKEND = "llm"
_RETRY_BASE_DELAY_S = 0.1


class LLMClient:
    """Talks to ``{base_url}/chat/completions`` and ``{base_url}/models``."""

    def __init__(self, settings: Settings, metrics: Metrics, http: httpx.AsyncClient | None = None):
        self.base_url = settings.llm_base_url.rstrip("/")
        self.model = settings.llm_model
        self.retries = settings.llm_connect_retries
        self.metrics = metrics
        self.request_id_header = settings.llm_request_id_header
        headers = {}
        if settings.llm_api_key is not None:
            headers["Authorization"] = f"Bearer {settings.llm_api_key.get_secret_value()}"
        timeout = httpx.Timeout(settings.llm_read_timeout_s, connect=settings.llm_connect_timeout_s)
        self._http = http or httpx.AsyncClient(
            timeout=timeout, headers=headers, limits=httpx.Limits(max_keepalive_connections=20)
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    def _body(self, payload: dict[str, Any], stream: bool) -> dict[str, Any]:
        body = dict(payload)
        body["stream"] = stream
        if self.model:
            body["model"] = self.model
        return body

    def _headers(self) -> dict[str, str]:
        request_id = get_request_id()
        return {self.request_id_header: request_id} if request_id else {}

    async def _send(self, request: httpx.Request, stream: bool) -> httpx.Response:
        """Send with retries on connect errors only; map every failure to our errors."""
        for attempt in range(self.retries + 1):
            try:
                response = await self._http.send(request, stream=stream)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                self.metrics.upstream_errors.labels(BACKEND, "connect").inc()
                if attempt < self.retries:
                    await asyncio.sleep(_RETRY_BASE_DELAY_S * 2**attempt)
                    continue
                raise UpstreamUnavailable(
                    f"The LLM upstream at {self.base_url} cannot be reached "
                    f"({type(exc).__name__}); try again when it is back.",
                ) from None
            except httpx.TimeoutException:
                self.metrics.upstream_errors.labels(BACKEND, "timeout").inc()
                raise UpstreamTimeout(
                    f"The LLM upstream at {self.base_url} did not answer in time."
                ) from None
            except httpx.HTTPError as exc:
                self.metrics.upstream_errors.labels(BACKEND, "transport").inc()
                raise UpstreamUnavailable(
                    f"The LLM upstream at {self.base_url} failed: {type(exc).__name__}."
                ) from None
            if response.status_code >= 400:
                await self._raise_for_status(response)
            return response
        raise AssertionError("unreachable")

    async def _raise_for_status(self, response: httpx.Response) -> None:
        body = (await response.aread()).decode("utf-8", "replace")
        await response.aclose()
        self.metrics.upstream_errors.labels(BACKEND, "status").inc()
        detail = _error_message(body) or f"HTTP {response.status_code}"
        if response.status_code in (400, 413, 422):
            raise InvalidRequest(f"The LLM rejected the request: {detail}", code="llm_rejected")
        raise UpstreamError(f"The LLM upstream answered {response.status_code}: {detail}")

    async def complete(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A non-streaming chat completion; returns the upstream's JSON."""
        request = self._http.build_request(
            "POST",
            f"{self.base_url}/chat/completions",
            json=self._body(payload, stream=False),
            headers=self._headers(),
        )
        response = await self._send(request, stream=False)
        try:
            data: dict[str, Any] = response.json()
        except ValueError:
            raise UpstreamError("The LLM upstream sent a body that is not JSON.") from None
        return data

    async def stream(self, payload: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        """Yield each parsed chunk of a streamed completion (the ``data:`` lines)."""
        request = self._http.build_request(
            "POST",
            f"{self.base_url}/chat/completions",
            json=self._body(payload, stream=True),
            headers=self._headers(),
        )
        response = await self._send(request, stream=True)
        try:
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                try:
                    yield json.loads(data)
                except json.JSONDecodeError:
                    raise UpstreamError("The LLM upstream sent a malformed chunk.") from None
        except httpx.TimeoutException:
            self.metrics.upstream_errors.labels(BACKEND, "timeout").inc()
            raise UpstreamTimeout("The LLM upstream stopped sending in the middle.") from None
        except httpx.HTTPError as exc:
            self.metrics.upstream_errors.labels(BACKEND, "transport").inc()
            raise UpstreamUnavailable(f"The LLM stream broke off: {type(exc).__name__}.") from None
        finally:
            await response.aclose()

    async def ping(self, timeout_s: float = 1.0) -> bool:
        """True when the upstream answers ``GET /models``."""
        try:
            response = await self._http.get(f"{self.base_url}/models", timeout=timeout_s)
        except httpx.HTTPError:
            return False
        return response.status_code == 200


def _error_message(body: str) -> str:
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return body[:300]
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data))
        if isinstance(error, dict):
            return str(error.get("message", error))[:300]
        return str(error)[:300]
    return body[:300]
