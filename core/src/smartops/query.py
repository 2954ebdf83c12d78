"""The query embedding, computed once per request and shared by every stage.

It embeds the retrieval query: the question, with the subject of earlier turns joined
when a follow-up refers back to it (``smartops.knowledge.followup``).
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import numpy as np

from smartops.knowledge.followup import retrieval_query
from smartops.metrics import Metrics
from smartops.turn import Turn


class QueryEmbedder(Protocol):
    def embed_query(self, text: str) -> np.ndarray: ...


async def query_vector(turn: Turn, embedder: QueryEmbedder, metrics: Metrics) -> np.ndarray:
    """The turn's question as a vector: computed on first use, then reused."""
    if turn.query_vector is not None:
        return turn.query_vector
    started = time.perf_counter()
    vector = await asyncio.to_thread(embedder.embed_query, retrieval_query(turn.request))
    elapsed = time.perf_counter() - started
    turn.timings_ms["embed"] = round(elapsed * 1000, 3)
    metrics.stage_latency.labels("embed").observe(elapsed)
    turn.query_vector = vector
    return vector
