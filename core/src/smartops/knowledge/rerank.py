"""Second-stage re-ranking of the fused candidates with cheap features.

Each candidate's fused score (0..1) gets bonuses:

- **identifier**: the question names it: an identifier of the question (an alert name,
  a kind, a metric, a flag) is the chunk's title or one of its headings (spaces, case
  and separators ignored: "Kube Pod Crash Looping" is ``KubePodCrashLooping``); a
  smaller bonus when the identifier only appears in its text (a metric in an expression);
- **document type**: a definition question (metric, expression, threshold, ``for``,
  severity) prefers the alert rule, a remediation question (what to do, how to fix)
  the runbook; both when both are asked;
- **heading**: the share of the question's terms found in the title and heading path;
- **title**: every word of the page's title is in the question ("What is a Knative
  Broker?" and the page "Brokers"): the page is about what is asked; scaled by the
  share of the question's words the title is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from smartops.knowledge.documents import Chunk, Hit
from smartops.knowledge.index.bm25 import terms
from smartops.knowledge.query_profile import QueryProfile

DocType = Literal["alert", "runbook", "doc"]
RUNBOOK_SECTIONS = frozenset({"meaning", "impact", "diagnosis", "mitigation"})
_SEPARATORS = re.compile(r"[\s_\-./:]+")


@dataclass(frozen=True)
class RerankWeights:
    """Bonuses added to a fused score in [0, 1]; all 0 turns re-ranking off."""

    identifier: float = 0.3
    identifier_text: float = 0.05
    doc_type: float = 0.4
    heading: float = 0.1
    title: float = 0.15


def compact(text: str) -> str:
    return _SEPARATORS.sub("", text.lower())


@lru_cache(maxsize=65536)
def _names(title: str, heading: str) -> frozenset[str]:
    """A chunk's title and headings, compacted (cached: many chunks share them)."""
    return frozenset({compact(title), *(compact(part) for part in heading.split(">"))})


@lru_cache(maxsize=65536)
def _heading_terms(title: str, heading: str) -> frozenset[str]:
    return frozenset(terms(f"{title} {heading}"))


def doc_type(chunk: Chunk) -> DocType:
    """``alert`` for an alert rule, ``runbook`` for a runbook page, else ``doc``."""
    if chunk.kind in ("alert", "runbook"):
        return "alert" if chunk.kind == "alert" else "runbook"
    parts = {part.strip().lower() for part in chunk.heading.split(">")}
    if parts & RUNBOOK_SECTIONS or "/runbooks/" in f"/{chunk.source.lower()}":
        return "runbook"
    return "doc"


def _identifier_bonus(idents: Sequence[str], chunk: Chunk, weights: RerankWeights) -> float:
    if not idents:
        return 0.0
    names = _names(chunk.title, chunk.heading)
    if any(compact(i) in names for i in idents):
        return weights.identifier
    text = chunk.text.lower()
    if any(i.lower() in text for i in idents):
        return weights.identifier_text
    return 0.0


def _type_bonus(profile: QueryProfile, chunk: Chunk, weights: RerankWeights) -> float:
    kind = doc_type(chunk)
    if (kind == "alert" and profile.definition) or (kind == "runbook" and profile.remediation):
        return weights.doc_type
    return 0.0


def _heading_bonus(wanted: set[str], chunk: Chunk, weights: RerankWeights) -> float:
    if not wanted:
        return 0.0
    found = _heading_terms(chunk.title, chunk.heading)
    return weights.heading * len(wanted & found) / len(wanted)


@lru_cache(maxsize=65536)
def _title_terms(title: str) -> frozenset[str]:
    return frozenset(terms(title))


def _title_bonus(wanted: set[str], chunk: Chunk, weights: RerankWeights) -> float:
    """The page title read whole in the question: a page about what is asked."""
    found = _title_terms(chunk.title)
    if not wanted or not found or weights.title <= 0:
        return 0.0
    # Scaled by how much of the question the title is: a one-word title ("Metrics") is
    # in many questions and says little about each.
    return weights.title * len(found) / len(wanted) if found <= wanted else 0.0


def rerank(profile: QueryProfile, hits: Sequence[Hit], weights: RerankWeights) -> list[Hit]:
    """The hits re-scored with the bonuses (see the module docstring), best first."""
    wanted = set(terms(profile.lexical))
    out: list[Hit] = []
    for hit in hits:
        bonus = (
            _identifier_bonus(profile.identifiers, hit.chunk, weights)
            + _type_bonus(profile, hit.chunk, weights)
            + _heading_bonus(wanted, hit.chunk, weights)
            + _title_bonus(wanted, hit.chunk, weights)
        )
        out.append(Hit(hit.chunk, hit.score + bonus))
    return sorted(out, key=lambda h: h.score, reverse=True)
