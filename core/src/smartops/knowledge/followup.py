# ruff: noqa: RUF001, RUF002  (Russian words are Cyrillic on purpose)
"""Follow-up questions: what "it" is, for retrieval.

"How do I fix it?" after a question about KubePodCrashLooping retrieves nothing useful
by itself. When a message refers back ("it", "this alert", "его", "этот алерт") and
names no alert of its own, the entities of the earlier user messages (alert names,
resources, namespaces; the most recent message that has any) join the retrieval query.
A message that names its own subject, or does not refer back, is searched as written.

The public API: ``entities_of(text) -> Entities``, ``refers_back(text) -> bool``,
``resolve(question, earlier) -> FollowUp`` and ``retrieval_query(request) -> str``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from smartops.chat import ChatRequest

# An alert or state name: CamelCase with at least two humps (KubePodCrashLooping, TargetDown).
_ALERT = re.compile(r"\b[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+\b")
_HUMP = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*")
_KINDS = (
    r"deployment|deploy|statefulset|daemonset|replicaset|pod|service|svc|job|cronjob|node"
    r"|pvc|persistentvolumeclaim|configmap|secret|ingress|деплоймент|под|сервис|нода"
)
_NAME = r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?"
_RESOURCE = re.compile(rf"\b({_KINDS})(?:s|а|ы)?(?:/|\s+)({_NAME})\b", re.I)
_NAMESPACE = re.compile(
    rf"(?:\bnamespace|\bns|(?<!\S)-n|--namespace|неймспейсе|пространстве имён)[\s=]+({_NAME})\b",
    re.I,
)
_BACK = re.compile(
    r"\b(?:it|its|it's|this|that|these|those|them|they|the same|the alert|the pod)\b"
    r"|(?<!\w)(?:его|её|ее|него|нём|нем|ним|им|это|этот|эта|эти|этого|этой|этом|этому"
    r"|этих|тот|та|того|той|он|она|они|их)(?!\w)",
    re.I,
)
_STOP_NAMES = {"the", "a", "an", "it", "is", "in", "my", "this", "that", "и", "в"}


@dataclass(frozen=True)
class Entities:
    """What a message is about: alert names, ``kind/name`` resources, namespaces."""

    alerts: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.alerts or self.resources or self.namespaces)

    def words(self) -> list[str]:
        """The entities as query words (a resource as its kind and name)."""
        parts: list[str] = []
        for alert in self.alerts:  # the name, and its words as a runbook's title has them
            parts.extend([alert, " ".join(_HUMP.findall(alert))])
        for resource in self.resources:
            parts.extend(resource.split("/", 1))
        parts.extend(f"namespace {n}" for n in self.namespaces)
        return parts


@dataclass(frozen=True)
class FollowUp:
    """The retrieval query for a message, and what joined it from earlier turns."""

    query: str
    joined: Entities = Entities()

    @property
    def resolved(self) -> bool:
        return bool(self.joined)


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def entities_of(text: str) -> Entities:
    """The alert names, resources and namespaces a message names."""
    resources = [
        f"{kind.lower()}/{name.lower()}"
        for kind, name in _RESOURCE.findall(text)
        if name.lower() not in _STOP_NAMES
    ]
    namespaces = [n.lower() for n in _NAMESPACE.findall(text) if n.lower() not in _STOP_NAMES]
    return Entities(_unique(_ALERT.findall(text)), _unique(resources), _unique(namespaces))


def refers_back(text: str) -> bool:
    """Whether a message points at something said before ("it", "this alert", "его")."""
    return _BACK.search(text) is not None


def resolve(question: str, earlier: Sequence[str]) -> FollowUp:
    """``question``'s retrieval query, given the earlier user messages (oldest first)."""
    own = entities_of(question)
    if own.alerts or not refers_back(question):
        return FollowUp(question)
    for message in reversed(earlier):
        found = entities_of(message)
        if found:
            joined = Entities(
                alerts=found.alerts,
                resources=tuple(r for r in found.resources if r not in own.resources),
                namespaces=tuple(n for n in found.namespaces if n not in own.namespaces),
            )
            return FollowUp(" ".join([question, *joined.words()]), joined)
    return FollowUp(question)


def retrieval_query(request: ChatRequest) -> str:
    """The text a turn retrieves (and embeds) with: its question, resolved."""
    earlier = [m.text for m in request.messages[:-1] if m.role == "user"]
    return resolve(request.question, earlier).query if earlier else request.question
