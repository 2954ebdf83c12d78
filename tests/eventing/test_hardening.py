"""What an event sender cannot do any more: poison the alert store with a naive timestamp,
crash the handlers with a long alert name or a bad path, create collections, or post
without the webhook token when one is set."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import SecretStr

from smartops.edge import create_app
from smartops.eventing import envelope
from smartops.eventing.alertmanager import event_id, parse_webhook, to_events
from smartops.eventing.alerts import ALERTS_KEY, AlertStore
from smartops.eventing.models import DOCS_CHANGED, REINDEX_SCHEDULED
from smartops.eventing.routes import add_routes
from smartops.metrics import Metrics
from tests.eventing.conftest import Gateway, webhook

pytestmark = pytest.mark.integration
ALERT_QUESTION = "Which alerts are firing in payments?"


async def ask(gw: Gateway, question: str) -> httpx.Response:
    return await gw.client.post(
        "/v1/chat/completions",
        json={"model": "smartops", "messages": [{"role": "user", "content": question}]},
    )


def error_of(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    error: dict[str, str] = response.json()["error"]
    return error


async def test_a_naive_timestamp_is_a_400_and_nothing_is_stored(gateway: Gateway) -> None:
    for naive in ("2026-11-24T10:00:00", "2026-11-24T10:00:00.000"):
        response = await gateway.client.post("/webhooks/alertmanager", json=webhook(startsAt=naive))
        error = error_of(response, 400)
        assert error["param"] == "alerts.0.startsAt"
        assert "timezone" in error["message"]
    assert await AlertStore(gateway.redis).count() == 0
    assert (await ask(gateway, ALERT_QUESTION)).status_code == 200


async def test_naive_documents_from_older_versions_are_read_as_utc(gateway: Gateway) -> None:
    """The store as an older version left it: one naive document next to an aware one."""
    assert (await gateway.client.post("/webhooks/alertmanager", json=webhook())).status_code == 200
    store = AlertStore(gateway.redis)
    aware = await store.get("3f1c2a9b8d7e6f50")
    assert aware is not None
    legacy = json.loads(aware.model_dump_json())
    legacy.update(
        fingerprint="0ld0ld0ld0ld0ld0",
        alertname="LegacyNaiveAlert",
        starts_at="2026-11-24T09:00:00",
        updated_at="2026-11-24T09:00:01",
    )
    await gateway.redis.hset(ALERTS_KEY, "0ld0ld0ld0ld0ld0", json.dumps(legacy))
    docs = await store.all()
    assert {d.alertname for d in docs} >= {"LegacyNaiveAlert", "PaymentsHighErrorRate"}
    assert all(d.starts_at.tzinfo is UTC for d in docs)
    old = next(d for d in docs if d.alertname == "LegacyNaiveAlert")
    assert old.starts_at == datetime(2026, 11, 24, 9, tzinfo=UTC)
    response = await ask(gateway, ALERT_QUESTION)
    assert response.status_code == 200, response.text
    assert "LegacyNaiveAlert" in response.json()["choices"][0]["message"]["content"]


async def test_an_unreadable_document_is_skipped_then_replaced(gateway: Gateway) -> None:
    await gateway.redis.hset(ALERTS_KEY, "3f1c2a9b8d7e6f50", b"{not json")
    await gateway.redis.hset(ALERTS_KEY, "deadbeefdeadbeef", json.dumps({"fingerprint": 1}))
    assert (await ask(gateway, ALERT_QUESTION)).status_code == 200
    assert (await gateway.client.post("/webhooks/alertmanager", json=webhook())).status_code == 200
    doc = await AlertStore(gateway.redis).get("3f1c2a9b8d7e6f50")
    assert doc is not None and doc.alertname == "PaymentsHighErrorRate"


def test_offsets_are_held_in_utc_and_one_instant_is_one_event() -> None:
    body = webhook(startsAt="2026-11-24T12:00:00+02:00")
    event = to_events(parse_webhook(json.dumps(body).encode()))[0]
    assert event.data["startsAt"] == "2026-11-24T10:00:00Z"
    same = to_events(parse_webhook(json.dumps(webhook(startsAt="2026-11-24T10:00:00Z")).encode()))
    assert (
        event.id
        == same[0].id
        == event_id("3f1c2a9b8d7e6f50", datetime(2026, 11, 24, 10, tzinfo=UTC), "firing")
    )


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"startsAt": "0001-01-01T00:00:00+01:00"}, "alerts.0.startsAt"),
        ({"endsAt": "9999-12-31T23:59:59-01:00"}, "alerts.0.endsAt"),
        ({"labels": {"alertname": "A" * 300}}, "alerts.0.alertname"),
    ],
)
async def test_what_used_to_be_a_500_is_a_400(
    gateway: Gateway, changes: dict[str, object], param: str
) -> None:
    response = await gateway.client.post("/webhooks/alertmanager", json=webhook(**changes))
    assert error_of(response, 400)["param"] == param


async def test_a_naive_cloudevent_time_is_a_400(gateway: Gateway) -> None:
    headers = {
        "ce-specversion": "1.0",
        "ce-id": "naive-time",
        "ce-source": "/tests",
        "ce-type": REINDEX_SCHEDULED,
        "ce-time": "2026-11-24T10:00:00",
        "content-type": "application/json",
    }
    response = await gateway.client.post("/events", content=b"{}", headers=headers)
    assert error_of(response, 400)["param"] == "time"


async def docs_event(gw: Gateway, event_id: str, **data: object) -> httpx.Response:
    event = envelope.CloudEvent(type=DOCS_CHANGED, source="/tests", id=event_id, data=data)
    headers, body = envelope.to_binary(event)
    return await gw.client.post("/events", content=body, headers=headers)


async def test_a_docs_event_cannot_create_a_collection(gateway: Gateway) -> None:
    paths = [str(gateway.docs / "runbooks")]
    response = await docs_event(gateway, "new-collection", paths=paths, collection="brand-new")
    error = error_of(response, 400)
    assert error["param"] == "data.collection" and "brand-new" in error["message"]
    assert not (gateway.settings.data_dir / "index" / "brand-new").exists()
    response = await docs_event(gateway, "default-collection", paths=paths)
    assert response.status_code == 200, response.text


async def token_client(gw: Gateway, token: str | None) -> httpx.AsyncClient:
    app = create_app("events", Metrics(), gw.settings.max_body_bytes)
    add_routes(
        app,
        gw.settings,
        gw.eventing.handlers,
        webhook_token=SecretStr(token) if token else None,
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://events")


async def test_the_webhook_token_is_required_when_set(gateway: Gateway) -> None:
    body = webhook()
    async with await token_client(gateway, "s3cret-webhook-token") as client:
        missing = await client.post("/webhooks/alertmanager", json=body)
        assert error_of(missing, 401)["code"] == "missing_webhook_token"
        wrong = await client.post(
            "/webhooks/alertmanager", json=body, headers={"authorization": "Bearer nope"}
        )
        assert error_of(wrong, 401)["code"] == "invalid_webhook_token"
        events = await client.post("/events", content=b"{}", headers={"ce-specversion": "1.0"})
        assert error_of(events, 401)["code"] == "missing_webhook_token"
        right = await client.post(
            "/webhooks/alertmanager",
            json=body,
            headers={"authorization": "Bearer s3cret-webhook-token"},
        )
        assert right.status_code == 200, right.text
    assert await AlertStore(gateway.redis).count() == 2


async def test_without_a_token_the_api_key_still_guards_the_webhook(gateway: Gateway) -> None:
    gateway.settings = gateway.settings.model_copy(update={"api_key": SecretStr("k3y")})
    async with await token_client(gateway, None) as client:
        missing = await client.post("/webhooks/alertmanager", json=webhook())
        assert error_of(missing, 401)["code"] == "missing_api_key"
        keyed = await client.post(
            "/webhooks/alertmanager", json=webhook(), headers={"authorization": "Bearer k3y"}
        )
        assert keyed.status_code == 200, keyed.text
