"""BM25 terms (light stemming) and the source-aware re-ranking every backend applies."""

from __future__ import annotations

import numpy as np

from smartops.knowledge.documents import Chunk, Hit, make_chunk
from smartops.knowledge.index.base import spread
from smartops.knowledge.index.bm25 import terms
from smartops.knowledge.index.embedded import EmbeddedIndex


def chunk(source: str, text: str, ordinal: int = 0) -> Chunk:
    return make_chunk(
        source=source, title="T", heading="T > H", text=text, ordinal=ordinal, model="m"
    )


def hit(source: str, score: float, ordinal: int = 0) -> Hit:
    return Hit(chunk(source, f"t{ordinal}", ordinal), score)


def test_terms_stem_plurals_and_verb_forms() -> None:
    assert terms("failing failed fails") == ["fail", "fail", "fail"]
    assert terms("Queries stopped filling") == ["query", "stop", "fill"]
    assert terms("prometheus status string") == ["prometheus", "status", "string"]
    assert terms("KubePodCrashLooping") == ["kubepodcrashloop", "kube", "pod", "crash", "loop"]


def test_spread_lets_other_sources_in_and_keeps_strong_repeats() -> None:
    hits = [hit("a.md", 1.0, 0), hit("a.md", 0.9, 1), hit("b.md", 0.6), hit("a.md", 0.5, 2)]
    out = spread(hits, 3, 0.5)
    assert [(h.chunk.source, h.score) for h in out] == [
        ("a.md", 1.0),
        ("b.md", 0.6),
        ("a.md", 0.45),
    ]
    assert [h.chunk.source for h in spread(hits, 4, 1.0)] == ["a.md", "a.md", "b.md", "a.md"]


def test_embedded_search_reaches_more_documents() -> None:
    texts = ["disk full on node", "disk full again", "disk full once more", "disk nearly full"]
    chunks = [chunk("a.md" if n < 3 else "b.md", text, n) for n, text in enumerate(texts)]
    index = EmbeddedIndex(None)
    index.upsert(chunks, np.eye(len(chunks), dtype=np.float32))
    assert [h.chunk.source for h in index.search("disk full", None, 2, "bm25")] == ["a.md", "b.md"]
    no_spread = EmbeddedIndex(None, source_decay=1.0)
    no_spread.upsert(chunks, np.eye(len(chunks), dtype=np.float32))
    assert [h.chunk.source for h in no_spread.search("disk full", None, 2, "bm25")] == [
        "a.md",
        "a.md",
    ]


def test_page_support_lifts_a_page_that_matches_in_several_sections() -> None:
    from smartops.knowledge.ranking import support

    hits = [hit("lucky.md", 1.0), hit("page.md", 0.95, 0), hit("page.md", 0.6, 1)]
    hits.append(hit("page.md", 0.5, 2))
    hits.append(hit("page.md", 0.4, 3))  # beyond the two supporting chunks: not counted
    out = support(hits, 0.1, 2)
    assert [h.chunk.source for h in out[:2]] == ["page.md", "lucky.md"]
    assert abs(out[0].score - (0.95 + 0.1 * (0.6 + 0.5))) < 1e-9
    assert [h.score for h in out if h.chunk.source == "page.md"][1:] == [0.6, 0.5, 0.4]
    assert support(hits, 0.0, 2)[0].chunk.source == "lucky.md"  # off
