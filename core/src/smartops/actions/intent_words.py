# ruff: noqa: RUF001  (the Russian phrasings are Cyrillic on purpose)
"""The words of the intent parser: trigger patterns (English and Russian) and extractors
of arguments (namespace, deployment, pod, node, service, numbers, durations, quotes)."""

from __future__ import annotations

import re

NAME = r"([a-z0-9](?:[-a-z0-9.]{0,61}[a-z0-9])?)"
_STOP = {
    "before",
    "after",
    "between",
    "during",
    "since",
    "until",
    "while",
    "once",
    "one",
    "the",
    "a",
    "an",
    "all",
    "my",
    "this",
    "that",
    "pods",
    "pod",
    "namespace",
    "namespaces",
    "cluster",
    "logs",
    "log",
    "deployment",
    "deployments",
    "node",
    "nodes",
    "prod",
    "last",
    "kubernetes",
    "k8s",
    "order",
    "case",
    "ns",
    "service",
    "alertmanager",
    "prometheus",
    "кластере",
    "логах",
    "неймспейсе",
    "namespace'е",
    "поды",
    "подах",
    "ноде",
    "нем",
    "нём",
    "in",
    "on",
    "at",
    "from",
    "to",
    "for",
    "of",
    "with",
    "up",
    "over",
    "в",
    "во",
    "на",
    "из",
    "по",
    "с",
    "до",
    "it",
    "its",
    "them",
    "everything",
    "there",
    "here",
    "please",
    "его",
    "её",
    "их",
    "все",
    "всё",
    "логи",
    "логов",
    "and",
    "now",
    "production",
    "general",
    "practice",
    "detail",
    "details",
    "pending",
    "running",
    "failed",
    "crashloopbackoff",
    "imagepullbackoff",
    "errimagepull",
    "oomkilled",
    "containercreating",
    "terminating",
    "completed",
    "unknown",
    "notready",
    "state",
    "status",
    "статусе",
    "previous",
    "rollout",
    "job",
    "alert",
    "alerts",
    "events",
    "replicas",
    "revision",
    "минут",
    "часа",
    "час",
}
W = {
    "undo": r"\b(roll ?back|undo|revert)\b|откат(и|ите|ить)?\b|"
    r"\bgo back to the (previous|last|old) (version|revision|release)\b",
    "restart": r"\b(restart|bounce|redeploy|kick)\b|перезапусти(те|ть)?\b|перезагрузи(те|ть)?\b|"
    r"рестартни(те)?\b|"
    r"рестартани(те|ть)?\b|рестартуй\b|(сделай|сделать) рестарт",
    "scale": r"\b(scale|resize|bump|raise)\b|\bset (the )?replicas\b|"
    r"\b(set|bring|take|put)\b(?=.* to \d+ replicas?\b)|"
    r"\b(increase|decrease|reduce|lower)\b(?=.*\breplicas?\b)|"
    r"(от)?масштабир\w*|увеличь|уменьши|смасштабируй",
    "cordon": r"\bcordon\b|кордон\w*|закордонь|unschedulable|out of (the )?scheduling|"
    r"\bstop scheduling\b",
    "silence": r"\b(silence|mute|hush)\b|заглуши\w*|замьют\w*|тишин\w*|выключи\w* уведомлени\w*",
    # "in search", "namespace search": a namespace called search, not the verb.
    "search": r"(?<!\bin )(?<!\bв )(?<!namespace )\b(search|find|grep|look for)\b"
    r"(?!\s+(?:namespace|ns)\b)|найди|поищи|ищи|поиск",
    "logs": r"\blogs?\b|лог(и|ов|ах|ам)?\b",
    "describe": r"\b(describe|details?|what'?s wrong with|inspect)\b|опиши|подробн\w*|"
    r"\b(state|status|health) of (the )?pod\b|\bpod \S+ .*\blook like\b|"
    r"что (не так|случилось) с",
    "status": r"rollout status|\brolled out\b|\brolling out\b|\brollout\b|раскат\w*|выкат\w*",
    "top": r"\btop\b",
    "order": r"\b(top|most|highest|heaviest|biggest|hungriest|greediest)\b|"
    r"\b(sort|sorted|order|ordered|rank|ranked) by\b|больше всего|больше всех|самы[ехй]|\bтоп\b",
    "events": r"\bevents?\b|\bwarnings\b|событи\w*|ивент\w*|предупреждени\w*",
    "deployments": r"\b(deployments|deploys)\b|деплойменты|деплойментов|деплои\b",
    "nodes": r"\bnodes\b|\bnode (status|health|conditions)\b|\bнод(ы|ам|ами|ах)?\b|"
    r"узл(ы|ов|ам|ами|ах)\b",
    "alerts": r"\balerts?\b|\balerting\b|алерт\w*|алёрт\w*|оповещени\w*",
    "targets": r"\btargets?\b|таргет\w*|scrape",
    "query": r"\bpromql\b|\bquery\b|\bevaluate\b|запрос\w*",
    "pods": r"\bpods?\b|\bпод(ы|ов|ах)?\b",
}
METRICS = {
    "cpu": r"\bcpu\b|процессор|\bцпу\b",
    "memory": r"\bmemory\b|\bram\b|памят[ьи]",
    "restarts": r"\brestarts\b|рестарт(ы|ов)\b|перезапуск(и|ов)\b|restarted",
    "error_rate": r"error rate|\berrors?\b|\b5xx\b|ошиб(ок|ки|ка)",
    "latency": r"\blatency\b|\bp9[59]\b|задержк\w*|латентност\w*|время ответа|response time",
    "request_rate": r"request rate|requests? per second|\brps\b|\bqps\b|throughput|"
    r"запрос\w* в секунду",
}
REASONS = {
    "CrashLoopBackOff": r"crash ?-?loop\w*|crashloopbackoff|краш ?луп\w*|пада(ют|ющие)|"
    r"перезапускающ\w*",
    "OOMKilled": r"\boom\w*",
    "ImagePullBackOff": r"imagepull\w*|errimagepull|pull image|скачать образ",
}
PHASES = {
    "Pending": r"\bpending\b|ожидающ\w*|висящ\w*",
    "Failed": r"\bfailed\b|упавш\w*|упали\b|сбойн\w*",
    "Running": r"\brunning\b|работающ\w*|запущенн\w*",
}


def word_set(text: str) -> frozenset[str]:
    """The words of ``text`` (for word lists written as one string)."""
    return frozenset(text.split())


def has(key: str, text: str) -> bool:
    return re.search(W[key], text) is not None


def first(patterns: list[str], text: str) -> str | None:
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            value = match.group(1)
            if value and value not in _STOP:
                return value
    return None


def namespace(text: str) -> str | None:
    return first(
        [
            rf"(?:-n|--namespace[= ])\s*{NAME}\b",
            rf"\b(?:namespace|ns|неймспейсе?|неймспейса|namespace'е|пространстве имен|"
            rf"пространстве имён)\s+{NAME}\b",
            rf"\b(?:in|from|of|for|в|во|из)\s+(?:the\s+)?{NAME}\s+(?:namespace|ns|неймспейсе)\b",
            rf"\b(?:in|from|в|во|из)\s+{NAME}\s*$",
            rf"\b(?:in|from|в|во|из)\s+{NAME}\b",
        ],
        text,
    )


_VERB_TARGET = (
    r"(?:restart|bounce|redeploy|kick|scale|bump|raise|roll ?back|undo|revert|перезапусти\w*|"
    r"рестартани\w*|рестартни\w*|отмасштабируй|масштабируй|смасштабируй|увеличь|уменьши|откати\w*)"
)


def deployment(text: str) -> str | None:
    return first(
        [
            rf"\b(?:deployment|deploy|deployments)(?:\.apps)?/{NAME}\b",
            rf"(?:\bdeployment|\bdeploy|деплоймент\w*|деплой\w*)\s+{NAME}\b",
            rf"\b{NAME}\s+(?:deployment|deploy|деплоймент\w*|rollout)\b",
            rf"(?:\brollout|\bstatus|\breplicas|\bdeploy|реплик\w*|раскатк\w*|выкат\w*|раскатил\w*(?:\s+ли)?)"
            rf"\s+(?:of\s+)?(?:the\s+)?{NAME}\b",
            rf"\b{_VERB_TARGET}\s+(?:(?:up|down)\s+)?(?:the\s+)?{NAME}\b",
            # "set indexer to 4 replicas", "give login a restart"
            rf"\b(?:set|bring|take|put)\s+(?:the\s+)?{NAME}\b(?=.* to \d+ replicas?\b)",
            rf"\b(?:previous|last|old) (?:version|revision|release) of (?:the\s+)?{NAME}\b",
            rf"\bgive\s+(?:the\s+)?{NAME}\b(?=.*\ba (?:restart|bounce|rollout restart)\b)",
        ],
        text,
    )


# A Deployment's pod by its name alone: <name>-<ReplicaSet hash>-<5 characters>.
_REPLICASET_POD = r"\b([a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?=[a-z0-9]*\d)[a-z0-9]{6,10}-[a-z0-9]{5})\b"


def pod(text: str) -> str | None:
    return first(
        [
            rf"\bpods?/{NAME}\b",
            rf"(?:\bpod|\bпод(?:ом|у|а|е)?)\s+{NAME}\b",
            rf"\b{NAME}\s+pod\b",
            _REPLICASET_POD,
        ],
        text,
    )


def node(text: str) -> str | None:
    return first(
        [
            rf"\bnodes?/{NAME}\b",
            rf"(?:\bnode|\bнод\w*|\bузел|\bузла)\s+{NAME}\b",
            rf"\b{NAME}\s+node\b",
            rf"\b(?:cordon|mark)\s+(?:the\s+)?{NAME}\b",
        ],
        text,
    )


def service(text: str) -> str | None:
    return first([rf"(?:\bservice|\bsvc|сервис\w*)\s+{NAME}\b", rf"\b{NAME}\s+service\b"], text)


def job(text: str) -> str | None:
    return first([rf"\bjob[= ]\s*\"?{NAME}\b"], text)


def number(patterns: list[str], text: str) -> int | None:
    for pattern in patterns:
        match = re.search(pattern, text)
        if match:
            return int(match.group(1))
    return None


_SPANS = (
    (r"\b(?:last|past|an|one|for the|для) (?:hour|час)\b|за (?:последний )?час|на час\b", 60),
    (r"\bhalf an hour\b|полчаса", 30),
    (r"\b(?:last|past|a|one) day\b|за (?:последние )?сутки|за день|на сутки|на день", 1440),
)


def minutes(text: str) -> int | None:
    match = re.search(
        r"(\d+)\s*(minutes?|mins?|m|минут\w*|мин|hours?|hrs?|h|час\w*|days?|d|дн\w*|"
        r"сут\w*)\b",
        text,
    )
    if match:
        value, unit = int(match.group(1)), match.group(2)
        return value * (1440 if unit[0] in "dдс" else 60 if unit[0] in "hч" else 1)
    for pattern, value in _SPANS:
        if re.search(pattern, text):
            return value
    return None


def quoted(original: str) -> str | None:
    match = re.search(r"[\"'«“`]([^\"'»”`]{1,200})[\"'»”`]", original)
    return match.group(1) if match else None


def expression(original: str) -> str:
    """A PromQL expression: in backticks, else after a colon, else in quotes."""
    match = re.search(r"`([^`]{1,2000})`", original)
    if match:
        return match.group(1).strip()
    if ":" in original:
        return original.split(":", 1)[1].strip()
    return quoted(original) or ""
