"""From the two candidate lists to one ranking: the same code for every index backend.

A backend reads the question (``query_profile.profile``), asks its BM25 side with
``profile.lexical`` (the question, plus English words for a Russian one) and its kNN
side with the query vector, and hands both candidate lists to ``rank``:

1. **fusion** (``fusion.combine``): a convex combination of min-max normalised scores.
   BM25's share depends on the question: ``bm25_share`` in general, more when the
   question names an identifier (an alert, metric or flag: words decide),
   ``bm25_share_russian`` for a Russian question (the embedding model reads English);
   ``fusion="rrf"`` keeps the former weighted reciprocal rank fusion instead;
2. **re-ranking** (``rerank.rerank``): title, heading and identifier matches and the
   document type the question asks for;
3. **page support** (``support``): a page's best chunk gains ``page_support`` times the
   scores of its next ``page_support_chunks`` chunks: a page that matches in several
   sections is more likely about the question than one lucky paragraph elsewhere.

A single mode (BM25 or kNN only) skips step 1 and gets step 2 over its own normalised
scores, so the modes stay comparable. The backend then applies ``index.base.spread``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from smartops.knowledge.documents import Hit
from smartops.knowledge.fusion import Norm, combine, normalise
from smartops.knowledge.index.base import rrf
from smartops.knowledge.query_profile import QueryProfile, profile
from smartops.knowledge.rerank import RerankWeights, rerank

Fusion = Literal["convex", "rrf"]


@dataclass(frozen=True)
class RankingConfig:
    """How candidates are fused and re-ranked (defaults measured on the dev set)."""

    fusion: Fusion = "convex"
    norm: Norm = "max"
    bm25_share: float = 0.3
    bm25_share_identifier: float = 0.3  # measured: no gain over the re-ranking's bonus
    bm25_share_russian: float = 0.6
    rrf_k: int = 10
    rrf_bm25_weight: float = 0.5
    rerank: RerankWeights = field(default_factory=RerankWeights)
    page_support: float = 0.1
    page_support_chunks: int = 2


def bm25_share(query: QueryProfile, config: RankingConfig) -> float:
    """BM25's weight in the convex combination for this question (kNN gets the rest)."""
    share = config.bm25_share
    if query.identifiers:
        share = max(share, config.bm25_share_identifier)
    if query.russian:
        share = max(share, config.bm25_share_russian)
    return share


def fuse(
    query: QueryProfile, lexical: Sequence[Hit], semantic: Sequence[Hit], config: RankingConfig
) -> list[Hit]:
    """The two candidate lists as one, best first (step 1 of the module docstring)."""
    if config.fusion == "rrf":
        by_id = {h.chunk.id: h.chunk for h in [*semantic, *lexical]}
        ids = [[h.chunk.id for h in lexical], [h.chunk.id for h in semantic]]
        fused = rrf(ids, len(by_id), config.rrf_k, (config.rrf_bm25_weight, 1.0))
        top = max((s for _, s in fused), default=1.0) or 1.0
        return [Hit(by_id[key], score / top) for key, score in fused]
    share = bm25_share(query, config)
    return combine([lexical, semantic], [share, 1.0 - share], config.norm)


def single(hits: Sequence[Hit], norm: Norm = "max") -> list[Hit]:
    """One mode's hits with normalised scores, best first."""
    ordered = sorted(hits, key=lambda h: h.score, reverse=True)
    values = normalise([h.score for h in ordered], norm)
    return [Hit(h.chunk, v) for h, v in zip(ordered, values, strict=True)]


def support(hits: Sequence[Hit], share: float, chunks: int) -> list[Hit]:
    """Each page's best hit plus ``share`` times its next ``chunks`` hits, best first."""
    if share <= 0 or chunks <= 0:
        return list(hits)
    pages: dict[str, list[float]] = {}
    for hit in hits:
        pages.setdefault(hit.chunk.source, []).append(hit.score)
    out: list[Hit] = []
    for hit in hits:
        scores = pages.pop(hit.chunk.source, None)  # the page's first (best) hit only
        extra = share * sum(scores[1 : 1 + chunks]) if scores else 0.0
        out.append(Hit(hit.chunk, hit.score + extra))
    return sorted(out, key=lambda h: h.score, reverse=True)


def rank(
    query: QueryProfile | str,
    lexical: Sequence[Hit] | None,
    semantic: Sequence[Hit] | None,
    config: RankingConfig | None = None,
) -> list[Hit]:
    """Fused (when both lists are given) and re-ranked candidates, best first."""
    config = config or RankingConfig()
    read = profile(query) if isinstance(query, str) else query
    if lexical is not None and semantic is not None:
        candidates = fuse(read, lexical, semantic, config)
    else:
        candidates = single(lexical if lexical is not None else semantic or [], config.norm)
    ranked = rerank(read, candidates, config.rerank)
    return support(ranked, config.page_support, config.page_support_chunks)
