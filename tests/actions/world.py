"""The small cluster the action tests run against, created through the official client.

payments: two crashlooping pods, a running one and a pending one, with events.
shop: deployments ``api`` (revision 2, two ReplicaSets of history) and ``web``, the pod
``api-7d9f-x2`` whose logs, environment and ConfigMap hold the canary secrets.
batch: 25 healthy pods (for "showing 20 of 25"). Nodes ``worker-1`` and ``worker-2``.
RBAC: everyone may get/list; alice may patch deployments (and their scale) in shop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kubernetes import client, config

from smartops.sandbox.emulator import KubeEmulator

CANARY_PASSWORD = "Canary-Pw-7f3a9c1e"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
CANARY_JWT = (
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnktdXNlciIsImNhbmFyeSI6dHJ1ZX0."
    "c2lnbmF0dXJlLWNhbmFyeS0xMjM0"
)
POLICY = """
roles:
  reader: {actions: [read], namespaces: ["*"]}
  shop-ops: {actions: [read, rollout_restart, scale, rollout_undo], namespaces: [shop]}
bindings:
  - subjects: ["user:alice@example.com", "user:carol@example.com"]
    roles: [shop-ops]
  - subjects: ["*"]
    roles: [reader]
"""
RBAC = {
    ("*", "get", "*", "*"),
    ("*", "list", "*", "*"),
    ("*", "get", "pods/log", "*"),
    ("alice@example.com", "patch", "deployments", "shop"),
    ("alice@example.com", "patch", "deployments/scale", "shop"),
}


def _pod(
    ns: str, name: str, phase: str, waiting: str = "", restarts: int = 0, **extra: Any
) -> dict[str, Any]:
    state = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": ns,
            "labels": {"app": name.rsplit("-", 1)[0]},
            "creationTimestamp": "2026-01-01T00:00:00Z",
            **extra.pop("meta", {}),
        },
        "spec": {
            "nodeName": "worker-1",
            "containers": [{"name": "main", "image": f"{name}:1", **extra.pop("container", {})}],
        },
        "status": {
            "phase": phase,
            "containerStatuses": [
                {
                    "name": "main",
                    "image": f"{name}:1",
                    "imageID": "",
                    "ready": phase == "Running" and not waiting,
                    "restartCount": restarts,
                    "state": state,
                }
            ],
        },
    }


def _deployment(name: str, revision: int, image: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": "shop",
            "uid": f"uid-{name}",
            "generation": 1,
            "annotations": {"deployment.kubernetes.io/revision": str(revision)},
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": image}]},
            },
        },
        "status": {
            "observedGeneration": 1,
            "replicas": 2,
            "updatedReplicas": 2,
            "readyReplicas": 2,
            "availableReplicas": 2,
        },
    }


def _replica_set(name: str, revision: int, image: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": f"{name}-rev{revision}",
            "namespace": "shop",
            "labels": {"app": name},
            "annotations": {"deployment.kubernetes.io/revision": str(revision)},
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": f"uid-{name}"}
            ],
        },
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name, "pod-template-hash": f"h{revision}"}},
                "spec": {"containers": [{"name": "main", "image": image}]},
            },
        },
    }


def seed(kubeconfig: Path, emulator: KubeEmulator) -> None:
    api = config.new_client_from_config(config_file=str(kubeconfig))
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    try:
        _seed_payments(core)
        _seed_shop(core, apps)
        for i in range(25):
            core.create_namespaced_pod("batch", _pod("batch", f"filler-{i:02d}", "Running"))
        for node in ("worker-1", "worker-2"):
            core.create_node(
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {"name": node},
                    "spec": {},
                    "status": {"conditions": [{"type": "Ready", "status": "True"}]},
                }
            )
    finally:
        api.close()
    emulator.pod_logs[("shop", "api-7d9f-x2", False)] = (
        "starting api\nconnecting with password=" + CANARY_PASSWORD + "\n"
        "Authorization: Bearer " + CANARY_JWT + "\nERROR timeout talking to db\nready\n"
    )
    emulator.pod_logs[("payments", "api-1", True)] = "panic: config missing\n"
    emulator.rbac.update(RBAC)


def _seed_payments(core: Any) -> None:
    for pod in (
        _pod("payments", "api-1", "Running", "CrashLoopBackOff", 7),
        _pod("payments", "worker-1", "Running", "CrashLoopBackOff", 3),
        _pod("payments", "ledger-1", "Running"),
        _pod("payments", "job-1", "Pending"),
    ):
        core.create_namespaced_pod("payments", pod)
    core.create_namespaced_event(
        "payments",
        {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": "api-1.1", "namespace": "payments"},
            "involvedObject": {"kind": "Pod", "name": "api-1", "namespace": "payments"},
            "reason": "BackOff",
            "type": "Warning",
            "message": "Back-off restarting failed container",
            "lastTimestamp": "2026-01-01T00:05:00Z",
        },
    )


def _seed_shop(core: Any, apps: Any) -> None:
    apps.create_namespaced_deployment("shop", _deployment("api", 2, "registry/api:2.0"))
    apps.create_namespaced_deployment("shop", _deployment("web", 1, "registry/web:1.0"))
    apps.create_namespaced_replica_set("shop", _replica_set("api", 1, "registry/api:1.0"))
    apps.create_namespaced_replica_set("shop", _replica_set("api", 2, "registry/api:2.0"))
    core.create_namespaced_config_map(
        "shop",
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "api-config", "namespace": "shop"},
            "data": {"DATABASE_URL": f"postgres://app:{CANARY_PASSWORD}@db:5432/app"},
        },
    )
    core.create_namespaced_pod(
        "shop",
        _pod(
            "shop",
            "api-7d9f-x2",
            "Running",
            meta={"annotations": {LAST_APPLIED: f'{{"password": "{CANARY_PASSWORD}"}}'}},
            container={
                "env": [
                    {"name": "DB_PASSWORD", "value": CANARY_PASSWORD},
                    {
                        "name": "DATABASE_URL",
                        "value": f"postgres://app:{CANARY_PASSWORD}@db:5432/app",
                    },
                    {
                        "name": "API_TOKEN",
                        "valueFrom": {"secretKeyRef": {"name": "api", "key": "t"}},
                    },
                    {"name": "LOG_LEVEL", "value": "info"},
                ]
            },
        ),
    )
