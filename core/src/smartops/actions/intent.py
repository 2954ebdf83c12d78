"""The intent grammar: from the user's own message to one catalog action and its arguments.

``extract(text, kind)`` is the argument extractor the router (``smartops.routing``) uses
once it has decided that a message is a live read or a write: it knows ``kubectl ...``
and the common phrasings in English and Russian ("bump frontend in the web namespace to
5 replicas", "перезапусти deployment api в shop") and returns an ``Intent``, an ``Ask``
(a write without its target, two writes at once: never guess a write) or None.

``parse(message)`` is the older, grammar-only reading kept for callers that have no
router: it also recognises ``confirm <token>`` and refuses anything that opens like a
question. Long or multi-line messages are never commands, so a pasted runbook cannot
become one. A model with tool calling can fill in what the grammar does not know
(``intent_model``).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from smartops.actions.intent_kubectl import parse_kubectl
from smartops.actions.intent_reads import read_intent
from smartops.actions.intent_types import Ask, Decision, Intent
from smartops.actions.intent_words import (
    deployment,
    has,
    job,
    minutes,
    namespace,
    node,
    number,
    word_set,
)

MAX_COMMAND_CHARS = 300
MAX_COMMAND_LINES = 2
WRITE_WORDS = ("undo", "restart", "scale", "cordon", "silence")
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
_CAMEL = re.compile(r"\b[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*\b")
_ALERT_AFTER = re.compile(
    r"(?:alertname[= ]|\balert\s+|алерт\w*\s+)`?([A-Za-z_][A-Za-z0-9_]*)", re.I
)
_NOT_ALERT = {"for", "in", "на", "в", "the", "on", "that", "this", "it", "alert", "all"}
# CamelCase words of Kubernetes and its tools that name no alert.
_KUBE_WORDS = {
    w.lower()
    for w in word_set(
        "PromQL KServe InferenceGraph InferenceService ServingRuntime ServiceMonitor PodMonitor "
        "PrometheusRule ConfigMap StatefulSet DaemonSet ReplicaSet PodDisruptionBudget CronJob "
        "CrashLoopBackOff ImagePullBackOff ErrImagePull OOMKilled NotReady ContainerCreating "
        "MemoryPressure DiskPressure PIDPressure NetworkUnavailable SchedulingDisabled BackOff "
        "FailedScheduling FailedMount PingSource EndpointSlice ResourceQuota LimitRange "
        "HorizontalPodAutoscaler VerticalPodAutoscaler ReadinessGate ProgressDeadlineExceeded "
        "PersistentVolume PersistentVolumeClaim StorageClass NetworkPolicy ClusterRole "
        "RoleBinding ServiceAccount OpenSearch KafkaSource ApiServerSource ContainerSource "
        "SinkBinding OpenAI WebUI OpenWebUI GitHub JavaScript TypeScript YouTube"
    )
}


def is_long(message: str) -> bool:
    """Too long or too many lines to be a command (a pasted runbook, an alert)."""
    text = " ".join(message.strip().split())
    return len(text) > MAX_COMMAND_CHARS or message.strip().count("\n") >= MAX_COMMAND_LINES


def write_words(low: str) -> list[str]:
    """The write verbs the message uses (``restart``, ``scale``, ...)."""
    return [name for name in WRITE_WORDS if has(name, low)]


def extract(message: str, kind: Literal["read", "write"]) -> Intent | Ask | None:
    """The action and arguments of a request the router has classified as ``kind``."""
    text = " ".join(message.strip().split())
    if text.lower().startswith("kubectl "):
        return parse_kubectl(text)
    low = text.lower().rstrip("?!. ")
    if kind == "write":
        writes = write_words(low)
        return _write(writes, low, text) if writes else None
    return read_intent(low, text)


def parse(message: str) -> Parsed:
    """The grammar-only reading (see the module docstring)."""
    decision = _DECISION.match(message)
    if decision:
        word = decision.group(1).lower()
        return Decision(
            word not in ("cancel", "abort", "отмена", "отменить", "отмени"),
            decision.group(2).lower(),
        )
    if is_long(message):
        return None
    text = " ".join(message.strip().split())
    if text.lower().startswith("kubectl "):
        return parse_kubectl(text)
    low = text.lower().rstrip("?!. ")
    if _is_question(low):
        return None
    writes = write_words(low)
    if writes:
        return _write(writes, low, text)
    return read_intent(low, text)


def _is_question(low: str) -> bool:
    """A question for the docs: any clause opens like one ("in one sentence: what is a pod")."""
    clauses = re.split(r"[:;.!?]\s+", low)
    return any(_QUESTION.match(c.strip()) for c in clauses) or bool(_MEANING.search(low))


def _write(writes: list[str], low: str, original: str) -> Intent | Ask:
    if len(writes) > 1 and not (set(writes) == {"restart", "undo"} and "rollout" in low):
        return Ask("many_changes")
    kind = writes[0]
    if kind == "cordon":
        name = node(low)
        return (
            Intent("cordon", {"name": name})
            if name
            else Ask("which_node", ["cordon node worker-1"])
        )
    if kind == "silence":
        return _silence(low, original)
    return _deployment_write(kind, low)


def _deployment_write(kind: str, low: str) -> Intent | Ask:
    name, ns = deployment(low), namespace(low)
    example = {
        "undo": "roll back deployment api in shop",
        "restart": "restart deployment api in shop",
        "scale": "scale deployment api in shop to 3",
    }
    if not name or not ns:
        missing = ",".join(w for w, v in (("deployment", name), ("namespace", ns)) if not v)
        return Ask("which_target", [example[kind]], {"missing": missing})
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
        return Ask("scale_how_many", [example["scale"]], {"name": name, "namespace": ns})
    return Intent("scale", {**args, "replicas": replicas})


def is_alert_name(word: str) -> bool:
    """CamelCase with two capitals or more (KubeCPUOvercommit, TargetDown), not a kind."""
    upper = sum(c.isupper() for c in word)
    return upper >= 2 and len(word) >= 6 and word.lower() not in _KUBE_WORDS


def alert_name(original: str) -> str | None:
    """An alert name: a CamelCase word, else a name after ``alertname=`` or ``alert``."""
    camel: list[str] = [w for w in _CAMEL.findall(original) if is_alert_name(w)]
    if camel:
        return camel[0]
    for match in _ALERT_AFTER.finditer(original):
        word = match.group(1)
        explicit = match.group(0).lower().startswith("alertname")
        if word.lower() not in _NOT_ALERT and (explicit or word[0].isupper() or "_" in word):
            return word
    return None


def _silence(low: str, original: str) -> Intent | Ask:
    alert = alert_name(original)
    if not alert:
        return Ask("which_alert", ["silence alert KubePodCrashLooping in payments for 2h"])
    matchers = {"alertname": alert}
    ns, scrape_job = namespace(low), job(low)
    if ns:
        matchers["namespace"] = ns
    if scrape_job:
        matchers["job"] = scrape_job
    return Intent("silence", {"matchers": matchers, "minutes": minutes(low) or 60})
