"""What scales and serves a workload: an HPA at its maximum or unable to scale, and a
Service that selects no pod, or no ready one."""

from __future__ import annotations

from difflib import SequenceMatcher

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate.analyzers import base as b
from smartops.investigate.analyzers.workloads import cond_quote
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import Confidence


def hpa(ev: Evidence) -> list[b.Draft]:
    found = []
    for h in ev.hpas:
        st, sp = v.status(h), v.spec(h)
        current, high = int(st.get("currentReplicas", 0) or 0), int(sp.get("maxReplicas", 0) or 0)
        limited = v.condition(h, "ScalingLimited") or {}
        active = v.condition(h, "ScalingActive") or {}
        source = f"kubectl get hpa {v.name(h)} -n {ev.namespace} -o yaml"
        params = {
            "hpa": v.name(h),
            "current": str(current),
            "max": str(high),
            "metrics": _hpa_metrics(h),
            "reason": str(active.get("reason", "")),
            "message": str(active.get("message", ""))[:200],
        }
        if active.get("status") == "False":
            evidence = [cond_quote(ev, h, active)]
            found.append(
                b.Draft(
                    f"hpa {ev.namespace}/{v.name(h)}",
                    "hpa_inactive",
                    params,
                    evidence,
                    "high",
                    b.step_top(ev),
                )
            )
        elif (
            high
            and current >= high
            and (limited.get("status") == "True" or int(st.get("desiredReplicas", 0) or 0) >= high)
        ):
            evidence = [
                b.quote(
                    f"status: currentReplicas={current} desiredReplicas="
                    f"{st.get('desiredReplicas', 0)} (maxReplicas={high})",
                    source,
                )
            ]
            if limited:
                evidence.append(cond_quote(ev, h, limited))
            if params["metrics"]:
                evidence.append(b.quote(f"metrics: {params['metrics']}", source))
            found.append(
                b.Draft(
                    f"hpa {ev.namespace}/{v.name(h)}",
                    "hpa_maxed",
                    params,
                    evidence,
                    "high",
                    b.step_top(ev),
                )
            )
    return found


def _hpa_metrics(h: Json) -> str:
    targets = {}
    for m in v.spec(h).get("metrics") or []:
        res = m.get("resource") or {}
        target = res.get("target") or {}
        targets[res.get("name")] = target.get("averageUtilization") or target.get("averageValue")
    parts = []
    for m in v.status(h).get("currentMetrics") or []:
        res = m.get("resource") or {}
        cur = res.get("current") or {}
        value = cur.get("averageUtilization")
        shown = f"{value}%" if value is not None else str(cur.get("averageValue", "?"))
        want = targets.get(res.get("name"))
        target = f"{want}%" if isinstance(want, int) else str(want or "?")
        parts.append(f"{res.get('name', '?')} {shown} (target {target})")
    return ", ".join(parts)


def service_endpoints(ev: Evidence) -> list[b.Draft]:
    found = []
    for svc in ev.services:
        selector = {str(k): str(x) for k, x in (v.spec(svc).get("selector") or {}).items()}
        eps = ev.endpoints.get(v.name(svc))
        subsets = (eps or {}).get("subsets") or []
        ready = sum(len(s.get("addresses") or []) for s in subsets)
        not_ready = sum(len(s.get("notReadyAddresses") or []) for s in subsets)
        if not selector or ready:
            continue
        pool = ev.pods if ev.subject_kind != "Service" else (ev.pods or ev.namespace_pods)
        matching = [p for p in pool if v.selects(selector, v.labels(p))]
        sel = v.selector_string(selector)
        params = {
            "service": v.name(svc),
            "selector": sel,
            "labels": "",
            "not_ready": str(not_ready),
            "pods": str(len(matching)),
        }
        evidence = [
            b.quote(
                f"endpoints {v.name(svc)}: {'no ready addresses' if subsets else 'subsets: []'}"
                + (f", notReadyAddresses={not_ready}" if not_ready else ""),
                f"kubectl get endpoints {v.name(svc)} -n {ev.namespace} -o yaml",
            )
        ]
        evidence.append(
            b.quote(
                f"service {v.name(svc)} spec.selector: {sel}",
                f"kubectl get service {v.name(svc)} -n {ev.namespace} -o yaml",
            )
        )
        confidence: Confidence = "high"
        if matching:
            key, confidence = "svc_not_ready", "medium"
        else:
            near = _nearest(selector, pool or ev.namespace_pods)
            key = "svc_selector"
            if near is not None:
                have = v.labels(near)
                shown = {k: have[k] for k in selector if k in have} or have
                params["labels"] = v.selector_string(shown)
                evidence.append(
                    b.quote(
                        f"pod {v.name(near)} labels: {params['labels']}",
                        f"kubectl get pods -n {ev.namespace} --show-labels",
                    )
                )
        step = b.step(
            "get_pods",
            {"namespace": ev.namespace, "selector": sel},
            f"kubectl get pods -n {ev.namespace} -l {sel}",
            "step_pods_selector",
        )
        found.append(
            b.Draft(
                f"service {ev.namespace}/{v.name(svc)}",
                key,
                params,
                evidence,
                confidence,
                step,
                0.0 if key == "svc_selector" else -0.2,
            )
        )
    return found


def _nearest(selector: dict[str, str], pods: list[Json]) -> Json | None:
    """The pod whose labels come closest to the selector: the same keys, then the same
    values, then the most similar values (``payments`` and ``payments-svc``)."""

    def closeness(pod: Json) -> tuple[int, int, float]:
        have = v.labels(pod)
        shared = [k for k in selector if k in have]
        similar = sum(SequenceMatcher(None, selector[k], have[k]).ratio() for k in shared)
        return len(shared), sum(1 for k in shared if have[k] == selector[k]), similar

    ranked = sorted(pods, key=closeness, reverse=True)
    return ranked[0] if ranked and closeness(ranked[0])[0] else None
