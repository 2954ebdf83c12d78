"""Grammar features of a message (English and Russian), next to its embedding.

The embedding says what a message is about; these say how it is put: a question or an
order, how-to or right-now, about "a pod" in general or about ``pod api-7d9f-x2 in
shop``. Each feature is 0 or 1; the classifier learns their weights from the exemplars.
"""

# ruff: noqa: RUF001  (the Russian phrasings are Cyrillic on purpose)
from __future__ import annotations

import re

import numpy as np

from smartops.actions.intent import alert_name, write_words
from smartops.actions.intent_words import word_set

_NAME = r"[a-z0-9](?:[-a-z0-9.]{0,61}[a-z0-9])?"
# Not a name: the small words that follow "namespace" or precede it in plain prose.
_NOT_WORD = (
    r"(?!(?:a|an|the|and|or|is|are|was|to|for|of|in|on|with|that|this|it|its|each|every|any|"
    r"my|our|one|same|another|per|level|quota|quotas|scope|name|names|label|labels|by|as|"
    r"и|или|в|на|с)\b)"
)
# Words after "in"/"в" that name no namespace of this cluster.
COMMON = word_set(
    "a an the this that my our your their its which what each every any all some one two "
    "kubernetes k8s promql prometheus alertmanager knative kserve grafana kubectl helm "
    "general practice production prod detail details order case short theory advance "
    "pending running failed crashloopbackoff imagepullbackoff oomkilled notready "
    "containercreating terminating completed unknown ready state status "
    "cluster clusters namespace namespaces pod pods node nodes container containers "
    "yaml json logs log events manifest manifests memory cpu disk parallel place time "
    "mind use front total question terms before after between during since until while "
    "once addition particular depth turn response"
)
_PATTERNS: dict[str, str] = {
    "wh_start": r"^(what|what's|whats|how|why|when|which|where|who|whose)\b|"
    r"^(что|как|почему|зачем|когда|как\w+|где|кто|сколько|чем|откуда|в ч[её]м)\b",
    "yesno_start": r"^(is|are|was|were|does|do|did|has|have|will|should|any|anything)\b|"
    r"^(есть ли|нужно ли|можно ли|стоит ли)\b|^\w+ ли\b",
    "polite": r"^(can|could|would) you\b|\bplease\b|\bpls\b|можешь|можете|пожалуйста",
    "order_start": r"^(?:(?:please|pls|can you|could you|would you|go ahead and|now)\s+)?"
    r"(show|list|get|display|print|fetch|check|find|search|grep|look for|describe|restart|"
    r"scale|bump|raise|roll back|rollback|undo|revert|cordon|silence|mute|top|query|run|"
    r"tail|inspect|set|mark|redeploy|bounce|kick|evaluate|hush|kubectl)\b|"
    r"^(покажи|выведи|дай|перезапусти|откати\w*|отмасштабируй|масштабируй|увеличь|уменьши|"
    r"заглуши|замьють|найди|поищи|проверь|посмотри|глянь|опиши|закордонь|сделай|выполни|"
    r"запусти|рестартани|рестартни|поставь|выключи)\b",
    "explain_start": r"^(explain|tell me|summari[sz]e|compare|walk me|write|describe how|"
    r"describe the (lifecycle|difference|process|flow|steps|role|architecture)|"
    r"give me (a|an)|show (me )?(an|a) example|"
    r"list (the )?(common|usual|main|typical|key|best|steps|differences|fields|types|kinds|"
    r"ways|reasons))\b|"
    r"^(объясни|расскажи|перечисли|приведи|сравни|напиши|покажи пример)\b|^опиши,",
    "investigate": r"\b(investigate|debug|troubleshoot|figure out|find out|look into|diagnose)\b|"
    r"what'?s wrong|whats wrong|what is wrong|what happened|what'?s going on|"
    r"what is going on|something is (wrong|off)|разберись|выясни|что с\b|что не так|"
    r"что случилось|что происходит",
    "howto": r"\bhow (do|to|can|should|would|does|is|are)\b|\bwhat (should|do|can) (i|we)\b|"
    r"\bbest (way|practice)|\brecommend(s|ed|ation|ations)?\b|\bmean\b|\bmeaning\b|"
    r"\bwhat is (a|an)\b|"
    r"\bwhat is the (difference|meaning|purpose|role|point|best|recommended|default|right)\b|"
    r"\bdifference\b|\bwhen (should|does|is|do)\b|\bin general\b|\bexample\b|\busually\b|"
    r"\btypical|\bcommon\b|"
    # "Which commands help me find out why?": asks for a way, not for the cluster's state.
    r"\b(which|what) (commands?|tools?|steps|metrics?|quer(y|ies)|flags?|settings?|options?) "
    r"(help|helps|show|shows|should|can|do|does|to|will|would|let|tell)\b|"
    # "What state is an alert in ...": a question about any alert, not one of this cluster.
    r"^(what|what's|how|why|when|which|where)\b[^?]*\b(a|an) [a-z]|"
    r"как (мне|правильно|можно|работает|устроен\w*|настроить|сделать|понять|посмотреть|"
    r"получить|написать|отладить|узнать)|что делать|что проверить|что такое|что значит|"
    r"что означает|отличается|зачем|для чего|в общем случае|пример|обычно|нужно ли|можно ли|"
    r"стоит ли",
    "why_start": r"^why\b|^почему\b",
    "why_generic": r"^why (do|does|would|might|can|could|should)\b|"
    r"^почему (в|у|при|нужно|бывает)\b",
    "generic_object": r"\b(a|an) (pod|deployment|node|container|service|statefulset|daemonset|"
    r"job|alert|namespace|replicaset|rollout|probe)\b",
    "ns_phrase": rf"\b(namespace|ns|неймспейсе?) {_NOT_WORD}{_NAME}\b|"
    rf"\b(in|from) (the )?{_NOT_WORD}{_NAME} (namespace|ns)\b|(^| )-n {_NAME}\b",
    "named_object": r"\b(pod|deployment|deploy|node|service|svc|job|под\w*|деплоймент\w*|"
    r"нод\w*|сервис\w*) [a-z]+[-0-9][-a-z0-9.]*\b|\b(deployment|deploy|pod|node)s?/",
    "hash_pod": r"\b[a-z][a-z0-9]*(-[a-z0-9]+)*-(?=[a-z]*\d)[a-z0-9]{5,10}(-[a-z0-9]{4,5})?\b",
    "hyphen_name": r"\b[a-z]+-[a-z0-9]+(-[a-z0-9]+)*\b",
    "now": r"right now|\bcurrently\b|at the moment|\bnow\b|\btoday\b|сейчас|в данный момент|"
    r"на данный момент",
    "mine": r"\b(my|our|we|us)\b|\bнаш\w*|\bмо[йяеи]\b|у нас|у меня",
    "firing": r"\b(firing|fired|alerting|active alerts)\b|\bгор(ит|ят)\b|сработал\w*|алертит",
    "quoted": r"[`\"'«“]",
    "qmark": r"\?\s*$",
    "short": r"^\S+(\s+\S+){0,3}$",
    "long": r"^\S+(\s+\S+){11,}",
    "number_unit": r"\b\d+\s*(replicas?|minutes?|mins?|hours?|h|m|реплик\w*|минут\w*|час\w*)\b",
    "there": r"\bthere\b|\bтам\b",
}
_COMPILED = {name: re.compile(p) for name, p in _PATTERNS.items()}
_IN_NAME = re.compile(r"\b(?:in|from|в|во|из) ([a-z][a-z0-9-]*)\b")
NAMES: tuple[str, ...] = (*_PATTERNS, "in_name", "write_verb", "alert_name")


def in_name(low: str) -> str | None:
    """The first ``in X``/``в X`` whose X could be a namespace (not a common word)."""
    for match in _IN_NAME.finditer(low):
        if match.group(1) not in COMMON:
            return match.group(1)
    return None


def features(message: str) -> np.ndarray:
    """The 0/1 grammar features of a message, in the order of ``NAMES``."""
    low = message.lower().strip()
    flags = [bool(p.search(low)) for p in _COMPILED.values()]
    flags.append(in_name(low) is not None)
    flags.append(bool(write_words(low.rstrip("?!. "))))
    flags.append(alert_name(message) is not None)
    return np.asarray(flags, dtype=np.float32)


def names(row: np.ndarray) -> list[str]:
    """The names of the features set in ``row``."""
    return [name for name, value in zip(NAMES, row, strict=True) if value]


def explain(message: str) -> list[str]:
    """The names of the features a message has (for reasons and debugging)."""
    return names(features(message))
