"""A firing alert is investigated once per occurrence, over real Redis: a resent
notification is a duplicate, a second event for the same occurrence finds the cause
already stored, a new occurrence is investigated again, a resolved alert never is, and
an investigation that finds nothing leaves the document without a cause."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from smartops.config import Settings
from smartops.eventing.alertmanager import parse_webhook, to_events
from smartops.eventing.alerts import AlertCause, AlertStore
from smartops.eventing.dedupe import Dedupe
from smartops.eventing.handlers import Handlers
from smartops.metrics import Metrics

pytestmark = pytest.mark.integration
FINGERPRINT = "c0ffee0000000001"


def _webhook(status: str = "firing", starts: str = "2026-12-01T10:00:00Z") -> bytes:
    alert = {
        "status": status,
        "labels": {"alertname": "KubePodCrashLooping", "namespace": "shop", "pod": "cart-1"},
        "annotations": {},
        "startsAt": starts,
        "endsAt": "2026-12-01T11:00:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "",
        "fingerprint": FINGERPRINT,
    }
    body = {
        "version": "4",
        "groupKey": '{}:{alertname="KubePodCrashLooping"}',
        "status": status,
        "receiver": "smartops",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.monitoring:9093",
        "alerts": [alert],
    }
    return json.dumps(body).encode()


class Counting:
    def __init__(self, cause: AlertCause | None) -> None:
        self.cause = cause
        self.calls: list[dict[str, str]] = []

    async def __call__(self, labels: dict[str, str]) -> AlertCause | None:
        self.calls.append(labels)
        return self.cause


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url.rsplit("/", 1)[0] + "/13")
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


def _handlers(redis: Redis, investigate: Any) -> Handlers:
    return Handlers(
        settings=Settings(),
        metrics=Metrics(),
        dedupe=Dedupe(redis, 3600, 30),
        alerts=AlertStore(redis),
        runbooks=None,
        reindexer=None,
        investigate=investigate,
    )


async def test_one_investigation_per_occurrence(redis: Redis) -> None:
    found = Counting(AlertCause(text="Container cart is OOMKilled.", analyzer="oom_killed"))
    handlers = _handlers(redis, found)
    (event,) = to_events(parse_webhook(_webhook()))
    first = await handlers.handle(event)
    assert first.detail["cause"] is True and len(found.calls) == 1
    assert found.calls[0]["pod"] == "cart-1"
    assert (await handlers.handle(event)).status == "duplicate"
    again = dataclasses.replace(event, id=event.id + "-resent")  # the same occurrence
    assert (await handlers.handle(again)).detail["cause"] is True
    assert len(found.calls) == 1  # the stored cause is this occurrence's
    doc = await AlertStore(redis).get(FINGERPRINT)
    assert doc is not None and doc.cause is not None and doc.cause.analyzer == "oom_killed"
    assert doc.cause.starts_at == doc.starts_at
    assert "Cause (investigated): Container cart is OOMKilled." in doc.text()
    (later,) = to_events(parse_webhook(_webhook(starts="2026-12-02T10:00:00Z")))
    await handlers.handle(later)
    assert len(found.calls) == 2  # a new occurrence
    (resolved,) = to_events(parse_webhook(_webhook("resolved", "2026-12-02T10:00:00Z")))
    await handlers.handle(resolved)
    assert len(found.calls) == 2
    doc = await AlertStore(redis).get(FINGERPRINT)
    assert doc is not None and doc.status == "resolved" and doc.cause is not None


async def test_nothing_found_stores_the_alert_without_a_cause(redis: Redis) -> None:
    nothing = Counting(None)
    (event,) = to_events(parse_webhook(_webhook()))
    outcome = await _handlers(redis, nothing).handle(event)
    assert outcome.status == "processed" and outcome.detail["cause"] is False
    doc = await AlertStore(redis).get(FINGERPRINT)
    assert doc is not None and doc.cause is None and len(nothing.calls) == 1
