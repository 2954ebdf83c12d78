"""Small Kubernetes objects, shaped as the API server returns them, for the analyzer tests."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]
NS = "team"


def pod(
    name: str = "api-5d4c3b2a1f-x1y2z",
    *,
    statuses: list[Json] | None = None,
    init_statuses: list[Json] | None = None,
    phase: str = "Running",
    ready: bool = False,
    containers: list[Json] | None = None,
    spec: Json | None = None,
    status: Json | None = None,
    owner: tuple[str, str] | None = ("ReplicaSet", "api-5d4c3b2a1f"),
    labels: dict[str, str] | None = None,
    node: str | None = "node-1",
) -> Json:
    meta: Json = {"name": name, "namespace": NS, "labels": labels or {"app": "api"}}
    if owner:
        meta["ownerReferences"] = [{"kind": owner[0], "name": owner[1], "controller": True}]
    body: Json = {"containers": containers or [{"name": "app", "image": "registry/api:1"}]}
    if node:
        body["nodeName"] = node
    body.update(spec or {})
    st: Json = {
        "phase": phase,
        "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        "containerStatuses": statuses if statuses is not None else [running("app", ready)],
    }
    if init_statuses is not None:
        st["initContainerStatuses"] = init_statuses
    st.update(status or {})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": body, "status": st}


def running(name: str = "app", ready: bool = True, restarts: int = 0) -> Json:
    return {
        "name": name,
        "ready": ready,
        "restartCount": restarts,
        "image": "registry/api:1",
        "state": {"running": {"startedAt": "2026-03-10T09:00:00Z"}},
    }


def crashing(
    name: str = "app", code: int = 1, reason: str = "Error", restarts: int = 5, message: str = ""
) -> Json:
    term: Json = {"reason": reason, "exitCode": code}
    if message:
        term["message"] = message
    return {
        "name": name,
        "ready": False,
        "restartCount": restarts,
        "image": "registry/api:1",
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
        "lastState": {"terminated": term},
    }


def waiting(name: str, reason: str, message: str = "") -> Json:
    return {
        "name": name,
        "ready": False,
        "restartCount": 0,
        "image": "registry/api:1",
        "state": {"waiting": {"reason": reason, "message": message}},
    }


def event(obj: str, reason: str, message: str, kind: str = "Pod", **extra: Any) -> Json:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{obj}.{abs(hash(message)) % 10**8}", "namespace": NS},
        "involvedObject": {"kind": kind, "name": obj, "namespace": NS, **extra},
        "reason": reason,
        "message": message,
        "type": "Warning",
        "count": 3,
        "lastTimestamp": "2026-03-10T09:50:00Z",
    }


def node(name: str = "node-1", **conditions: str) -> Json:
    conds = [
        {
            "type": "Ready",
            "status": conditions.pop("Ready", "True"),
            "reason": "KubeletReady",
            "message": "kubelet is posting ready status",
        }
    ]
    conds += [
        {"type": k, "status": v, "reason": f"Kubelet{k}", "message": f"{k} is {v}"}
        for k, v in conditions.items()
    ]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "spec": {},
        "status": {"conditions": conds, "allocatable": {"cpu": "4", "memory": "16Gi"}},
    }


def deployment(
    name: str = "api", revision: int = 3, status: Json | None = None, replicas: int = 2
) -> Json:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": NS,
            "annotations": {"deployment.kubernetes.io/revision": str(revision)},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": "registry/api:1"}]},
            },
        },
        "status": status
        or {
            "replicas": replicas,
            "updatedReplicas": replicas,
            "availableReplicas": replicas,
            "readyReplicas": replicas,
        },
    }


def replicaset(name: str = "api-5d4c3b2a1f", deploy: str = "api", revision: int = 3) -> Json:
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": NS,
            "labels": {"app": deploy},
            "annotations": {"deployment.kubernetes.io/revision": str(revision)},
            "ownerReferences": [{"kind": "Deployment", "name": deploy, "controller": True}],
        },
        "spec": {"selector": {"matchLabels": {"app": deploy}}},
    }


def obj(kind: str, name: str, api: str = "v1", **body: Any) -> Json:
    meta = {"name": name} if kind in ("Node", "StorageClass") else {"name": name, "namespace": NS}
    return {"apiVersion": api, "kind": kind, "metadata": meta, **body}
