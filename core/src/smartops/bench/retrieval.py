"""``smartops bench retrieval``: ingestion and search latency at 100k+ chunks.

The real corpus is ingested from scratch into a temporary data dir (seconds, chunks/s),
then again unchanged. The index is padded to ``size`` chunks with generated ones: text
drawn word by word from the corpus' own word frequencies (BM25 sees realistic postings)
and vectors mixed from two real chunk vectors plus noise (kNN scans the same amount of
data; exact search does not depend on the values). Latencies are per query, one thread.
The load average is printed beside the figures (a loaded machine's figures say so).

With ``questions`` (a dev set file), the real corpus' index is also compared with
LlamaIndex's fusion retriever on those questions (``retrieval_compare``), unless
``llamaindex_venv`` is None.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from smartops.bench import retrieval_compare
from smartops.bench.stats import summary_ms
from smartops.config import Settings
from smartops.knowledge.documents import Chunk, make_chunk
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.eval import load_devset
from smartops.knowledge.index import open_index
from smartops.knowledge.index.embedded import EmbeddedIndex
from smartops.knowledge.ingest import ingest

DEFAULT_QUERIES = (
    "pod keeps restarting in a crash loop",
    "disk on a node will be full soon",
    "etcd has no leader",
    "alertmanager cannot send notifications",
    "how to configure a liveness probe",
    "scale a knative service to zero",
    "rate function over a range vector",
    "kserve custom transformer",
)


def pad(index: EmbeddedIndex, size: int, seed: int = 7) -> EmbeddedIndex:
    """An in-memory copy of ``index`` with generated chunks up to ``size`` rows."""
    rng = np.random.default_rng(seed)
    words = np.array(" ".join(c.text for c in index.chunks).split())
    lengths = [len(c.text.split()) for c in index.chunks]
    extra = max(0, size - index.count())
    generated: list[Chunk] = []
    for i in range(extra):
        n = int(rng.choice(lengths))
        text = " ".join(words[rng.integers(0, words.size, n)])
        generated.append(
            make_chunk(
                source=f"generated/{i // 50}.md",
                title="generated",
                heading=f"generated > {i}",
                text=text,
                ordinal=i,
                model="generated",
            )
        )
    a = rng.integers(0, index.count(), extra)
    b = rng.integers(0, index.count(), extra)
    mix = index.vectors[a] + index.vectors[b]
    mix += rng.normal(0, 0.05, mix.shape).astype(np.float32)
    mix /= np.linalg.norm(mix, axis=1, keepdims=True)
    padded = EmbeddedIndex(
        None,
        candidates=index.candidates,
        rrf_k=index.rrf_k,
        bm25_weight=index.bm25_weight,
        source_decay=index.source_decay,
        ranking=index.ranking,
    )
    padded.upsert([*index.chunks, *generated], np.vstack([index.vectors, mix]))
    return padded


def timed(fn: Callable[[], object], runs: int, warmup: int = 5) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return summary_ms(samples)


def _cycle(queries: Sequence[str]) -> Callable[[], str]:
    state = {"i": 0}

    def next_query() -> str:
        state["i"] += 1
        return queries[state["i"] % len(queries)]

    return next_query


def measure_search(
    index: EmbeddedIndex, embedder: Embedder, queries: Sequence[str], runs: int
) -> dict[str, Any]:
    vectors = {q: embedder.embed_query(q) for q in queries}
    index.bm25()
    nxt = _cycle(queries)
    return {
        "query_embedding_ms": timed(lambda: embedder.embed_query(nxt()), runs),
        "bm25_ms": timed(lambda: index.search(nxt(), None, 5, "bm25"), runs),
        "knn_ms": timed(lambda: index.search("", vectors[nxt()], 5, "vector"), runs),
        "hybrid_ms": timed(lambda: index.search(q := nxt(), vectors[q], 5, "hybrid"), runs),
        "hybrid_with_embedding_ms": timed(
            lambda: index.search(q := nxt(), embedder.embed_query(q), 5, "hybrid"), runs
        ),
    }


def _index(local: Settings) -> EmbeddedIndex:
    index = open_index(local, local.knowledge.collection)
    if not isinstance(index, EmbeddedIndex):
        raise TypeError("the retrieval benchmark runs on the embedded index")
    return index


def _compare(
    index: EmbeddedIndex, embedder: Embedder, questions: Path | None, venv: Path | None
) -> dict[str, Any] | None:
    if questions is None or venv is None:
        return None
    try:
        return retrieval_compare.compare(index, embedder, load_devset(questions), venv)
    except (retrieval_compare.Unavailable, OSError, ValueError) as exc:
        return {"unavailable": str(exc)}


def run(
    settings: Settings,
    corpus: str,
    size: int,
    runs: int,
    questions: Path | None = None,
    llamaindex_venv: Path | None = None,
) -> dict[str, Any]:
    """All figures, as a dict (see the module docstring)."""
    load_before = os.getloadavg()
    embedder = Embedder(settings.embed)
    embedder.load()
    with tempfile.TemporaryDirectory(prefix="smartops-bench-") as tmp:
        local = settings.with_changes(data_dir=Path(tmp), knowledge_backend="embedded")
        first = ingest([corpus], local, _index(local), embedder)
        started = time.perf_counter()
        again = ingest([corpus], local, _index(local), embedder)
        again_s = time.perf_counter() - started
        comparison = _compare(_index(local), embedder, questions, llamaindex_venv)
        build_started = time.perf_counter()
        padded = pad(_index(local), size)
        padded.bm25()
        build_s = time.perf_counter() - build_started
    figures: dict[str, Any] = {
        "corpus": corpus,
        "ingest": {**first.to_dict(), "seconds": round(first.seconds, 2)},
        "reingest_unchanged_s": round(again_s, 3),
        "reingest_changed_chunks": again.new + again.updated + again.deleted,
        "index_chunks": padded.count(),
        "pad_and_bm25_build_s": round(build_s, 1),
        "embedding": embedder.signature,
        "embed_threads": {
            "query": settings.embed.query_threads,
            "batch": settings.embed.batch_threads,
        },
    }
    figures.update(measure_search(padded, embedder, DEFAULT_QUERIES, runs))
    figures["load_before"] = [round(x, 2) for x in load_before]
    figures["load_after"] = [round(x, 2) for x in os.getloadavg()]
    if comparison is not None:
        figures["llamaindex_comparison"] = comparison
    return figures
