"""Containers that do not run: OOMKilled, crash loops (the cause from the previous logs),
image pulls, configuration the kubelet cannot find, and failing init containers."""

from __future__ import annotations

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate.analyzers import base as b
from smartops.investigate.analyzers.logcauses import LogMatch, error_lines, match_logs
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import NextStep, Quote

_CONFIG_CAUSES = {"missing_env", "missing_file", "config_parse", "command_not_found", "exec_format"}
_CRASH_KEYS = tuple(
    k
    for k in (
        "disk_full",
        "command_not_found",
        "exec_format",
        "runtime_oom",
        "missing_env",
        "config_parse",
        "missing_file",
        "permission_denied",
        "auth_failed",
        "dns_failure",
        "connection_refused",
    )
)


def _terminated(cs: Json) -> tuple[str, Json]:
    """The last termination of a container: its last state, else its current one."""
    for which in ("lastState", "state"):
        kind, detail = v.state(cs, which)
        if kind == "terminated":
            return which, detail
    return "", {}


def oom_killed(ev: Evidence) -> list[b.Draft]:
    found = []
    for pod in ev.pods:
        for cs in v.statuses(pod):
            which, term = _terminated(cs)
            if term.get("reason") != "OOMKilled":
                continue
            cname = str(cs.get("name", ""))
            limit = b.limit_of(pod, cname)
            evidence = [b.state_quote(ev, pod, cs, which)]
            if which == "lastState":
                evidence.insert(0, b.state_quote(ev, pod, cs))
            if limit:
                evidence.append(
                    b.quote(
                        f"spec.containers[{cname}].resources.limits.memory: {limit}",
                        ev.pod_command(pod),
                    )
                )
            usage = memory_usage(ev, pod, cname)
            if usage:
                evidence.append(usage[1])
            params = {
                "container": cname,
                "limit": limit or "?",
                "restarts": str(cs.get("restartCount", 0)),
                "code": str(term.get("exitCode", 137)),
                "usage": usage[0] if usage else "",
            }
            found.append(
                b.Draft(
                    b.subject_of(ev, pod), "oom_killed", params, evidence, "high", b.step_top(ev)
                )
            )
    return found


def memory_usage(ev: Evidence, pod: Json, cname: str) -> tuple[str, Quote] | None:
    """Working set against the limit, from Prometheus, when it was read."""

    def pick(key: str) -> float | None:
        for s in ev.metrics.get(key, []):
            if s.labels.get("pod") == v.name(pod) and s.labels.get("container") == cname:
                return s.value
        return None

    used, limit = pick("memory"), pick("memory_limit")
    if used is None or not limit:
        return None
    text = f"{v.human_bytes(used)} of {v.human_bytes(limit)} ({used / limit:.0%})"
    return text, b.quote(
        f"container_memory_working_set_bytes{{pod={v.name(pod)}, container={cname}}}: {text}",
        "promql: container_memory_working_set_"
        "bytes / kube_pod_container_resource_limits{resource=memory}",
    )


def liveness_killed(ev: Evidence, pod: Json, cname: str) -> bool:
    return any(
        f"{{{cname}}}" in str((e.get("involvedObject") or {}).get("fieldPath", ""))
        or f"Container {cname} failed liveness" in str(e.get("message", ""))
        for e in b.find_events(ev, v.name(pod), ("Killing", "Unhealthy"), "liveness")
    )


def _log_cause(ev: Evidence, pod: Json, cname: str, term: Json) -> tuple[LogMatch, Quote] | None:
    tail = 200
    for previous in (True, False):
        text = ev.log(pod, cname, previous)
        found = match_logs(text, _CRASH_KEYS) if text else None
        if found:
            return found, b.log_quote(ev, pod, cname, previous, found.line, tail)
    message = str(term.get("message") or "")
    found = match_logs(message, _CRASH_KEYS) if message else None
    if found:
        return found, b.quote(f"terminated.message: {message}", ev.pod_command(pod))
    return None


def crash_loop(ev: Evidence) -> list[b.Draft]:
    found = []
    for pod in ev.pods:
        for cs in v.statuses(pod):
            kind, now = v.state(cs)
            which, term = _terminated(cs)
            looping = kind == "waiting" and now.get("reason") == "CrashLoopBackOff"
            restarted = int(cs.get("restartCount", 0) or 0) > 0 and bool(which)
            failed = kind == "terminated" and now.get("reason") in (
                "Error",
                "StartError",
                "ContainerCannotRun",
            )
            if not (looping or restarted or failed) or term.get("reason") == "OOMKilled":
                continue
            if failed and not looping and (v.owner(pod) or ("", ""))[0] == "Job":
                continue  # a Job's pod that ran once and failed: the Job analyzer says why
            draft = _crash_draft(ev, pod, cs, which, term, looping)
            if draft is not None:
                found.append(draft)
    return _same_cause(found)


def _same_cause(drafts: list[b.Draft]) -> list[b.Draft]:
    """A pod whose logs were not read, exiting like one whose logs name the cause,
    has that cause too (pods of one template fail alike)."""
    known = {(d.params["container"], d.params["code"]): d for d in drafts if d.key == "crash_loop"}
    out = []
    for d in drafts:
        twin = known.get((d.params["container"], d.params["code"]))
        if d.key == "crash_exit" and twin is not None:
            d = b.Draft(
                d.subject,
                twin.key,
                twin.params,
                twin.evidence,
                twin.confidence,
                twin.next_step,
                twin.boost,
            )
        out.append(d)
    return out


def _crash_draft(
    ev: Evidence, pod: Json, cs: Json, which: str, term: Json, looping: bool
) -> b.Draft | None:
    cname = str(cs.get("name", ""))
    code = int(term.get("exitCode", 1) or 0)
    cause = _log_cause(ev, pod, cname, term)
    if cause is None and liveness_killed(ev, pod, cname):
        return None  # the probes analyzer explains it
    evidence = [b.state_quote(ev, pod, cs)]
    if which == "lastState":
        evidence.append(b.state_quote(ev, pod, cs, "lastState"))
    params = {
        "container": cname,
        "code": str(code),
        "meaning": b.exit_meaning(code),
        "restarts": str(cs.get("restartCount", 0)),
        "log_cause": "",
        "what": "",
    }
    step: NextStep = b.step_logs(ev, pod, cname, previous=True)
    if cause is not None and cause[0].key == "disk_full":
        return None  # the volume analyzer explains it, with the volume
    if cause is not None:
        match, cited = cause
        evidence.insert(0, cited)
        params.update(log_cause=match.key, what=match.what)
        if match.key in _CONFIG_CAUSES:
            step = b.step_undo_or(ev, b.step_describe(ev, pod))
        return b.Draft(b.subject_of(ev, pod), "crash_loop", params, evidence, "high", step, 0.05)
    if not looping and code == 0:
        return None
    for line in error_lines(ev.log(pod, cname, True) or ev.log(pod, cname, False), 2):
        evidence.append(b.log_quote(ev, pod, cname, bool(ev.log(pod, cname, True)), line, 200))
    key = "crash_exit_zero" if code == 0 else "crash_exit"
    return b.Draft(b.subject_of(ev, pod), key, params, evidence, "medium", step)


def init_container(ev: Evidence) -> list[b.Draft]:
    found = []
    for pod in ev.pods:
        for cs in v.statuses(pod, init=True):
            kind, now = v.state(cs)
            which, term = _terminated(cs)
            cname = str(cs.get("name", ""))
            failing = (kind == "waiting" and now.get("reason") == "CrashLoopBackOff") or (
                bool(which) and term.get("exitCode") not in (0, None)
            )
            text = ev.log(pod, cname, True) or ev.log(pod, cname, False)
            match = match_logs(text) if text else None
            if not failing and not (kind == "running" and match):
                continue
            evidence = [b.state_quote(ev, pod, cs, init=True)]
            if which == "lastState":
                evidence.append(b.state_quote(ev, pod, cs, "lastState", init=True))
            params = {
                "container": cname,
                "code": str(term.get("exitCode", "")),
                "log_cause": match.key if match else "",
                "what": match.what if match else "",
            }
            if match:
                previous = bool(ev.log(pod, cname, True))
                evidence.insert(0, b.log_quote(ev, pod, cname, previous, match.line, 200))
            key = "init_running" if kind == "running" else "init_failed"
            step = b.step_logs(ev, pod, cname, previous=which == "lastState")
            found.append(
                b.Draft(
                    b.subject_of(ev, pod),
                    key,
                    params,
                    evidence,
                    "high" if match else "medium",
                    step,
                    0.05,
                )
            )
    return found
