"""The investigate stage: "what's wrong with pod X?" answered from the cluster's evidence.

It acts on the router's ``investigate`` route only. The reads go through the actions'
own Kubernetes and Prometheus clients (the same kubeconfig, impersonation and timeouts)
and the actions' policy: the user must be allowed the read actions an investigation is
made of (``describe_pod``, ``get_pods``, ``get_events``, ``pod_logs``,
``get_deployments``, ``get_nodes``, ``prom_query``); a read the policy denies is not
made and shows as refused in the answer, never bypassed. The answer is complete without
any model, in the question's language, and never cached; in ``synthesize`` mode a
report with findings is followed by the model's short, checked summary of them
(``smartops.investigate.summary``).

``build(shared)`` also gives the alert handlers their investigator: a firing alert is
investigated once per occurrence, with the gateway's own identity, bounded in calls,
bytes and time (``AlertInvestigator``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from smartops import prompts
from smartops.actions import catalog
from smartops.actions.k8s import Json, Kube
from smartops.actions.policy import Policy
from smartops.actions.prom import PromClient
from smartops.answers.mode import mode_of
from smartops.citations import docs_link
from smartops.composition import Contribution, Shared
from smartops.config import Settings
from smartops.errors import PermissionDenied
from smartops.eventing.alerts import AlertCause
from smartops.investigate.engine import investigate, investigate_alert
from smartops.investigate.messages import Language, language_of
from smartops.investigate.model import Limits, Report, Target
from smartops.investigate.reads import KubeReads, ReadBackend, Sample
from smartops.investigate.render import render, summary_line
from smartops.investigate.summary import summary_of
from smartops.investigate.text import target_from_text
from smartops.metrics import Metrics
from smartops.routing.types import Target as RoutedTarget
from smartops.turn import Principal, Reply, Summary, Turn

log = logging.getLogger(__name__)
ROUTE = "investigate"
HEADER = "X-Smartops-Investigation"
# The read action of the catalog each kind of read stands for (for the policy).
_ACTION_OF_KIND = {
    "Pod": "describe_pod",
    "Event": "get_events",
    "Node": "get_nodes",
    "Deployment": "get_deployments",
    "ReplicaSet": "get_deployments",
    "StatefulSet": "get_deployments",
    "DaemonSet": "get_deployments",
    "Job": "get_deployments",
    "CronJob": "get_deployments",
    "HorizontalPodAutoscaler": "get_deployments",
}


def kube_user(principal: Principal) -> str:
    return principal.email or principal.user


class PolicyReads:
    """A ``ReadBackend`` that asks the actions' policy before each read."""

    def __init__(self, inner: ReadBackend, policy: Policy, principal: Principal) -> None:
        self.inner, self.policy, self.principal = inner, policy, principal

    def _check(self, action: str, namespace: str | None) -> None:
        decision = self.policy.decide(self.principal, catalog.ACTIONS[action], namespace)
        if not decision.allowed:
            raise PermissionDenied(f"policy: {decision.reason}")

    def _kind(self, kind: str, namespace: str, listing: bool = False) -> None:
        action = "get_pods" if kind == "Pod" and listing else _ACTION_OF_KIND.get(kind, "")
        # Services, endpoints, volumes, config references: what describe_pod shows.
        action = action or "describe_pod"
        self._check(action, None if kind == "Node" else (namespace or None))

    async def get(self, kind: str, name: str, namespace: str) -> Json | None:
        self._kind(kind, namespace)
        return await self.inner.get(kind, name, namespace)

    async def objects(
        self, kind: str, namespace: str, *, labels: str = "", fields: str = ""
    ) -> list[Json]:
        self._kind(kind, namespace, listing=True)
        return await self.inner.objects(kind, namespace, labels=labels, fields=fields)

    async def exists(self, kind: str, name: str, namespace: str) -> bool:
        self._kind(kind, namespace)
        return await self.inner.exists(kind, name, namespace)

    async def logs(
        self, namespace: str, pod: str, container: str, *, previous: bool, tail: int, limit: int
    ) -> str | None:
        self._check("pod_logs", namespace or None)
        return await self.inner.logs(
            namespace, pod, container, previous=previous, tail=tail, limit=limit
        )

    async def prom(self, query: str) -> list[Sample] | None:
        self._check("prom_query", None)
        return await self.inner.prom(query)


@dataclass
class Clients:
    """The cluster and Prometheus as the actions see them, and who may read what."""

    kube: Kube
    prom: PromClient
    policy: Policy

    async def aclose(self) -> None:
        await self.prom.aclose()
        self.kube.close()


class InvestigateStage:
    name = "investigate"

    def __init__(
        self,
        clients: Clients,
        metrics: Metrics,
        limits: Limits | None = None,
        *,
        settings: Settings | None = None,  # none: the report alone, never a model summary
    ) -> None:
        self.clients, self.metrics = clients, metrics
        self.limits = limits or Limits()
        self.settings = settings

    async def before(self, turn: Turn) -> Reply | None:
        decision = turn.decision
        if decision is None or decision.route != ROUTE:
            return None
        turn.cacheable = False
        turn.headers[HEADER] = "unanswered"
        question = turn.request.question
        language = language_of(question)
        if not self.clients.kube.configured:
            return Reply(prompts.render("investigation_unconfigured", language=language))
        target = target_of(question, decision.target)
        if target is None:
            return Reply(prompts.render("investigation_no_target", language=language))
        denied = self._denied(turn.principal, target, language)
        if denied:
            return Reply(denied)
        reads = KubeReads(self.clients.kube, self.clients.prom, kube_user(turn.principal))
        guarded = PolicyReads(reads, self.clients.policy, turn.principal)
        report = await investigate(target, guarded, limits=self.limits)
        log.info(
            "investigated",
            extra={
                "target": target.describe(),
                "found": report.found,
                "top": report.top.analyzer if report.top else "",
                "reads": len(report.reads),
                "elapsed_ms": report.elapsed_ms,
            },
        )
        # The top finding's analyzer (an evaluation through the gateway judges it).
        turn.headers[HEADER] = report.top.analyzer if report.top else top_of(report)
        text = render(report, language)
        return Reply(text, summary=self._summary(turn, report, text, language))

    def _summary(self, turn: Turn, report: Report, text: str, language: Language) -> Summary | None:
        """The model's checked summary after the report: findings in synthesize mode only."""
        if self.settings is None or not report.findings:
            return None
        if mode_of(turn, self.settings) != "synthesize":
            return None
        return summary_of(report, text, turn, self.settings, language)

    def _denied(self, principal: Principal, target: Target, language: Language) -> str:
        """Empty when the user may read the object asked about; else why not."""
        action = catalog.ACTIONS["get_nodes" if target.kind == "node" else "describe_pod"]
        namespace = None if target.kind == "node" else (target.namespace or None)
        decision = self.clients.policy.decide(principal, action, namespace)
        if decision.allowed:
            return ""
        return prompts.render(
            "action_denied",
            action=action.name,
            namespace=namespace or "",
            user=kube_user(principal),
            reason=decision.reason,
            language=language,
            docs=partial(docs_link, self.settings) if self.settings else None,
        )

    async def after(self, turn: Turn, answer: str) -> None:
        return None


def top_of(report: Report) -> str:
    """What the header says when no finding ranks: a healthy object, or none found."""
    return "none" if report.found else "not_found"


def target_of(question: str, routed: RoutedTarget | None) -> Target | None:
    """The object asked about: parsed from the question, completed by the router's."""
    parsed = target_from_text(question)
    name = routed.name if routed and routed.name else ""
    namespace = routed.namespace if routed and routed.namespace else ""
    if parsed is None:
        if not name:
            return None
        kind = routed.kind if routed and routed.kind else ""
        return Target(kind=kind, name=name, namespace=namespace)
    if namespace and not parsed.namespace:
        return parsed.model_copy(update={"namespace": namespace})
    return parsed


class AlertInvestigator:
    """The cause of a firing alert, for its document: bounded, never raising."""

    def __init__(self, clients: Clients, limits: Limits | None = None, parallel: int = 2) -> None:
        self.clients = clients
        self.limits = limits or Limits()
        self._slots = asyncio.Semaphore(parallel)

    async def __call__(self, labels: Mapping[str, str]) -> AlertCause | None:
        if not self.clients.kube.configured:
            return None
        reads = KubeReads(self.clients.kube, self.clients.prom)
        try:
            async with self._slots:
                report = await asyncio.wait_for(
                    investigate_alert(labels, reads, limits=self.limits),
                    self.limits.timeout_s + 2.0,
                )
        except Exception as exc:  # the alert goes in without its cause
            log.warning("alert not investigated", extra={"error": type(exc).__name__})
            return None
        return cause_of(report)


def cause_of(report: Report) -> AlertCause | None:
    if not report.found:
        return None
    top = report.top
    return AlertCause(
        text=summary_line(report, "en"),
        text_ru=summary_line(report, "ru"),
        analyzer=top.analyzer if top else "",
        subject=top.subject if top else report.resolved,
        evidence=[q.text for q in top.evidence[:2]] if top else [],
    )


@dataclass
class InvestigateContribution(Contribution):
    """The stage, and the investigator the alert handlers use."""

    alerts: AlertInvestigator | None = None


def build(shared: Shared) -> InvestigateContribution:
    """The investigate stage over the actions' clients; nothing when actions are off."""
    settings = shared.settings
    if not settings.actions.enabled:
        return InvestigateContribution()
    clients = Clients(
        Kube(settings.actions),
        PromClient(settings.actions),
        Policy.load(settings.actions.policy_file),
    )

    async def warm() -> None:
        if clients.kube.configured:
            await asyncio.to_thread(KubeReads.warm)

    return InvestigateContribution(
        stage=InvestigateStage(clients, shared.metrics, settings=settings),
        closers=[clients.aclose],
        startup=[warm],
        alerts=AlertInvestigator(clients),
    )


__all__ = ["AlertInvestigator", "InvestigateStage", "Language", "PolicyReads", "build"]
