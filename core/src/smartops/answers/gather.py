"""Evidence for a question from an index: hybrid search, plus the alerts it names.

A question that names an alert (``KubePodCrashLooping``) needs that alert's rule (its
expression, ``for`` and severity) even when the search ranks other sections higher, so
each named alert's documents are looked up by name (a BM25 search for the name, kept
only where the title is that name) and put first. Hits already found are not repeated.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from smartops.answers.evidence import from_hit
from smartops.answers.models import Evidence
from smartops.knowledge.documents import Hit
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index.base import Index
from smartops.knowledge.index.embedded import EmbeddedIndex
from smartops.knowledge.retrieval import search

SIMILAR = 50  # vector hits whose cosine is known; others get similarity None
_NAME = re.compile(r"\b[A-Za-z][a-z]*(?:[A-Z][a-z0-9]+){2,}[A-Za-z0-9]*\b")


def named_alerts(question: str) -> list[str]:
    """CamelCase names of three or more parts: alert names (``KubePodCrashLooping``)."""
    return list(dict.fromkeys(_NAME.findall(question)))


def _named(hit: Hit, name: str) -> bool:
    """An alert's own document: its rule (titled by name) or its runbook (file named so)."""
    chunk = hit.chunk
    stem = chunk.source.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    return name in (chunk.title.lower(), stem)


def by_name(index: Index, name: str, limit: int = 6) -> list[Hit]:
    """The alert ``name``'s documents: its rules first, then its runbook's sections."""
    hits = index.search(name, None, 30, "bm25")
    own = [h for h in hits if _named(h, name.lower())]
    own.sort(key=lambda h: (h.chunk.kind != "alert", -h.score))
    return own[:limit]


def similarities(index: Index, vector: np.ndarray, n: int = SIMILAR) -> dict[str, float]:
    """Chunk id -> cosine to the query for the ``n`` nearest chunks (the embedded index
    only: search scores are normalised ranks, not cosines; other backends give {})."""
    if not isinstance(index, EmbeddedIndex):
        return {}
    chunks = index.chunks
    return {chunks[row].id: cosine for row, cosine in index.knn(vector, n)}


def gather(
    question: str,
    index: Index,
    embedder: Embedder | None,
    *,
    vector: np.ndarray | None = None,
    k: int = 8,
) -> list[Evidence]:
    """The evidence for ``question``: named alerts' documents, then the top ``k`` hits,
    each with its cosine to the query where a vector search ranks it in the top 50."""
    if vector is None and embedder is not None:
        vector = embedder.embed_query(question)
    hits = search(index, embedder, question, k, "hybrid", vector)
    named = [h for name in named_alerts(question) for h in by_name(index, name)]
    similar = similarities(index, vector) if vector is not None else {}
    seen: set[str] = set()
    out: list[Evidence] = []
    for hit in [*named, *hits]:
        if hit.chunk.id not in seen:
            seen.add(hit.chunk.id)
            out.append(replace(from_hit(hit), similarity=similar.get(hit.chunk.id)))
    return out[: k + 4]
