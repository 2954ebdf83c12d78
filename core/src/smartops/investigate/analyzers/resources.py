"""From Prometheus, when it is configured: memory close to the limit (before the kernel
kills the container) and CPU throttled by its limit."""

from __future__ import annotations

from smartops.investigate import k8sview as v
from smartops.investigate.analyzers import base as b
from smartops.investigate.analyzers.containers import memory_usage
from smartops.investigate.evidence import Evidence

NEAR_LIMIT = 0.9
THROTTLED = 0.25


def memory_near_limit(ev: Evidence) -> list[b.Draft]:
    drafts = []
    for pod in ev.pods:
        for ct in v.containers(pod):
            cname = str(ct.get("name", ""))
            oom = any(
                v.state(cs, w)[1].get("reason") == "OOMKilled"
                for cs in v.statuses(pod)
                if cs.get("name") == cname
                for w in ("state", "lastState")
            )
            usage = memory_usage(ev, pod, cname)
            if oom or usage is None:
                continue
            ratio = _ratio(ev, v.name(pod), cname)
            if ratio is not None and ratio >= NEAR_LIMIT:
                params = {"container": cname, "usage": usage[0], "limit": b.limit_of(pod, cname)}
                drafts.append(
                    b.Draft(
                        b.subject_of(ev, pod),
                        "memory_near_limit",
                        params,
                        [usage[1]],
                        "medium",
                        b.step_top(ev),
                    )
                )
    return drafts


def _ratio(ev: Evidence, pod: str, cname: str) -> float | None:
    used = {
        (s.labels.get("pod"), s.labels.get("container")): s.value
        for s in ev.metrics.get("memory", [])
    }
    limit = {
        (s.labels.get("pod"), s.labels.get("container")): s.value
        for s in ev.metrics.get("memory_limit", [])
    }
    if (pod, cname) in used and limit.get((pod, cname)):
        return used[(pod, cname)] / limit[(pod, cname)]
    return None


def cpu_throttled(ev: Evidence) -> list[b.Draft]:
    drafts = []
    names = {v.name(p): p for p in ev.pods}
    for s in ev.metrics.get("throttling", []):
        pod = names.get(s.labels.get("pod", ""))
        cname = s.labels.get("container", "")
        if pod is None or not cname or s.value < THROTTLED:
            continue
        params = {
            "container": cname,
            "ratio": f"{s.value:.0%}",
            "limit": b.limit_of(pod, cname, "cpu"),
        }
        evidence = [
            b.quote(
                f"throttled CFS periods {{pod={v.name(pod)}, container={cname}}}: "
                f"{s.value:.0%} over 5m",
                "promql: increase(container_cpu_cfs_"
                "throttled_periods_total[5m]) / increase(container_cpu_cfs_periods_"
                "total[5m])",
            )
        ]
        drafts.append(
            b.Draft(
                b.subject_of(ev, pod), "cpu_throttled", params, evidence, "medium", b.step_top(ev)
            )
        )
    return drafts
