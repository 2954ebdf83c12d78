"""The extract measured in process: retrieve from an index, extract, score.

This is what ``smartops eval answers FILE --local`` runs: ``gather`` (the hybrid search
of the knowledge stage, top ``k`` hits, and the documents of the alerts a question
names), then ``extract`` or the abstention. Latency
is measured per question: ``first_ms`` is the extract alone (what the gateway adds after
retrieval), ``total_ms`` includes embedding the query and searching.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from smartops.answers.abstain import abstention
from smartops.answers.evaluate import AnswerQuestion, Outcome, score
from smartops.answers.extract import Options, extract
from smartops.answers.gather import gather
from smartops.answers.vectors import SentenceVectors
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index.base import Index
from smartops.knowledge.query_profile import profile


def answer_locally(
    question: str,
    index: Index,
    embedder: Embedder,
    *,
    k: int = 8,
    collection: str = "default",
    vectors: SentenceVectors | None = None,
    options: Options | None = None,
) -> tuple[str, list[str], float, float]:
    """(answer, cited sources, extract ms, total ms) for one question."""
    started = time.perf_counter()
    vector = embedder.embed_query(profile(question).semantic)
    evidence = gather(question, index, embedder, vector=vector, k=k)
    result = extract(
        question, vector, evidence, embedder.embed_batch, vectors=vectors, options=options
    )
    if result.grounding.ok:
        answer, sources = result.markdown, [c.source for c in result.citations]
    else:
        answer = abstention(
            question,
            collections=[collection],
            closest=evidence,
            unknown=result.grounding.unknown_names,
        )
        sources = []
    total = (time.perf_counter() - started) * 1e3
    return answer, sources, result.ms, total


def evaluate_locally(
    questions: Sequence[AnswerQuestion],
    index: Index,
    embedder: Embedder,
    *,
    k: int = 8,
    collection: str = "default",
    vectors: SentenceVectors | None = None,
    options: Options | None = None,
) -> list[Outcome]:
    """Every question answered in process and scored."""
    outcomes: list[Outcome] = []
    for q in questions:
        answer, sources, first, total = answer_locally(
            q.question,
            index,
            embedder,
            k=k,
            collection=collection,
            vectors=vectors,
            options=options,
        )
        outcomes.append(score(q, answer, sources, first, total))
    return outcomes
