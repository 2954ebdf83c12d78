"""Grounded answers: an extract of the evidence first, a checked synthesis second.

The public API (plain typed inputs, no pipeline types):

- ``extract(question, query_vector, evidence, embed, *, vectors, options) -> Extract``
- ``grounded(question, evidence, *, best_cosine, thresholds) -> Grounding``
- ``abstention(question, *, collections, closest, docs_cache, language) -> str``
- ``check(answer, evidence_texts, conversation) -> Checked`` and ``StreamChecker``
- ``render_extract(extract, *, citations) -> str``
- ``from_hit(hit)`` / ``from_section(section, score)``: evidence from the knowledge index
  and from the docs cache.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smartops.answers.abstain import Thresholds, abstention, grounded
from smartops.answers.check import StreamChecker, check
from smartops.answers.clean import clean_markdown, leaks
from smartops.answers.compose import render_citations, render_extract
from smartops.answers.evidence import from_hit, from_section
from smartops.answers.extract import Options, extract
from smartops.answers.language import language_of
from smartops.answers.models import (
    AlertFacts,
    Checked,
    Citation,
    Evidence,
    Extract,
    Finding,
    Grounding,
    Sentence,
)
from smartops.answers.vectors import SentenceVectors

if TYPE_CHECKING:
    from smartops.composition import Contribution, Shared

__all__ = [
    "AlertFacts",
    "Checked",
    "Citation",
    "Evidence",
    "Extract",
    "Finding",
    "Grounding",
    "Options",
    "Sentence",
    "SentenceVectors",
    "StreamChecker",
    "Thresholds",
    "abstention",
    "check",
    "clean_markdown",
    "extract",
    "from_hit",
    "from_section",
    "grounded",
    "language_of",
    "leaks",
    "render_citations",
    "render_extract",
]


def build(shared: Shared) -> Contribution:
    """The answer stage (after retrieval): extracts, abstentions, checked syntheses."""
    from smartops.answers.stage import AnswerStage
    from smartops.composition import Contribution

    settings = shared.settings
    if not settings.knowledge.enabled and not settings.cache.enabled:
        return Contribution()
    collections = [settings.knowledge.collection]
    if settings.eventing.alerts_index:
        collections.append(settings.eventing.alerts_collection)
    return Contribution(stage=AnswerStage(settings, shared.metrics, collections))
