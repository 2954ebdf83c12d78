"""Dispatch: from a validated action to the function that runs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from smartops.actions import catalog as c
from smartops.actions import k8s_describe, k8s_reads, k8s_writes
from smartops.actions.k8s import Kube
from smartops.actions.logs_search import LogSearch
from smartops.actions.prom import PromClient
from smartops.actions.render import Result

Read = Callable[[Any, str], Awaitable[Result]]
Write = Callable[[Any, str, bool], Awaitable[Result]]


class Executors:
    def __init__(self, kube: Kube, prom: PromClient, logs: LogSearch) -> None:
        self.kube, self.prom, self.logs = kube, prom, logs
        k = kube
        self.reads: dict[str, Read] = {
            "get_pods": lambda a, u: k8s_reads.get_pods(k, a, u),
            "describe_pod": lambda a, u: k8s_describe.describe_pod(k, a, u),
            "pod_logs": lambda a, u: k8s_reads.pod_logs(k, a, u),
            "get_events": lambda a, u: k8s_reads.get_events(k, a, u),
            "get_deployments": lambda a, u: k8s_reads.get_deployments(k, a, u),
            "get_nodes": lambda a, u: k8s_reads.get_nodes(k, a, u),
            "rollout_status": lambda a, u: k8s_reads.rollout_status(k, a, u),
            "top_pods": lambda a, u: k8s_reads.top_pods(k, a, u),
            "prom_query": lambda a, u: prom.query(a),
            "prom_range": lambda a, u: prom.range(a),
            "prom_alerts": lambda a, u: prom.alerts(a.namespace),
            "prom_targets": lambda a, u: prom.targets(a),
            "metric": lambda a, u: prom.metric(a),
            "am_alerts": lambda a, u: prom.am_alert_table(a.namespace),
            "search_logs": lambda a, u: logs.search(a, u),
        }
        self.writes: dict[str, Write] = {
            "rollout_restart": lambda a, u, d: k8s_writes.rollout_restart(k, a, u, d),
            "scale": lambda a, u, d: k8s_writes.scale(k, a, u, d),
            "rollout_undo": lambda a, u, d: k8s_writes.rollout_undo(k, a, u, d),
            "cordon": lambda a, u, d: k8s_writes.cordon(k, a, u, d),
            "silence": lambda a, u, d: prom.silence(a, u, d),
        }
        missing = set(c.ACTIONS) - set(self.reads) - set(self.writes)
        assert not missing, f"actions without an executor: {missing}"

    async def read(self, action: c.Action, args: c.Args, user: str) -> Result:
        return await self.reads[action.name](args, user)

    async def write(self, action: c.Action, args: c.Args, user: str, dry_run: bool) -> Result:
        return await self.writes[action.name](args, user, dry_run)

    async def aclose(self) -> None:
        await self.prom.aclose()
        await self.logs.aclose()
        self.kube.close()
