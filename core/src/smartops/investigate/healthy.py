"""What was checked and found healthy: pods running and ready without restarts, nodes
Ready without pressure, referenced objects that exist, bound PVCs, Services with ready
endpoints, HPAs with room, a finished rollout, no warning events, clean logs."""

from __future__ import annotations

from smartops.investigate import k8sview as v
from smartops.investigate.analyzers.logcauses import match_logs
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import Check

_PRESSURE = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")


def checks(ev: Evidence) -> list[Check]:
    found = _pods(ev) + _nodes(ev)
    existing = sorted(f"{k} {n}" for (k, n), ok in ev.refs.items() if ok)
    if existing:
        found.append(Check(key="refs_ok", params={"names": ", ".join(existing[:8])}))
    for claim, pvc in ev.pvcs.items():
        if pvc and v.status(pvc).get("phase") == "Bound":
            capacity = str((v.status(pvc).get("capacity") or {}).get("storage", ""))
            found.append(Check(key="pvc_ok", params={"claim": claim, "capacity": capacity}))
    for svc in ev.services:
        subsets = (ev.endpoints.get(v.name(svc)) or {}).get("subsets") or []
        ready = sum(len(s.get("addresses") or []) for s in subsets)
        if ready:
            found.append(
                Check(key="service_ok", params={"service": v.name(svc), "ready": str(ready)})
            )
    for h in ev.hpas:
        current, high = v.status(h).get("currentReplicas", 0), v.spec(h).get("maxReplicas", 0)
        if high and int(current or 0) < int(high):
            found.append(
                Check(
                    key="hpa_ok",
                    params={"hpa": v.name(h), "current": str(current), "max": str(high)},
                )
            )
    found += _rollout(ev) + _quiet(ev)
    return found


def _pods(ev: Evidence) -> list[Check]:
    found = []
    healthy = [p for p in ev.pods if _pod_ok(p)]
    if ev.pods_total > 1:
        ready = sum(1 for p in ev.pods if v.pod_ready(p))
        if ready == len(ev.pods):
            found.append(
                Check(
                    key="pods_ready",
                    params={"ready": str(ev.pods_total), "total": str(ev.pods_total)},
                )
            )
    for pod in healthy[:2]:
        found.append(
            Check(
                key="pod_ok", params={"pod": v.name(pod), "containers": str(len(v.statuses(pod)))}
            )
        )
    clean = []
    for (pod_name, cname, previous), text in ev.logs.items():
        if not previous and text and match_logs(text) is None and "error" not in text.lower():
            clean.append(f"{pod_name}/{cname}")
    if clean:
        found.append(Check(key="logs_clean", params={"containers": ", ".join(clean[:4])}))
    return found


def _pod_ok(pod: dict[str, object]) -> bool:
    sts = v.statuses(pod)
    return (
        bool(sts)
        and v.pod_ready(pod)
        and all(cs.get("ready") and not cs.get("restartCount") for cs in sts)
    )


def _nodes(ev: Evidence) -> list[Check]:
    found = []
    for node in ev.nodes.values():
        ready = v.condition(node, "Ready") or {}
        pressure = any((v.condition(node, k) or {}).get("status") == "True" for k in _PRESSURE)
        if ready.get("status") == "True" and not pressure:
            found.append(Check(key="node_ok", params={"node": v.name(node)}))
    return found


def _rollout(ev: Evidence) -> list[Check]:
    deploy = ev.deployment()
    if deploy is None:
        return []
    st, want = v.status(deploy), int(v.spec(deploy).get("replicas", 1) or 0)
    available = int(st.get("availableReplicas", 0) or 0)
    updated = int(st.get("updatedReplicas", 0) or 0)
    if available >= want and updated >= want:
        return [
            Check(
                key="rollout_ok",
                params={
                    "deployment": v.name(deploy),
                    "available": str(available),
                    "replicas": str(want),
                },
            )
        ]
    return []


def _quiet(ev: Evidence) -> list[Check]:
    warned = {
        str((e.get("involvedObject") or {}).get("name", ""))
        for e in ev.events
        if e.get("type") == "Warning"
    }
    looked = [ev.subject_name()] + [v.name(p) for p in ev.pods[:2]]
    quiet = [n for n in dict.fromkeys(looked) if n and n not in warned]
    if not quiet:
        return []
    return [Check(key="no_warnings", params={"objects": ", ".join(quiet)})]
