"""The request id reaches every downstream call: the graph, the predictor, the functions,
the event sink, Prometheus, Alertmanager and the log store (a recording upstream)."""

from __future__ import annotations

import httpx

from smartops.actions import catalog as c
from smartops.actions.logs_search import LogSearch
from smartops.actions.prom import PromClient
from smartops.config import Settings
from smartops.eventing.envelope import CloudEvent
from smartops.eventing.sink import Sink
from smartops.gateway import create_app
from smartops.logs import reset_request_id, set_request_id
from smartops.metrics import Metrics
from smartops.services import build_services
from tests.support.recorder import recording_upstream

CHAT = {"model": "smartops", "stream": True}


async def _ask(client: httpx.AsyncClient, text: str, request_id: str) -> None:
    body = {**CHAT, "messages": [{"role": "user", "content": text}]}
    response = await client.post(
        "/v1/chat/completions", json=body, headers={"X-Request-ID": request_id}
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == request_id


async def test_gateway_forwards_its_request_id_to_graph_predictor_and_functions() -> None:
    with recording_upstream() as rec:
        settings = Settings(
            llm_base_url=f"{rec.url}/v1",
            knowledge_graph_url=f"{rec.url}/graph",
            cache_url=f"{rec.url}/cache",
            actions_url=f"{rec.url}/actions",
            actions_token="shared-secret",
            eventing_enabled=False,
        )
        services = build_services(settings)
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            await _ask(client, "What does a PodDisruptionBudget protect against?", "rid-know")
            await _ask(client, "show pods in namespace payments", "rid-act")
        await services.aclose()
    for prefix in ("/graph", "/v1/chat/completions", "/cache/lookup", "/cache/store"):
        seen = rec.headers_for(prefix)
        assert seen, f"nothing called {prefix}"
        assert {h.get("x-request-id") for h in seen} == {"rid-know"}, prefix
    actions = rec.headers_for("/actions/")
    assert actions and {h.get("x-request-id") for h in actions} == {"rid-act"}
    assert all(h["authorization"] == "Bearer shared-secret" for h in actions)


async def test_clients_of_prometheus_alertmanager_logs_and_sink_forward_it() -> None:
    with recording_upstream() as rec:
        settings = Settings(
            actions_prometheus_url=f"{rec.url}/prom",
            actions_alertmanager_url=f"{rec.url}/am",
            actions_logs_url=f"{rec.url}/logs",
            eventing_sink_url=f"{rec.url}/sink",
        )
        prom = PromClient(settings.actions)
        sink = Sink(settings.eventing, Metrics())
        logs = LogSearch(settings.actions, kube=None)  # type: ignore[arg-type]  # the log store only
        token = set_request_id("rid-backends")
        try:
            await prom.query(c.QueryArgs(query="up"))
            await prom.am_alerts()
            await sink.send(CloudEvent(type="dev.smartops.test.v1", source="/t", id="e1", data={}))
            await logs.search(c.LogSearchArgs(text="OOMKilled"), user="u")
        finally:
            reset_request_id(token)
            await prom.aclose()
            await sink.aclose()
            await logs.aclose()
    for prefix in ("/prom/", "/am/", "/sink", "/logs/"):
        seen = rec.headers_for(prefix)
        assert seen and {h.get("x-request-id") for h in seen} == {"rid-backends"}, prefix
