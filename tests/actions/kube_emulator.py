"""kmock's in-memory Kubernetes API, for tests: no kube-apiserver can run here.

``kmock.KubernetesEmulator`` stores objects and answers list/get/create/patch/delete
like an API server, and the official ``kubernetes`` client works against it unchanged.
It is an emulator, not Kubernetes, so this subclass adds the few server behaviours
the actions rely on, the way the real API server behaves:

- ``dryRun=All`` on create/patch: the answer shows the result, nothing is stored;
- equality ``labelSelector`` and ``fieldSelector`` (``a=b``, ``a!=b``) on lists;
- ``pods/log``: text from ``pod_logs`` (the container's output);
- ``SubjectAccessReview``: answered from ``rbac``, a set of (user, verb, resource,
  namespace) grants ("*" matches anything), as an RBAC authorizer would.

The suite runs against a real cluster instead when ``SMARTOPS_E2E_KUBECONFIG`` is set.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp.web
import kmock
from kmock._internal import rendering

Grant = tuple[str, str, str, str]


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


def _field(obj: dict[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _selected(obj: dict[str, Any], labels: str, fields: str) -> bool:
    have = (obj.get("metadata") or {}).get("labels") or {}
    for term in filter(None, (t.strip() for t in labels.split(","))):
        key, negate, value = _term(term)
        if (have.get(key) == value) == negate:
            return False
    for term in filter(None, (t.strip() for t in fields.split(","))):
        key, negate, value = _term(term)
        if (_field(obj, key) == value) == negate:
            return False
    return True


def _term(term: str) -> tuple[str, bool, str]:
    if "!=" in term:
        key, value = term.split("!=", 1)
        return key.strip(), True, value.strip()
    key, value = term.replace("==", "=").split("=", 1)
    return key.strip(), False, value.strip()


class KubeEmulator(kmock.KubernetesEmulator):  # type: ignore[misc]
    pod_logs: dict[tuple[str, str, bool], str]
    rbac: set[Grant]

    async def _handle(self, request: rendering.Request) -> aiohttp.web.StreamResponse:
        resource = request.resource
        plural = getattr(resource, "plural", None)
        if plural == "subjectaccessreviews":
            return aiohttp.web.json_response(self._review(request.data or {}), status=201)
        if plural == "pods" and request.subresource == "log":
            previous = request.params.get("previous") == "true"
            text = self.pod_logs.get((request.namespace or "", request.name or "", previous), "")
            tail = request.params.get("tailLines")
            if tail:
                text = "\n".join(text.splitlines()[-int(tail) :])
            return aiohttp.web.Response(text=text)
        if request.params.get("dryRun") == "All" and request.method in ("PATCH", "POST"):
            return aiohttp.web.json_response(self._dry_run(request))
        if request.action == kmock.action.LIST and (
            request.params.get("labelSelector") or request.params.get("fieldSelector")
        ):
            return aiohttp.web.json_response(self._list(request))
        response: aiohttp.web.StreamResponse = await super()._handle(request)
        return response

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
            and _selected(obj.raw, labels, fields)
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
        allowed = any(
            all(
                g in ("*", v) for g, v in zip(grant, (user, verb, resource, namespace), strict=True)
            )
            for grant in self.rbac
        )
        reason = "granted by the test RBAC table" if allowed else ""
        return {**review, "status": {"allowed": allowed, "reason": reason}}


@contextmanager
def running_emulator() -> Iterator[tuple[str, KubeEmulator]]:
    """The emulator on a free loopback port, served from its own thread and event loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    emulator = KubeEmulator()
    emulator.pod_logs = {}
    emulator.rbac = set()
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


def kubeconfig(url: str) -> str:
    """A kubeconfig (JSON is YAML) pointing the official client at ``url``."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "emulator",
            "clusters": [{"name": "emulator", "cluster": {"server": url}}],
            "users": [{"name": "smartops", "user": {"token": "emulator-token"}}],
            "contexts": [
                {"name": "emulator", "context": {"cluster": "emulator", "user": "smartops"}}
            ],
        }
    )
