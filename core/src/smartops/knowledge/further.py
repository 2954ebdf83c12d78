"""More of the best document: its other sections that match the question best.

Retrieval often finds the right document but the wrong section of it (a question about
a default interval gets the page's section on scaling rules, while the interval is
stated in the section on how the controller works), and the source spread of the
search keeps a document's further sections out of the top ``k``. So, for the first ``sources``
documents of the hits, the sections of that document that a BM25 search for the
question ranks best are added after that document's hit (``per_source`` each, none
already there), scored just below that hit. The extract then chooses among them by its
own scores. One document, three sections: measured on the dev split of the answer
questions (two documents, or more sections, did no better).

``evidence_hits`` is what the retriever the gateway calls and ``smartops eval answers
--local`` (``gather``) both run: these further sections, then the documents of the
alerts the question names (``smartops.knowledge.named``).
"""

from __future__ import annotations

from collections.abc import Sequence

from smartops.knowledge.documents import Hit
from smartops.knowledge.index.base import Index
from smartops.knowledge.named import with_named

POOL = 80  # BM25 hits searched for the documents' further sections


def _document(hit: Hit) -> bool:
    """A prose document (not an alert rule, whose own documents come by name)."""
    return hit.chunk.kind != "alert"


def further_sections(
    index: Index,
    question: str,
    hits: Sequence[Hit],
    *,
    sources: int = 1,
    per_source: int = 3,
    pool: int = POOL,
) -> list[Hit]:
    """``hits`` with the best other sections of their first ``sources`` documents, each
    placed after its document's first hit; the order of ``hits`` is kept otherwise."""
    top = list(dict.fromkeys(h.chunk.source for h in hits if _document(h)))[:sources]
    if not top or per_source <= 0 or not question.strip():
        return list(hits)
    seen = {h.chunk.id for h in hits}
    extra: dict[str, list[Hit]] = {source: [] for source in top}
    for hit in index.search(question, None, pool, "bm25"):
        found = extra.get(hit.chunk.source)
        if found is not None and hit.chunk.id not in seen and len(found) < per_source:
            found.append(hit)
            seen.add(hit.chunk.id)
    out: list[Hit] = []
    for hit in hits:
        out.append(hit)
        out.extend(_after(hit, extra.pop(hit.chunk.source, [])))
    return out


def _after(anchor: Hit, found: Sequence[Hit]) -> list[Hit]:
    """The found sections scored just below their document's hit, so that whatever
    orders by score (the prompt assembler) keeps them where they were put: BM25 scores
    are not on the scale of the hits' fused scores."""
    step = abs(anchor.score) * 1e-3 or 1e-6
    return [Hit(h.chunk, anchor.score - step * n) for n, h in enumerate(found, start=1)]


def evidence_hits(index: Index, question: str, hits: Sequence[Hit]) -> list[Hit]:
    """The search's ``hits`` made into evidence: the top document's further sections,
    then the named alerts' documents first."""
    return with_named(index, question, further_sections(index, question, hits))
