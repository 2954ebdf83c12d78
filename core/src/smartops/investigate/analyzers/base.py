"""What every analyzer shares: the rule's declaration, the draft finding it returns,
quoting evidence (redacted, cut, cited by the read it came from) and next steps."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from smartops.actions.k8s import Json
from smartops.actions.redact import redact
from smartops.investigate import k8sview as v
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import Confidence, NextStep, Quote
from smartops.investigate.recorder import kubectl_logs

MAX_QUOTE = 300


@dataclass(frozen=True)
class Draft:
    """A finding before ranking: the subject, the cause (a message key and its
    parameters), the evidence and the next step."""

    subject: str
    key: str
    params: dict[str, str]
    evidence: list[Quote]
    confidence: Confidence
    next_step: NextStep | None = None
    boost: float = 0.0  # within an analyzer: how much more this one explains


@dataclass(frozen=True)
class Analyzer:
    """One rule: its name, what it looks for, the runbook query that finds its section,
    how much a finding of it explains (root causes 1.0, symptoms lower), and the check."""

    name: str
    title: str
    runbook_query: str
    weight: float
    check: Callable[[Evidence], list[Draft]] = field(repr=False)


def quote(text: str, source: str) -> Quote:
    one = redact(" ".join(str(text).split()))  # before cutting: a cut secret is no longer seen
    if len(one) > MAX_QUOTE:  # the cause is often at the end of a long message
        one = one[: MAX_QUOTE // 3] + " ... " + one[-(MAX_QUOTE - MAX_QUOTE // 3 - 5) :]
    return Quote(text=one, source=source)


def subject_of(ev: Evidence, pod: Json) -> str:
    return f"pod {ev.namespace}/{v.name(pod)}"


def state_quote(
    ev: Evidence, pod: Json, cs: Json, which: str = "state", init: bool = False
) -> Quote:
    kind, detail = v.state(cs, which)
    fields = ("reason", "exitCode", "signal", "message", "startedAt", "finishedAt")
    parts = [f"{k}={detail[k]}" for k in fields if detail.get(k) not in (None, "")]
    group = "initContainerStatuses" if init else "containerStatuses"
    restarts = f" (restartCount={cs.get('restartCount', 0)})" if which == "state" else ""
    return quote(
        f"{group}[{cs.get('name', '')}].{which}.{kind}: {', '.join(parts)}{restarts}",
        ev.pod_command(pod),
    )


def event_quote(ev: Evidence, event: Json) -> Quote:
    count = event.get("count") or (event.get("series") or {}).get("count")
    times = f" (x{count})" if count and int(count) > 1 else ""
    involved = event.get("involvedObject") or {}
    text = (
        f"{event.get('type', '')} {event.get('reason', '')}{times} "
        f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}: "
        f"{event.get('message', '')}"
    )
    return quote(text, ev.event_source(event))


def log_quote(ev: Evidence, pod: Json, cname: str, previous: bool, line: str, tail: int) -> Quote:
    return quote(line, kubectl_logs(ev.namespace, v.name(pod), cname, previous, tail))


def find_events(
    ev: Evidence, obj_name: str, reasons: tuple[str, ...], pattern: str = ""
) -> list[Json]:
    """Events about an object with one of these reasons (and a matching message)."""
    regex = re.compile(pattern, re.I) if pattern else None
    return [
        e
        for e in ev.events_for(obj_name)
        if e.get("reason") in reasons and (regex is None or regex.search(str(e.get("message"))))
    ]


def step(
    action: str, args: dict[str, str | int | bool], command: str, why: str, **params: str
) -> NextStep:
    kind = "write" if action in ("rollout_undo", "rollout_restart", "scale", "cordon") else "read"
    return NextStep(
        action=action, args=args, kind=kind, why_key=why, params=params, command=command
    )


def step_logs(ev: Evidence, pod: Json, cname: str, previous: bool) -> NextStep:
    args: dict[str, str | int | bool] = {
        "namespace": ev.namespace,
        "name": v.name(pod),
        "container": cname,
    }
    command = f"kubectl logs {v.name(pod)} -n {ev.namespace} --container={cname}"
    if previous:
        args["previous"] = True
        command += " --previous"
    return step("pod_logs", args, command, "step_logs", container=cname)


def step_describe(ev: Evidence, pod: Json, why: str = "step_describe") -> NextStep:
    pod_name = v.name(pod)
    return step(
        "describe_pod",
        {"namespace": ev.namespace, "name": pod_name},
        f"kubectl describe pod {pod_name} -n {ev.namespace}",
        why,
    )


def step_undo_or(ev: Evidence, fallback: NextStep) -> NextStep:
    """Roll the Deployment back when it has an earlier revision to go back to."""
    deploy = ev.deployment()
    if deploy is None or v.revision(deploy) < 2:
        return fallback
    name = v.name(deploy)
    return step(
        "rollout_undo",
        {"namespace": ev.namespace, "name": name},
        f"kubectl rollout undo deployment/{name} -n {ev.namespace}",
        "step_undo",
        revision=str(v.revision(deploy)),
    )


def step_events(ev: Evidence) -> NextStep:
    return step(
        "get_events",
        {"namespace": ev.namespace},
        f"kubectl get events -n {ev.namespace}",
        "step_events",
    )


def step_nodes() -> NextStep:
    return step("get_nodes", {}, "kubectl get nodes", "step_nodes")


def step_top(ev: Evidence) -> NextStep:
    return step(
        "top_pods", {"namespace": ev.namespace}, f"kubectl top pods -n {ev.namespace}", "step_top"
    )


def exit_meaning(code: int) -> str:
    return {
        0: "exit_0",
        1: "exit_1",
        2: "exit_2",
        126: "exit_126",
        127: "exit_127",
        128: "exit_128",
        134: "exit_134",
        137: "exit_137",
        139: "exit_139",
        143: "exit_143",
    }.get(code, "exit_other")


def limit_of(pod: Json, cname: str, resource: str = "memory") -> str:
    resources = v.container(pod, cname).get("resources") or {}
    return str((resources.get("limits") or {}).get(resource, ""))
