"""Kubernetes read actions: pods, describe, logs, events, deployments, nodes, rollout, top."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from smartops.actions import catalog as c
from smartops.actions.k8s import Json, Kube
from smartops.actions.render import Code, Note, Phrase, Result, Table
from smartops.errors import NotFound


def age(timestamp: str | None) -> str:
    if not timestamp:
        return ""
    try:
        started = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return ""
    seconds = int((datetime.now(UTC) - started).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{max(seconds, 0)}s"


def pod_status(pod: Json) -> str:
    """The status kubectl shows: a container's waiting/terminated reason, else the phase."""
    status = pod.get("status") or {}
    for cs in status.get("containerStatuses") or []:
        state = cs.get("state") or {}
        for key in ("waiting", "terminated"):
            reason = (state.get(key) or {}).get("reason")
            if reason:
                return str(reason)
    return str(status.get("reason") or status.get("phase") or "Unknown")


def _restarts(pod: Json) -> int:
    return sum(int(cs.get("restartCount", 0)) for cs in statuses(pod))


def statuses(pod: Json) -> list[Json]:
    return list((pod.get("status") or {}).get("containerStatuses") or [])


def _ready(pod: Json) -> str:
    found = statuses(pod)
    total = len(found) or len((pod.get("spec") or {}).get("containers") or [])
    return f"{sum(1 for cs in found if cs.get('ready'))}/{total}"


def meta(obj: Json) -> Json:
    return dict(obj.get("metadata") or {})


async def get_pods(kube: Kube, args: c.PodsArgs, user: str) -> Result:
    core = kube.core()
    if args.namespace:
        data = await kube.call(
            core.list_namespaced_pod, args.namespace, label_selector=args.selector or "", user=user
        )
    else:
        data = await kube.call(
            core.list_pod_for_all_namespaces, label_selector=args.selector or "", user=user
        )
    pods = [p for p in data.get("items") or [] if _matches(p, args)]
    rows = [
        [
            meta(p).get("namespace", ""),
            meta(p).get("name", ""),
            _ready(p),
            pod_status(p),
            str(_restarts(p)),
            age(meta(p).get("creationTimestamp")),
            (p.get("spec") or {}).get("nodeName", ""),
        ]
        for p in pods
    ]
    columns = ["namespace", "pod", "ready", "status", "restarts", "age", "node"]
    return Result([Table(columns, rows, "pods")])


def _matches(pod: Json, args: c.PodsArgs) -> bool:
    status = pod.get("status") or {}
    if args.phase and status.get("phase") != args.phase:
        return False
    if not args.reason:
        return True
    wanted = args.reason.lower()
    reasons = {pod_status(pod).lower()}
    for cs in statuses(pod):
        for section in ("state", "lastState"):
            for detail in (cs.get(section) or {}).values():
                reasons.add(str((detail or {}).get("reason", "")).lower())
    return wanted in reasons


async def pod_logs(kube: Kube, args: c.LogsArgs, user: str) -> Result:
    core = kube.core()
    kwargs: dict[str, Any] = {"tail_lines": args.tail, "previous": args.previous}
    if args.container:
        kwargs["container"] = args.container
    text = await kube.call(
        core.read_namespaced_pod_log, args.name, args.namespace, user=user, raw=True, **kwargs
    )
    pod = f"{args.namespace}/{args.name}"
    title = Phrase("logs_title", {"pod": pod, "previous": args.previous, "tail": args.tail})
    return Result([Code(text or Phrase("no_log_lines"), "", title)])


async def get_events(kube: Kube, args: c.EventsArgs, user: str) -> Result:
    from smartops.actions.k8s_describe import events_rows

    rows = await events_rows(kube, args.namespace, args.name, user)
    if args.type:
        rows = [r for r in rows if r[1] == args.type]
    return Result([Table(["last seen", "type", "reason", "message"], rows, "events")])


async def get_deployments(kube: Kube, args: c.NamespaceArgs, user: str) -> Result:
    apps = kube.apps()
    if args.namespace:
        data = await kube.call(
            apps.list_namespaced_deployment,
            args.namespace,
            label_selector=args.selector or "",
            user=user,
        )
    else:
        data = await kube.call(
            apps.list_deployment_for_all_namespaces, label_selector=args.selector or "", user=user
        )
    rows = [_deployment_row(d) for d in data.get("items") or []]
    columns = ["namespace", "deployment", "ready", "up-to-date", "available", "age", "images"]
    return Result([Table(columns, rows, "deployments")])


def _deployment_row(d: Json) -> list[str]:
    spec, status = d.get("spec") or {}, d.get("status") or {}
    images = ",".join(ct.get("image", "") for ct in _containers(d))
    return [
        meta(d).get("namespace", ""),
        meta(d).get("name", ""),
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
        str(status.get("updatedReplicas", 0)),
        str(status.get("availableReplicas", 0)),
        age(meta(d).get("creationTimestamp")),
        images,
    ]


def _containers(d: Json) -> list[Json]:
    return list(
        (((d.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    )


async def get_nodes(kube: Kube, args: c.NodesArgs, user: str) -> Result:
    data = await kube.call(kube.core().list_node, label_selector=args.selector or "", user=user)
    rows = []
    for node in data.get("items") or []:
        conditions = {
            k.get("type"): k.get("status")
            for k in (node.get("status") or {}).get("conditions") or []
        }
        status = "Ready" if conditions.get("Ready") == "True" else "NotReady"
        if (node.get("spec") or {}).get("unschedulable"):
            status += ",SchedulingDisabled"
        if not _has_condition(args.condition, status, conditions):
            continue
        roles = [
            k.split("/", 1)[1]
            for k in (meta(node).get("labels") or {})
            if k.startswith("node-role.kubernetes.io/")
        ]
        info = (node.get("status") or {}).get("nodeInfo") or {}
        rows.append(
            [
                meta(node).get("name", ""),
                status,
                ",".join(roles) or "<none>",
                info.get("kubeletVersion", ""),
                age(meta(node).get("creationTimestamp")),
            ]
        )
    return Result([Table(["node", "status", "roles", "version", "age"], rows, "nodes")])


def _has_condition(wanted: str | None, status: str, conditions: dict[Any, Any]) -> bool:
    """A node filter: its status word (NotReady, SchedulingDisabled) or a condition that is
    True (MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable)."""
    if wanted is None:
        return True
    if wanted in ("Ready", "NotReady", "SchedulingDisabled"):
        return wanted in status.split(",")
    return conditions.get(wanted) == "True"


async def rollout_status(kube: Kube, args: c.DeploymentArgs, user: str) -> Result:
    d = await kube.call(
        kube.apps().read_namespaced_deployment, args.name, args.namespace, user=user
    )
    spec, status = d.get("spec") or {}, d.get("status") or {}
    want = int(spec.get("replicas", 1))
    updated, ready = int(status.get("updatedReplicas", 0)), int(status.get("readyReplicas", 0))
    available = int(status.get("availableReplicas", 0))
    # kubectl rollout status's own words, verbatim (people know them and search for them).
    if int(status.get("observedGeneration", 0)) < int(meta(d).get("generation", 0)):
        text = "Waiting for the deployment spec update to be observed."
    elif updated < want:
        text = f"Waiting for rollout: {updated} of {want} new replicas have been updated."
    elif available < updated:
        text = f"Waiting for rollout: {available} of {updated} updated replicas are available."
    else:
        text = f"Deployment {args.namespace}/{args.name} successfully rolled out."
    rows = [
        ["replicas", str(want)],
        ["updated", str(updated)],
        ["ready", str(ready)],
        ["available", str(available)],
    ]
    return Result([Note(text), Table(["field", "value"], rows, "fields")])


async def top_pods(kube: Kube, args: c.TopArgs, user: str) -> Result:
    custom = kube.custom()
    group, version = "metrics.k8s.io", "v1beta1"
    try:
        if args.namespace:
            data = await kube.call(
                custom.list_namespaced_custom_object,
                group,
                version,
                args.namespace,
                "pods",
                user=user,
            )
        else:
            data = await kube.call(
                custom.list_cluster_custom_object, group, version, "pods", user=user
            )
    except NotFound:
        return Result([Note(Phrase("metrics_api_missing"))])
    rows = []
    for item in data.get("items") or []:
        usage = [ct.get("usage") or {} for ct in item.get("containers") or []]
        rows.append(
            [
                meta(item).get("namespace", ""),
                meta(item).get("name", ""),
                "+".join(str(u.get("cpu", "")) for u in usage),
                "+".join(str(u.get("memory", "")) for u in usage),
            ]
        )
    if args.sort_by:
        column = 2 if args.sort_by == "cpu" else 3
        rows.sort(key=lambda r: _quantity(r[column]), reverse=True)
    return Result([Table(["namespace", "pod", "cpu", "memory"], rows, "pods")])


_UNITS = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9}
_UNITS.update({"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40})


def _quantity(text: str) -> float:
    """The sum of Kubernetes quantities like ``250m+1200m`` or ``128Mi+64Mi``."""
    total = 0.0
    for part in text.split("+"):
        unit = next((u for u in sorted(_UNITS, key=len, reverse=True) if part.endswith(u)), "")
        try:
            total += float(part[: len(part) - len(unit)] or 0) * _UNITS.get(unit, 1.0)
        except ValueError:
            continue
    return total
