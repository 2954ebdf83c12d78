"""What the collector gathered about one target, as the analyzers read it."""

from __future__ import annotations

from dataclasses import dataclass, field

from smartops.actions.k8s import Json
from smartops.investigate import k8sview as v
from smartops.investigate.model import Target
from smartops.investigate.reads import Sample

LogKey = tuple[str, str, bool]  # (pod, container, previous)


@dataclass
class Evidence:
    target: Target
    namespace: str = ""
    subject_kind: str = ""  # the API kind of what the target turned out to be
    subject: Json | None = None
    owners: list[Json] = field(default_factory=list)  # ReplicaSets, Deployments, Jobs, ...
    pods: list[Json] = field(default_factory=list)  # looked at closely, most troubled first
    pods_total: int = 0  # pods the workload has (pods holds at most Limits.max_pods)
    events: list[Json] = field(default_factory=list)
    event_sources: dict[str, str] = field(default_factory=dict)  # object name -> command
    logs: dict[LogKey, str] = field(default_factory=dict)
    nodes: dict[str, Json] = field(default_factory=dict)
    node_pods: list[Json] = field(default_factory=list)  # for a node target
    cluster_nodes: list[Json] = field(default_factory=list)  # where a pending pod could go
    services: list[Json] = field(default_factory=list)  # selecting (or meant to select) the pods
    endpoints: dict[str, Json | None] = field(default_factory=dict)
    namespace_pods: list[Json] = field(default_factory=list)  # for a selector that matches none
    hpas: list[Json] = field(default_factory=list)
    pvcs: dict[str, Json | None] = field(default_factory=dict)
    refs: dict[tuple[str, str], bool] = field(default_factory=dict)  # (kind, name) -> exists
    metrics: dict[str, list[Sample]] = field(default_factory=dict)
    candidates: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.subject is not None

    def subject_name(self) -> str:
        return v.name(self.subject)

    def describe_subject(self) -> str:
        if self.subject is None:
            return self.target.describe()
        kind = "pvc" if self.subject_kind == "PersistentVolumeClaim" else self.subject_kind.lower()
        if self.subject_kind == "HorizontalPodAutoscaler":
            kind = "hpa"
        where = f"{self.namespace}/" if self.namespace and self.subject_kind != "Node" else ""
        return f"{kind} {where}{self.subject_name()}"

    def events_for(self, obj_name: str, kind: str = "") -> list[Json]:
        """Events about an object, newest first."""
        found = [
            e
            for e in self.events
            if (e.get("involvedObject") or {}).get("name") == obj_name
            and (not kind or (e.get("involvedObject") or {}).get("kind") == kind)
        ]
        return sorted(found, key=event_time, reverse=True)

    def event_source(self, event: Json) -> str:
        involved = str((event.get("involvedObject") or {}).get("name", ""))
        return self.event_sources.get(
            involved,
            f"kubectl get events -n {self.namespace} --field-selector "
            f"involvedObject.name={involved}",
        )

    def workload(self) -> Json | None:
        """The Deployment/StatefulSet/DaemonSet/Job the pods belong to, if known."""
        if self.subject_kind in ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"):
            return self.subject
        for kind in ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"):
            for obj in self.owners:
                if obj.get("kind") == kind:
                    return obj
        return None

    def deployment(self) -> Json | None:
        work = self.workload()
        return work if work is not None and work.get("kind") == "Deployment" else None

    def pod_command(self, pod: Json) -> str:
        return f"kubectl get pod {v.name(pod)} -n {self.namespace} -o yaml"

    def log(self, pod: Json, cname: str, previous: bool) -> str:
        return self.logs.get((v.name(pod), cname, previous), "")


def event_time(event: Json) -> str:
    return str(
        event.get("lastTimestamp")
        or event.get("eventTime")
        or (event.get("series") or {}).get("lastObservedTime")
        or v.meta(event).get("creationTimestamp")
        or ""
    )
