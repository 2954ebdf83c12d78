"""The query embedding, computed once per request and shared by every stage."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import numpy as np

from smartops.metrics import Metrics
from smartops.pipeline import Turn

QUERY_VECTOR = "query_vector"


class QueryEmbedder(Protocol):
    def embed_query(self, text: str) -> np.ndarray: ...


async def query_vector(turn: Turn, embedder: QueryEmbedder, metrics: Metrics) -> np.ndarray:
    """The turn's question as a vector: computed on first use, then reused."""
    cached = turn.state.get(QUERY_VECTOR)
    if isinstance(cached, np.ndarray):
        return cached
    started = time.perf_counter()
    vector = await asyncio.to_thread(embedder.embed_query, turn.request.question)
    elapsed = time.perf_counter() - started
    turn.timings_ms["embed"] = round(elapsed * 1000, 3)
    metrics.stage_latency.labels("embed").observe(elapsed)
    turn.state[QUERY_VECTOR] = vector
    return vector
