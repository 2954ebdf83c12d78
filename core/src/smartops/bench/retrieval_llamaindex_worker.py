"""LlamaIndex's fusion retriever over the same chunks and vectors (run by ``retrieval_compare``).

Runs inside the throwaway environment that holds ``llama-index-core`` and
``llama-index-retrievers-bm25``, never in the project's: it imports nothing of smartops.
Reads ``chunks.jsonl`` (id, source, text), ``vectors.npy`` (one row per chunk),
``questions.jsonl`` (question) and ``query_vectors.npy`` from the folder given, builds a
``QueryFusionRetriever`` (reciprocal rerank, one query: no LLM) over a ``BM25Retriever``
and a ``VectorStoreIndex`` retriever, both with ``similarity_top_k`` candidates, and
prints one JSON line: each question's ranked sources and its latency in seconds. The query
embedding is a lookup of the precomputed vector: latencies exclude it, on both sides.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core import Settings, VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.llms import MockLLM
from llama_index.core.retrievers import QueryFusionRetriever
from llama_index.core.schema import TextNode
from llama_index.retrievers.bm25 import BM25Retriever


class Precomputed(BaseEmbedding):  # type: ignore[misc]
    """Query vectors computed by smartops' embedder, looked up by text."""

    table: dict[str, list[float]] = {}

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.table[query]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self.table[query]

    def _get_text_embedding(self, text: str) -> list[float]:
        raise RuntimeError("every node comes with its vector")


def main(folder: Path, top_k: int, warmup: int) -> dict[str, Any]:
    rows = [json.loads(line) for line in (folder / "chunks.jsonl").read_text().splitlines()]
    vectors = np.load(folder / "vectors.npy")
    lines = (folder / "questions.jsonl").read_text().splitlines()
    questions = [json.loads(line)["question"] for line in lines]
    query_vectors = np.load(folder / "query_vectors.npy")
    embed = Precomputed(
        table={q: v.tolist() for q, v in zip(questions, query_vectors, strict=True)}
    )
    Settings.llm, Settings.embed_model = MockLLM(), embed
    nodes = [
        TextNode(id_=r["id"], text=r["text"], metadata={"source": r["source"]}, embedding=v)
        for r, v in zip(rows, vectors.tolist(), strict=True)
    ]
    started = time.perf_counter()
    vector_index = VectorStoreIndex(nodes, embed_model=embed)
    bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=top_k)
    fusion = QueryFusionRetriever(
        [vector_index.as_retriever(similarity_top_k=top_k), bm25],
        llm=MockLLM(),
        mode="reciprocal_rerank",
        num_queries=1,
        similarity_top_k=top_k,
        use_async=False,
    )
    build_s = time.perf_counter() - started
    for question in questions[:warmup]:
        fusion.retrieve(question)
    ranked: list[list[str]] = []
    seconds: list[float] = []
    for question in questions:
        started = time.perf_counter()
        hits = fusion.retrieve(question)
        seconds.append(time.perf_counter() - started)
        ranked.append([h.node.metadata["source"] for h in hits])
    return {"build_s": build_s, "sources": ranked, "seconds": seconds}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))))
