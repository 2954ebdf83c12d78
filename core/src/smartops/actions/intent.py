"""From the user's own chat message to an action: a deterministic parser (English and Russian).

The parser knows ``kubectl ...`` and the common phrasings ("show crashlooping pods in
payments", "перезапусти deployment api в shop"). It returns an ``Intent``, an ``Ask``
(a write without its target, a conflict: never guess a write), a confirmation
``Decision``, or None (not an action: the question goes on to the docs and the LLM).
Long or multi-line messages are never commands, so a pasted runbook cannot become one.
A model with tool calling can fill in what the parser does not know (``intent_model``).
"""

# ruff: noqa: RUF001  (the Russian phrasings are Cyrillic on purpose)
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from smartops.actions.intent_kubectl import parse_kubectl
from smartops.actions.intent_types import Ask, Decision, Intent
from smartops.actions.intent_words import (
    METRICS,
    PHASES,
    REASONS,
    deployment,
    first,
    has,
    minutes,
    namespace,
    node,
    number,
    pod,
    quoted,
    service,
)

MAX_COMMAND_CHARS = 300
MAX_COMMAND_LINES = 2
Parsed = Intent | Ask | Decision | None

_DECISION = re.compile(
    r"^\s*(confirm|yes|подтверждаю|подтвердить|подтверди|да|cancel|abort|отмена|отменить|"
    r"отмени)\s+`?([0-9a-f]{12})`?\s*[.!]?\s*$",
    re.I,
)
_QUESTION = re.compile(
    r"^(how (do|to|can|should|does|would)|what (is|are) (a|an|the difference)\b|explain|"
    r"why (do|does|should|would)|when should|what (should|do|can) (i|we) do|что делать|"
    r"как (сделать|мне|правильно|можно|работает|"
    r"настроить|перезапустить|отмасштабировать)|что такое|объясни|зачем|почему нужно)",
    re.I,
)
# Questions about what something means are for the docs, never an action.
_MEANING = re.compile(
    r"\bwhat (does|do)\b.*\bmean\b|\bwhat is the (meaning|purpose|impact)\b|\bmeaning of\b|"
    r"что (означает|значит)",
    re.I,
)


def parse(message: str) -> Parsed:
    """What the user's own message asks for (see the module docstring)."""
    decision = _DECISION.match(message)
    if decision:
        word = decision.group(1).lower()
        return Decision(
            word not in ("cancel", "abort", "отмена", "отменить", "отмени"),
            decision.group(2).lower(),
        )
    text = " ".join(message.strip().split())
    if len(text) > MAX_COMMAND_CHARS or message.strip().count("\n") >= MAX_COMMAND_LINES:
        return None
    if text.lower().startswith("kubectl "):
        return parse_kubectl(text)
    low = text.lower().rstrip("?!. ")
    if _is_question(low):
        return None
    writes = [name for name in ("undo", "restart", "scale", "cordon", "silence") if has(name, low)]
    if writes:
        return _write(writes, low, text)
    for rule in READ_RULES:
        found = rule(low, text)
        if found is not None:
            return found
    return None


def _is_question(low: str) -> bool:
    """A question for the docs: any clause opens like one ("in one sentence: what is a pod")."""
    clauses = re.split(r"[:;.!?]\s+", low)
    return any(_QUESTION.match(c.strip()) for c in clauses) or bool(_MEANING.search(low))


def _write(writes: list[str], low: str, original: str) -> Intent | Ask:
    if len(writes) > 1 and not (set(writes) == {"restart", "undo"} and "rollout" in low):
        return Ask("That asks for more than one change; ask for one at a time.", [])
    kind = writes[0]
    if kind == "cordon":
        name = node(low)
        return (
            Intent("cordon", {"name": name})
            if name
            else Ask("Which node should be cordoned?", ["cordon node worker-1"])
        )
    if kind == "silence":
        return _silence(low, original)
    name, ns = deployment(low), namespace(low)
    example = {
        "undo": "roll back deployment api in shop",
        "restart": "restart deployment api in shop",
        "scale": "scale deployment api in shop to 3",
    }
    if not name or not ns:
        missing = " and ".join(w for w, v in (("deployment", name), ("namespace", ns)) if not v)
        return Ask(f"Which {missing}? I never guess the target of a change.", [example[kind]])
    args: dict[str, Any] = {"namespace": ns, "name": name}
    if kind == "undo":
        revision = number([r"revision\s+(\d+)", r"ревизи\w*\s+(\d+)"], low)
        return Intent("rollout_undo", {**args, **({"to_revision": revision} if revision else {})})
    if kind == "restart":
        return Intent("rollout_restart", args)
    replicas = number(
        [
            r"--replicas[= ](\d+)",
            r"\b(?:to|до|на)\s+(\d+)\b",
            r"\b(\d+)\s*(?:replicas?|реплик\w*|pods|подов|пода|инстанс\w*)\b",
        ],
        low,
    )
    if replicas is None:
        return Ask(f"Scale deployment {name} in {ns} to how many replicas?", [example["scale"]])
    return Intent("scale", {**args, "replicas": replicas})


def _silence(low: str, original: str) -> Intent | Ask:
    match = re.search(
        r"(?:alertname[= ]|alert|алерт\w*)\s*`?([A-Za-z_][A-Za-z0-9_]*)", original, re.I
    )
    alert = match.group(1) if match else ""
    if not alert or alert.lower() in {"for", "in", "на", "в", "the", "on"}:
        return Ask(
            "Which alert should be silenced, and for how long?",
            ["silence alert KubePodCrashLooping in payments for 2h"],
        )
    matchers = {"alertname": alert}
    ns = namespace(low)
    if ns:
        matchers["namespace"] = ns
    return Intent("silence", {"matchers": matchers, "minutes": minutes(low) or 60})


def _logs(low: str, original: str) -> Parsed:
    if not has("logs", low):
        return None
    ns, name = namespace(low), pod(low)
    text = quoted(original) or first(
        [r"\b(?:for|containing|with|со словом|слово)\s+([\w.-]+)"], low
    )
    if has("search", low) or (text and not name):
        if not text:
            return Ask(
                "What text should I search the logs for?", ['search logs for "timeout" in payments']
            )
        args = {"text": text, "namespace": ns, "pod": name, "minutes": minutes(low)}
        return Intent("search_logs", {k: v for k, v in args.items() if v is not None})
    if not name:
        return Ask("Which pod's logs, in which namespace?", ["logs of pod api-7d9f in shop"])
    args2: dict[str, Any] = {"namespace": ns or "default", "name": name}
    tail = number([r"(?:last|tail|последние)\s+(\d+)"], low)
    if tail:
        args2["tail"] = tail
    if re.search(r"previous|предыдущ\w*|прошл\w*|before (it|the) crash", low):
        args2["previous"] = True
    return Intent("pod_logs", args2)


def _describe(low: str, original: str) -> Parsed:
    name = pod(low)
    if has("describe", low) and name:
        return Intent("describe_pod", {"namespace": namespace(low) or "default", "name": name})
    return None


def _rollout_status(low: str, original: str) -> Parsed:
    name = deployment(low)
    if has("status", low) and name:
        return Intent("rollout_status", {"namespace": namespace(low) or "default", "name": name})
    return None


def _metric(low: str, original: str) -> Parsed:
    if has("top", low) and has("pods", low):
        return Intent("top_pods", _some(namespace=namespace(low)))
    for metric, pattern in METRICS.items():
        if re.search(pattern, low):
            return Intent(
                "metric",
                _some(
                    metric=metric,
                    namespace=namespace(low),
                    pod=pod(low),
                    service=service(low),
                    minutes=minutes(low),
                ),
            )
    return None


def _prometheus(low: str, original: str) -> Parsed:
    if has("query", low):
        expr = quoted(original) or (original.split(":", 1)[1].strip() if ":" in original else "")
        if not expr:
            return Ask("Which PromQL expression?", ["query `up == 0`"])
        window = minutes(low.replace(expr.lower(), ""))
        if window and re.search(r"\b(over|for|during|range)\b|за\b", low):
            return Intent("prom_range", {"query": expr, "minutes": window})
        return Intent("prom_query", {"query": expr})
    if has("targets", low):
        state = "down" if re.search(r"\bdown\b|недоступ\w*|лежат|упал\w*", low) else "any"
        return Intent("prom_targets", {"state": state})
    if has("alerts", low):
        return Intent("am_alerts" if "alertmanager" in low else "prom_alerts", {})
    return None


def _lists(low: str, original: str) -> Parsed:
    if has("events", low):
        return Intent("get_events", _some(namespace=namespace(low), name=pod(low)))
    if has("deployments", low):
        return Intent("get_deployments", _some(namespace=namespace(low)))
    if has("nodes", low):
        return Intent("get_nodes", {})
    reason_only = any(re.search(p, low) for p in REASONS.values()) and namespace(low)
    if not has("pods", low) and not reason_only:
        return None
    args = _some(namespace=namespace(low), selector=_selector(low))
    for reason, pattern in REASONS.items():
        if re.search(pattern, low):
            args["reason"] = reason
    for phase, pattern in PHASES.items():
        if "reason" not in args and re.search(pattern, low):
            args["phase"] = phase
    return Intent("get_pods", args)


def _selector(low: str) -> str | None:
    match = re.search(
        r"(?:-l|label|labels|selector|меткой|метками|лейблом)\s+"
        r"([a-z0-9_./-]+(?:!=|==|=)[a-z0-9_.-]+)",
        low,
    )
    return match.group(1) if match else None


def _some(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


READ_RULES: list[Callable[[str, str], Parsed]] = [
    _logs,
    _describe,
    _rollout_status,
    _metric,
    _prometheus,
    _lists,
]
