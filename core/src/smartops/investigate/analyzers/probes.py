"""Failing readiness, liveness and startup probes: the wrong port, the wrong path, an
unhealthy answer or a timeout, from the kubelet's Unhealthy events and the probe spec."""

from __future__ import annotations

import re

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate.analyzers import base as b
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import Confidence

_KINDS = {"Readiness": "readinessProbe", "Liveness": "livenessProbe", "Startup": "startupProbe"}
_FIELD = re.compile(r"spec\.(?:initContainers|containers)\{([^}]+)\}")
_STATUS = re.compile(r"statuscode: (\d{3})")
_TIMEOUT = re.compile(r"context deadline exceeded|Client\.Timeout|timed out|timeout", re.I)


def _container_of(event: Json, pod: Json, probe_field: str) -> Json:
    path = str((event.get("involvedObject") or {}).get("fieldPath", ""))
    match = _FIELD.search(path)
    if match:
        return v.container(pod, match.group(1))
    return next((c for c in v.containers(pod) if c.get(probe_field)), {})


def probe_text(probe: Json) -> str:
    if "httpGet" in probe:
        get = probe["httpGet"] or {}
        what = f"httpGet path={get.get('path', '/')} port={get.get('port', '')}"
    elif "tcpSocket" in probe:
        what = f"tcpSocket port={(probe['tcpSocket'] or {}).get('port', '')}"
    elif "grpc" in probe:
        what = f"grpc port={(probe['grpc'] or {}).get('port', '')}"
    elif "exec" in probe:
        what = "exec " + " ".join(str(c) for c in (probe["exec"] or {}).get("command") or [])
    else:
        what = "(no handler)"
    timing = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "failureThreshold")
    extra = " ".join(f"{k}={probe[k]}" for k in timing if k in probe)
    return f"{what} {extra}".strip()


def _port_mismatch(ct: Json, probe: Json) -> str:
    """The ports the container declares, when the probe's port is not among them."""
    handler = probe.get("httpGet") or probe.get("tcpSocket") or probe.get("grpc") or {}
    port = handler.get("port")
    ports = ct.get("ports") or []
    numbers = {p.get("containerPort") for p in ports}
    names = {p.get("name") for p in ports}
    if port is None or not ports or port in numbers or port in names:
        return ""
    return ",".join(str(p.get("containerPort")) for p in ports)


def probes(ev: Evidence) -> list[b.Draft]:
    found = []
    for pod in ev.pods:
        seen: set[tuple[str, str]] = set()
        for event in b.find_events(ev, v.name(pod), ("Unhealthy",)):
            message = str(event.get("message", ""))
            kind = message.split(" ", 1)[0]
            if kind not in _KINDS:
                continue
            ct = _container_of(event, pod, _KINDS[kind])
            if (kind, str(ct.get("name"))) in seen:
                continue
            seen.add((kind, str(ct.get("name"))))
            found.append(_draft(ev, pod, event, kind, ct))
    return found


def _draft(ev: Evidence, pod: Json, event: Json, kind: str, ct: Json) -> b.Draft:
    message = str(event.get("message", ""))
    probe = dict(ct.get(_KINDS[kind]) or {})
    cname = str(ct.get("name", ""))
    ports = _port_mismatch(ct, probe)
    status = _STATUS.search(message)
    confidence: Confidence = "high"
    if ports:
        key = "probe_port"
    elif status and status.group(1) == "404":
        key = "probe_path"
    elif "connection refused" in message:
        key = "probe_refused"
    elif status:
        key, confidence = "probe_status", "medium"
    elif _TIMEOUT.search(message):
        key = "probe_timeout"
    else:
        key, confidence = "probe_other", "medium"
    handler = probe.get("httpGet") or probe.get("tcpSocket") or probe.get("grpc") or {}
    params = {
        "probe": kind.lower(),
        "container": cname,
        "path": str(handler.get("path", "")),
        "port": str(handler.get("port", "")),
        "ports": ports,
        "status": status.group(1) if status else "",
        "timeout": str(probe.get("timeoutSeconds", 1)),
        "restarts": str(_restarts(pod, cname)),
    }
    evidence = [b.event_quote(ev, event)]
    evidence.append(
        b.quote(
            f"spec.containers[{cname}].{_KINDS[kind]}: {probe_text(probe)}", ev.pod_command(pod)
        )
    )
    if ports:
        evidence.append(
            b.quote(f"spec.containers[{cname}].ports: containerPort {ports}", ev.pod_command(pod))
        )
    for killing in b.find_events(ev, v.name(pod), ("Killing",), "failed liveness")[:1]:
        evidence.append(b.event_quote(ev, killing))
    step = b.step_undo_or(ev, b.step_describe(ev, pod))
    weight = 0.0 if kind == "Liveness" else -0.1  # a restart loop explains more than not-ready
    return b.Draft(b.subject_of(ev, pod), key, params, evidence, confidence, step, weight)


def _restarts(pod: Json, cname: str) -> int:
    for cs in v.statuses(pod):
        if cs.get("name") == cname:
            return int(cs.get("restartCount", 0) or 0)
    return 0
