"""Score fusion of the lexical and the semantic ranking (every backend uses it).

Each ranking's raw scores (BM25, cosine; OpenSearch's ``_score`` alike) are normalised
over its own candidates, then combined with weights: ``fused(d) = sum w_i * n_i(d) / sum
w_i``. Normalisations: ``max`` divides by the best score (0 stays 0, so a mode whose
candidates all score alike keeps them alike), ``minmax`` maps the candidates onto [0,
1], ``zscore`` centres and scales them. A candidate missing from one ranking gets that
ranking's floor, its lowest candidate's value: it scored at most that much there, and it
is not ruled out by the other mode's silence. Unlike reciprocal rank fusion
(``index.base.rrf``), a confident mode, one whose first hit stands far above the rest,
keeps its lead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from smartops.knowledge.documents import Chunk, Hit

Norm = Literal["max", "minmax", "zscore"]
NORMS: tuple[Norm, ...] = ("max", "minmax", "zscore")


def normalise(scores: Sequence[float], norm: Norm = "minmax") -> list[float]:
    """Scores divided by the best, mapped to [0, 1] (min-max) or z-scored."""
    if not scores:
        return []
    values = np.asarray(scores, dtype=np.float64)
    if norm == "max":
        top = float(values.max())
        return [float(v) for v in (np.maximum(values, 0.0) / top if top > 1e-12 else values * 0)]
    if norm == "zscore":
        spread = float(values.std())
        centred = values - float(values.mean())
        return [float(v) for v in (centred / spread if spread > 1e-12 else centred)]
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12:
        return [1.0] * len(scores)
    return [float(v) for v in (values - low) / (high - low)]


def combine(
    rankings: Sequence[Sequence[Hit]], weights: Sequence[float], norm: Norm = "minmax"
) -> list[Hit]:
    """The weighted combination of normalised scores, best first (see the module docstring)."""
    total = sum(w for w, ranking in zip(weights, rankings, strict=True) if ranking) or 1.0
    chunks: dict[str, Chunk] = {}
    fused: dict[str, float] = {}
    floors: list[float] = []
    normalised: list[dict[str, float]] = []
    for ranking in rankings:
        values = normalise([h.score for h in ranking], norm)
        floors.append(min(values) if values else 0.0)
        best: dict[str, float] = {}
        for hit, value in zip(ranking, values, strict=True):
            chunks.setdefault(hit.chunk.id, hit.chunk)
            best[hit.chunk.id] = max(value, best.get(hit.chunk.id, value))
        normalised.append(best)
    for key in chunks:
        fused[key] = sum(
            w * (scores.get(key, floor) if ranking else 0.0)
            for w, scores, floor, ranking in zip(weights, normalised, floors, rankings, strict=True)
        )
    order = sorted(fused, key=lambda key: fused[key], reverse=True)
    return [Hit(chunks[key], fused[key] / total) for key in order]
