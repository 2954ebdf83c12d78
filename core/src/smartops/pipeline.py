"""The answer pipeline: one request (a Turn) through the stages, then the LLM.

``prepare`` runs the stages in order. A stage may add context and sources (retrieval,
the docs cache), add a notice when its backend is down (the answer degrades and says
so), or answer itself (an action, an answer-cache hit), which skips the LLM. Otherwise
the prompt assembler's chat request (``turn.prompt``: built by the knowledge graph, or
here by the same assembler when retrieval did not run) goes to the LLM, and its first
chunk is awaited. Everything that can fail before the first token fails in ``prepare``,
so an edge can still answer with an HTTP status.

``prepare`` returns the answer as one stream of typed pieces (notices, text, sources);
when the stream ends the pipeline finishes the turn itself (every stage sees the
complete answer, in reverse order: the answer cache stores it there). The edges only
format pieces.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

from smartops import prompts
from smartops.chat import ChatRequest
from smartops.config import Settings
from smartops.errors import SmartopsError
from smartops.knowledge.assembler import adopt, assemble, generation
from smartops.llm import LLMClient
from smartops.metrics import Metrics
from smartops.redact import redact
from smartops.turn import Notice, Piece, Reply, Source, Sources, Stage, Text, TextFilter, Turn

log = logging.getLogger(__name__)


class Pipeline:
    """Runs the stages in the order given, then streams the LLM's answer."""

    def __init__(
        self, settings: Settings, llm: LLMClient, metrics: Metrics, stages: Sequence[Stage] = ()
    ) -> None:
        self.settings = settings
        self.llm = llm
        self.metrics = metrics
        self.stages = list(stages)

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self.stages)

    async def prepare(self, turn: Turn) -> AsyncIterator[Piece]:
        """Run the stages and open the answer; returns the stream of pieces."""
        turn.request = redacted(turn.request)  # before routing, caching, embedding, the LLM
        reply = await self._run_stages(turn)
        if reply is not None:
            turn.sources.extend(reply.sources)
            return self._pieces(turn, _single(reply.text))
        chunks = self._llm_text(turn, self.llm_request(turn))
        if turn.text_filter is not None:
            chunks = _filtered(chunks, turn.text_filter)
        try:
            first = await _first(chunks)
        except SmartopsError as exc:
            if not turn.preface:
                raise
            # A synthesis over an extract: the extract stands alone and says why.
            turn.degrade("llm", f"The model could not add its summary: {exc.message}", self.metrics)
            return self._pieces(turn, _single(turn.preface))
        text = _prepend(first, chunks)
        if turn.preface:
            text = _prepend(turn.preface, text)
        return self._pieces(turn, text)

    async def _run_stages(self, turn: Turn) -> Reply | None:
        for stage in self.stages:
            started = time.perf_counter()
            reply = await stage.before(turn)
            self._observe(turn, stage.name, time.perf_counter() - started)
            if reply is not None:
                return reply
        return None

    def llm_request(self, turn: Turn) -> dict[str, Any]:
        """The chat request for the predictor: the prompt assembler's, exactly.

        When retrieval did not run (knowledge off, skipped or down) the same assembler
        builds it here over the docs-cache sections the turn holds.
        """
        if turn.prompt is None:
            request = assemble(
                query=turn.request.question,
                messages=[m.model_dump(include={"role", "content"}) for m in turn.request.messages],
                hits=[],
                cached=turn.cached_context,
                budget=self.settings.context_token_budget,
                model=self.settings.llm_model,
                generation=generation(turn.request, self.settings),
            )
            adopt(turn, request)
        assert turn.prompt is not None
        return {k: v for k, v in turn.prompt.items() if k not in ("smartops", "stream")}

    async def _pieces(self, turn: Turn, text: AsyncIterator[str]) -> AsyncIterator[Piece]:
        """Notices, the answer, its sources list; then every stage sees the answer."""
        if turn.notices:
            yield Notice(render_notices(turn.notices))
        parts: list[str] = []
        async for piece in text:
            parts.append(piece)
            yield Text(piece)
        tail = close_markdown("".join(parts), turn.finish_reason)
        tail += "".join("\n\n" + text for text in turn.epilogue)
        if tail:
            parts.append(tail)  # part of the answer: a cached copy reads the same
            yield Text(tail)
        unique = tuple(dict.fromkeys(turn.sources))
        if unique:
            yield Sources(render_sources(unique), unique)
        for stage in reversed(self.stages):
            await stage.after(turn, "".join(parts))

    async def _llm_text(self, turn: Turn, payload: dict[str, Any]) -> AsyncIterator[str]:
        started = time.perf_counter()
        first_at: float | None = None
        async for chunk in self.llm.stream_chunks(payload):
            if chunk.finish_reason:
                turn.finish_reason = chunk.finish_reason
            if chunk.usage is not None:
                turn.usage = {
                    "prompt_tokens": chunk.usage.prompt_tokens,
                    "completion_tokens": chunk.usage.completion_tokens,
                }
            if not chunk.text:
                continue
            if first_at is None:
                first_at = time.perf_counter()
                self._observe(turn, "llm_ttft", first_at - started)
            yield chunk.text
        self._observe(turn, "llm_total", time.perf_counter() - started)
        for kind, count in (turn.usage or {}).items():
            self.metrics.tokens.labels(kind.removesuffix("_tokens")).inc(count)

    def _observe(self, turn: Turn, stage: str, seconds: float) -> None:
        turn.timings_ms[stage] = round(seconds * 1000, 3)
        self.metrics.stage_latency.labels(stage).observe(seconds)


def redacted(request: ChatRequest) -> ChatRequest:
    """The request with secrets in its messages masked (``smartops.redact``)."""
    messages = []
    for message in request.messages:
        text = message.text
        clean = redact(text)
        messages.append(message if clean == text else message.model_copy(update={"content": clean}))
    return request.model_copy(update={"messages": messages})


_WORDS = re.compile(r"\S+\s*")
_WORDS_PER_CHUNK = 4


async def _single(text: str) -> AsyncIterator[str]:
    """A ready answer streamed like a generated one: a few words per chunk."""
    words = _WORDS.findall(text)
    head = text[: len(text) - len(text.lstrip())]
    for start in range(0, len(words), _WORDS_PER_CHUNK):
        yield head + "".join(words[start : start + _WORDS_PER_CHUNK])
        head = ""


_END = object()


async def _first(chunks: AsyncIterator[str]) -> object:
    try:
        return await anext(chunks)
    except StopAsyncIteration:
        return _END


async def _filtered(chunks: AsyncIterator[str], check: TextFilter) -> AsyncIterator[str]:
    """The model's text through the check: checked complete lines, then the rest."""
    async for chunk in chunks:
        checked = check.feed(chunk)
        if checked:
            yield checked
    tail = check.close()
    if tail:
        yield tail


async def _prepend(first: object, rest: AsyncIterator[str]) -> AsyncIterator[str]:
    if first is _END:
        return
    assert isinstance(first, str)
    yield first
    async for item in rest:
        yield item


def render_sources(sources: Sequence[Source]) -> str:
    """The readable sources list appended to an answer (deduplicated, in order)."""
    unique = list(dict.fromkeys(sources))
    return "\n\n" + prompts.render("sources", sources=unique) if unique else ""


def close_markdown(answer: str, finish_reason: str | None) -> str:
    """What to add so that the sources list never lands inside an open code block.

    An answer cut at the token limit can stop inside a code fence or emphasis; the fence
    is closed and the cut is said in words.
    """
    tail = "\n```" if answer.count("```") % 2 else ""
    if finish_reason == "length":
        tail += "\n\n" + prompts.render("truncated")
    return tail


def render_notices(notices: Sequence[str]) -> str:
    return "".join(prompts.render("notice", notice=n) + "\n\n" for n in notices)
