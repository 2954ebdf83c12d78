"""Workloads and what serves them: a rollout past its deadline, pods that cannot be
created (quota, admission, ServiceAccount), a Job past its backoff limit, an HPA at its
maximum or unable to scale, a Service that selects no ready pod."""

from __future__ import annotations

import re

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate.analyzers import base as b
from smartops.investigate.analyzers.logcauses import error_lines, match_logs
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import Quote


def _deployments(ev: Evidence) -> list[Json]:
    return [d for d in [ev.subject, *ev.owners] if d and d.get("kind") == "Deployment"]


def cond_quote(ev: Evidence, obj: Json, cond: Json) -> Quote:
    kind = str(obj.get("kind", "")).lower()
    text = (
        f"{kind} {v.name(obj)} conditions[{cond.get('type')}]: status={cond.get('status')} "
        f"reason={cond.get('reason', '')} message={cond.get('message', '')}"
    )
    where = f" -n {ev.namespace}" if ev.namespace else ""
    return b.quote(text, f"kubectl get {kind} {v.name(obj)}{where} -o yaml")


def rollout_stuck(ev: Evidence) -> list[b.Draft]:
    found = []
    for deploy in _deployments(ev)[:1]:
        cond = v.condition(deploy, "Progressing") or {}
        if cond.get("reason") != "ProgressDeadlineExceeded":
            continue
        st, sp = v.status(deploy), v.spec(deploy)
        rs = re.search(r'ReplicaSet "([^"]+)"', str(cond.get("message", "")))
        params = {
            "deployment": v.name(deploy),
            "replicaset": rs.group(1) if rs else "",
            "revision": str(v.revision(deploy)),
            "deadline": str(sp.get("progressDeadlineSeconds", 600)),
            "updated": str(st.get("updatedReplicas", 0)),
            "available": str(st.get("availableReplicas", 0)),
            "replicas": str(sp.get("replicas", 1)),
        }
        evidence = [cond_quote(ev, deploy, cond)]
        evidence.append(
            b.quote(
                f"status: replicas={st.get('replicas', 0)} updatedReplicas={params['updated']} "
                f"readyReplicas={st.get('readyReplicas', 0)} "
                f"availableReplicas={params['available']}",
                f"kubectl get deployment {v.name(deploy)} -n {ev.namespace} -o yaml",
            )
        )
        evidence += _new_pods(ev, params["replicaset"])
        step = b.step_undo_or(
            ev,
            b.step(
                "rollout_status",
                {"namespace": ev.namespace, "name": v.name(deploy)},
                f"kubectl rollout status deployment/{v.name(deploy)} -n {ev.namespace}",
                "step_rollout",
            ),
        )
        found.append(
            b.Draft(
                f"deployment {ev.namespace}/{v.name(deploy)}",
                "rollout_stuck",
                params,
                evidence,
                "high",
                step,
            )
        )
    return found


def _new_pods(ev: Evidence, replicaset: str) -> list[Quote]:
    """The new ReplicaSet's pods that are not ready, and what their logs last said."""
    quotes = []
    for pod in ev.pods:
        if v.owner(pod) != ("ReplicaSet", replicaset) or v.pod_ready(pod):
            continue
        cond = v.condition(pod, "Ready") or {}
        quotes.append(
            b.quote(
                f"pod {v.name(pod)} conditions[Ready]: status={cond.get('status')} "
                f"reason={cond.get('reason', '')}",
                ev.pod_command(pod),
            )
        )
        for cname in [str(c.get("name")) for c in v.containers(pod)][:1]:
            lines = error_lines(ev.log(pod, cname, False), 1)
            if lines:
                quotes.append(b.log_quote(ev, pod, cname, False, lines[-1], 200))
        break
    return quotes


_QUOTA = re.compile(
    r"exceeded quota: ([\w.-]+), requested: (.+?), used: (.+?), limited: "
    r"([^\s]+(?:,[^\s]+)*)"
)
_REFUSALS = (
    ("create_quota_limits", re.compile(r"failed quota: ([\w.-]+): must specify ([\w.,]+)")),
    ("create_serviceaccount", re.compile(r'serviceaccount "([^"]+)" not found')),
    ("create_pod_security", re.compile(r'violates PodSecurity "([^"]+)"')),
    ("create_webhook", re.compile(r'admission webhook "([^"]+)" denied the request')),
)


def create_refused(ev: Evidence) -> list[b.Draft]:
    """Pods a controller cannot create: its FailedCreate events (on the ReplicaSet, Job,
    StatefulSet) and the Deployment's ReplicaFailure condition."""
    objects = [o for o in [ev.subject, *ev.owners] if o]
    events = [e for o in objects for e in b.find_events(ev, v.name(o), ("FailedCreate",))]
    conds = [(o, c) for o in objects if (c := v.condition(o, "ReplicaFailure"))]
    messages = [str(e.get("message", "")) for e in events] + [
        str(c.get("message", "")) for _, c in conds
    ]
    message = next((m for m in messages if m), "")
    if not message:
        return []
    owner = next((o for o in objects if o.get("kind") != "ReplicaSet"), objects[0])
    params = {
        "object": f"{str(owner.get('kind', '')).lower()} {v.name(owner)}",
        "what": "",
        "requested": "",
        "used": "",
        "limited": "",
        "message": message[:300],
    }
    quota = _QUOTA.search(message)
    key = "create_other"
    if quota:
        key = "create_quota"
        params.update(
            what=quota.group(1),
            requested=quota.group(2),
            used=quota.group(3),
            limited=quota.group(4),
        )
    for name, pattern in () if quota else _REFUSALS:
        match = pattern.search(message)
        if match:
            key, params["what"] = name, match.group(1)
            break
    evidence = [b.event_quote(ev, e) for e in events[:1]]
    evidence += [cond_quote(ev, o, c) for o, c in conds[:1]]
    subject = f"{str(owner.get('kind', '')).lower()} {ev.namespace}/{v.name(owner)}"
    return [b.Draft(subject, key, params, evidence, "high", b.step_events(ev))]


def job_failed(ev: Evidence) -> list[b.Draft]:
    job = next((o for o in [ev.subject, *ev.owners] if o and o.get("kind") == "Job"), None)
    cond = v.condition(job, "Failed") if job else None
    if job is None or not cond or cond.get("status") != "True":
        return []
    st, sp = v.status(job), v.spec(job)
    params = {
        "job": v.name(job),
        "reason": str(cond.get("reason", "")),
        "failed": str(st.get("failed", 0)),
        "limit": str(sp.get("backoffLimit", 6)),
        "code": "",
        "log_cause": "",
        "what": "",
    }
    evidence = [cond_quote(ev, job, cond)]
    step = b.step_events(ev)
    for pod in ev.pods[:3]:
        for cs in v.statuses(pod):
            kind, term = v.state(cs)
            if kind != "terminated" or term.get("exitCode") in (0, None):
                continue
            cname = str(cs.get("name", ""))
            params["code"] = str(term.get("exitCode"))
            evidence.append(b.state_quote(ev, pod, cs))
            step = b.step_logs(ev, pod, cname, previous=False)
            text = ev.log(pod, cname, False) or ev.log(pod, cname, True)
            match = match_logs(text) if text else None
            if match:
                params.update(log_cause=match.key, what=match.what)
                evidence.insert(1, b.log_quote(ev, pod, cname, False, match.line, 200))
            break
        if params["code"]:
            break
    return [
        b.Draft(f"job {ev.namespace}/{v.name(job)}", "job_failed", params, evidence, "high", step)
    ]
