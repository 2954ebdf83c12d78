"""From what was asked about to the object in the cluster: a pod, a workload, a node, a
Service, a PVC or an HPA; by kind when it was said, else the likely kinds in order.
Without a namespace the name is looked up in every namespace (by ``metadata.name``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate.model import Target
from smartops.investigate.recorder import Recorder

API_KINDS = {
    "pod": "Pod",
    "deployment": "Deployment",
    "statefulset": "StatefulSet",
    "daemonset": "DaemonSet",
    "replicaset": "ReplicaSet",
    "job": "Job",
    "cronjob": "CronJob",
    "node": "Node",
    "service": "Service",
    "pvc": "PersistentVolumeClaim",
    "hpa": "HorizontalPodAutoscaler",
}
# Tried in this order when the kind was not said (a Deployment wins over its Service).
GUESSES = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service")
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job")


@dataclass
class Resolved:
    kind: str = ""
    obj: Json | None = None
    namespace: str = ""
    candidates: list[str] = field(default_factory=list)


async def resolve(target: Target, rec: Recorder) -> Resolved:
    if not target.name:
        return Resolved(namespace=target.namespace)
    said = API_KINDS.get(target.kind)
    if said == "Node":
        return Resolved("Node", await rec.get("Node", target.name, ""), "")
    kinds = (said,) if said else GUESSES
    found = await (_in(target, kinds, rec) if target.namespace else _anywhere(target, kinds, rec))
    if found.obj is None and not found.candidates and target.namespace:
        if said == "Pod":  # "pod cart" often means the cart Deployment's pods
            found = await _in(target, WORKLOADS, rec)
        if found.obj is None and said in (None, "Pod"):
            found = await _by_prefix(target, rec)
    return found


async def _in(target: Target, kinds: tuple[str, ...], rec: Recorder) -> Resolved:
    got = await asyncio.gather(*(rec.get(k, target.name, target.namespace) for k in kinds))
    for kind, obj in zip(kinds, got, strict=True):
        if obj is not None:
            return Resolved(kind, obj, target.namespace)
    return Resolved(namespace=target.namespace)


async def _anywhere(target: Target, kinds: tuple[str, ...], rec: Recorder) -> Resolved:
    fields = f"metadata.name={target.name}"
    got = await asyncio.gather(*(rec.objects(k, "", fields=fields) for k in kinds))
    hits = [(kind, obj) for kind, items in zip(kinds, got, strict=True) for obj in items]
    namespaces = sorted({str(v.meta(obj).get("namespace", "")) for _, obj in hits})
    if len(namespaces) > 1:
        return Resolved(candidates=[f"{ns}/{target.name}" for ns in namespaces])
    if not hits:
        return Resolved()
    kind, obj = hits[0]
    return Resolved(kind, obj, namespaces[0])


async def _by_prefix(target: Target, rec: Recorder) -> Resolved:
    """Pods whose names start with the name asked about (``cart`` -> ``cart-7d9f-x2``)."""
    pods = await rec.objects("Pod", target.namespace)
    matching = [p for p in pods if v.name(p).startswith(target.name + "-")]
    if not matching:
        return Resolved(namespace=target.namespace)
    matching.sort(key=v.trouble, reverse=True)
    return Resolved("Pod", matching[0], target.namespace)
