"""Prometheus and Alertmanager actions against the real servers (Debian packages)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis

from smartops.actions.service import ActionService
from smartops.config import Settings
from smartops.errors import InvalidRequest
from smartops.metrics import Metrics
from smartops.turn import Principal
from tests.actions.conftest import Monitoring

pytestmark = pytest.mark.integration
OPS = Principal("ops", email="ops@example.com")
POLICY = """
roles:
  oncall: {actions: [read, silence], namespaces: ["*"]}
bindings:
  - subjects: ["user:ops@example.com"]
    roles: [oncall]
"""


@pytest.fixture
async def service(
    monitoring: Monitoring, redis_url: str, tmp_path: Path
) -> AsyncIterator[ActionService]:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    settings = Settings(
        actions_prometheus_url=monitoring.prometheus,
        actions_alertmanager_url=monitoring.alertmanager,
        actions_policy_file=policy,
        actions_audit_stream="test:audit:mon",
    )
    client = aioredis.Redis.from_url(redis_url)
    svc = ActionService.build(settings.actions, Metrics(), client)
    yield svc
    await svc.aclose()
    await client.aclose()


async def test_instant_query_shows_the_query_and_the_result(service: ActionService) -> None:
    outcome = await service.run(OPS, "prom_query", {"query": 'up{job="prometheus"}'})
    assert '```promql\nup{job="prometheus"}\n```' in outcome.text
    assert "job=prometheus" in outcome.text and "| 1 |" in outcome.text


async def test_range_query(service: ActionService) -> None:
    outcome = await service.run(
        OPS, "prom_range", {"query": "vector(2)", "minutes": 5, "step_s": 30}
    )
    assert "| series | min | max | last | points |" in outcome.text
    assert "| {} | 2 | 2 | 2 |" in outcome.text


async def test_a_bad_query_is_a_clear_error(service: ActionService) -> None:
    outcome = await service.run(OPS, "prom_query", {"query": "sum(("})
    assert outcome.status == "error" and "Prometheus rejected it" in outcome.text


async def test_firing_alerts_and_target_health(service: ActionService) -> None:
    alerts = await service.run(OPS, "prom_alerts", {})
    assert "| KubePodCrashLooping | firing | warning | payments/api-1 |" in alerts.text
    targets = await service.run(OPS, "prom_targets", {"state": "down"})
    assert "| gone |" in targets.text and "| prometheus |" not in targets.text
    am = await service.run(OPS, "am_alerts", {})
    assert "| KubePodCrashLooping | active | warning | payments/api-1 |" in am.text


async def test_metrics_in_plain_words_show_their_promql(service: ActionService) -> None:
    outcome = await service.run(OPS, "metric", {"metric": "memory", "namespace": "payments"})
    assert 'container_memory_working_set_bytes{namespace=~"payments"' in outcome.text
    assert "No series found." in outcome.text  # no cAdvisor here; the query itself is valid
    for metric in ("cpu", "memory", "restarts", "error_rate", "latency"):
        checked = await service.run(OPS, "metric", {"metric": metric, "service": "checkout"})
        assert checked.status == "ok", checked.text  # Prometheus parsed every template


async def test_silence_is_previewed_then_created(
    service: ActionService, monitoring: Monitoring
) -> None:
    matchers = {"alertname": "KubePodCrashLooping", "namespace": "payments"}
    pending = await service.run(OPS, "silence", {"matchers": matchers, "minutes": 30})
    assert pending.status == "pending"
    assert "| alertmanager | alerts it silences now | 0 | 1 |" in pending.text
    silences = httpx.get(f"{monitoring.alertmanager}/api/v2/silences").json()
    assert not [s for s in silences if s["status"]["state"] == "active"]
    done = await service.decide(OPS, pending.token, True)
    assert done.status == "ok" and "Silence id" in done.text
    active = [
        s
        for s in httpx.get(f"{monitoring.alertmanager}/api/v2/silences").json()
        if s["status"]["state"] == "active"
    ]
    assert len(active) == 1 and active[0]["createdBy"] == "ops@example.com"


async def test_unconfigured_backends_say_so(redis_url: str) -> None:
    svc = ActionService.build(Settings().actions, Metrics(), None)
    try:
        outcome = await svc.run(OPS, "prom_alerts", {})
        assert outcome.status == "unavailable" and "no Prometheus is connected" in outcome.text
        assert "SMARTOPS_ACTIONS_PROMETHEUS_URL" in outcome.text  # what to set
        with pytest.raises(InvalidRequest):
            await svc.run(OPS, "prom_query", {"query": ""})
    finally:
        await svc.aclose()
