"""The text ``smartops bench retrieval`` prints from its figures."""

from __future__ import annotations

from typing import Any

SEARCH = ("query_embedding_ms", "bm25_ms", "knn_ms", "hybrid_ms", "hybrid_with_embedding_ms")


def _load(figures: dict[str, Any]) -> str:
    before, after = figures.get("load_before") or [], figures.get("load_after") or []
    return f"load average {' '.join(map(str, before))} -> {' '.join(map(str, after))}"


def _quality(row: dict[str, Any]) -> str:
    parts = []
    for split, f in row.items():
        parts.append(
            f"{split} R@1 {f['recall@1']:.3f} R@5 {f['recall@5']:.3f} MRR@10 {f['mrr@10']:.3f}"
        )
    return " | ".join(parts)


def _comparison(c: dict[str, Any]) -> list[str]:
    if "unavailable" in c:
        return [f"LlamaIndex side by side: not run ({c['unavailable']})"]
    ours, theirs = c["smartops"], c["llamaindex"]
    o, t, e = ours["hybrid_ms"], theirs["fusion_ms"], ours["hybrid_with_embedding_ms"]
    return [
        f"side by side, {c['questions']} questions, {c['index_chunks']} chunks (the corpus),"
        f" {_load(c)}",
        f"  smartops hybrid        {_quality(ours['quality'])}",
        f"  LlamaIndex fusion      {_quality(theirs['quality'])}",
        f"  smartops hybrid        p50 {o['p50']:8.3f} ms   p95 {o['p95']:8.3f} ms"
        f"   (with the query embedding: p50 {e['p50']:.3f} ms, p95 {e['p95']:.3f} ms)",
        f"  LlamaIndex fusion      p50 {t['p50']:8.3f} ms   p95 {t['p95']:8.3f} ms"
        " (query embedding excluded on both lines)",
        f"  ratio LlamaIndex / smartops: p50 {c['ratio_p50']}x, p95 {c['ratio_p95']}x",
    ]


def report_lines(figures: dict[str, Any]) -> list[str]:
    """Ingestion, search latency at the padded size, and the comparison if run."""
    ing = figures["ingest"]
    lines = [
        f"ingest {figures['corpus']}: {ing['files']} files, {ing['chunks']} chunks, "
        f"{ing['seconds']:.2f} s ({ing['chunks_per_s']:.1f} chunks/s embedding)",
        f"re-ingest unchanged: {figures['reingest_unchanged_s']:.3f} s",
        f"index: {figures['index_chunks']} chunks",
    ]
    for key in SEARCH:
        f = figures[key]
        lines.append(f"{key[:-3]:26s} p50 {f['p50']:8.3f} ms   p95 {f['p95']:8.3f} ms")
    lines.append(_load(figures))
    if "llamaindex_comparison" in figures:
        lines.extend(_comparison(figures["llamaindex_comparison"]))
    return lines
