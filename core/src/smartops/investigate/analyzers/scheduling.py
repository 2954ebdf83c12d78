"""Pods the scheduler cannot place: insufficient CPU or memory, taints without
tolerations, a node selector or affinity no node matches, an unbound PVC, from the
scheduler's own message ("0/3 nodes are available: ...") and what it refers to."""

from __future__ import annotations

import re

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate.analyzers import base as b
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import Quote

# The scheduler's reasons, in the words it uses, and what each means here.
_REASONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern, re.I))
    for key, pattern in (
        (
            "pvc",
            r"unbound (?:immediate )?PersistentVolumeClaims|persistentvolumeclaim \"[^\"]+\" "
            r"not found|volume binding",
        ),
        ("insufficient", r"Insufficient ([\w./-]+)|Too many (pods)"),
        ("taint", r"(?:untolerated taint|had taint) \{([^}]*)\}"),
        ("selector", r"didn't match Pod's node affinity/selector|didn't match node selector"),
        ("pod_affinity", r"didn't (?:match|satisfy) (?:existing )?pods? (?:anti-)?affinity"),
        ("volume_zone", r"volume node affinity conflict"),
        ("cordoned", r"were unschedulable"),
        ("ports", r"didn't have free ports"),
    )
)
_ITEM = re.compile(r"(\d+) ((?:[^,{]|\{[^}]*\})+)")


def parse_scheduler(message: str) -> list[tuple[str, str, int]]:
    """(reason, detail, nodes) from "0/3 nodes are available: 1 node(s) had untolerated
    taint {dedicated: gpu}, 2 Insufficient memory. preemption: ...", most nodes first."""
    head = re.split(r"\.?\s*preemption:", message, maxsplit=1)[0]
    body = head.split("available:", 1)[-1]
    found: dict[str, tuple[str, str, int]] = {}
    for count, text in [(int(m.group(1)), m.group(2)) for m in _ITEM.finditer(body)] or [(0, body)]:
        for key, pattern in _REASONS:
            match = pattern.search(text)
            if match:
                detail = next((g for g in match.groups() if g), "") if match.groups() else ""
                if key == "taint":
                    detail = f"{{{detail}}} ({count} node{'s' if count != 1 else ''})"
                old = found.get(key)
                if old is None:
                    found[key] = (key, detail, count)
                else:  # taints on different nodes: most nodes first
                    parts = sorted([(old[2], old[1]), (count, detail)], reverse=True)
                    found[key] = (key, ", ".join(p[1] for p in parts if p[1]), old[2] + count)
                break
    if _REASONS[0][1].search(message) and "pvc" not in found:
        found["pvc"] = ("pvc", "", 0)
    return sorted(found.values(), key=lambda r: (r[0] != "pvc", -r[2]))


def requests_text(pod: Json) -> str:
    parts = []
    for ct in v.containers(pod):
        req = (ct.get("resources") or {}).get("requests") or {}
        if req:
            parts.append(f"{ct.get('name')}: " + ", ".join(f"{k}={x}" for k, x in req.items()))
    return "; ".join(parts)


def pending(ev: Evidence) -> list[b.Draft]:
    found = []
    for pod in ev.pods:
        if v.status(pod).get("phase") != "Pending" or v.spec(pod).get("nodeName"):
            continue
        events = b.find_events(ev, v.name(pod), ("FailedScheduling",))
        cond = v.condition(pod, "PodScheduled") or {}
        message = str(events[0].get("message", "")) if events else str(cond.get("message", ""))
        if not message:
            continue
        reasons = parse_scheduler(message)
        if not reasons:
            continue
        evidence = (
            [b.event_quote(ev, events[0])]
            if events
            else [
                b.quote(
                    f"conditions[PodScheduled]: status=False reason={cond.get('reason', '')} "
                    f"message={message}",
                    ev.pod_command(pod),
                )
            ]
        )
        key, detail, count = reasons[0]
        params = {
            "reason": key,
            "detail": detail,
            "nodes": str(count),
            "total": _total(message),
            "requests": requests_text(pod),
            "claim": "",
            "other": ", ".join(r[0] for r in reasons[1:]),
        }
        evidence += _support(ev, pod, key, detail, params)
        step = b.step_events(ev) if key == "pvc" else b.step_nodes()
        found.append(
            b.Draft(b.subject_of(ev, pod), f"pending_{key}", params, evidence, "high", step)
        )
    return found[:2]


def _total(message: str) -> str:
    match = re.search(r"0/(\d+) nodes", message)
    return match.group(1) if match else ""


def _support(ev: Evidence, pod: Json, key: str, detail: str, params: dict[str, str]) -> list[Quote]:
    source = ev.pod_command(pod)
    if key == "insufficient" and params["requests"]:
        quotes = [b.quote(f"resources.requests: {params['requests']}", source)]
        for node in ev.cluster_nodes[:3]:
            alloc = v.status(node).get("allocatable") or {}
            quotes.append(
                b.quote(
                    f"node {v.name(node)} allocatable: cpu={alloc.get('cpu', '?')}, "
                    f"memory={alloc.get('memory', '?')}",
                    "kubectl get nodes -o yaml",
                )
            )
        return quotes
    if key == "taint":
        tolerations = v.spec(pod).get("tolerations") or []
        keys = ", ".join(str(t.get("key", "")) for t in tolerations if t.get("key")) or "none"
        quotes = [b.quote(f"spec.tolerations: {keys}", source)]
        for node in [n for n in ev.cluster_nodes if v.spec(n).get("taints")][:2]:
            taints = ", ".join(
                f"{t.get('key')}={t.get('value', '')}:{t.get('effect')}"
                for t in v.spec(node).get("taints") or []
            )
            quotes.append(
                b.quote(f"node {v.name(node)} spec.taints: {taints}", "kubectl get nodes -o yaml")
            )
        return quotes
    if key == "selector":
        selector = v.spec(pod).get("nodeSelector") or {}
        text = ", ".join(f"{k}={x}" for k, x in selector.items())
        if (v.spec(pod).get("affinity") or {}).get("nodeAffinity"):
            text = (text + "; " if text else "") + "nodeAffinity required terms set"
        params["detail"] = text
        return [b.quote(f"spec.nodeSelector: {text or '(none)'}", source)]
    if key == "pvc":
        return _pvc_support(ev, pod, params)
    return []


def _pvc_support(ev: Evidence, pod: Json, params: dict[str, str]) -> list[Quote]:
    quotes = []
    for claim, pvc in ev.pvcs.items():
        if pvc is None:
            params["claim"], params["detail"] = claim, "missing"
            quotes.append(
                b.quote(
                    f'Error from server (NotFound): persistentvolumeclaims "{claim}" not found',
                    f"kubectl get pvc {claim} -n {ev.namespace} -o yaml",
                )
            )
            break
        if v.status(pvc).get("phase") == "Pending":
            params["claim"] = claim
            sc = v.spec(pvc).get("storageClassName") or "(default)"
            quotes.append(
                b.quote(
                    f"pvc {claim}: status.phase=Pending storageClassName={sc}",
                    f"kubectl get pvc {claim} -n {ev.namespace} -o yaml",
                )
            )
            for event in ev.events_for(claim)[:1]:
                quotes.append(b.event_quote(ev, event))
                params["detail"] = str(event.get("message", ""))[:200]
            break
    return quotes
