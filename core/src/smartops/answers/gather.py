"""Evidence for a question from an index: hybrid search, the best document's further
sections (``sections``), plus the alerts it names.

The named alerts' documents come first (``smartops.knowledge.named``, as in the
retriever the gateway calls).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from smartops.answers.evidence import from_hit
from smartops.answers.models import Evidence
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.further import evidence_hits
from smartops.knowledge.index.base import Index
from smartops.knowledge.retrieval import search, similarities


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
    hits = evidence_hits(index, question, hits)
    similar = similarities(index, vector) if vector is not None else {}
    return [replace(from_hit(hit), similarity=similar.get(hit.chunk.id)) for hit in hits]
