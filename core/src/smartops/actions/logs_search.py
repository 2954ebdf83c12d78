"""Search the cluster's logs: OpenSearch ``logs-*`` indices when configured, pod logs otherwise.

The indices are the ones a log shipper (Fluent Bit, Vector) writes, with the usual
fields: ``@timestamp``, the line in ``log`` or ``message``, and ``kubernetes.namespace_name``
/ ``kubernetes.pod_name``.
"""

from __future__ import annotations

from typing import Any

import httpx

from smartops.actions import catalog as c
from smartops.actions.k8s import Kube
from smartops.actions.render import Note, Phrase, Result, Table
from smartops.config_sections import ActionsSettings
from smartops.edge.client import http_client
from smartops.errors import InvalidRequest, UpstreamError, UpstreamUnavailable

NAMESPACE_FIELD = "kubernetes.namespace_name"
POD_FIELD = "kubernetes.pod_name"
MAX_PODS = 10


def search_body(args: c.LogSearchArgs, size: int) -> dict[str, Any]:
    filters: list[dict[str, Any]] = [{"range": {"@timestamp": {"gte": f"now-{args.minutes}m"}}}]
    if args.namespace:
        filters.append({"term": {NAMESPACE_FIELD: args.namespace}})
    if args.pod:
        filters.append({"prefix": {POD_FIELD: args.pod}})
    return {
        "size": size,
        "sort": [{"@timestamp": {"order": "desc"}}],
        "query": {
            "bool": {
                "must": [
                    {
                        "simple_query_string": {
                            "query": args.text,
                            "fields": ["log", "message"],
                            "default_operator": "and",
                        }
                    }
                ],
                "filter": filters,
            }
        },
    }


class LogSearch:
    def __init__(
        self, settings: ActionsSettings, kube: Kube, http: httpx.AsyncClient | None = None
    ):
        self.url = settings.logs_url.rstrip("/")
        self.index = settings.logs_index
        self.size = settings.max_rows * 5
        self.kube = kube
        self._http = http or http_client(timeout=settings.timeout_s)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def search(self, args: c.LogSearchArgs, user: str) -> Result:
        if self.url:
            return await self._opensearch(args)
        return await self._pod_logs(args, user)

    async def _opensearch(self, args: c.LogSearchArgs) -> Result:
        try:
            response = await self._http.post(
                f"{self.url}/{self.index}/_search", json=search_body(args, self.size)
            )
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(
                f"The log store cannot be reached ({type(exc).__name__})."
            ) from None
        if response.status_code == 400:
            raise InvalidRequest("The log store rejected the search.", code="bad_log_search")
        if response.status_code >= 300:
            raise UpstreamError(f"The log store answered {response.status_code}.")
        hits = response.json().get("hits", {})
        total = hits.get("total", {})
        rows = [_hit_row(h.get("_source") or {}) for h in hits.get("hits") or []]
        count = total.get("value", len(rows)) if isinstance(total, dict) else total
        return Result(
            [
                Table(
                    ["time", "namespace", "pod", "line"],
                    rows,
                    "matching lines",
                    Phrase(
                        "logs_matching", {"text": args.text, "count": count, "index": self.index}
                    ),
                )
            ]
        )

    async def _pod_logs(self, args: c.LogSearchArgs, user: str) -> Result:
        if not args.namespace:
            raise InvalidRequest(
                "No log store is configured: name a namespace (and a pod) to search its pod logs.",
                code="log_search_needs_namespace",
            )
        core = self.kube.core()
        pods = await self.kube.call(core.list_namespaced_pod, args.namespace, user=user)
        names = [
            p["metadata"]["name"]
            for p in pods.get("items") or []
            if not args.pod or p["metadata"]["name"].startswith(args.pod)
        ][:MAX_PODS]
        rows: list[list[str]] = []
        needle = args.text.lower()
        for name in names:
            text = await self.kube.call(
                core.read_namespaced_pod_log,
                name,
                args.namespace,
                user=user,
                raw=True,
                since_seconds=args.minutes * 60,
                tail_lines=2000,
            )
            rows += [
                ["", args.namespace, name, line]
                for line in text.splitlines()
                if needle in line.lower()
            ]
        note = Note(Phrase("logs_no_store", {"pods": len(names)}))
        return Result([note, Table(["time", "namespace", "pod", "line"], rows, "matching lines")])


def _hit_row(source: dict[str, Any]) -> list[str]:
    k8s = source.get("kubernetes") or {}
    return [
        str(source.get("@timestamp", "")),
        str(k8s.get("namespace_name") or source.get(NAMESPACE_FIELD, "")),
        str(k8s.get("pod_name") or source.get(POD_FIELD, "")),
        str(source.get("log") or source.get("message") or ""),
    ]
