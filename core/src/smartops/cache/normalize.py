"""How questions are compared: normalized text, identifiers, and the sharing scope."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

_PUNCT = re.compile(r"[^\w\s/.:-]+", re.UNICODE)
_SPACES = re.compile(r"\s+")
# Words that name a specific object: CamelCase alert names, names with digits, dashes,
# dots, slashes or underscores (deployment names, namespaces, versions, paths).
_IDENTIFIER = re.compile(
    r"\b(?:[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+|[\w.-]*\d[\w.-]*|\w+(?:[-_./]\w+)+)\b"
)
_COMMON = frozenset({"what", "how", "why", "when", "does", "the", "a", "an", "is", "are", "in"})


def normalize(question: str) -> str:
    """Lower case, unicode-normalized, punctuation dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKC", question).lower()
    text = _PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip(" .:-/")


def identifiers(question: str) -> frozenset[str]:
    """The specific names in a question; a semantic hit must name the same ones.

    "restart deployment api-v2" and "restart deployment web-v2" embed almost alike but
    need different answers: their identifiers differ, so one never answers the other.
    """
    found = {m.group(0).lower().strip(".") for m in _IDENTIFIER.finditer(question)}
    return frozenset(word for word in found if word and word not in _COMMON)


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def scope(model: str, system_messages: Iterable[str]) -> str:
    """The sharing scope of an answer: the model and the client's system prompt."""
    return digest(model, *system_messages)
