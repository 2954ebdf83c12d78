"""Reading Kubernetes objects as the API server returns them (plain JSON): names, owners,
container states, conditions, selectors and quantities."""

from __future__ import annotations

import re
from typing import Any

from smartops.actions.k8s import Json


def meta(obj: Json | None) -> Json:
    return dict((obj or {}).get("metadata") or {})


def name(obj: Json | None) -> str:
    return str(meta(obj).get("name", ""))


def labels(obj: Json | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (meta(obj).get("labels") or {}).items()}


def spec(obj: Json | None) -> Json:
    return dict((obj or {}).get("spec") or {})


def status(obj: Json | None) -> Json:
    return dict((obj or {}).get("status") or {})


def owner(obj: Json | None) -> tuple[str, str] | None:
    """(kind, name) of the controlling owner."""
    refs = meta(obj).get("ownerReferences") or []
    chosen = next((r for r in refs if r.get("controller")), refs[0] if refs else None)
    return (str(chosen.get("kind", "")), str(chosen.get("name", ""))) if chosen else None


def template(workload: Json) -> Json:
    """The pod template of a workload (a CronJob's is one level deeper)."""
    tpl = spec(workload).get("template") or {}
    if not tpl and "jobTemplate" in spec(workload):
        tpl = ((spec(workload).get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    return dict(tpl)


def pod_spec(obj: Json) -> Json:
    """The pod spec of a pod, or of a workload's template."""
    if obj.get("kind") == "Pod":
        return spec(obj)
    return dict(template(obj).get("spec") or {})


def containers(obj: Json, init: bool = False) -> list[Json]:
    return list(pod_spec(obj).get("initContainers" if init else "containers") or [])


def container(pod: Json, cname: str) -> Json:
    for ct in containers(pod) + containers(pod, init=True):
        if ct.get("name") == cname:
            return ct
    return {}


def statuses(pod: Json, init: bool = False) -> list[Json]:
    key = "initContainerStatuses" if init else "containerStatuses"
    return list(status(pod).get(key) or [])


def state(cs: Json, which: str = "state") -> tuple[str, Json]:
    """("waiting"|"running"|"terminated", detail) of a container status."""
    section = cs.get(which) or {}
    for key in ("waiting", "terminated", "running"):
        if key in section and section[key] is not None:
            return key, dict(section[key] or {})
    return "", {}


def condition(obj: Json | None, kind: str) -> Json | None:
    for cond in status(obj).get("conditions") or []:
        if cond.get("type") == kind:
            return dict(cond)
    return None


def pod_ready(pod: Json) -> bool:
    cond = condition(pod, "Ready")
    return bool(cond and cond.get("status") == "True")


def trouble(pod: Json) -> int:
    """How troubled a pod looks (for choosing which pods to look at closely)."""
    score = 0 if pod_ready(pod) else 100
    if status(pod).get("phase") in ("Pending", "Failed", "Unknown"):
        score += 50
    for cs in statuses(pod) + statuses(pod, init=True):
        score += min(int(cs.get("restartCount", 0) or 0), 40)
        if state(cs)[0] == "waiting":
            score += 30
    return score


def selector_string(match_labels: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(match_labels.items()))


def selects(selector: Json | None, have: dict[str, str]) -> bool:
    """A LabelSelector (matchLabels and matchExpressions) against labels; an empty
    selector selects nothing here (a Service without selector has its own endpoints)."""
    if not selector:
        return False
    wanted = dict(selector.get("matchLabels") or {})
    expressions = list(selector.get("matchExpressions") or [])
    if not wanted and not expressions and "matchLabels" not in selector:
        wanted = {str(k): v for k, v in selector.items()}  # a Service's plain selector map
    if any(have.get(str(k)) != str(v) for k, v in wanted.items()):
        return False
    for expr in expressions:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        value = have.get(str(key))
        ok = {
            "In": value in values,
            "NotIn": value not in values,
            "Exists": value is not None,
            "DoesNotExist": value is None,
        }.get(str(op), False)
        if not ok:
            return False
    return bool(wanted or expressions)


_UNITS = {
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "k": 10**3,
    "K": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "m": 10**-3,
    "": 1,
}
_QUANTITY = re.compile(r"^\s*([0-9.]+)\s*(Ki|Mi|Gi|Ti|k|K|M|G|T|m|)\s*$")


def quantity(text: Any) -> float | None:
    """A Kubernetes quantity ("512Mi", "250m", "2") as a number, or None."""
    match = _QUANTITY.match(str(text)) if text is not None else None
    if not match:
        return None
    return float(match.group(1)) * _UNITS[match.group(2)]


def human_bytes(value: float) -> str:
    for unit, size in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if value >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:.0f}B"


def revision(obj: Json | None) -> int:
    text = (meta(obj).get("annotations") or {}).get("deployment.kubernetes.io/revision", "0")
    return int(text) if str(text).isdigit() else 0
