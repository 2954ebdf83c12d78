"""The read rules of the intent grammar: from a request already known to be a live read
to one catalog action and its arguments (English and Russian).

Each rule takes the lower-cased text and the original (for quotes, PromQL and alert
names) and returns an ``Intent``, an ``Ask`` (the action is clear, a required argument
is not) or None (not this rule). The first rule that answers wins, so the order of
``READ_RULES`` matters: logs before pods, events and nodes before metrics ("nodes with
memory pressure"), ordering words ("the most memory") before plain metrics, metrics
before PromQL.
"""

# ruff: noqa: RUF001  (the Russian phrasings are Cyrillic on purpose)
from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import yaml

from smartops.actions.intent_types import Ask, Intent
from smartops.actions.intent_words import (
    METRICS,
    NAME,
    PHASES,
    REASONS,
    deployment,
    expression,
    first,
    has,
    job,
    minutes,
    namespace,
    number,
    pod,
    quoted,
    service,
)

Parsed = Intent | Ask | None

_LOGS_OF = rf"\blog(?:s| lines)?\s+(?:of|for|from)\s+(?:the\s+)?(?:pod\s+)?{NAME}\b"
_NS_LOGS = rf"\b(?:in|from|through)\s+(?:the\s+)?{NAME}\s+logs\b"  # "in the payments logs"
_LOGS_RU = rf"(?:логах|логи|логов)\s+(?:пода\s+)?{NAME}\b"
_WARNING = re.compile(r"\bwarnings?\b|предупреждени\w*", re.I)
_NORMAL = re.compile(r"\bnormal events?\b", re.I)
_NODE_CONDITIONS = {
    "NotReady": r"not ?ready|не ?готов\w*",
    "MemoryPressure": r"memory ?pressure|нехватк\w* памят\w*",
    "DiskPressure": r"disk ?pressure|нехватк\w* диск\w*|нехватк\w* мест\w*",
    "PIDPressure": r"pid ?pressure",
    "NetworkUnavailable": r"network ?unavailable|без сети",
    "SchedulingDisabled": r"\bcordoned\b|unschedulable|schedulingdisabled|закордонен\w*",
}
_DOWN = re.compile(r"\bdown\b|\bfail\w*|unhealthy|недоступ\w*|лежат|упал\w*|не отвеча\w*", re.I)
_FIRING = re.compile(r"\bfiring\b|\bгор(ит|ят)\b|сработал\w*", re.I)
_JOB_TEMPLATES = ("request_rate", "error_rate", "latency")


@cache
def job_templates() -> dict[str, str]:
    """PromQL templates for a scrape job (``by_job`` in queries.yaml)."""
    text = resources.files("smartops.actions").joinpath("queries.yaml").read_text()
    return {k: str(v) for k, v in yaml.safe_load(text)["by_job"].items()}


def some(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _logs(low: str, original: str) -> Parsed:
    if not has("logs", low):
        return None
    ns, name = namespace(low), pod(low)
    text = quoted(original) or first(
        [r"\b(?:for|containing|with|со словом|слово)\s+([\w.-]+)"], low
    )
    after = first([_LOGS_OF, _LOGS_RU], low)
    if text == after and not has("search", low) and not quoted(original):
        text = None  # "the log for indexer-1": the pod, not a word to search for
    if has("search", low) or (text and not name):
        if not text:
            return Ask("logs_search_text", ['search logs for "timeout" in payments'])
        ns = ns or (after if after != text else None) or first([_NS_LOGS], low)
        args = {"text": text, "namespace": ns, "pod": name, "minutes": minutes(low)}
        return Intent("search_logs", some(**args))
    name = name or after
    if not name:
        return Ask("logs_which_pod", ["logs of pod api-7d9f in shop"])
    args2: dict[str, Any] = {"namespace": ns or "default", "name": name}
    tail = number([r"(?:last|tail|последние)\s+(\d+)", r"(\d+)\s+(?:log )?lines"], low)
    if tail:
        args2["tail"] = tail
    if re.search(r"previous|предыдущ\w*|прошл\w*|before (it|the) crash|crashed container", low):
        args2["previous"] = True
    return Intent("pod_logs", args2)


def _describe(low: str, original: str) -> Parsed:
    if not has("describe", low):
        return None
    name = pod(low) or first([rf"\b(?:describe|inspect)\s+(?:the\s+)?{NAME}\b"], low)
    if name:
        return Intent("describe_pod", {"namespace": namespace(low) or "default", "name": name})
    if has("pods", low):
        return Ask("describe_which_pod", ["describe pod api-7d9f in shop"])
    return None


# "is checkout in shop rolled out yet?": the deployment is the question's subject.
_SUBJECT = (
    rf"^(?:is|has|did)\s+(?:the\s+)?{NAME}\s+(?:(?:in|в)\s+[a-z0-9-]+\s+)?"
    r"(?:rolled|finished|done)"
)


def _rollout_status(low: str, original: str) -> Parsed:
    name = deployment(low) or first([_SUBJECT], low)
    finished = re.search(r"\b(finish\w*|complete\w*|done|rolled out)\b|закончил\w*", low)
    if name and (has("status", low) or finished):
        return Intent("rollout_status", {"namespace": namespace(low) or "default", "name": name})
    return None


def _top(low: str, original: str) -> Parsed:
    consumers = re.search(r"\bwho\b|\bкто\b|\b(consumers?|hogs?)\b", low)
    if not has("order", low) or not (has("pods", low) or consumers):
        return None
    sort = next((m for m in ("cpu", "memory") if re.search(METRICS[m], low)), None)
    if sort is None and not has("top", low):
        return None
    return Intent("top_pods", some(namespace=namespace(low), sort_by=sort))


def _metric(low: str, original: str) -> Parsed:
    for metric, pattern in METRICS.items():
        if not re.search(pattern, low):
            continue
        window = minutes(low)
        scrape_job = job(low)
        if scrape_job and metric in _JOB_TEMPLATES:
            template = job_templates()[metric]
            query = template.format(job=scrape_job, minutes=window or 5)
            return Intent("prom_query", {"query": " ".join(query.split())})
        return Intent(
            "metric",
            some(
                metric=metric,
                namespace=namespace(low),
                pod=pod(low),
                service=service(low),
                minutes=window,
            ),
        )
    return None


def _prometheus(low: str, original: str) -> Parsed:
    if has("query", low):
        expr = expression(original)
        if not expr:
            return Ask("which_promql", ["query `up == 0`"])
        window = minutes(low.replace(expr.lower(), ""))
        if window and re.search(r"\b(over|for|during|range)\b|за\b", low):
            return Intent("prom_range", {"query": expr, "minutes": window})
        return Intent("prom_query", {"query": expr})
    if has("targets", low):
        return Intent("prom_targets", {"state": "down" if _DOWN.search(low) else "any"})
    if has("alerts", low) or _FIRING.search(low):
        ns = namespace(low) or first([rf"\b(?:for|of)\s+(?:the\s+)?{NAME}\b"], low)
        action = "am_alerts" if "alertmanager" in low else "prom_alerts"
        return Intent(action, some(namespace=ns))
    return None


def _events(low: str, original: str) -> Parsed:
    if not has("events", low):
        return None
    kind = "Warning" if _WARNING.search(low) else "Normal" if _NORMAL.search(low) else None
    return Intent("get_events", some(namespace=namespace(low), name=pod(low), type=kind))


def _nodes(low: str, original: str) -> Parsed:
    if not has("nodes", low):
        return None
    condition = next((c for c, p in _NODE_CONDITIONS.items() if re.search(p, low)), None)
    return Intent("get_nodes", some(condition=condition, selector=_selector(low)))


def _lists(low: str, original: str) -> Parsed:
    if has("deployments", low):
        return Intent("get_deployments", some(namespace=namespace(low), selector=_selector(low)))
    states = [*REASONS.values(), *PHASES.values()]
    reason_only = any(re.search(p, low) for p in states) and namespace(low)
    if not has("pods", low) and not reason_only:
        return None
    args = some(namespace=namespace(low), selector=_selector(low))
    for reason, pattern in REASONS.items():
        if re.search(pattern, low):
            args["reason"] = reason
    for phase, pattern in PHASES.items():
        negated = re.search(rf"\b(?:not|aren'?t|isn'?t|не)\s+(?:{pattern})", low)
        if "reason" not in args and re.search(pattern, low) and not negated:
            args["phase"] = phase
    return Intent("get_pods", args)


def _selector(low: str) -> str | None:
    match = re.search(
        r"(?:-l|label|labels|labelled|labeled|selector|меткой|метками|лейблом)\s+"
        r"([a-z0-9_./-]+(?:!=|==|=)[a-z0-9_.-]+)",
        low,
    )
    return match.group(1) if match else None


READ_RULES: list[Callable[[str, str], Parsed]] = [
    _logs,
    _describe,
    _rollout_status,
    _events,
    _nodes,
    _top,
    _metric,
    _prometheus,
    _lists,
]


def read_intent(low: str, original: str) -> Parsed:
    """The first read rule that recognises the request."""
    for rule in READ_RULES:
        found = rule(low, original)
        if found is not None:
            return found
    return None
