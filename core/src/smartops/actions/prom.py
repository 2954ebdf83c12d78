"""Prometheus and Alertmanager through their HTTP APIs (httpx).

Prometheus: instant and range queries, firing alerts, target health, and metrics in
plain words (PromQL templates from ``queries.yaml``; the answer shows the query it ran).
Alertmanager: list alerts, and silences with a preview (what they would match) first.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import httpx
import yaml

from smartops.actions import catalog as c
from smartops.actions.render import Change, Code, Note, Phrase, Result, Table
from smartops.config_sections import ActionsSettings
from smartops.edge.client import http_client
from smartops.errors import InvalidRequest, UpstreamError, UpstreamTimeout, UpstreamUnavailable

Json = dict[str, Any]


def query_templates() -> dict[str, Json]:
    text = resources.files("smartops.actions").joinpath("queries.yaml").read_text()
    data: dict[str, Json] = yaml.safe_load(text)
    return data


def metric_query(args: c.MetricArgs, templates: dict[str, Json]) -> tuple[str, str]:
    """The PromQL (and its title) for a metric asked in plain words."""
    spec = templates[args.metric]
    query = str(spec["query"]).format(
        namespace=args.namespace or ".+",
        pod=f"{args.pod}.*" if args.pod else ".+",
        service=args.service or ".+",
        minutes=args.minutes,
    )
    return " ".join(query.split()), str(spec["title"])


class PromClient:
    """Prometheus and Alertmanager; either may be unconfigured (empty URL)."""

    def __init__(self, settings: ActionsSettings, http: httpx.AsyncClient | None = None) -> None:
        self.prom_url = settings.prometheus_url.rstrip("/")
        self.am_url = settings.alertmanager_url.rstrip("/")
        self._http = http or http_client(timeout=settings.timeout_s)
        self.templates = query_templates()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, base: str, what: str, method: str, path: str, **kw: Any) -> Any:
        if not base:
            raise UpstreamUnavailable(
                f"{what} is not configured (set SMARTOPS_ACTIONS_{what.upper()}_URL).",
                code=f"{what.lower()}_not_configured",
            )
        try:
            response = await self._http.request(method, f"{base}{path}", **kw)
        except httpx.TimeoutException:
            raise UpstreamTimeout(f"{what} did not answer in time.") from None
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(
                f"{what} at {base} cannot be reached ({type(exc).__name__})."
            ) from None
        if response.status_code == 400 or response.status_code == 422:
            raise InvalidRequest(f"{what} rejected it: {_error(response)}", code="bad_query")
        if response.status_code >= 300:
            raise UpstreamError(f"{what} answered {response.status_code}: {_error(response)}")
        return response.json() if response.content else {}

    async def prom(self, path: str, params: Json) -> Json:
        body: Json = await self._request(self.prom_url, "Prometheus", "GET", path, params=params)
        return dict(body.get("data") or {}) if isinstance(body.get("data"), dict) else body

    async def rules(self) -> Json:
        """The alerting rules Prometheus has loaded (``/api/v1/rules``'s ``data``)."""
        return await self.prom("/api/v1/rules", {"type": "alert"})

    async def query(self, args: c.QueryArgs) -> Result:
        data = await self.prom("/api/v1/query", {"query": args.query})
        return Result([Code(args.query, "promql", Phrase("query")), _result_table(data)])

    async def range(self, args: c.RangeArgs) -> Result:
        end = time.time()
        params = {
            "query": args.query,
            "start": end - args.minutes * 60,
            "end": end,
            "step": args.step_s,
        }
        data = await self.prom("/api/v1/query_range", params)
        title = Phrase("query_range", {"minutes": args.minutes})
        return Result([Code(args.query, "promql", title), _result_table(data)])

    async def metric(self, args: c.MetricArgs) -> Result:
        query, title = metric_query(args, self.templates)
        data = await self.prom("/api/v1/query", {"query": query})
        russian = str(self.templates[args.metric].get("title_ru") or title)
        heading = Phrase("metric_query", {"title": title, "title_ru": russian})
        return Result([Code(query, "promql", heading), _result_table(data)])

    async def alerts(self, namespace: str | None = None) -> Result:
        data = await self.prom("/api/v1/alerts", {})
        found = [
            a
            for a in data.get("alerts") or []
            if namespace is None or a.get("labels", {}).get("namespace") == namespace
        ]
        rows = [
            [
                a.get("labels", {}).get("alertname", ""),
                a.get("state", ""),
                a.get("labels", {}).get("severity", ""),
                _where(a.get("labels", {})),
                a.get("activeAt", ""),
                a.get("annotations", {}).get("summary", ""),
            ]
            for a in found
        ]
        columns = ["alert", "state", "severity", "where", "active since", "summary"]
        return Result([Table(columns, rows, "alerts")])

    async def targets(self, args: c.TargetsArgs) -> Result:
        data = await self.prom("/api/v1/targets", {"state": "active"})
        rows = [
            [
                t.get("labels", {}).get("job", ""),
                t.get("labels", {}).get("instance", ""),
                t.get("health", ""),
                t.get("lastScrape", ""),
                t.get("lastError", ""),
            ]
            for t in data.get("activeTargets") or []
            if args.state == "any" or t.get("health") == args.state
        ]
        return Result(
            [Table(["job", "instance", "health", "last scrape", "error"], rows, "targets")]
        )

    async def am_alerts(self, matchers: dict[str, str] | None = None) -> list[Json]:
        params = [("filter", f'{k}="{v}"') for k, v in (matchers or {}).items()]
        alerts: list[Json] = await self._request(
            self.am_url, "Alertmanager", "GET", "/api/v2/alerts", params=params
        )
        return alerts

    async def am_alert_table(self, namespace: str | None = None) -> Result:
        rows = [
            [
                a.get("labels", {}).get("alertname", ""),
                (a.get("status") or {}).get("state", ""),
                a.get("labels", {}).get("severity", ""),
                _where(a.get("labels", {})),
                a.get("startsAt", ""),
                a.get("annotations", {}).get("summary", ""),
            ]
            for a in await self.am_alerts({"namespace": namespace} if namespace else None)
        ]
        columns = ["alert", "state", "severity", "where", "since", "summary"]
        return Result([Table(columns, rows, "alerts")])

    async def silence(self, args: c.SilenceArgs, user: str, dry_run: bool) -> Result:
        matching = await self.am_alerts(args.matchers)
        starts = datetime.now(UTC)
        body = {
            "matchers": [
                {"name": k, "value": v, "isRegex": False, "isEqual": True}
                for k, v in args.matchers.items()
            ],
            "startsAt": starts.isoformat(),
            "endsAt": (starts + timedelta(minutes=args.minutes)).isoformat(),
            "createdBy": user or "smartops",
            "comment": args.comment,
        }
        what = ",".join(f'{k}="{v}"' for k, v in args.matchers.items())
        span = Phrase("silence_for", {"what": what, "minutes": args.minutes})
        changes = [
            Change("alertmanager", "silence", Phrase("none_yet"), span),
            Change("alertmanager", Phrase("silences_now"), "0", str(len(matching))),
        ]
        if dry_run:
            found = Phrase("silence_matches", {"alerts": len(matching), "what": what})
            return Result(changes=changes, summary=found)
        created = await self._request(
            self.am_url, "Alertmanager", "POST", "/api/v2/silences", json=body
        )
        silence = {"id": created.get("silenceID", "")}
        return Result(
            [Note(Phrase("silence_id", silence))],
            changes=changes,
            summary=Phrase("silence_created", silence),
        )


async def loaded_rules(settings: ActionsSettings) -> Json:
    """The alerting rules of the configured Prometheus, with a client of its own."""
    prom = PromClient(settings)
    try:
        return await prom.rules()
    finally:
        await prom.aclose()


def _where(labels: Json) -> str:
    return "/".join(str(labels[k]) for k in ("namespace", "pod", "service") if labels.get(k))


def _labels(metric: Json) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(metric.items()))


def _result_table(data: Json) -> Table | Note:
    kind, result = data.get("resultType"), data.get("result")
    if kind == "vector":
        rows = [
            [_labels(s.get("metric", {})) or "{}", s.get("value", [0, ""])[1]] for s in result or []
        ]
        return Table(["series", "value"], rows, "series", Phrase("result"))
    if kind == "matrix":
        rows = []
        for s in result or []:
            values = [float(v[1]) for v in s.get("values") or []]
            rows.append(
                [
                    _labels(s.get("metric", {})) or "{}",
                    f"{min(values):.6g}",
                    f"{max(values):.6g}",
                    f"{values[-1]:.6g}",
                    str(len(values)),
                ]
                if values
                else [_labels(s.get("metric", {})), "", "", "", "0"]
            )
        return Table(["series", "min", "max", "last", "points"], rows, "series", Phrase("result"))
    if kind in ("scalar", "string") and isinstance(result, list):
        return Note(Phrase("result_value", {"value": result[1]}))
    return Note(Phrase("query_empty"))


def _error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    if isinstance(body, dict):
        return str(body.get("error") or body.get("message") or body)[:300]
    return str(body)[:300]
