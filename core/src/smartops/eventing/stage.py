"""The alerts stage: "which alerts are firing (in payments)?" answered from the alert documents.

When the router sends a message to the live alerts (``live_read`` with ``prom_alerts``
or ``am_alerts``), the answer comes from the alert documents Alertmanager fed, with each
alert's runbook, without the LLM: the list is exact and current, and never cached. A
message that names Prometheus or Alertmanager is left to the live query of the actions.
With an empty store and neither configured, the answer says what is known and how to
connect them. If the alert store is down, the live query answers and says so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from redis.exceptions import RedisError

from smartops import prompts
from smartops.actions.replies import DocsLink
from smartops.answers.language import language_of
from smartops.eventing.alerts import AlertDoc, AlertStore
from smartops.metrics import Metrics
from smartops.notices import notice
from smartops.turn import Reply, Source, Turn

log = logging.getLogger(__name__)
_ALERT = re.compile(r"\balerts?\b", re.IGNORECASE)
_ASKS = re.compile(
    r"\b(firing|fired|active|open|ongoing|current(ly)?|now|going off|resolved|which|what|"
    r"any|list|show)\b",
    re.IGNORECASE,
)
_RESOLVED = re.compile(r"\bresolved\b", re.IGNORECASE)
_SCOPE = re.compile(r"\b(?:in|for|on|of)\s+(?:the\s+)?([A-Za-z0-9][\w.-]*)", re.IGNORECASE)
_NOT_SCOPE = frozenset({"the", "a", "an", "my", "our", "all", "now", "production", "cluster"})


_LIVE_SOURCE = re.compile(r"\b(prometheus|alertmanager|promql)\b", re.IGNORECASE)


ALERT_ACTIONS = frozenset({"prom_alerts", "am_alerts"})


def is_alert_question(turn: Turn) -> bool:
    """Routed to the live alerts, without naming Prometheus or Alertmanager (those are
    asked directly by the actions)."""
    decision = turn.decision
    if decision is None:
        question = turn.request.question
        return bool(_ALERT.search(question) and _ASKS.search(question))
    intent = decision.intent
    return (
        decision.route == "live_read"
        and intent is not None
        and intent.action in ALERT_ACTIONS
        and not _LIVE_SOURCE.search(turn.request.question)
    )


def scopes(question: str, docs: Sequence[AlertDoc]) -> list[str]:
    """Words after in/for/on that name a label value of some alert ("in payments")."""
    values = {v.lower() for d in docs for v in d.labels.values()}
    words = [w.lower().rstrip(".?!") for w in _SCOPE.findall(question)]
    candidates = [w for w in words if w not in _NOT_SCOPE]
    known = [w for w in candidates if w in values]
    return known or [w for w in candidates if w not in {"alerts", "alert"}][:1]


def select(docs: Sequence[AlertDoc], status: str, scope: Sequence[str]) -> list[AlertDoc]:
    chosen = [d for d in docs if d.status == status]
    for word in scope:
        chosen = [d for d in chosen if word in {v.lower() for v in d.labels.values()}]
    return chosen


class AlertsStage:
    name = "alerts"

    def __init__(
        self,
        store: AlertStore,
        metrics: Metrics,
        max_alerts: int = 20,
        live: bool = False,
        docs: DocsLink | None = None,
    ) -> None:
        self.store = store
        self.docs = docs  # where the reply's "See" links point
        self.metrics = metrics
        self.max_alerts = max_alerts
        self.live = live  # Prometheus or Alertmanager is configured for the actions

    async def before(self, turn: Turn) -> Reply | None:
        question = turn.request.question
        if not is_alert_question(turn):
            return None
        language = language_of(question)
        try:
            docs = await self.store.all()
        except RedisError as exc:
            log.warning("alert store unavailable", extra={"error": type(exc).__name__})
            said = notice("alerts_unavailable", language)
            turn.degrade("alerts", said, self.metrics)
            return None
        if not docs:  # never fed by Alertmanager (resolved alerts stay)
            if self.live:
                return None  # the live query of the actions answers
            turn.cacheable = False
            return Reply(prompts.render("alerts_unknown", language=language, docs=self.docs))
        status = "resolved" if _RESOLVED.search(question) else "firing"
        scope = scopes(question, docs)
        intent = turn.decision.intent if turn.decision else None
        namespace = str((intent.args if intent else {}).get("namespace") or "").lower()
        if namespace and namespace not in scope:
            scope = [namespace]
        chosen = select(docs, status, scope)
        turn.cacheable = False  # alerts change by the second: never a cached answer
        text = prompts.render(
            "alerts_status",
            alerts=chosen[: self.max_alerts],
            total=len(chosen),
            status=status,
            scope=" ".join(scope),
            language=language,
        )
        sources = [
            Source(
                d.runbook.source,
                d.runbook.title,
                d.runbook.sections[0].heading if d.runbook.sections else "",
                d.runbook.url,
            )
            for d in chosen[: self.max_alerts]
            if d.runbook
        ]
        return Reply(text, sources)

    async def after(self, turn: Turn, answer: str) -> None:
        return None
