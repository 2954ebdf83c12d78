"""Volumes: a full volume (the application's own "No space left on device", or the
kubelet's volume stats), a PVC that stays Pending, a volume that cannot be attached."""

from __future__ import annotations

import re

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate.analyzers import base as b
from smartops.investigate.analyzers.logcauses import match_logs
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import Confidence, Quote


def _claim_mounts(pod: Json, cname: str) -> list[tuple[str, str]]:
    """(mountPath, claim) of the PVC-backed mounts of a container."""
    claims = {
        str(vol.get("name")): str((vol.get("persistentVolumeClaim") or {}).get("claimName"))
        for vol in v.pod_spec(pod).get("volumes") or []
        if vol.get("persistentVolumeClaim")
    }
    mounts = v.container(pod, cname).get("volumeMounts") or []
    return [
        (str(m.get("mountPath")), claims[str(m.get("name"))])
        for m in mounts
        if str(m.get("name")) in claims
    ]


def volume_full(ev: Evidence) -> list[b.Draft]:
    found = []
    for pod in ev.pods[:2]:
        for cname in [str(c.get("name")) for c in v.containers(pod)]:
            for previous in (False, True):
                text = ev.log(pod, cname, previous)
                match = match_logs(text, ("disk_full",)) if text else None
                if match:
                    found.append(_full(ev, pod, cname, previous, match.line))
                    break
    if not found:
        found += _full_by_metrics(ev)
    return found[:2]


def _full(ev: Evidence, pod: Json, cname: str, previous: bool, line: str) -> b.Draft:
    mounts = _claim_mounts(pod, cname)
    mount, claim = next(((m, c) for m, c in mounts if m in line), mounts[0] if mounts else ("", ""))
    params = {"container": cname, "claim": claim, "mount": mount, "capacity": "", "usage": ""}
    evidence = [b.log_quote(ev, pod, cname, previous, line, 200)]
    pvc = ev.pvcs.get(claim) if claim else None
    if pvc:
        params["capacity"] = str((v.status(pvc).get("capacity") or {}).get("storage", ""))
        evidence.append(
            b.quote(
                f"spec.containers[{cname}].volumeMounts: {mount} <- pvc {claim} "
                f"(capacity {params['capacity'] or '?'})",
                ev.pod_command(pod),
            )
        )
    usage = _usage(ev, claim)
    if usage is not None:
        params["usage"] = f"{usage:.0%}"
        evidence.append(_usage_quote(claim, usage))
    if not claim:  # the container's own filesystem (ephemeral storage) or an emptyDir
        params["mount"] = params["mount"] or "(container filesystem)"
    return b.Draft(
        b.subject_of(ev, pod),
        "volume_full",
        params,
        evidence,
        "high",
        b.step_logs(ev, pod, cname, previous),
    )


def _usage(ev: Evidence, claim: str) -> float | None:
    for s in ev.metrics.get("volume_used", []):
        if s.labels.get("persistentvolumeclaim") == claim:
            return s.value
    return None


def _usage_quote(claim: str, usage: float) -> Quote:
    return b.quote(
        f"kubelet_volume_stats_used_bytes / capacity_bytes {{persistentvolumeclaim="
        f"{claim}}}: {usage:.1%}",
        "promql: kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes",
    )


def _full_by_metrics(ev: Evidence) -> list[b.Draft]:
    drafts = []
    for s in ev.metrics.get("volume_used", []):
        claim = s.labels.get("persistentvolumeclaim", "")
        if s.value >= 0.9 and claim:
            params = {
                "container": "",
                "claim": claim,
                "mount": "",
                "capacity": "",
                "usage": f"{s.value:.0%}",
            }
            drafts.append(
                b.Draft(
                    f"pvc {ev.namespace}/{claim}",
                    "volume_full",
                    params,
                    [_usage_quote(claim, s.value)],
                    "high" if s.value >= 0.97 else "medium",
                    b.step_events(ev),
                )
            )
    return drafts


def pvc_pending(ev: Evidence) -> list[b.Draft]:
    """A PVC asked about (or a workload's) that stays Pending, when no pending pod
    already says so."""
    if any(
        v.status(p).get("phase") == "Pending" and not v.spec(p).get("nodeName") for p in ev.pods
    ):
        return []
    drafts = []
    for claim, pvc in ev.pvcs.items():
        if not pvc or v.status(pvc).get("phase") != "Pending":
            continue
        events = ev.events_for(claim)
        message = str(events[0].get("message", "")) if events else ""
        params = {
            "claim": claim,
            "class": str(v.spec(pvc).get("storageClassName") or ""),
            "message": message[:240],
            "reason": str(events[0].get("reason", "")) if events else "",
        }
        evidence = [
            b.quote(
                f"pvc {claim}: status.phase=Pending storageClassName="
                f"{params['class'] or '(default)'}",
                f"kubectl get pvc {claim} -n {ev.namespace} -o yaml",
            )
        ]
        evidence += [b.event_quote(ev, e) for e in events[:2]]
        confidence: Confidence = "high" if events else "medium"
        drafts.append(
            b.Draft(
                f"pvc {ev.namespace}/{claim}",
                "pvc_pending",
                params,
                evidence,
                confidence,
                b.step_events(ev),
            )
        )
    return drafts


_ATTACH = re.compile(
    r"Multi-Attach error|AttachVolume\.Attach failed|timed out waiting for the "
    r"condition|unmounted volumes|MountVolume\.(?:SetUp|MountDevice) failed",
    re.I,
)
_CONFIG = re.compile(r'(configmap|secret)s? "[^"]+" not found', re.I)


def volume_mount(ev: Evidence) -> list[b.Draft]:
    drafts = []
    for pod in ev.pods[:2]:
        events = [
            e
            for e in b.find_events(ev, v.name(pod), ("FailedMount", "FailedAttachVolume"))
            if _ATTACH.search(str(e.get("message", "")))
            and not _CONFIG.search(str(e.get("message", "")))
        ]
        if not events:
            continue
        message = str(events[0].get("message", ""))
        key = "volume_multi_attach" if "Multi-Attach" in message else "volume_mount"
        params = {"message": message[:240]}
        evidence = [b.event_quote(ev, e) for e in events[:2]]
        drafts.append(
            b.Draft(b.subject_of(ev, pod), key, params, evidence, "high", b.step_events(ev))
        )
    return drafts
