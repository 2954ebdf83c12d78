"""Nodes and what they do to pods: NotReady, memory/disk/PID pressure, a network not
ready, cordoned nodes, and pods the kubelet evicted to save the node."""

from __future__ import annotations

import re

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate.analyzers import base as b
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import Quote

_PRESSURE = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")


def _cond_text(node: Json, cond: Json) -> str:
    beat = cond.get("lastHeartbeatTime") or cond.get("lastTransitionTime") or ""
    return (
        f"node {v.name(node)} conditions[{cond.get('type')}]: status={cond.get('status')} "
        f"reason={cond.get('reason', '')} message={cond.get('message', '')}"
        + (f" lastHeartbeatTime={beat}" if beat else "")
    )


def _source(node: Json) -> str:
    return f"kubectl get node {v.name(node)} -o yaml"


def node_health(ev: Evidence) -> list[b.Draft]:
    found = []
    for node in ev.nodes.values():
        pods = [p for p in ev.pods + ev.node_pods if v.spec(p).get("nodeName") == v.name(node)]
        params = {
            "node": v.name(node),
            "condition": "",
            "reason": "",
            "message": "",
            "pods": str(len(pods)),
        }
        ready = v.condition(node, "Ready") or {}
        cordon = b.step(
            "cordon", {"name": v.name(node)}, f"kubectl cordon {v.name(node)}", "step_cordon"
        )
        step = b.step_nodes() if v.spec(node).get("unschedulable") else cordon
        if ready and ready.get("status") != "True":
            params.update(
                condition="Ready",
                reason=str(ready.get("reason", "")),
                message=str(ready.get("message", ""))[:200],
            )
            evidence = [b.quote(_cond_text(node, ready), _source(node))]
            evidence += _taints(node)
            evidence += [b.event_quote(ev, e) for e in ev.events_for(v.name(node))[:1]]
            found.append(
                b.Draft(f"node {v.name(node)}", "node_not_ready", params, evidence, "high", step)
            )
            continue
        for kind in _PRESSURE:
            cond = v.condition(node, kind) or {}
            if cond.get("status") == "True":
                params.update(
                    condition=kind,
                    reason=str(cond.get("reason", "")),
                    message=str(cond.get("message", ""))[:200],
                )
                evidence = [b.quote(_cond_text(node, cond), _source(node)), *_taints(node)]
                found.append(
                    b.Draft(
                        f"node {v.name(node)}",
                        "node_pressure",
                        dict(params),
                        evidence,
                        "high",
                        step,
                    )
                )
        if v.spec(node).get("unschedulable") and ev.subject_kind == "Node":
            evidence = [b.quote(f"node {v.name(node)} spec.unschedulable: true", _source(node))]
            found.append(
                b.Draft(
                    f"node {v.name(node)}",
                    "node_cordoned",
                    params,
                    evidence,
                    "medium",
                    b.step_nodes(),
                )
            )
    return found


def _taints(node: Json) -> list[Quote]:
    taints = v.spec(node).get("taints") or []
    if not taints:
        return []
    text = ", ".join(f"{t.get('key')}:{t.get('effect')}" for t in taints)
    return [b.quote(f"node {v.name(node)} spec.taints: {text}", _source(node))]


_LOW = re.compile(r"low on resource: ([\w-]+(?:\.[\w-]+)*)")


def evicted(ev: Evidence) -> list[b.Draft]:
    gone = [
        p
        for p in ev.pods + ev.node_pods
        if v.status(p).get("phase") == "Failed" and v.status(p).get("reason") == "Evicted"
    ]
    drafts = []
    for pod in gone[:5]:
        message = str(v.status(pod).get("message", ""))
        low = _LOW.search(message)
        params = {
            "resource": low.group(1) if low else "",
            "node": str(v.spec(pod).get("nodeName", "")),
            "message": message[:240],
        }
        evidence = [
            b.quote(f"status: phase=Failed reason=Evicted message={message}", ev.pod_command(pod))
        ]
        evidence += [b.event_quote(ev, e) for e in b.find_events(ev, v.name(pod), ("Evicted",))[:1]]
        node = ev.nodes.get(params["node"])
        for kind in ("MemoryPressure", "DiskPressure", "PIDPressure"):
            cond = v.condition(node, kind) if node else None
            if cond and cond.get("status") == "True":
                evidence.append(b.quote(_cond_text(node or {}, cond), _source(node or {})))
        step = b.step_top(ev) if params["resource"] == "memory" else b.step_nodes()
        drafts.append(b.Draft(b.subject_of(ev, pod), "evicted", params, evidence, "high", step))
    return drafts
