# ruff: noqa: RUF001, RUF002  (the Russian phrasings are Cyrillic on purpose)
"""What to investigate, from a question (English or Russian) or from an alert's labels.

"what's wrong with pod cart-7d9f in shop", "why is deployment api not ready",
"why is alert KubePodCrashLooping firing", "что с подом cart-7d9f в shop",
"почему деплоймент api не готов". None when the question is not about one object."""

from __future__ import annotations

import re
from collections.abc import Mapping

from smartops.investigate.model import Kind, Target

NAME = r"([a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?)"
_ASK = re.compile(
    r"what'?s wrong|what is wrong|whats wrong|what happened (?:to|with)|what'?s (?:up|going on) "
    r"with|what is going on with|\bwhy (?:is|are|does|do|did|isn'?t|aren'?t|won'?t|can'?t|"
    r"doesn'?t|has|have|the)\b|\b(?:investigate|diagnose|debug|troubleshoot|root cause)\b|"
    r"\bis (?:pod|deployment|service|node|job|statefulset)\b.*\b(?:healthy|ok|okay|fine)\b|"
    r"что (?:не так |случилось |происходит )?с[о]?\b|почему|разбер(?:ись|и)|"
    r"(?:про)?диагностируй|расследуй|(?:выясни|найди|в ч[её]м) причин",
    re.I,
)
_KINDS: tuple[tuple[Kind, str], ...] = (
    ("pod", r"pods?|po|под(?:ом|а|у|е|ы)?"),
    ("deployment", r"deployments?|deploy|deployment\.apps|деплойме?нт\w*|деплой\w*"),
    ("statefulset", r"statefulsets?|sts|стейтфулсет\w*"),
    ("daemonset", r"daemonsets?|ds|демонсет\w*"),
    ("cronjob", r"cronjobs?|cj|кронджоб\w*"),
    ("job", r"jobs?|джоб\w*|задач\w*"),
    ("node", r"nodes?|нод[аыуе]?|узел|узла|узлом"),
    ("service", r"services?|svc|сервис\w*"),
    ("pvc", r"pvcs?|persistentvolumeclaims?|volume claim|том\w*"),
    ("hpa", r"hpa|horizontalpodautoscalers?|autoscaler|автоскейлер\w*"),
)
_KIND_WORD = re.compile("|".join(f"(?:{w})" for _, w in _KINDS))
_STOP = {
    "the",
    "a",
    "an",
    "my",
    "this",
    "that",
    "it",
    "its",
    "our",
    "your",
    "so",
    "still",
    "not",
    "is",
    "are",
    "in",
    "on",
    "of",
    "with",
    "to",
    "for",
    "all",
    "any",
    "some",
    "there",
    "being",
    "namespace",
    "ns",
    "cluster",
    "alert",
    "alerts",
    "pod",
    "pods",
    "deployment",
    "node",
    # kind words that begin a compound noun ("pod disruption budget", "service account")
    "disruption",
    "security",
    "affinity",
    "anti-affinity",
    "account",
    "accounts",
    "mesh",
    "selector",
    "pool",
    "template",
    "spec",
    "status",
    "logs",
    "log",
    "events",
    "restarts",
    "restart",
    "name",
    "names",
    "ip",
    "port",
    "monitor",
    "monitors",
    "was",
    "keeps",
    "has",
    # verbs and states that follow a kind word ("the api deployment keeps crashing")
    "keep",
    "crash",
    "crashing",
    "crashes",
    "restarting",
    "failing",
    "fails",
    "fail",
    "stuck",
    "pending",
    "running",
    "ready",
    "down",
    "broken",
    "work",
    "working",
    "start",
    "starting",
    "started",
    "get",
    "be",
    "been",
    "go",
    "going",
    "look",
    "looks",
}
# Words after "in" that are not a namespace ("in the", "in a crash loop").
_NS_STOP = {
    "the",
    "a",
    "an",
    "my",
    "this",
    "that",
    "it",
    "our",
    "your",
    "all",
    "any",
    "some",
    "namespace",
    "ns",
    "cluster",
    "prod",
    "production",
    "order",
    "case",
    "there",
}
_STATES = re.compile(
    r"\b(?:in|into|в)\s+(?:a\s+|the\s+)?(?:crash\s?-?loop\w*|crashloopbackoff|pending|"
    r"imagepullbackoff|errimagepull|error|init:\S+|oomkilled|terminating|unknown|failed|"
    r"containercreating|createcontainerconfigerror|состоянии\s+\S+|статусе\s+\S+)\b",
    re.I,
)
_NAMESPACE = (
    rf"(?<![\w-])(?:-n\s+|--namespace[= ]\s*){NAME}\b",
    rf"\b(?:namespace|ns|неймспейсе?|неймспейса|пространстве имён|пространстве имен)\s+{NAME}\b",
    rf"\b(?:in|from|of|в|во|из)\s+(?:the\s+)?{NAME}\s+(?:namespace|ns|неймспейсе)\b",
    rf"\b(?:in|from|в|во|из)\s+{NAME}\b",
)
_ALERT = re.compile(
    r"\b(?:alert|алерт\w*)\s+[\"'`«]?([A-Za-z][A-Za-z0-9_:]{2,})|"
    r"\b([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)\b"
)
_LOOSE_NAME = re.compile(
    rf"(?:wrong with|happened to|up with|going on with|why (?:is|are|does|do|did|isn'?t|won'?t|"
    rf"can'?t|doesn'?t)|investigate|diagnose|debug|troubleshoot|что (?:не так |случилось |"
    rf"происходит )?с[о]?|почему|разберись с|диагностируй)\s+(?:the\s+|my\s+)?{NAME}\b",
    re.I,
)


def target_from_text(question: str) -> Target | None:
    """The object a question asks to investigate, or None."""
    text = " ".join(question.strip().split())
    if not text or len(text) > 300 or not _ASK.search(text):
        return None
    low = _STATES.sub(" ", text.lower()).rstrip("?!. ")
    alert = _alert(text)
    namespace = _namespace(low)
    kind, name = _object(low)
    if alert and (not name or name == alert.lower()):
        return Target(kind="alert", alert=alert, namespace=namespace or "")
    if not name:
        return None
    if "/" in name:
        namespace, name = name.split("/", 1)
    return Target(kind=kind, name=name, namespace=namespace or "", alert=alert or "")


def _alert(text: str) -> str | None:
    if not re.search(r"firing|fires|fired|alert|срабатыва|горит|алерт", text, re.I):
        return None
    for match in _ALERT.finditer(text):
        name = match.group(1) or match.group(2)
        if name and name.lower() not in _STOP:
            return name
    return None


def _namespace(low: str) -> str | None:
    for pattern in _NAMESPACE:
        for match in re.finditer(pattern, low):
            value = match.group(1)
            if value and value not in _NS_STOP:
                return value
    return None


def _object(low: str) -> tuple[Kind, str]:
    for kind, words in _KINDS:
        slash = re.search(rf"\b(?:{words})/{NAME}\b", low)
        if slash:
            return kind, slash.group(1)
    # "the stock-sync deployment ..." first: the word after a kind may be a verb there
    found = _after_name(low, r"\b(?:the|my|our|this|that|a|an)\s+") or _before_name(low)
    if found is None:
        found = _after_name(low, r"(?<![\w/-])")  # "etl-worker pods"
    if found is not None:
        return found
    loose = _LOOSE_NAME.search(low)
    if loose and loose.group(1) not in _STOP and not _KIND_WORD.fullmatch(loose.group(1)):
        return "", loose.group(1)
    return "", ""


def _before_name(low: str) -> tuple[Kind, str] | None:
    """``deployment api``, ``pod shop/api-1``: the kind, then the name."""
    for kind, words in _KINDS:
        for match in re.finditer(rf"(?<![\w/-])(?:{words})\s+(?:{NAME}/)?{NAME}\b", low):
            ns, name = match.group(1), match.group(2)
            if name not in _STOP and not _is_namespace_word(low, match.end()):
                return kind, f"{ns}/{name}" if ns else name
    return None


def _after_name(low: str, before: str) -> tuple[Kind, str] | None:
    """``the api deployment``: the name, then the kind."""
    for kind, words in _KINDS:
        for match in re.finditer(rf"{before}{NAME}\s+(?:{words})\b", low):
            if match.group(1) not in _STOP and not _KIND_WORD.fullmatch(match.group(1)):
                return kind, match.group(1)
    return None


def _is_namespace_word(low: str, end: int) -> bool:
    """``in shop namespace``: the word before "namespace" is not the object's name."""
    return bool(re.match(r"\s+(?:namespace|ns|неймспейсе)\b", low[end:]))


# Alert labels that name an object, most specific first ("job" is the scrape job).
_LABELS: tuple[tuple[str, Kind], ...] = (
    ("pod", "pod"),
    ("persistentvolumeclaim", "pvc"),
    ("job_name", "job"),
    ("cronjob", "cronjob"),
    ("deployment", "deployment"),
    ("statefulset", "statefulset"),
    ("daemonset", "daemonset"),
    ("horizontalpodautoscaler", "hpa"),
    ("service", "service"),
    ("node", "node"),
)


def target_from_labels(labels: Mapping[str, str]) -> Target | None:
    """What a firing alert's labels point at, or None (an alert about no one object)."""
    namespace = labels.get("namespace") or labels.get("exported_namespace") or ""
    for label, kind in _LABELS:
        value = labels.get(label)
        if value and re.fullmatch(NAME, value):
            return Target(
                kind=kind,
                name=value,
                namespace="" if kind == "node" else namespace,
                alert=str(labels.get("alertname", "")),
                labels=dict(labels),
            )
    return None
