"""Side by side with LlamaIndex's fusion retriever: the same chunks, vectors and questions.

LlamaIndex is installed into a throwaway virtual environment of its own (``ensure_venv``,
by default ``~/.cache/smartops/bench-llamaindex``), never into the project's: the
benchmark creates it with the running Python and pip from the configured index, and
runs ``retrieval_llamaindex_worker.py`` there. The worker gets this index's chunks (the
text the embedder read) and vectors, and each question's query vector, so both sides
rank the same data with the same model; its latencies exclude the query embedding, so
the ratio is taken against smartops' hybrid search without it (smartops' figure with
the embedding is printed beside it). Ranks count distinct sources on both sides, as
``smartops eval retrieval`` does for smartops' own hits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from smartops.bench.stats import summary_ms
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.eval import Question, figures, matches
from smartops.knowledge.index.embedded import EmbeddedIndex

PACKAGES = ("llama-index-core==0.14.25", "llama-index-retrievers-bm25==0.8.0")
WORKER = Path(__file__).with_name("retrieval_llamaindex_worker.py")
TOP_K = 10


class Unavailable(RuntimeError):
    """LlamaIndex could not be installed or run (the message says why)."""


def default_venv() -> Path:
    return Path.home() / ".cache" / "smartops" / "bench-llamaindex"


def _python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _run(cmd: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def ensure_venv(venv: Path, timeout: float = 900) -> Path:
    """The environment's Python, with LlamaIndex installed (created on first use)."""
    python = _python(venv)
    probe = [str(python), "-c", "import llama_index.core, llama_index.retrievers.bm25"]
    if python.exists() and _run(probe, 120).returncode == 0:
        return python
    steps = (
        [sys.executable, "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "-q", *PACKAGES],
    )
    for step in steps:
        done = _run(step, timeout)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise Unavailable(f"{' '.join(step[:4])}... failed: " + " | ".join(tail))
    return python


def _distinct(sources: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(sources))


def _rank(sources: Sequence[str], expected: tuple[str, ...]) -> int | None:
    for rank, source in enumerate(_distinct(sources), start=1):
        if matches(source, expected):
            return rank
    return None


def _ours(
    index: EmbeddedIndex, embedder: Embedder, questions: Sequence[Question]
) -> tuple[list[int | None], list[float], list[float], np.ndarray]:
    ranks: list[int | None] = []
    with_embedding: list[float] = []
    search_only: list[float] = []
    vectors: list[np.ndarray] = []
    for q in questions:
        started = time.perf_counter()
        vector = embedder.embed_query(q.question)
        embedded = time.perf_counter()
        hits = index.search(q.question, vector, TOP_K, "hybrid")
        done = time.perf_counter()
        with_embedding.append(done - started)
        search_only.append(done - embedded)
        vectors.append(vector)
        ranks.append(_rank([h.chunk.source for h in hits], q.paths))
    return ranks, with_embedding, search_only, np.stack(vectors)


def _theirs(
    python: Path, index: EmbeddedIndex, questions: Sequence[Question], vectors: np.ndarray
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="smartops-llamaindex-") as tmp:
        folder = Path(tmp)
        chunks = (
            json.dumps({"id": c.id, "source": c.source, "text": c.embed_text}) for c in index.chunks
        )
        (folder / "chunks.jsonl").write_text("\n".join(chunks))
        np.save(folder / "vectors.npy", index.vectors)
        lines = (json.dumps({"question": q.question}) for q in questions)
        (folder / "questions.jsonl").write_text("\n".join(lines))
        np.save(folder / "query_vectors.npy", vectors)
        done = _run([str(python), str(WORKER), tmp, str(TOP_K), "5"], 1800)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-5:]
        raise Unavailable("the LlamaIndex worker failed: " + " | ".join(tail))
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _quality(questions: Sequence[Question], ranks: list[int | None]) -> dict[str, Any]:
    out: dict[str, Any] = {"all": figures(ranks)}
    for split in sorted({q.split for q in questions if q.split}):
        out[split] = figures([r for q, r in zip(questions, ranks, strict=True) if q.split == split])
    return out


def compare(
    index: EmbeddedIndex, embedder: Embedder, questions: Sequence[Question], venv: Path
) -> dict[str, Any]:
    """Recall and latency of both retrievers on ``questions``, and the latency ratio."""
    python = ensure_venv(venv)
    index.bm25()
    load_before = os.getloadavg()
    ranks, with_embedding, search_only, vectors = _ours(index, embedder, questions)
    theirs = _theirs(python, index, questions, vectors)
    load_after = os.getloadavg()
    their_ranks = [_rank(s, q.paths) for s, q in zip(theirs["sources"], questions, strict=True)]
    ours_ms, theirs_ms = summary_ms(search_only), summary_ms(theirs["seconds"])
    return {
        "questions": len(questions),
        "index_chunks": index.count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "smartops": {
            "quality": _quality(questions, ranks),
            "hybrid_ms": ours_ms,
            "hybrid_with_embedding_ms": summary_ms(with_embedding),
        },
        "llamaindex": {
            "packages": list(PACKAGES),
            "retriever": "QueryFusionRetriever(reciprocal_rerank; BM25Retriever + vector)",
            "quality": _quality(questions, their_ranks),
            "fusion_ms": theirs_ms,
            "build_s": round(float(theirs["build_s"]), 2),
        },
        "ratio_p50": round(theirs_ms["p50"] / max(ours_ms["p50"], 1e-9), 1),
        "ratio_p95": round(theirs_ms["p95"] / max(ours_ms["p95"], 1e-9), 1),
    }
