"""The embedded stack's eventing path over real Redis: idempotent, validated, answerable."""

from __future__ import annotations

import logging

import pytest

from smartops.cache import generation
from smartops.cache.models import LookupRequest, StoreRequest
from smartops.eventing import envelope
from smartops.eventing.alerts import AlertStore
from smartops.eventing.models import DOCS_CHANGED, REINDEX_COMPLETED
from smartops.services import build_services
from tests.eventing.conftest import DATA, Gateway, webhook

pytestmark = pytest.mark.integration
QUESTION = "Which alerts are firing in payments?"


async def ask(gw: Gateway, question: str) -> str:
    response = await gw.client.post(
        "/v1/chat/completions",
        json={"model": "smartops", "messages": [{"role": "user", "content": question}]},
    )
    assert response.status_code == 200, response.text
    content: str = response.json()["choices"][0]["message"]["content"]
    return content


def counted(gw: Gateway, outcome: str) -> float:
    value = gw.services.metrics.registry.get_sample_value(
        "smartops_events_total", {"type": "dev.smartops.alert.firing.v1", "outcome": outcome}
    )
    return value or 0.0


async def test_same_webhook_three_times_yields_one_alert_document(gateway: Gateway) -> None:
    outcomes = []
    for _ in range(3):
        response = await gateway.client.post("/webhooks/alertmanager", json=webhook())
        assert response.status_code == 200, response.text
        outcomes.append([e["outcome"] for e in response.json()["events"]])
    assert outcomes == [["processed"] * 2, ["duplicate"] * 2, ["duplicate"] * 2]
    assert counted(gateway, "processed") == 2 and counted(gateway, "duplicate") == 4
    store = AlertStore(gateway.redis)
    assert await store.count() == 2
    doc = await store.get("3f1c2a9b8d7e6f50")
    assert doc is not None and doc.status == "firing"
    assert doc.runbook is not None and doc.runbook.source.endswith("PaymentsHighErrorRate.md")
    assert [s.heading.split(" > ")[-1] for s in doc.runbook.highlights()] == [
        "Meaning",
        "Mitigation",
    ]
    alerts_index = gateway.eventing.indexes["alerts"]
    assert alerts_index.count() == 2  # the index copy: one chunk per alert, not per delivery


async def test_the_chat_answers_with_the_alert_and_its_runbook(gateway: Gateway) -> None:
    await gateway.client.post("/webhooks/alertmanager", json=webhook())
    answer = await ask(gateway, QUESTION)
    assert "PaymentsHighErrorRate" in answer
    assert "KubePodCrashLooping" not in answer  # that one fires in shop, not payments
    assert "rollout undo" in answer  # the runbook's Mitigation section
    assert "PaymentsHighErrorRate.md" in answer  # cited as a source
    everywhere = await ask(gateway, "What alerts are firing right now?")
    assert "PaymentsHighErrorRate" in everywhere and "KubePodCrashLooping" in everywhere


async def test_resolved_notification_marks_it_resolved(gateway: Gateway) -> None:
    await gateway.client.post("/webhooks/alertmanager", json=webhook())
    resolved = webhook(status="resolved", endsAt="2026-11-24T10:20:00Z")
    response = await gateway.client.post("/webhooks/alertmanager", json=resolved)
    assert [e["outcome"] for e in response.json()["events"]] == ["processed", "duplicate"]
    doc = await AlertStore(gateway.redis).get("3f1c2a9b8d7e6f50")
    assert doc is not None and doc.status == "resolved" and doc.ends_at is not None
    assert doc.runbook is not None  # kept from the firing document
    assert "No alerts are firing in payments" in await ask(gateway, QUESTION)
    assert "PaymentsHighErrorRate" in await ask(gateway, "Which alerts were resolved?")
    # A late re-send of the firing notification does not bring the alert back.
    await gateway.client.post("/webhooks/alertmanager", json=webhook())
    doc = await AlertStore(gateway.redis).get("3f1c2a9b8d7e6f50")
    assert doc is not None and doc.status == "resolved"


def _broken_bodies() -> list[bytes]:
    full = (DATA / "webhook.json").read_bytes()
    no_name = webhook()
    del no_name["alerts"][1]["labels"]["alertname"]  # the first alert alone is valid
    wrong_version = webhook()
    wrong_version["version"] = "3"
    import json

    return [
        full[: len(full) // 2],
        b"",
        b"not json",
        json.dumps(no_name).encode(),
        json.dumps(wrong_version).encode(),
    ]


async def test_malformed_and_truncated_payloads_400_logged_nothing_written(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for body in _broken_bodies():
        caplog.clear()
        response = await gateway.client.post(
            "/webhooks/alertmanager", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["type"] == "invalid_request_error" and error["message"]
        assert any(r.getMessage() == "alertmanager webhook rejected" for r in caplog.records)
    assert await gateway.redis.exists("smartops:alerts") == 0
    assert await gateway.redis.keys("smartops:events:seen:*") == []
    assert not (gateway.settings.data_dir / "index" / "alerts").exists()
    rejected = gateway.services.metrics.registry.get_sample_value(
        "smartops_alertmanager_webhooks_total", {"result": "rejected"}
    )
    assert rejected == 5


async def test_docs_changed_reingests_bumps_the_generation_and_replies(gateway: Gateway) -> None:
    before = await generation.current(gateway.redis)
    runbook = gateway.docs / "runbooks" / "PaymentsHighErrorRate.md"
    event = envelope.CloudEvent(
        type=DOCS_CHANGED,
        source="git",
        id="commit-1",
        data={"paths": [str(runbook)], "reason": "commit-1"},
    )
    headers, body = envelope.to_binary(event)
    response = await gateway.client.post("/events", headers=headers, content=body)
    assert response.status_code == 200, response.text
    reply = envelope.from_http(dict(response.headers), response.content)
    assert reply.type == REINDEX_COMPLETED
    assert reply.data["status"] == "ok" and reply.data["new"] > 0
    assert reply.data["recall"] == 1.0  # both canary questions find the runbook
    assert await generation.current(gateway.redis) > before
    again = await gateway.client.post("/events", headers=headers, content=body)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    runs = await gateway.eventing.handlers.reindexer.log.recent(5)  # type: ignore[union-attr]
    assert runs[0]["status"] == "ok" and runs[0]["trigger"] == DOCS_CHANGED


def docs_changed(event_id: str, *paths: object) -> tuple[dict[str, str], bytes]:
    event = envelope.CloudEvent(
        type=DOCS_CHANGED, source="git", id=event_id, data={"paths": [str(p) for p in paths]}
    )
    return envelope.to_binary(event)


async def test_a_docs_event_moves_the_generation_once_and_only_when_something_changed(
    gateway: Gateway,
) -> None:
    runbook = gateway.docs / "runbooks" / "PaymentsHighErrorRate.md"
    headers, body = docs_changed("commit-1", runbook)
    first = await gateway.client.post("/events", headers=headers, content=body)
    assert first.status_code == 200, first.text
    after_first = await generation.current(gateway.redis)
    # The same content under another event id: nothing re-embedded, nothing invalidated.
    headers, body = docs_changed("commit-2", runbook)
    same = await gateway.client.post("/events", headers=headers, content=body)
    reply = envelope.from_http(dict(same.headers), same.content)
    assert (reply.data["new"], reply.data["updated"], reply.data["deleted"]) == (0, 0, 0)
    assert reply.data["generation"] == after_first == await generation.current(gateway.redis)
    # A change to a runbook that is both indexed and in the docs cache: one new generation.
    runbook.write_text(runbook.read_text() + "\n\n## Escalation\n\nPage the payments on-call.\n")
    headers, body = docs_changed("commit-3", runbook)
    changed = await gateway.client.post("/events", headers=headers, content=body)
    reply = envelope.from_http(dict(changed.headers), changed.content)
    assert reply.data["updated"] + reply.data["new"] > 0
    assert reply.data["generation"] == after_first + 1
    assert await generation.current(gateway.redis) == after_first + 1


async def test_a_restart_with_nothing_changed_keeps_the_generation_and_cached_answers(
    gateway: Gateway,
) -> None:
    backend = gateway.services.cache_backend
    assert backend is not None
    before = await generation.current(gateway.redis)
    await backend.store(StoreRequest(scope="s", question="What is a PDB?", answer="A budget."))
    restarted = build_services(gateway.settings)  # a new process over the same Redis
    try:
        for startup in restarted.startup:
            await startup()
        assert await generation.current(gateway.redis) == before
        assert restarted.cache_backend is not None
        hit = await restarted.cache_backend.lookup(
            LookupRequest(scope="s", question="what is a pdb")
        )
        assert hit.answer is not None and hit.answer.answer == "A budget."
    finally:
        await restarted.aclose()


@pytest.mark.parametrize(
    ("event_type", "data", "message"),
    [
        ("dev.example.unknown.v1", {}, "Unknown event type"),
        (DOCS_CHANGED, {"paths": []}, "paths"),
        (DOCS_CHANGED, {"paths": ["/etc"]}, "not under a reindex path"),
        ("dev.smartops.alert.resolved.v1", {"status": "firing"}, "Invalid"),
    ],
)
async def test_permanent_errors_are_400_and_leave_no_dedupe_record(
    gateway: Gateway,
    event_type: str,
    data: dict[str, object],
    message: str,
) -> None:
    event = envelope.CloudEvent(type=event_type, source="test", id="bad-1", data=data)
    headers, body = envelope.to_structured(event)
    response = await gateway.client.post("/events", headers=headers, content=body)
    assert response.status_code == 400, response.text
    assert message in response.json()["error"]["message"]
    assert await gateway.redis.keys("smartops:events:seen:*") == []
