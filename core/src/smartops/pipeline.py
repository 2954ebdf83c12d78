"""The answer pipeline: one request (a Turn) through the stages, then the LLM.

``prepare`` runs the stages in order. A stage may add context and sources (retrieval,
the docs cache), add a notice when its backend is down (the answer degrades and says
so), or answer itself (an action, an answer-cache hit), which skips the LLM and every
later stage; a stage's answer may ask for the model's checked summary after it (an
investigation in ``synthesize`` mode: ``Reply.summary``), streamed as after an extract.
Otherwise the prompt assembler's chat request (``turn.prompt``: built by the knowledge
graph, or here by the same assembler when retrieval did not run) goes to the LLM, and
its first chunk is awaited. Everything that can fail before the first token fails in
``prepare``, so an edge can still answer with an HTTP status.

``prepare`` returns the answer as one stream of typed pieces (notices, text, sources);
when the stream ends the pipeline finishes the turn itself (every stage sees the
complete answer, in reverse order: the answer cache stores it there). The edges only
format pieces.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from functools import partial
from typing import Any

from smartops import prompts
from smartops.answers.language import language_of
from smartops.answers.models import Language
from smartops.chat import ChatRequest
from smartops.citations import render_sources
from smartops.config import Settings
from smartops.errors import SmartopsError
from smartops.flights import Shareable, TurnFlights, flight_key
from smartops.knowledge.assembler import adopt, assemble, context_window, generation
from smartops.llm import LLMClient
from smartops.markdown import open_fence
from smartops.metrics import Metrics
from smartops.notices import notice
from smartops.pacing import paced
from smartops.redact import redact
from smartops.turn import (
    PREFACE_END,
    Notice,
    Piece,
    Reply,
    Sources,
    Stage,
    Text,
    TextFilter,
    Turn,
)

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
        self.flights = TurnFlights() if settings.coalesce_enabled else None

    def pause_s(self, turn: Turn) -> float:
        """The pause between the pieces of a ready text (``smartops.pacing``); none when
        the client asked for one JSON body (nobody watches it grow)."""
        return self.settings.stream_pace_ms / 1000 if turn.request.stream else 0.0

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self.stages)

    async def prepare(self, turn: Turn) -> AsyncIterator[Piece]:
        """Run the stages and open the answer; returns the stream of pieces.

        From the first stage that gives the turn a sharing scope on (the answer cache,
        for a standalone question), the turn is coalesced with identical turns in flight
        (``smartops.flights``): one of them runs those stages and the model.
        """
        turn.request = redacted(turn.request)  # before routing, caching, embedding, the LLM
        for index, stage in enumerate(self.stages):
            key = self._flight_key(stage, turn)
            if key is not None and self.flights is not None:
                rest = self.stages[index:]
                return await self.flights.answer(turn, key, partial(self._finish, turn, rest))
            reply = await self._before(stage, turn)
            if reply is not None:
                return await self._ready(turn, reply)
        return await self._open(turn)

    async def _finish(self, turn: Turn, stages: Sequence[Stage]) -> AsyncIterator[Piece]:
        """The given stages, then the model: the part of a turn that coalescing shares."""
        for stage in stages:
            reply = await self._before(stage, turn)
            if reply is not None:
                return await self._ready(turn, reply)
        return await self._open(turn)

    async def _ready(self, turn: Turn, reply: Reply) -> AsyncIterator[Piece]:
        """A stage's own answer; with a summary asked for, the model's checked summary
        follows it as it follows an extract (a model that fails leaves the text standing)."""
        turn.sources.extend(reply.sources)
        if reply.summary is None:
            return self._pieces(turn, paced(reply.text, self.pause_s(turn)))
        turn.preface = reply.text + PREFACE_END
        turn.prompt = reply.summary.request
        turn.text_filter = reply.summary.text_filter
        return await self._open(turn)

    async def _open(self, turn: Turn) -> AsyncIterator[Piece]:
        """The model's answer, opened: its first chunk is awaited here. With an extract
        to go first, only briefly: a model that fails at once still fails here (the
        extract then stands alone and says why), a slow one no longer holds it back."""
        chunks = self._llm_text(turn, self.llm_request(turn))
        if turn.text_filter is not None:
            chunks = _filtered(chunks, turn.text_filter)
        if not turn.preface:
            return self._pieces(turn, _prepend(await _first(chunks), chunks))
        opening = asyncio.ensure_future(_first(chunks))
        await asyncio.wait({opening}, timeout=PREFACE_WAIT_S)
        if opening.done() and isinstance(opening.exception(), SmartopsError):
            # A synthesis over an extract: the extract stands alone and says why.
            error = opening.exception()
            assert isinstance(error, SmartopsError)
            self._summary_failed(turn, error)
            return self._pieces(turn, paced(turn.preface, self.pause_s(turn)))
        later = self._after_preface(turn, opening, chunks)
        text = paced(turn.preface, self.pause_s(turn), then=later)
        return self._pieces(turn, _cancelling(text, opening))

    async def _after_preface(
        self, turn: Turn, opening: asyncio.Future[object], chunks: AsyncIterator[str]
    ) -> AsyncIterator[str]:
        """The model's checked lines after the extract; a model that fails leaves the
        extract standing, says why, and the answer is not cached."""
        try:
            async for text in _prepend(await opening, chunks):
                yield text
        except SmartopsError as exc:
            yield "\n\n" + render_notices([self._summary_failed(turn, exc)])

    def _summary_failed(self, turn: Turn, exc: SmartopsError) -> str:
        said = notice("summary_failed", language_of(turn.request.question), message=exc.message)
        turn.degrade("llm", said, self.metrics)
        return said

    async def _before(self, stage: Stage, turn: Turn) -> Reply | None:
        started = time.perf_counter()
        reply = await stage.before(turn)
        self._observe(turn, stage.name, time.perf_counter() - started)
        return reply

    def _flight_key(self, stage: Stage, turn: Turn) -> str | None:
        if self.flights is None or not isinstance(stage, Shareable) or not turn.cacheable:
            return None
        scope = stage.sharing_scope(turn)
        if scope is None:
            return None
        mode = turn.answer_mode or self.settings.answer_mode
        sampling = generation(turn.request, self.settings)
        return flight_key(scope, turn.request.question, mode, sampling)

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
                model=self.settings.llm.model,
                generation=generation(turn.request, self.settings),
                context_tokens=context_window(self.settings),
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
        language = language_of(turn.request.question)
        tail = close_markdown("".join(parts), turn.finish_reason, language)
        tail += "".join("\n\n" + text for text in turn.epilogue)
        if tail:
            parts.append(tail)  # part of the answer: a cached copy reads the same
            yield Text(tail)
        unique = tuple(dict.fromkeys(turn.sources))
        if unique:
            yield Sources(render_sources(unique, self.settings, turn.request.question), unique)
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


_END = object()
# How long an extract waits for the model's first chunk before it streams on its own.
PREFACE_WAIT_S = 0.25


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


async def _cancelling(
    text: AsyncIterator[str], opening: asyncio.Future[object]
) -> AsyncIterator[str]:
    """``text``; a reader that leaves early (a client gone) stops the model's request too."""
    try:
        async for item in text:
            yield item
    finally:
        if not opening.done():
            opening.cancel()


async def _prepend(first: object, rest: AsyncIterator[str]) -> AsyncIterator[str]:
    if first is _END:
        return
    assert isinstance(first, str)
    yield first
    async for item in rest:
        yield item


def close_markdown(answer: str, finish_reason: str | None, language: Language = "en") -> str:
    """What to add so that the sources list never lands inside an open code block.

    An answer cut at the token limit can stop inside a code fence or emphasis; the fence
    is closed and the cut is said in words (in ``language``).
    """
    fence = open_fence(answer)
    tail = f"\n{fence.closing}" if fence else ""
    if finish_reason == "length":
        tail += "\n\n" + prompts.render("truncated", language=language)
    return tail


def render_notices(notices: Sequence[str]) -> str:
    return "".join(prompts.render("notice", notice=n) + "\n\n" for n in notices)
