"""The answer stage: knowledge questions answered from the evidence, a model only where able.

It runs after retrieval (the knowledge stage) on every turn no earlier stage answered.
The evidence is what the prompt assembler was given (retrieved hits, the named alerts'
documents, docs-cache sections), strongest first; a model sees the part within the
token budget. Then, by answer mode:

- nothing supports the question: an abstention (what was searched, the closest titles,
  how to add documents), never cached and never sent to a model;
- ``extract``: the extract alone, streamed at once (no model runs);
- ``synthesize``: the extract first, then the model's answer over the same evidence,
  every line of it checked (``StreamChecker``: unknown commands and destructive advice
  are removed, other unknown names marked);
- ``auto`` (default): ``extract`` on the embedded tiny model, ``synthesize`` otherwise.

A request may ask for a mode with the ``X-Smartops-Answer-Mode`` header.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from smartops.answers.abstain import abstention
from smartops.answers.check import StreamChecker
from smartops.answers.compose import render_extract
from smartops.answers.evidence import evidence_texts, kind_of
from smartops.answers.extract import extract
from smartops.answers.mode import Resolved, mode_of
from smartops.answers.models import Evidence
from smartops.config import Settings
from smartops.knowledge.followup import retrieval_query
from smartops.metrics import Metrics
from smartops.turn import PREFACE_END, AnswerMode, Reply, Source, Turn

log = logging.getLogger(__name__)
MODE_HEADER = "x-smartops-answer-mode"
MODES: tuple[AnswerMode, ...] = ("extract", "synthesize", "auto")


def evidence_of(turn: Turn) -> list[Evidence]:
    """The evidence of a turn: everything the prompt assembler was given (strongest
    first; the model sees the part within its token budget), else the docs cache's."""
    extension = (turn.prompt or {}).get("smartops", {})
    items: Sequence[dict[str, Any]] = extension.get("evidence") or extension.get("context") or []
    if not items:
        items = turn.cached_context
    found = []
    for item in items:
        source = str(item.get("source", ""))
        similarity = item.get("similarity")
        found.append(
            Evidence(
                text=str(item.get("text", "")),
                source=source,
                title=str(item.get("title", "")),
                heading=str(item.get("heading", "")),
                url=str(item.get("url", "")),
                score=item.get("score"),
                kind=kind_of(source, str(item.get("kind") or "doc")),
                similarity=float(similarity) if similarity is not None else None,
            )
        )
    return found


class AnswerStage:
    name = "answer"

    def __init__(self, settings: Settings, metrics: Metrics, collections: Sequence[str]) -> None:
        self.settings = settings
        self.metrics = metrics
        self.collections = list(collections)

    def mode(self, turn: Turn) -> Resolved:
        return mode_of(turn, self.settings)

    async def before(self, turn: Turn) -> Reply | None:
        question = turn.request.question
        found = evidence_of(turn)
        # A follow-up ("How do I fix it?") is grounded with its subject, as it was retrieved.
        answer = extract(retrieval_query(turn.request), turn.query_vector, found)
        if not answer.grounding.ok:
            turn.abstained = True
            turn.cacheable = False  # an abstention is never cached
            turn.sources.clear()
            text = abstention(
                question,
                collections=self.collections,
                closest=found,
                docs_cache=bool(self.settings.cag.paths),
                unknown=answer.grounding.unknown_names,
            )
            return Reply(text)
        turn.sources[:] = [Source(c.source, c.title, c.heading, c.url) for c in answer.citations]
        markdown = render_extract(answer, citations=False)
        if self.mode(turn) == "extract":
            return Reply(markdown)
        turn.preface = markdown + PREFACE_END
        conversation = turn.request.said
        turn.text_filter = StreamChecker.of(evidence_texts(found), conversation, answer.language)
        return None

    async def after(self, turn: Turn, answer: str) -> None:
        checker = turn.text_filter
        if not isinstance(checker, StreamChecker):
            return
        for kind, count in checker.result.counts().items():
            self.metrics.synthesis_unverified.labels(kind).inc(count)
