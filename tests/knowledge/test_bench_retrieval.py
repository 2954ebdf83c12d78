"""The retrieval benchmark's side by side: ranks over distinct sources and what it prints."""

from __future__ import annotations

from typing import Any

from smartops.bench.retrieval_compare import _rank
from smartops.bench.retrieval_report import report_lines


def ms(p50: float, p95: float) -> dict[str, float]:
    return {"p50": p50, "p95": p95, "p99": p95, "mean": p50, "n": 10}


def figures(comparison: dict[str, Any]) -> dict[str, Any]:
    row = {"seconds": 1.5, "files": 2, "chunks": 9, "chunks_per_s": 6.0}
    search = {key: ms(1.0, 2.0) for key in ("query_embedding_ms", "bm25_ms", "knn_ms")}
    return {
        "corpus": "docs",
        "ingest": row,
        "reingest_unchanged_s": 0.1,
        "index_chunks": 100_000,
        **search,
        "hybrid_ms": ms(3.0, 6.0),
        "hybrid_with_embedding_ms": ms(5.0, 9.0),
        "load_before": [1.5, 1.0, 0.5],
        "load_after": [2.0, 1.2, 0.6],
        "llamaindex_comparison": comparison,
    }


def test_ranks_count_distinct_sources() -> None:
    sources = ["a.md", "a.md", "b.md", "c/d.md"]
    assert _rank(sources, ("c/d.md",)) == 3
    assert _rank(sources, ("x.md",)) is None


def test_report_prints_load_recall_latency_and_the_ratio() -> None:
    quality = {"dev": {"recall@1": 0.9, "recall@5": 1.0, "mrr@10": 0.95}}
    comparison = {
        "questions": 4,
        "index_chunks": 9,
        "load_before": [1.0, 1.0, 1.0],
        "load_after": [1.0, 1.0, 1.0],
        "smartops": {
            "quality": quality,
            "hybrid_ms": ms(2.0, 4.0),
            "hybrid_with_embedding_ms": ms(4.0, 6.0),
        },
        "llamaindex": {"quality": quality, "fusion_ms": ms(40.0, 80.0), "build_s": 1.0},
        "ratio_p50": 20.0,
        "ratio_p95": 20.0,
    }
    text = "\n".join(report_lines(figures(comparison)))
    assert "load average 1.5 1.0 0.5 -> 2.0 1.2 0.6" in text
    assert "index: 100000 chunks" in text
    assert "dev R@1 0.900 R@5 1.000 MRR@10 0.950" in text
    assert "p95   80.000 ms" in text
    assert "ratio LlamaIndex / smartops: p50 20.0x, p95 20.0x" in text


def test_report_says_why_the_side_by_side_did_not_run() -> None:
    lines = report_lines(figures({"unavailable": "pip install failed: no index"}))
    assert lines[-1] == "LlamaIndex side by side: not run (pip install failed: no index)"
