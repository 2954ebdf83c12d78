"""What an investigation reads: raw Kubernetes objects, pod logs and PromQL samples.

``ReadBackend`` is the protocol the collector uses; ``KubeReads`` implements it over the
actions' own ``Kube`` (the official client, the same kubeconfig, impersonation, timeouts
and error mapping) and their ``PromClient``. Secrets are only ever checked to exist:
that read asks for object metadata (``PartialObjectMetadata``), and whatever comes back
is cut to its metadata before anyone sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from smartops.actions.k8s import Json, Kube
from smartops.actions.prom import PromClient
from smartops.errors import InvalidRequest, NotFound

METADATA_ONLY = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"


@dataclass(frozen=True)
class Kind:
    """A resource as the official client names it, and as kubectl does."""

    api: str  # CoreV1Api, AppsV1Api, ...
    snake: str  # the client's method suffix: pod, replica_set, ...
    kubectl: str  # kubectl's name: pod, rs, deploy, ...
    namespaced: bool = True


KINDS: dict[str, Kind] = {
    "Pod": Kind("CoreV1Api", "pod", "pod"),
    "Node": Kind("CoreV1Api", "node", "node", namespaced=False),
    "Event": Kind("CoreV1Api", "event", "events"),
    "Service": Kind("CoreV1Api", "service", "service"),
    "Endpoints": Kind("CoreV1Api", "endpoints", "endpoints"),
    "ConfigMap": Kind("CoreV1Api", "config_map", "configmap"),
    "Secret": Kind("CoreV1Api", "secret", "secret"),
    "ServiceAccount": Kind("CoreV1Api", "service_account", "serviceaccount"),
    "PersistentVolumeClaim": Kind("CoreV1Api", "persistent_volume_claim", "pvc"),
    "ResourceQuota": Kind("CoreV1Api", "resource_quota", "resourcequota"),
    "Deployment": Kind("AppsV1Api", "deployment", "deployment"),
    "ReplicaSet": Kind("AppsV1Api", "replica_set", "replicaset"),
    "StatefulSet": Kind("AppsV1Api", "stateful_set", "statefulset"),
    "DaemonSet": Kind("AppsV1Api", "daemon_set", "daemonset"),
    "Job": Kind("BatchV1Api", "job", "job"),
    "CronJob": Kind("BatchV1Api", "cron_job", "cronjob"),
    "HorizontalPodAutoscaler": Kind("AutoscalingV2Api", "horizontal_pod_autoscaler", "hpa"),
}


@dataclass(frozen=True)
class Sample:
    """One series of an instant PromQL query."""

    labels: dict[str, str]
    value: float


class ReadBackend(Protocol):
    """Reads, each one API call. ``get`` is None when the object does not exist, ``logs``
    None when there is no such (previous) container, ``prom`` None when Prometheus is not
    configured. Other failures raise the ``smartops.errors`` of the actions."""

    async def get(self, kind: str, name: str, namespace: str) -> Json | None: ...

    async def objects(
        self, kind: str, namespace: str, *, labels: str = "", fields: str = ""
    ) -> list[Json]: ...

    async def exists(self, kind: str, name: str, namespace: str) -> bool: ...

    async def logs(
        self, namespace: str, pod: str, container: str, *, previous: bool, tail: int, limit: int
    ) -> str | None: ...

    async def prom(self, query: str) -> list[Sample] | None: ...


class KubeReads:
    """``ReadBackend`` over the actions' Kubernetes client and Prometheus client."""

    def __init__(self, kube: Kube, prom: PromClient | None = None, user: str = "") -> None:
        self.kube, self.promclient, self.user = kube, prom, user

    @staticmethod
    def warm() -> None:
        """Import the client's API modules now (about a second each on a small machine,
        paid once per process): call it at startup, off the event loop."""
        from kubernetes import client

        for api in sorted({k.api for k in KINDS.values()}):
            getattr(client, api)

    def _api(self, kind: Kind) -> Any:
        from kubernetes import client

        return getattr(client, kind.api)(self.kube.api)

    def _method(self, kind: str, verb: str) -> tuple[Kind, Any]:
        spec = KINDS[kind]
        api = self._api(spec)
        if not spec.namespaced:
            return spec, getattr(api, f"{verb}_{spec.snake}")
        return spec, getattr(api, f"{verb}_namespaced_{spec.snake}")

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, Any]:
        headers: dict[str, str] = dict(extra or {})
        if self.user and self.kube.settings.kube_impersonate:
            headers["Impersonate-User"] = self.user
        return {"_headers": headers} if headers else {}

    async def get(self, kind: str, name: str, namespace: str) -> Json | None:
        if kind == "Secret":
            raise InvalidRequest("Secrets are only checked to exist, never read.")
        spec, method = self._method(kind, "read")
        args = (name, namespace) if spec.namespaced else (name,)
        try:
            data: Json = await self.kube.call(method, *args, **self._headers())
        except NotFound:
            return None
        return data

    async def objects(
        self, kind: str, namespace: str, *, labels: str = "", fields: str = ""
    ) -> list[Json]:
        if kind == "Secret":
            raise InvalidRequest("Secrets are only checked to exist, never listed.")
        spec = KINDS[kind]
        api = self._api(spec)
        args: tuple[str, ...] = ()
        if not spec.namespaced:
            method = getattr(api, f"list_{spec.snake}")
        elif namespace:
            method, args = getattr(api, f"list_namespaced_{spec.snake}"), (namespace,)
        else:
            method = getattr(api, f"list_{spec.snake}_for_all_namespaces")
        kwargs: dict[str, Any] = {"label_selector": labels, "field_selector": fields}
        kwargs.update(self._headers())
        try:
            data = await self.kube.call(method, *args, **kwargs)
        except NotFound:  # the resource is not served (an API group absent)
            return []
        return list(data.get("items") or [])

    async def exists(self, kind: str, name: str, namespace: str) -> bool:
        _, method = self._method(kind, "read")
        try:
            data = await self.kube.call(
                method, name, namespace, **self._headers({"Accept": METADATA_ONLY})
            )
        except NotFound:
            return False
        del data  # only the answer's status counts: nothing of the object is kept
        return True

    async def logs(
        self, namespace: str, pod: str, container: str, *, previous: bool, tail: int, limit: int
    ) -> str | None:
        method = self.kube.core().read_namespaced_pod_log
        kwargs: dict[str, Any] = {"tail_lines": tail, "limit_bytes": limit, "previous": previous}
        if container:
            kwargs["container"] = container
        try:
            text: str = await self.kube.call(
                method, pod, namespace, raw=True, **kwargs, **self._headers()
            )
        except (NotFound, InvalidRequest):  # no such container, or none terminated before
            return None
        return text

    async def prom(self, query: str) -> list[Sample] | None:
        if self.promclient is None or not self.promclient.prom_url:
            return None
        data = await self.promclient.prom("/api/v1/query", {"query": query})
        if data.get("resultType") != "vector":
            return []
        samples = []
        for item in data.get("result") or []:
            try:
                value = float((item.get("value") or [0, "nan"])[1])
            except (TypeError, ValueError):
                continue
            labels = {str(k): str(v) for k, v in (item.get("metric") or {}).items()}
            samples.append(Sample(labels, value))
        return samples
