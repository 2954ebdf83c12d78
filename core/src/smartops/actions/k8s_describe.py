"""Kubernetes reads about one pod: describe (status, conditions, containers, environment,
recent events), and the events list both use."""

from __future__ import annotations

from typing import Any

from smartops.actions import catalog as c
from smartops.actions.k8s import Json, Kube
from smartops.actions.k8s_reads import age, meta, pod_status, statuses
from smartops.actions.redact import MASK, secret_key
from smartops.actions.render import Phrase, Result, Table


async def describe_pod(kube: Kube, args: c.PodArgs, user: str) -> Result:
    core = kube.core()
    pod = await kube.call(core.read_namespaced_pod, args.name, args.namespace, user=user)
    pod_meta, spec, status = meta(pod), pod.get("spec") or {}, pod.get("status") or {}
    summary = [
        ["pod", f"{args.namespace}/{args.name}"],
        ["status", pod_status(pod)],
        ["node", spec.get("nodeName", "")],
        ["ip", status.get("podIP", "")],
        ["started", status.get("startTime", "")],
        ["labels", _labels(pod_meta.get("labels"))],
    ]
    conditions = [
        [k.get("type", ""), k.get("status", ""), k.get("reason", "")]
        for k in status.get("conditions") or []
    ]
    containers = [_container_row(ct, spec) for ct in statuses(pod)]
    env = [
        [ct.get("name", ""), e.get("name", ""), _env_value(e)]
        for ct in spec.get("containers") or []
        for e in ct.get("env") or []
    ]
    events = await events_rows(kube, args.namespace, args.name, user)
    pod = f"{args.namespace}/{args.name}"
    return Result(
        [
            Table(["field", "value"], summary, "fields", Phrase("pod_title", {"pod": pod})),
            Table(
                ["condition", "status", "reason"], conditions, "conditions", Phrase("conditions")
            ),
            Table(
                ["container", "image", "ready", "restarts", "state", "last state"],
                containers,
                "containers",
                Phrase("containers"),
            ),
            Table(["container", "variable", "value"], env, "variables", Phrase("environment")),
            Table(
                ["last seen", "type", "reason", "message"],
                events,
                "events",
                Phrase("recent_events"),
            ),
        ]
    )


def _labels(labels: Any) -> str:
    return ",".join(f"{k}={v}" for k, v in (labels or {}).items())


def _env_value(env: Json) -> str:
    if "value" in env:
        return MASK if secret_key(str(env.get("name", ""))) else str(env["value"])
    ref = env.get("valueFrom") or {}
    for kind, detail in ref.items():
        return f"<from {kind} {(detail or {}).get('name', '')}>"
    return ""


def _container_row(cs: Json, spec: Json) -> list[str]:
    state = cs.get("state") or {}
    last = cs.get("lastState") or {}
    now = next(iter(state), "")
    before = next(iter(last), "")
    now_reason = (state.get(now) or {}).get("reason", "") if now else ""
    last_reason = (last.get(before) or {}).get("reason", "") if before else ""
    return [
        cs.get("name", ""),
        cs.get("image", ""),
        str(bool(cs.get("ready"))),
        str(cs.get("restartCount", 0)),
        f"{now} {now_reason}".strip(),
        f"{before} {last_reason}".strip(),
    ]


async def events_rows(
    kube: Kube, namespace: str | None, name: str | None, user: str
) -> list[list[str]]:
    core = kube.core()
    selector = f"involvedObject.name={name}" if name else ""
    if namespace:
        data = await kube.call(
            core.list_namespaced_event, namespace, field_selector=selector, user=user
        )
    else:
        data = await kube.call(
            core.list_event_for_all_namespaces, field_selector=selector, user=user
        )
    items = sorted(data.get("items") or [], key=_event_time, reverse=True)
    return [
        [age(_event_time(e)), e.get("type", ""), e.get("reason", ""), e.get("message", "")]
        for e in items
    ]


def _event_time(event: Json) -> str:
    return str(
        event.get("lastTimestamp")
        or event.get("eventTime")
        or meta(event).get("creationTimestamp")
        or ""
    )
