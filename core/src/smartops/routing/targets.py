"""What an investigation is about: ``why is checkout crashing in shop?`` -> the name
``checkout`` in the namespace ``shop``; ``why is KubePodNotReady firing in web?`` -> the
alert ``KubePodNotReady`` in ``web``; ``что с нодой worker-5?`` -> the node ``worker-5``."""

# ruff: noqa: RUF001, RUF002  (the Russian phrasings are Cyrillic on purpose)
from __future__ import annotations

import re

from smartops.actions.intent import alert_name
from smartops.actions.intent_words import (
    NAME,
    deployment,
    first,
    namespace,
    node,
    pod,
    service,
    word_set,
)
from smartops.routing.features import COMMON
from smartops.routing.types import Target, TargetKind

_HASH_POD = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*-[a-z0-9]{5,10}-[a-z0-9]{4,5}$")
_KIND_WORDS = word_set(
    "pod pods deployment deployments deploy rollout service node nodes под поды подов "
    "деплоймент выкат раскатка сервис нода"
)
_PLAIN = word_set(
    "why is are was does do did what whats how the a an my our with for of on to it this that "
    "почему что как с со у мой наш так не"
)
_SKIP = word_set(
    "crashing failing down broken stuck restarting erroring slow flapping dying firing fired "
    "alerting "
    "падает висит висят перезапускается тормозит упал лежит"
)
_OBJECT = rf"\b(?:with|for|of|on|to|с|со)\s+(?:the\s+)?(?:(?:pod|deployment|service)\s+)?{NAME}\b"


def _before_namespace(low: str, ns: str) -> str | None:
    """The object named just before ``in <namespace>`` (``search in web``, ``payments-api
    crashing in payments``), skipping verbs and kind words, at most three words back."""
    match = re.search(rf"\s(?:in|from|for|в|во|из)\s+(?:the\s+)?{re.escape(ns)}\b", low)
    if not match:
        return None
    words: list[str] = re.findall(r"[\w.-]+", low[: match.start()])
    for word in reversed(words[-3:]):
        if word in _KIND_WORDS or word in _SKIP:
            continue
        if word in _PLAIN or word in COMMON or not re.fullmatch(NAME, word):
            return None
        return word
    return None


def target(message: str) -> Target:
    """The target of an investigation (fields left None when the message does not say)."""
    low = " ".join(message.lower().split()).rstrip("?!. ")
    alert = alert_name(message)
    ns = namespace(low)
    kind: TargetKind | None = None
    found: list[tuple[TargetKind, str | None]] = [
        ("pod", pod(low)),
        ("node", node(low)),
        ("service", service(low)),
        ("deployment", deployment(low)),
    ]
    name = None
    for candidate_kind, candidate in found:
        if candidate:
            kind, name = candidate_kind, candidate
            break
    if name is None:
        name = _before_namespace(low, ns) if ns else None
        name = name or first([_OBJECT], low)
        name = None if name in COMMON else name  # "for one of my pods" names none
    if alert and name == alert.lower():
        name = None
    if name and ns == name:
        ns = None
    if kind is None and name and _HASH_POD.match(name):
        kind = "pod"
    return Target(kind, name, ns, alert)
