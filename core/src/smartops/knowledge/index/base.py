"""The Index protocol every backend implements, and reciprocal rank fusion."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from smartops.knowledge.documents import Chunk, Hit, Mode

# Each further hit from one source counts this much less (see ``spread``); 1.0: off.
SOURCE_DECAY = 0.5


@dataclass(frozen=True)
class Stored:
    """What the index holds about a chunk, for incremental ingestion."""

    source: str
    hash: str


class Index(Protocol):
    """A collection of chunks with their vectors: BM25, kNN and hybrid search."""

    def stored(self) -> dict[str, Stored]:
        """Chunk id -> (source, content hash) of everything in the collection."""
        ...

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None: ...

    def delete(self, ids: Iterable[str]) -> None: ...

    def count(self) -> int: ...

    def commit(self) -> None:
        """Make the changes durable and searchable."""
        ...

    def search(self, query: str, vector: np.ndarray | None, k: int, mode: Mode) -> list[Hit]:
        """Top ``k`` hits, ``spread`` by source; hybrid fuses BM25 and kNN; no vector: BM25."""
        ...

    def ping(self) -> bool: ...


def rrf(
    rankings: Sequence[Sequence[str]], k: int, rrf_k: int, weights: Sequence[float] = ()
) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion: score(d) = sum of w_i / (rrf_k + rank_i(d))."""
    scores: dict[str, float] = {}
    for n, ranking in enumerate(rankings):
        weight = weights[n] if n < len(weights) else 1.0
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (rrf_k + rank)
    return sorted(scores.items(), key=lambda item: item[1], reverse=True)[:k]


def spread(hits: Sequence[Hit], k: int, decay: float = SOURCE_DECAY) -> list[Hit]:
    """Source-aware re-ranking of hits sorted best first, cut to the top ``k``.

    The n-th hit (from 0) of a source has its score scaled by ``decay ** n``, so the top
    ``k`` reaches more documents, and a source's further sections stay only where they
    score well above the other documents' best ones.
    """
    seen: dict[str, int] = {}
    out: list[Hit] = []
    for hit in hits:
        n = seen.get(hit.chunk.source, 0)
        seen[hit.chunk.source] = n + 1
        factor = decay**n
        score = hit.score * factor if hit.score >= 0 else hit.score / factor
        out.append(Hit(hit.chunk, score))
    return sorted(out, key=lambda h: h.score, reverse=True)[:k]
