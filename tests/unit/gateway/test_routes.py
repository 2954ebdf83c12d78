"""Health, readiness, metrics, request ids, API key, CORS and the WebSocket protocol."""

from __future__ import annotations

import httpx
import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from smartops.config import Settings
from smartops.gateway import create_app
from smartops.services import build_services
from tests.unit.gateway.conftest import ClientFactory


async def test_health_and_readiness_with_upstream_down(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "not ready"
    assert body["checks"] == {"llm": False}  # optional backends never decide readiness


async def test_request_id_is_echoed_or_generated(client: httpx.AsyncClient) -> None:
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    generated = await client.get("/healthz")
    assert len(generated.headers["x-request-id"]) == 32
    unprintable = await client.get("/healthz", headers={"X-Request-ID": "a" * 500})
    assert unprintable.headers["x-request-id"] != "a" * 500


async def test_models_lists_the_configured_model(
    make_client: ClientFactory, settings: Settings
) -> None:
    client = make_client(settings.with_changes(model_id="ops-assistant"))
    body = (await client.get("/v1/models")).json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == ["ops-assistant"]


async def test_api_key_is_required_when_configured(
    make_client: ClientFactory, settings: Settings
) -> None:
    client = make_client(settings.with_changes(api_key="s3cret"))
    missing = await client.get("/v1/models")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "missing_api_key"
    wrong = await client.get("/v1/models", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_api_key"
    right = await client.get("/v1/models", headers={"Authorization": "Bearer s3cret"})
    assert right.status_code == 200
    assert (await client.get("/healthz")).status_code == 200


async def test_readiness_and_metrics_need_the_api_key_when_one_is_set(
    make_client: ClientFactory, settings: Settings
) -> None:
    client = make_client(settings.with_changes(api_key="s3cret"))
    key = {"Authorization": "Bearer s3cret"}
    for path in ("/readyz", "/metrics"):
        assert (await client.get(path)).status_code == 401, path
        assert (await client.get(path, headers=key)).status_code in (200, 503), path
    assert "smartops_http_requests_total" in (await client.get("/metrics", headers=key)).text


async def test_a_wrong_method_says_which_are_allowed(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/chat/completions")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response.headers["allow"] == "POST"


async def test_cors_allows_only_configured_origins(
    make_client: ClientFactory, settings: Settings
) -> None:
    client = make_client(settings.with_changes(cors_origins="https://chat.example.com"))
    preflight = {"Access-Control-Request-Method": "POST"}
    allowed = await client.options(
        "/v1/chat/completions", headers={"Origin": "https://chat.example.com", **preflight}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://chat.example.com"
    denied = await client.options(
        "/v1/chat/completions", headers={"Origin": "https://evil.example.com", **preflight}
    )
    assert "access-control-allow-origin" not in denied.headers


def test_websocket_reports_errors_and_keeps_the_socket(settings: Settings) -> None:
    app = create_app(build_services(settings))
    with TestClient(app) as client, client.websocket_connect("/v1/chat/completions/ws") as ws:
        ws.send_text("{not json")
        assert ws.receive_json()["error"]["code"] == "invalid_json"
        ws.send_json({"model": "smartops", "messages": [{"role": "user", "content": "hi"}]})
        assert ws.receive_json()["error"]["code"] == "upstream_unavailable"


def test_websocket_requires_the_api_key(settings: Settings) -> None:
    app = create_app(build_services(settings.with_changes(api_key="k")))
    with (
        TestClient(app) as client,
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/v1/chat/completions/ws") as ws,
    ):
        ws.receive_text()
    assert closed.value.code == 1008
