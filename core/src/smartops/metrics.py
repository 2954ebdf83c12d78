"""Every Prometheus metric smartops exposes, defined here and nowhere else.

A ``Metrics`` object owns its own registry, built at the edge (no import-time
singletons), so that tests and several apps in one process never collide.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Latency buckets from 1 ms to 60 s: cache hits live at the bottom, LLM answers at the top.
LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
    60.0,
)

CONTENT_TYPE = CONTENT_TYPE_LATEST

# Every value of the ``stage`` label of smartops_stage_duration_seconds: the pipeline's
# stages by name, the query embedding, and the LLM's first token and whole answer.
# Dashboards, rules and docs name these; a test checks each one is really emitted.
STAGES = (
    "routing",
    "alerts",
    "actions",
    "investigate",
    "cache",
    "embed",
    "knowledge",
    "answer",
    "llm_ttft",
    "llm_total",
)


class Metrics:
    """The metric families of one smartops process."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "smartops_http_requests",
            "HTTP requests by route, method and status.",
            ["route", "method", "status"],
            registry=r,
        )
        self.request_latency = Histogram(
            "smartops_http_request_duration_seconds",
            "Time from request to the last byte of the response, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.stage_latency = Histogram(
            "smartops_stage_duration_seconds",
            "Time spent per pipeline stage (" + ", ".join(STAGES) + ").",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.tokens = Counter(
            "smartops_llm_tokens",
            "LLM tokens by kind (prompt, completion).",
            ["kind"],
            registry=r,
        )
        self.upstream_errors = Counter(
            "smartops_upstream_errors",
            "Errors talking to a backend, by backend and kind (connect, timeout, status).",
            ["backend", "kind"],
            registry=r,
        )
        self.degraded = Counter(
            "smartops_degraded_answers",
            "Answers given without a backend that was down, by backend.",
            ["backend"],
            registry=r,
        )
        self.synthesis_unverified = Counter(
            "smartops_synthesis_unverified",
            "What a model wrote that the evidence does not contain, by kind (command, flag, "
            "name, key, number, instruction): removed or marked unverified.",
            ["kind"],
            registry=r,
        )
        self.cache = Counter(
            "smartops_cache_lookups",
            "Answer-cache lookups by result (hit, miss, error, skip).",
            ["result"],
            registry=r,
        )

        # Actions: one count per audited action request, by action and decision.
        self.actions = Counter(
            "smartops_actions",
            "Action requests by action and decision (allowed, denied, needs_confirmation, "
            "confirmed, cancelled, invalid).",
            ["action", "decision"],
            registry=r,
        )

        # Eventing: CloudEvents handled, webhooks, sink posts, and each reindex run.
        self.events = Counter(
            "smartops_events",
            "CloudEvents by type and outcome (processed, duplicate, busy, rejected, failed).",
            ["type", "outcome"],
            registry=r,
        )
        self.event_latency = Histogram(
            "smartops_event_duration_seconds",
            "Time to handle one CloudEvent, by type.",
            ["type"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.alert_webhooks = Counter(
            "smartops_alertmanager_webhooks",
            "Alertmanager webhooks by result (accepted, rejected, failed).",
            ["result"],
            registry=r,
        )
        self.sink_posts = Counter(
            "smartops_event_sink_posts",
            "Posts of CloudEvents to the sink by result (delivered, retried, rejected, failed).",
            ["result"],
            registry=r,
        )
        self.reindex_runs = Counter(
            "smartops_reindex_runs",
            "Reindex runs by trigger and status (ok, failed).",
            ["trigger", "status"],
            registry=r,
        )
        self.reindex_duration = Histogram(
            "smartops_reindex_duration_seconds",
            "Duration of reindex runs, by collection.",
            ["collection"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.reindex_documents = Gauge(
            "smartops_reindex_documents",
            "Documents (files) seen by the last reindex run, by collection.",
            ["collection"],
            registry=r,
        )
        self.reindex_chunks = Gauge(
            "smartops_reindex_chunks",
            "Chunks in the collection after the last reindex run.",
            ["collection"],
            registry=r,
        )
        self.reindex_errors = Counter(
            "smartops_reindex_errors",
            "Errors of reindex runs, by collection.",
            ["collection"],
            registry=r,
        )
        self.reindex_recall = Gauge(
            "smartops_reindex_canary_recall",
            "Recall@k of the canary questions after the last reindex run, by collection.",
            ["collection"],
            registry=r,
        )

    def render(self) -> bytes:
        """The text exposition of every metric in this registry."""
        return generate_latest(self.registry)
