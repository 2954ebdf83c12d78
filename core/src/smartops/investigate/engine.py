"""An investigation: collect the evidence (bounded), run every analyzer over it, merge the
same cause seen on several pods, rank, and say what was found healthy. No model."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from smartops.actions.redact import redact
from smartops.investigate import messages
from smartops.investigate.analyzers import ANALYZERS, Analyzer, Draft
from smartops.investigate.collect import collect
from smartops.investigate.evidence import Evidence
from smartops.investigate.healthy import checks
from smartops.investigate.model import CONFIDENCE_SCORE, Finding, Limits, Report, Target
from smartops.investigate.reads import ReadBackend
from smartops.investigate.recorder import Recorder
from smartops.investigate.text import target_from_labels

log = logging.getLogger(__name__)
_ORDER = {a.name: i for i, a in enumerate(ANALYZERS)}
# The parameters that make two findings the same cause (not the pod, not the counts).
_IDENTITY = (
    "container",
    "log_cause",
    "what",
    "resource",
    "image",
    "probe",
    "reason",
    "key",
    "claim",
    "service",
    "node",
    "hpa",
    "deployment",
    "job",
    "object",
    "path",
    "port",
)


async def investigate(
    target: Target, reads: ReadBackend, *, limits: Limits | None = None
) -> Report:
    """Investigate what ``target`` names, through ``reads``, within ``limits``."""
    limits = limits or Limits()
    started = time.perf_counter()
    rec = Recorder(reads, limits)
    ev = await collect(target, rec, limits)
    findings = analyze(ev, limits) if ev.found else []
    return Report(
        target=target,
        resolved=ev.describe_subject() if ev.found else "",
        found=ev.found,
        candidates=ev.candidates,
        findings=findings,
        healthy=checks(ev) if ev.found else [],
        reads=rec.records,
        limited=rec.limited,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 2),
        analyzers=[a.name for a in ANALYZERS],
    )


async def investigate_alert(
    labels: Mapping[str, str], reads: ReadBackend, *, limits: Limits | None = None
) -> Report:
    """Investigate what a firing alert's labels point at (pod, workload, node, PVC...)."""
    target = target_from_labels(labels)
    if target is None:
        alert = Target(kind="alert", alert=str(labels.get("alertname", "")), labels=dict(labels))
        return Report(target=alert, found=False, analyzers=[a.name for a in ANALYZERS])
    return await investigate(target, reads, limits=limits)


def analyze(ev: Evidence, limits: Limits) -> list[Finding]:
    findings: list[Finding] = []
    for analyzer in ANALYZERS:
        try:
            drafts = analyzer.check(ev)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # An object shaped unlike the API's own must not sink the whole answer.
            log.warning("analyzer %s failed on %s: %r", analyzer.name, ev.describe_subject(), exc)
            continue
        findings += [_finding(analyzer, d, limits) for d in drafts]
    return rank(merge(findings))


def _finding(analyzer: Analyzer, draft: Draft, limits: Limits) -> Finding:
    params = {k: redact(str(value)) for k, value in draft.params.items()}
    score = analyzer.weight * CONFIDENCE_SCORE[draft.confidence] + draft.boost
    return Finding(
        analyzer=analyzer.name,
        subject=draft.subject,
        cause_key=draft.key,
        params=params,
        cause=messages.text(draft.key, params),
        evidence=draft.evidence[: limits.quote_lines],
        confidence=draft.confidence,
        score=round(min(max(score, 0.0), 1.0), 3),
        runbook_query=analyzer.runbook_query,
        next_step=draft.next_step,
    )


def merge(findings: list[Finding]) -> list[Finding]:
    """One finding per cause: the same cause on other pods goes to ``affected``."""
    kept: dict[tuple[str, ...], Finding] = {}
    for f in findings:
        key = (f.analyzer, f.cause_key, *(f.params.get(k, "") for k in _IDENTITY))
        first = kept.get(key)
        if first is None:
            kept[key] = f
        elif f.subject != first.subject and f.subject not in first.affected:
            kept[key] = first.model_copy(update={"affected": [*first.affected, f.subject]})
    return list(kept.values())


def rank(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.score, _ORDER.get(f.analyzer, 99)))
