"""The documents of the alerts a question names, put before the search's hits.

A question that names an alert (``KubePodCrashLooping``) needs that alert's rule (its
expression, ``for`` and severity) and its runbook's sections even when the search ranks
other sections higher: each named alert's documents are looked up by name (a BM25
search for the name, kept only where the title or the file is that name) and put first.
The retriever (the gateway's path) and ``smartops eval answers --local`` both use this.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from smartops.knowledge.documents import Hit
from smartops.knowledge.index.base import Index

_NAME = re.compile(r"\b[A-Za-z][a-z]*(?:[A-Z][a-z0-9]+){2,}[A-Za-z0-9]*\b")
PER_ALERT = 6


def named_alerts(question: str) -> list[str]:
    """CamelCase names of three or more parts: alert names (``KubePodCrashLooping``)."""
    return list(dict.fromkeys(_NAME.findall(question)))


def _named(hit: Hit, name: str) -> bool:
    """An alert's own document: its rule (titled by name) or its runbook (file named so)."""
    chunk = hit.chunk
    stem = chunk.source.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    return name in (chunk.title.lower(), stem)


def by_name(index: Index, name: str, limit: int = PER_ALERT) -> list[Hit]:
    """The alert ``name``'s documents: its rules first, then its runbook's sections."""
    hits = index.search(name, None, 30, "bm25")
    own = [h for h in hits if _named(h, name.lower())]
    own.sort(key=lambda h: (h.chunk.kind != "alert", -h.score))
    return own[:limit]


def with_named(index: Index, question: str, hits: Sequence[Hit], extra: int = 4) -> list[Hit]:
    """The named alerts' documents, then ``hits``; no chunk twice; at most ``extra`` more
    than the search returned."""
    named = [h for name in named_alerts(question) for h in by_name(index, name)]
    seen: set[str] = set()
    out: list[Hit] = []
    for hit in [*named, *hits]:
        if hit.chunk.id not in seen:
            seen.add(hit.chunk.id)
            out.append(hit)
    return out[: len(hits) + extra]
