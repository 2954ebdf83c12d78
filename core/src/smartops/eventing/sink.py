"""Post CloudEvents to a sink (the Broker, ``K_SINK``) with retries and exponential backoff.

A 2xx is delivered. 429, 5xx, timeouts and connection errors are retried with
exponential backoff (``backoff * 2**attempt``, capped) up to ``retries`` times, then
``UpstreamUnavailable`` (the caller answers 5xx and Alertmanager sends again later).
Any other 4xx is permanent: the Broker refused the event, so ``UpstreamError``.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from smartops.config_sections import EventingSettings
from smartops.edge.client import http_client
from smartops.errors import UpstreamError, UpstreamUnavailable
from smartops.eventing.envelope import CloudEvent, to_binary
from smartops.metrics import Metrics

log = logging.getLogger(__name__)
MAX_DELAY_S = 5.0


class Sink:
    """An HTTP sink for CloudEvents (binary content mode)."""

    def __init__(
        self, settings: EventingSettings, metrics: Metrics, url: str | None = None
    ) -> None:
        self.url = url if url is not None else settings.sink_url
        self.retries = settings.sink_retries
        self.backoff_s = settings.sink_backoff_s
        self.metrics = metrics
        self.client = http_client(timeout=settings.sink_timeout_s)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def send_all(self, events: list[CloudEvent]) -> None:
        """Send each event (concurrently); raise the first failure once all are done."""
        results = await asyncio.gather(*(self.send(e) for e in events), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    async def send(self, event: CloudEvent) -> None:
        if not self.url:
            raise UpstreamUnavailable("No event sink configured (K_SINK is not set).")
        headers, body = to_binary(event)
        for attempt in range(self.retries + 1):
            problem = await self._post(headers, body, event)
            if problem is None:
                self.metrics.sink_posts.labels("delivered").inc()
                return
            if attempt < self.retries:
                self.metrics.sink_posts.labels("retried").inc()
                await asyncio.sleep(min(self.backoff_s * 2**attempt, MAX_DELAY_S))
        self.metrics.sink_posts.labels("failed").inc()
        log.error("event not delivered", extra={"event_id": event.id, "problem": problem})
        raise UpstreamUnavailable(f"The event sink did not accept event {event.id}: {problem}.")

    async def _post(self, headers: dict[str, str], body: bytes, event: CloudEvent) -> str | None:
        """None when delivered, else what went wrong (retryable); raises if permanent."""
        try:
            response = await self.client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException:
            return "timeout"
        except httpx.TransportError as exc:
            return f"connection error ({type(exc).__name__})"
        if response.is_success:
            return None
        if response.status_code == 429 or response.status_code >= 500:
            return f"status {response.status_code}"
        self.metrics.sink_posts.labels("rejected").inc()
        log.error(
            "event rejected by the sink",
            extra={"event_id": event.id, "status": response.status_code},
        )
        raise UpstreamError(
            f"The event sink rejected event {event.id} with status {response.status_code}: "
            f"{response.text[:200]}"
        )
