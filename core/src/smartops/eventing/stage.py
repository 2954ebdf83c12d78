"""The alerts stage: "which alerts are firing (in payments)?" answered from the alert documents.

A question about the alerts that are firing (or resolved) is answered directly from
the alert documents, with each alert's runbook, without the LLM: the list is exact and
current (the stage runs first, before the actions and the answer cache, and its answers
are never cached). If the alert store is down, the answer degrades to the LLM and says so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from redis.exceptions import RedisError

from smartops import prompts
from smartops.eventing.alerts import AlertDoc, AlertStore
from smartops.metrics import Metrics
from smartops.pipeline import Reply, Source, Turn

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


def is_alert_question(question: str) -> bool:
    """About the alerts firing (or resolved); one naming Prometheus or Alertmanager is
    left to the actions, which ask those directly."""
    return bool(
        _ALERT.search(question) and _ASKS.search(question) and not _LIVE_SOURCE.search(question)
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

    def __init__(self, store: AlertStore, metrics: Metrics, max_alerts: int = 20) -> None:
        self.store = store
        self.metrics = metrics
        self.max_alerts = max_alerts

    async def before(self, turn: Turn) -> Reply | None:
        question = turn.request.question
        if not is_alert_question(question):
            return None
        try:
            docs = await self.store.all()
        except RedisError as exc:
            log.warning("alert store unavailable", extra={"error": type(exc).__name__})
            turn.degrade(
                "alerts",
                "The alert store is unavailable: current alerts are not known to this answer.",
                self.metrics,
            )
            return None
        if not docs:  # never fed by Alertmanager (resolved alerts stay): a live query answers
            return None
        status = "resolved" if _RESOLVED.search(question) else "firing"
        scope = scopes(question, docs)
        chosen = select(docs, status, scope)
        turn.cacheable = False  # alerts change by the second: never a cached answer
        text = prompts.render(
            "alerts_status",
            alerts=chosen[: self.max_alerts],
            total=len(chosen),
            status=status,
            scope=" ".join(scope),
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
