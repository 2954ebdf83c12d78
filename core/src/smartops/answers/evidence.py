"""Evidence from what the knowledge index and the docs cache return."""

from __future__ import annotations

import re
from collections.abc import Sequence

from smartops.answers.models import Evidence, Kind
from smartops.cache.models import DocSection
from smartops.knowledge.documents import Hit

_ALERT_NAME = re.compile(r"^[A-Za-z][a-z]+(?:[A-Z][A-Za-z0-9]*)+$")


def kind_of(source: str, chunk_kind: str = "doc") -> Kind:
    """``alert_rule`` for alert documents, ``runbook`` for a page named after an alert."""
    if chunk_kind == "alert":
        return "alert_rule"
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return "runbook" if "runbook" in source.lower() or _ALERT_NAME.match(stem) else "doc"


def from_hit(hit: Hit) -> Evidence:
    c = hit.chunk
    return Evidence(
        text=c.text,
        source=c.source,
        title=c.title,
        heading=c.heading,
        url=c.url,
        score=hit.score,
        kind=kind_of(c.source, c.kind),
    )


def from_section(section: DocSection, score: float | None = None) -> Evidence:
    return Evidence(
        text=section.text,
        source=section.source,
        title=section.title,
        heading=section.heading,
        url=section.url,
        score=score,
        kind=kind_of(section.source),
    )


def evidence_texts(evidence: Sequence[Evidence]) -> list[str]:
    """What a checked answer may quote: each piece's heading path and text."""
    return [f"{e.heading}\n{e.text}" if e.heading else e.text for e in evidence]
