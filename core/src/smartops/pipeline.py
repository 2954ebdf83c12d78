"""The answer pipeline: one request (a Turn) through the stages, then the LLM.

A stage sees the Turn before the LLM runs. It may add context and sources (retrieval,
the docs cache), add a notice when its backend is down (the answer degrades and says
so), or answer itself (an action, an answer-cache hit), which skips the LLM. After the
answer is complete every stage sees it (the answer cache stores it there). Later
features plug in as stages; the gateway and the CLI only ever call ``Pipeline``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from smartops import prompts
from smartops.chat import ChatRequest
from smartops.config import Settings
from smartops.llm import LLMClient
from smartops.metrics import Metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """Where a piece of context came from; cited in the answer."""

    source: str
    title: str = ""
    heading: str = ""
    url: str = ""
    score: float | None = None


@dataclass(frozen=True)
class ContextBlock:
    """A numbered piece of context for the system prompt."""

    label: str
    text: str
    source: Source


@dataclass(frozen=True)
class Principal:
    """Who is asking: from the API key, or forwarded by a trusted front end."""

    user: str
    role: str = "user"
    email: str = ""


@dataclass
class Turn:
    """One chat request on its way through the pipeline."""

    request: ChatRequest
    request_id: str
    principal: Principal
    context: list[ContextBlock] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    usage: dict[str, int] | None = None
    cacheable: bool = True
    state: dict[str, Any] = field(default_factory=dict)

    def degrade(self, backend: str, notice: str, metrics: Metrics) -> None:
        """Record that a backend was unavailable: the answer goes on and says so."""
        self.notices.append(notice)
        self.cacheable = False
        metrics.degraded.labels(backend).inc()
        log.warning("degraded answer", extra={"backend": backend, "notice": notice})


@dataclass
class Reply:
    """An answer a stage gives by itself, without the LLM."""

    text: str
    sources: list[Source] = field(default_factory=list)


class Stage(Protocol):
    """A step before (and after) the LLM. See the module docstring."""

    name: str

    async def before(self, turn: Turn) -> Reply | None: ...

    async def after(self, turn: Turn, answer: str) -> None: ...


class Pipeline:
    """Runs the stages, assembles the prompt and streams the LLM's answer."""

    def __init__(
        self, settings: Settings, llm: LLMClient, metrics: Metrics, stages: Sequence[Stage] = ()
    ) -> None:
        self.settings = settings
        self.llm = llm
        self.metrics = metrics
        self.stages = list(stages)

    async def answer(self, turn: Turn) -> AsyncIterator[str]:
        """Prepare the turn and return the stream of answer text.

        Everything that can fail before the first token (stages, connecting to the LLM,
        the LLM's first chunk) fails here, so the edge can still answer with a status.
        """
        reply = await self._run_stages(turn)
        if reply is not None:
            turn.sources.extend(reply.sources)
            return _single(reply.text)
        payload = self.llm_payload(turn)
        chunks = self._llm_text(turn, payload)
        first = await _first(chunks)
        return _prepend(first, chunks)

    async def finish(self, turn: Turn, answer: str) -> None:
        """Give the complete answer to every stage (in reverse order)."""
        for stage in reversed(self.stages):
            await stage.after(turn, answer)

    async def _run_stages(self, turn: Turn) -> Reply | None:
        for stage in self.stages:
            started = time.perf_counter()
            reply = await stage.before(turn)
            elapsed = time.perf_counter() - started
            turn.timings_ms[stage.name] = round(elapsed * 1000, 3)
            self.metrics.stage_latency.labels(stage.name).observe(elapsed)
            if reply is not None:
                return reply
        return None

    def llm_payload(self, turn: Turn) -> dict[str, Any]:
        """The OpenAI request for the upstream: our system prompt, then the conversation."""
        request = turn.request
        system = prompts.render("system", context=turn.context, language=None)
        messages: list[dict[str, str]] = [{"role": "system", "content": system}]
        messages += [
            {"role": m.role if m.role != "developer" else "system", "content": m.text}
            for m in request.messages
            if m.role in ("system", "developer", "user", "assistant") and m.text
        ]
        limit = request.max_completion_tokens or request.max_tokens or self.settings.llm_max_tokens
        payload: dict[str, Any] = {
            "messages": messages,
            "max_tokens": min(limit, self.settings.max_tokens_cap),
            "temperature": (
                request.temperature
                if request.temperature is not None
                else self.settings.llm_temperature
            ),
        }
        if request.top_p is not None:
            payload["top_p"] = request.top_p
        if request.stop is not None:
            payload["stop"] = request.stop
        return payload

    async def _llm_text(self, turn: Turn, payload: dict[str, Any]) -> AsyncIterator[str]:
        started = time.perf_counter()
        first_at: float | None = None
        completion_chunks = 0
        async for chunk in self.llm.stream(payload):
            if chunk.get("usage"):
                turn.usage = chunk["usage"]
            for choice in chunk.get("choices") or []:
                if choice.get("finish_reason"):
                    turn.state["finish_reason"] = choice["finish_reason"]
                text = (choice.get("delta") or {}).get("content")
                if not text:
                    continue
                if first_at is None:
                    first_at = time.perf_counter()
                    self._observe(turn, "llm_ttft", first_at - started)
                completion_chunks += 1
                yield text
        self._observe(turn, "llm_total", time.perf_counter() - started)
        self._count_tokens(turn, completion_chunks)

    def _observe(self, turn: Turn, stage: str, seconds: float) -> None:
        turn.timings_ms[stage] = round(seconds * 1000, 3)
        self.metrics.stage_latency.labels(stage).observe(seconds)

    def _count_tokens(self, turn: Turn, completion_chunks: int) -> None:
        # llama.cpp and vLLM stream one token per chunk; the upstream's own usage wins.
        if turn.usage is None:
            turn.usage = {"completion_tokens": completion_chunks}
        for kind in ("prompt_tokens", "completion_tokens"):
            if kind in turn.usage:
                self.metrics.tokens.labels(kind.removesuffix("_tokens")).inc(turn.usage[kind])


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
