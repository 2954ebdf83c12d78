"""The best document's further sections join its hit (``answers.sections``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from smartops.knowledge.documents import Chunk, Hit, Mode
from smartops.knowledge.further import further_sections


def _hit(source: str, section: str, score: float = 1.0, kind: str = "doc") -> Hit:
    chunk = Chunk(
        id=f"{source}#{section}",
        source=source,
        title=source,
        heading=section,
        text=section,
        hash=section,
        kind=kind,
    )
    return Hit(chunk, score)


class _Lexical:
    """A stand-in index: BM25 answers with a fixed list, and records what it was asked."""

    def __init__(self, hits: Sequence[Hit]) -> None:
        self.hits = list(hits)
        self.asked: list[tuple[str, Mode]] = []

    def search(self, query: str, vector: np.ndarray | None, k: int, mode: Mode) -> list[Hit]:
        self.asked.append((query, mode))
        return self.hits[:k]


def test_the_top_documents_best_other_sections_follow_its_hit() -> None:
    hits = [_hit("a.md", "Scaling", 0.05), _hit("b.md", "Intro", 0.04), _hit("c.md", "Usage", 0.03)]
    index = _Lexical(  # BM25 scores: another scale than the fused scores of the hits
        [
            _hit("c.md", "Other", 14.0),
            _hit("a.md", "How it works", 12.0),
            _hit("a.md", "Scaling", 11.0),  # already there: not repeated
            _hit("a.md", "Algorithm", 9.0),
            _hit("a.md", "Limits", 8.0),
        ]
    )
    out = further_sections(index, "how often does it check", hits, per_source=2)  # type: ignore[arg-type]
    assert [(h.chunk.source, h.chunk.heading) for h in out] == [
        ("a.md", "Scaling"),
        ("a.md", "How it works"),
        ("a.md", "Algorithm"),
        ("b.md", "Intro"),
        ("c.md", "Usage"),
    ]
    assert index.asked == [("how often does it check", "bm25")]
    scores = [h.score for h in out]  # an assembler ordering by score keeps this order
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


def test_alert_rules_are_not_the_document_that_is_widened() -> None:
    hits = [_hit("rules.yaml", "KubeThing", kind="alert"), _hit("KubeThing.md", "Meaning")]
    index = _Lexical([_hit("rules.yaml", "KubeOther", kind="alert"), _hit("KubeThing.md", "Fix")])
    out = further_sections(index, "KubeThing fired", hits)  # type: ignore[arg-type]
    assert [h.chunk.heading for h in out] == ["KubeThing", "Meaning", "Fix"]


def test_no_hits_no_search() -> None:
    index = _Lexical([_hit("a.md", "x")])
    assert further_sections(index, "anything", []) == []  # type: ignore[arg-type]
    assert index.asked == []
