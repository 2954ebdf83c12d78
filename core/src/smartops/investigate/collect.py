"""Evidence collection, bounded: the object and its owners, the pods in scope (the most
troubled first), events, current and previous logs, nodes, referenced ConfigMaps,
Secrets, ServiceAccounts and PVCs (existence only), Services and endpoints, HPAs and,
when Prometheus is configured, memory against limits, CPU throttling and volume usage.

Reads run concurrently in two rounds (the scope, then everything around it); the
``Recorder`` stops at the call, byte and time budgets and says what it cut."""

from __future__ import annotations

import asyncio

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate import refs as r
from smartops.investigate.evidence import Evidence
from smartops.investigate.model import Limits, Target
from smartops.investigate.recorder import Recorder, kubectl_list
from smartops.investigate.resolve import resolve

_NEVER_STARTED = {
    "ContainerCreating",
    "PodInitializing",
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
}


async def collect(target: Target, rec: Recorder, limits: Limits) -> Evidence:
    found = await resolve(target, rec)
    ev = Evidence(
        target,
        namespace=found.namespace,
        subject_kind=found.kind,
        subject=found.obj,
        candidates=found.candidates,
    )
    if ev.subject is None:
        return ev
    await _scope(ev, rec, limits)
    await asyncio.gather(
        _events(ev, rec, limits),
        _logs(ev, rec, limits),
        _nodes(ev, rec),
        r.references(ev, rec, limits),
        r.services(ev, rec),
        r.autoscalers(ev, rec),
        r.metrics(ev, rec),
    )
    return ev


async def _scope(ev: Evidence, rec: Recorder, limits: Limits) -> None:
    subject, kind, ns = ev.subject or {}, ev.subject_kind, ev.namespace
    if kind == "Pod":
        ev.owners = await _owners(subject, rec, ns)
        ev.pods, ev.pods_total = [subject], 1
    elif kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        await _workload(ev, rec, limits)
    elif kind == "CronJob":
        jobs = [
            j for j in await rec.objects("Job", ns) if v.owner(j) == ("CronJob", v.name(subject))
        ]
        jobs.sort(key=lambda j: str(v.meta(j).get("creationTimestamp", "")), reverse=True)
        ev.owners = jobs[:2]
        if jobs:
            await _pods_of(ev, rec, limits, jobs[0])
    elif kind == "Service":
        ev.services = [subject]
        selector = dict(v.spec(subject).get("selector") or {})
        if selector:
            await _pods_of(ev, rec, limits, None, v.selector_string(selector))
    elif kind == "Node":
        ev.nodes[v.name(subject)] = subject
        ev.node_pods = await rec.objects("Pod", "", fields=f"spec.nodeName={v.name(subject)}")
    elif kind == "PersistentVolumeClaim":
        ev.pvcs[v.name(subject)] = subject
    elif kind == "HorizontalPodAutoscaler":
        ev.hpas = [subject]
        ref = v.spec(subject).get("scaleTargetRef") or {}
        if ref.get("kind") in ("Deployment", "StatefulSet"):
            scaled = await rec.get(str(ref["kind"]), str(ref.get("name", "")), ns)
            ev.owners = [scaled] if scaled else []


async def _owners(obj: Json, rec: Recorder, ns: str) -> list[Json]:
    chain: list[Json] = []
    current = obj
    for _ in range(2):
        ref = v.owner(current)
        if ref is None or ref[0] not in (
            "ReplicaSet",
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "CronJob",
        ):
            break
        found = await rec.get(ref[0], ref[1], ns)
        if found is None:
            break
        chain.append(found)
        current = found
    return chain


async def _workload(ev: Evidence, rec: Recorder, limits: Limits) -> None:
    subject, ns = ev.subject or {}, ev.namespace
    selector = dict((v.spec(subject).get("selector") or {}).get("matchLabels") or {})
    if ev.subject_kind == "Job" and not selector:
        selector = {"job-name": v.name(subject)}
    if ev.subject_kind == "Deployment":
        sets = await rec.objects("ReplicaSet", ns, v.selector_string(selector))
        mine = [s for s in sets if v.owner(s) == ("Deployment", v.name(subject))]
        ev.owners = sorted(mine, key=v.revision, reverse=True)[:2]
    elif ev.subject_kind == "ReplicaSet":
        ev.owners = await _owners(subject, rec, ns)
    await _pods_of(ev, rec, limits, subject, v.selector_string(selector))


async def _pods_of(
    ev: Evidence, rec: Recorder, limits: Limits, workload: Json | None, labels: str = ""
) -> None:
    if workload is not None and not labels:
        match = (v.spec(workload).get("selector") or {}).get("matchLabels") or {}
        labels = v.selector_string(dict(match)) or f"job-name={v.name(workload)}"
    pods = await rec.objects("Pod", ev.namespace, labels) if labels else []
    selector = (v.spec(workload).get("selector") if workload else None) or None
    if selector:  # matchExpressions are checked here, not by the API's equality selector
        pods = [p for p in pods if v.selects(selector, v.labels(p))]
    pods.sort(key=v.trouble, reverse=True)
    ev.pods_total, ev.pods = len(pods), pods[: limits.max_pods]


async def _events(ev: Evidence, rec: Recorder, limits: Limits) -> None:
    names = [(ev.subject_name(), ev.subject_kind)]
    names += [(v.name(o), str(o.get("kind", ""))) for o in ev.owners[:3]]
    names += [(v.name(p), "Pod") for p in ev.pods[: max(limits.log_pods, 1)]]
    unique = list(dict.fromkeys(names))
    namespace = "" if ev.subject_kind == "Node" else ev.namespace

    async def one(obj_name: str, kind: str) -> list[Json]:
        fields = f"involvedObject.name={obj_name}"
        if ev.subject_kind == "Node":
            fields = f"involvedObject.kind=Node,{fields}"
        ev.event_sources[obj_name] = kubectl_list("Event", namespace, fields=fields)
        return await rec.objects("Event", namespace, fields=fields)

    for items in await asyncio.gather(*(one(n, k) for n, k in unique if n)):
        ev.events.extend(items)


def log_reads(pod: Json) -> list[tuple[str, bool]]:
    """(container, previous) to read for a pod: previous logs of containers that
    terminated before, current logs of containers that ever started."""
    wanted: list[tuple[str, bool]] = []
    for init in (True, False):
        for cs in v.statuses(pod, init=init):
            cname = str(cs.get("name", ""))
            kind, detail = v.state(cs)
            last_kind, _ = v.state(cs, "lastState")
            if init and kind == "terminated" and detail.get("exitCode") == 0:
                continue  # an init container that did its job
            if int(cs.get("restartCount", 0) or 0) > 0 or last_kind == "terminated":
                wanted.append((cname, True))
            if not (kind == "waiting" and detail.get("reason") in _NEVER_STARTED):
                wanted.append((cname, False))
    return wanted[:6]


async def _logs(ev: Evidence, rec: Recorder, limits: Limits) -> None:
    jobs = [
        (pod, cname, previous)
        for pod in ev.pods[: limits.log_pods]
        for cname, previous in log_reads(pod)
    ]
    texts = await asyncio.gather(
        *(rec.logs(ev.namespace, v.name(p), c, prev) for p, c, prev in jobs)
    )
    for (pod, cname, previous), text in zip(jobs, texts, strict=True):
        if text:
            ev.logs[(v.name(pod), cname, previous)] = text


async def _nodes(ev: Evidence, rec: Recorder) -> None:
    names = list(dict.fromkeys(str(v.spec(p).get("nodeName") or "") for p in ev.pods))
    names = [n for n in names if n and n not in ev.nodes][:2]
    unplaced = any(
        v.status(p).get("phase") == "Pending" and not v.spec(p).get("nodeName") for p in ev.pods
    )
    if unplaced:
        ev.cluster_nodes = (await rec.objects("Node", ""))[:20]
    got = await asyncio.gather(*(rec.get("Node", n, "") for n in names))
    for node_name, node in zip(names, got, strict=True):
        if node is not None:
            ev.nodes[node_name] = node
