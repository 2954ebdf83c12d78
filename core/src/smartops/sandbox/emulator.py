"""kmock's in-memory Kubernetes API, with the server behaviours smartops relies on.

``kmock.KubernetesEmulator`` stores objects and answers list/get/create/patch/delete
like an API server, and the official ``kubernetes`` client works against it unchanged.
It is an emulator, not Kubernetes, so this subclass adds what the actions and the
investigations rely on, the way the real API server behaves:

- ``dryRun=All`` on create/patch: the answer shows the result, nothing is stored;
- equality ``labelSelector`` and ``fieldSelector`` (``a=b``, ``a!=b``) on lists;
- ``pods/log``: per container (``container_logs``) or per pod (``pod_logs``), with
  ``previous``, ``tailLines`` and ``limitBytes``; a previous container that never
  terminated, or one still waiting to start, answers 400 like the kubelet;
- ``Accept: ...;as=PartialObjectMetadata``: only the object's metadata;
- ``SubjectAccessReview``: answered from ``rbac``, a set of (user, verb, resource,
  namespace) grants ("*" matches anything), as an RBAC authorizer would; ``allow_all``
  answers yes to everything.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp.web
import kmock
from kmock._internal import rendering

from smartops.sandbox.scenario import selected

Grant = tuple[str, str, str, str]
LogKey = tuple[str, str, str, bool]  # (namespace, pod, container, previous)


def _merge(base: Any, patch: Any) -> Any:
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = dict(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merge(base.get(key), value)
    return merged


def _status(code: int, reason: str, message: str) -> aiohttp.web.Response:
    body = {
        "apiVersion": "v1",
        "kind": "Status",
        "status": "Failure",
        "code": code,
        "reason": reason,
        "message": message,
        "metadata": {},
    }
    return aiohttp.web.json_response(body, status=code)


_NAMED = (kmock.action.FETCH, kmock.action.UPDATE, kmock.action.DELETE)


class KubeEmulator(kmock.KubernetesEmulator):  # type: ignore[misc]
    pod_logs: dict[tuple[str, str, bool], str]
    container_logs: dict[LogKey, str]
    rbac: set[Grant]
    allow_all: bool

    async def _handle(self, request: rendering.Request) -> aiohttp.web.StreamResponse:
        resource = request.resource
        plural = getattr(resource, "plural", None)
        if plural == "subjectaccessreviews":
            return aiohttp.web.json_response(self._review(request.data or {}), status=201)
        if plural == "pods" and request.subresource == "log":
            return self._log(request)
        if request.name and request.action in _NAMED and self._stored(request) is None:
            # What a real API server says, not the emulator's own hint for test authors.
            group = getattr(resource, "group", "") or ""
            kind = f"{plural}.{group}" if group else str(plural)
            return _status(404, "NotFound", f'{kind} "{request.name}" not found')
        if request.params.get("dryRun") == "All" and request.method in ("PATCH", "POST"):
            return aiohttp.web.json_response(self._dry_run(request))
        if request.action == kmock.action.LIST and (
            request.params.get("labelSelector") or request.params.get("fieldSelector")
        ):
            return aiohttp.web.json_response(self._list(request))
        if request.action == kmock.action.FETCH and "PartialObjectMetadata" in str(
            request.headers.get("Accept", "")
        ):
            return aiohttp.web.json_response(_metadata_only(self._stored(request) or {}))
        response: aiohttp.web.StreamResponse = await super()._handle(request)
        return response

    def _log(self, request: rendering.Request) -> aiohttp.web.StreamResponse:
        ns, pod = request.namespace or "", request.name or ""
        previous = request.params.get("previous") == "true"
        container = request.params.get("container", "")
        if any(k[:2] == (ns, pod) for k in self.container_logs):
            found = self._container_log(ns, pod, container, previous)
            if isinstance(found, aiohttp.web.StreamResponse):
                return found
            text = found
        else:
            text = self.pod_logs.get((ns, pod, previous), "")
        tail = request.params.get("tailLines")
        if tail:
            text = "\n".join(text.splitlines()[-int(tail) :])
        limit = request.params.get("limitBytes")
        if limit:
            text = text.encode()[-int(limit) :].decode("utf-8", "ignore")
        return aiohttp.web.Response(text=text)

    def _container_log(
        self, ns: str, pod: str, container: str, previous: bool
    ) -> str | aiohttp.web.StreamResponse:
        names = sorted({k[2] for k in self.container_logs if k[:2] == (ns, pod)})
        stored = self._stored_object("v1/pods", ns, pod) or {}
        declared = [c.get("name") for c in (stored.get("spec") or {}).get("containers") or []]
        if not container:
            if len(declared) > 1:
                return _status(
                    400,
                    "BadRequest",
                    f"a container name must be specified for pod "
                    f"{pod}, choose one of: [{' '.join(map(str, declared))}]",
                )
            container = str(declared[0]) if declared else (names[0] if names else "")
        key = (ns, pod, container, previous)
        if key in self.container_logs:
            return self.container_logs[key]
        if previous:
            return _status(
                400,
                "BadRequest",
                f'previous terminated container "{container}" in pod "{pod}" not found',
            )
        return _status(
            400, "BadRequest", f'container "{container}" in pod "{pod}" is waiting to start'
        )

    def _stored_object(self, resource: str, ns: str | None, name: str) -> dict[str, Any] | None:
        try:
            obj = self.objects[resource, ns, name]
        except KeyError:
            return None
        return None if obj.deleted else dict(obj.raw)

    def _stored(self, request: rendering.Request) -> dict[str, Any] | None:
        for (resource, namespace, name), obj in self.objects.items():
            same = (resource, namespace, name) == (
                request.resource,
                request.namespace,
                request.name,
            )
            if same and not obj.deleted:
                return dict(obj.raw)
        return None

    def _dry_run(self, request: rendering.Request) -> dict[str, Any]:
        if request.method == "POST":
            return dict(request.data)
        current = self._stored(request)
        if current is None:
            raise kmock.KubernetesObjectNotFoundError()
        return dict(_merge(current, request.data))

    def _list(self, request: rendering.Request) -> dict[str, Any]:
        labels = request.params.get("labelSelector", "")
        fields = request.params.get("fieldSelector", "")
        items = [
            obj.raw
            for (resource, namespace, _), obj in self.objects.items()
            if resource == request.resource
            and not obj.deleted
            and (request.namespace is None or namespace == request.namespace)
            and selected(obj.raw, labels, fields)
        ]
        return {"metadata": {"resourceVersion": "1"}, "items": items}

    def _review(self, review: dict[str, Any]) -> dict[str, Any]:
        spec = review.get("spec") or {}
        attrs = spec.get("resourceAttributes") or {}
        user, verb = spec.get("user", ""), attrs.get("verb", "")
        resource = attrs.get("resource", "") + (
            "/" + attrs["subresource"] if attrs.get("subresource") else ""
        )
        namespace = attrs.get("namespace", "")
        allowed = self.allow_all or any(
            all(
                g in ("*", v) for g, v in zip(grant, (user, verb, resource, namespace), strict=True)
            )
            for grant in self.rbac
        )
        reason = "granted by the RBAC table" if allowed else ""
        return {**review, "status": {"allowed": allowed, "reason": reason}}


def _metadata_only(obj: dict[str, Any]) -> dict[str, Any]:
    meta = dict(obj.get("metadata") or {})
    meta.pop("managedFields", None)
    return {"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata", "metadata": meta}


def new_emulator() -> KubeEmulator:
    emulator = KubeEmulator()
    emulator.pod_logs = {}
    emulator.container_logs = {}
    emulator.rbac = set()
    emulator.allow_all = False
    with warnings.catch_warnings():  # kmock reads its bundled file with a deprecated call
        warnings.simplefilter("ignore", DeprecationWarning)
        emulator.resources.load_bundled()
    return emulator


@contextmanager
def running_emulator(
    emulator: KubeEmulator | None = None,
) -> Iterator[tuple[str, KubeEmulator]]:
    """The emulator on a free loopback port, served from its own thread and event loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True, name="kube-emulator")
    thread.start()
    emulator = emulator if emulator is not None else new_emulator()
    server = kmock.Server(emulator)

    async def start() -> str:
        await emulator.__aenter__()
        await server.__aenter__()
        return f"http://127.0.0.1:{server.port}"

    async def stop() -> None:
        await server.__aexit__(None, None, None)
        await emulator.__aexit__(None, None, None)

    url = asyncio.run_coroutine_threadsafe(start(), loop).result(30)
    try:
        yield url, emulator
    finally:
        asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def kubeconfig(url: str, name: str = "emulator") -> str:
    """A kubeconfig (JSON is YAML) pointing the official client at ``url``."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": name,
            "clusters": [{"name": name, "cluster": {"server": url}}],
            "users": [{"name": "smartops", "user": {"token": f"{name}-token"}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": "smartops"}}],
        }
    )
