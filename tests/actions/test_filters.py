"""Filters and sorting asked for in plain words, through the gateway and down to the
executors: top pods by memory or CPU, warning events only, nodes by condition, alerts of
one namespace.

The gateway is the one of ``test_gateway_actions`` (kmock's Kubernetes, real Redis, the
router trained as at startup); the alert filters run against the real Prometheus and
Alertmanager of ``conftest.py``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from kubernetes import client, config

from smartops.actions.k8s_reads import _quantity
from smartops.actions.service import ActionService
from smartops.config import Settings
from smartops.metrics import Metrics
from smartops.turn import Principal
from tests.actions.conftest import Kube, Monitoring
from tests.actions.test_gateway_actions import BOB, Gateway, gateway  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration
# (pod, cpu, memory): the memory order and the CPU order differ on purpose.
USAGE = [
    ("small-0", ["900m"], ["64Mi"]),
    ("large-1", ["20m", "30m"], ["1Gi", "512Mi"]),
    ("medium-2", ["250m", "1200m"], ["250Mi", "50Mi"]),
]


def _api(kube: Kube) -> Any:
    return config.new_client_from_config(config_file=str(kube.kubeconfig))


def _seed_usage(kube: Kube, namespace: str = "ml-serving") -> None:
    api = _api(kube)
    custom = client.CustomObjectsApi(api)
    try:
        for pod, cpus, memories in USAGE:
            containers = [
                {"name": f"c{i}", "usage": {"cpu": cpu, "memory": memory}}
                for i, (cpu, memory) in enumerate(zip(cpus, memories, strict=True))
            ]
            body = {
                "apiVersion": "metrics.k8s.io/v1beta1",
                "kind": "PodMetrics",
                "metadata": {"name": pod, "namespace": namespace},
                "containers": containers,
            }
            custom.create_namespaced_custom_object(
                "metrics.k8s.io", "v1beta1", namespace, "pods", body
            )
    finally:
        api.close()


def _pods_in_order(answer: str) -> list[str]:
    names = {pod for pod, _, _ in USAGE}
    return [m for m in re.findall(r"\| ml-serving \| ([a-z0-9-]+) \|", answer) if m in names]


def test_kubernetes_quantities_are_compared_by_value() -> None:
    assert _quantity("250m+1200m") == pytest.approx(1.45)
    assert _quantity("1Gi+512Mi") == 1.5 * 2**30
    assert _quantity("900m") > _quantity("20m+30m")
    assert _quantity("64Mi") < _quantity("300Mi") < _quantity("1Gi")


async def test_pods_eating_the_most_memory_come_first(gateway: Gateway, kube: Kube) -> None:  # noqa: F811
    _seed_usage(kube)
    answer = await gateway.say("which pods are eating the most memory in ml-serving?", BOB)
    assert "| namespace | pod | cpu | memory |" in answer
    assert _pods_in_order(answer) == ["large-1", "medium-2", "small-0"]
    by_cpu = await gateway.say("top pods in ml-serving sorted by CPU", BOB)
    assert _pods_in_order(by_cpu) == ["medium-2", "small-0", "large-1"]


async def test_warning_events_only_when_asked_for(gateway: Gateway, kube: Kube) -> None:  # noqa: F811
    api = _api(kube)
    try:
        client.CoreV1Api(api).create_namespaced_event(
            "payments",
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": "ledger-1.1", "namespace": "payments"},
                "involvedObject": {"kind": "Pod", "name": "ledger-1", "namespace": "payments"},
                "reason": "Pulled",
                "type": "Normal",
                "message": "Container image pulled",
                "lastTimestamp": "2026-01-01T00:06:00Z",
            },
        )
    finally:
        api.close()
    every = await gateway.say("show events in payments", BOB)
    assert "| Normal | Pulled |" in every and "| Warning | BackOff |" in every
    warnings = await gateway.say(
        "anything weird going on in payments? show me warning events there", BOB
    )
    assert "| Warning | BackOff |" in warnings
    assert "Pulled" not in warnings and "| Normal |" not in warnings


async def test_nodes_by_condition(gateway: Gateway, kube: Kube) -> None:  # noqa: F811
    api = _api(kube)
    core = client.CoreV1Api(api)
    conditions = {
        "worker-3": [{"type": "Ready", "status": "False"}],
        "worker-4": [
            {"type": "Ready", "status": "True"},
            {"type": "DiskPressure", "status": "True"},
        ],
    }
    try:
        for node, found in conditions.items():
            body = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": node}}
            core.create_node({**body, "spec": {}, "status": {"conditions": found}})
    finally:
        api.close()
    every = await gateway.say("show nodes", BOB)
    assert all(f"| {n} |" in every for n in ("worker-1", "worker-2", "worker-3", "worker-4"))
    not_ready = await gateway.say("are any nodes NotReady right now?", BOB)
    assert "| worker-3 | NotReady |" in not_ready
    assert "worker-1" not in not_ready and "worker-4" not in not_ready
    pressure = await gateway.say("show nodes under disk pressure", BOB)
    assert "| worker-4 | Ready |" in pressure and "worker-3" not in pressure


@pytest.fixture
async def monitored(
    monitoring: Monitoring, redis_url: str, tmp_path: Path
) -> AsyncIterator[ActionService]:
    settings = Settings(
        actions_prometheus_url=monitoring.prometheus,
        actions_alertmanager_url=monitoring.alertmanager,
        actions_audit_stream="test:audit:filters",
    )
    redis = aioredis.Redis.from_url(redis_url)
    service = ActionService.build(settings.actions, Metrics(), redis)
    yield service
    await service.aclose()
    await redis.aclose()


@pytest.mark.parametrize("action", ["prom_alerts", "am_alerts"])
async def test_alerts_of_one_namespace(monitored: ActionService, action: str) -> None:
    ops = Principal("ops", email="ops@example.com")
    payments = await monitored.run(ops, action, {"namespace": "payments"})
    assert "| KubePodCrashLooping |" in payments.text and "payments/api-1" in payments.text
    shop = await monitored.run(ops, action, {"namespace": "shop"})
    assert shop.status == "ok" and "KubePodCrashLooping" not in shop.text
