"""Investigations: the root cause of a broken workload or a firing alert, from evidence.

Deterministic and bounded: the collector reads the object, its owners, pods, events,
logs, node, references, Services, HPA (and Prometheus when configured) through the
actions' own Kubernetes client; small declarative analyzers name the cause with the
lines that prove it and a next step from the action catalog; the report renders in
English or Russian with no model at all.

    report = await investigate(Target(kind="pod", name="cart-1", namespace="shop"), reads)
    text = render(report, "en")
"""

from __future__ import annotations

from smartops.investigate.engine import analyze, investigate, investigate_alert
from smartops.investigate.messages import Language, language_of
from smartops.investigate.model import (
    Check,
    Finding,
    Limits,
    NextStep,
    Quote,
    ReadRecord,
    Report,
    RunbookRef,
    Target,
)
from smartops.investigate.reads import KubeReads, ReadBackend, Sample
from smartops.investigate.render import render, summary_line
from smartops.investigate.text import target_from_labels, target_from_text

__all__ = [
    "Check",
    "Finding",
    "KubeReads",
    "Language",
    "Limits",
    "NextStep",
    "Quote",
    "ReadBackend",
    "ReadRecord",
    "Report",
    "RunbookRef",
    "Sample",
    "Target",
    "analyze",
    "investigate",
    "investigate_alert",
    "language_of",
    "render",
    "summary_line",
    "target_from_labels",
    "target_from_text",
]
