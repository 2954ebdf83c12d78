"""Prompt assembly: hits, cached doc context and the conversation to an OpenAI request.

Context is numbered in order of strength (cached doc context first, then hits by
score) and rendered with the ``system`` template. When it does not fit the token budget
the weakest pieces are dropped first. Tokens are estimated at 4 characters each.

The whole request is then fitted to the predictor's context window
(``smartops.context_fit``): the conversation's history is left out oldest-first, with a
notice for the user, and ``max_tokens`` lowered when needed. A request whose system
prompt and last question alone do not fit is marked refused (``smartops.refused``)
rather than raised, so that the assembler's graph step still answers; ``adopt`` turns
the mark into a 413 for the client.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from smartops import prompts
from smartops.answers.language import language_of
from smartops.chat import ChatRequest
from smartops.config import Settings
from smartops.context_fit import (
    MESSAGE_OVERHEAD,
    MIN_COMPLETION_TOKENS,
    PROMPT_OVERHEAD,
    RESERVE,
    PromptMessage,
    fit_messages,
)
from smartops.context_fit import estimate_tokens as window_tokens
from smartops.errors import PayloadTooLarge
from smartops.turn import ContextBlock, Source, Turn

CHARS_PER_TOKEN = 4


T = TypeVar("T")


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def block_from(item: dict[str, Any]) -> tuple[float, ContextBlock]:
    """A context block (and its strength) from a hit or a cached-context item."""
    source = Source(
        source=str(item.get("source", "")),
        title=str(item.get("title", "")),
        heading=str(item.get("heading", "")),
        url=str(item.get("url", "")),
        score=float(item["score"]) if item.get("score") is not None else None,
    )
    label = f"{source.source} — {source.heading}" if source.heading else source.source
    strength = math.inf if source.score is None else source.score
    return strength, ContextBlock(label=label, text=str(item.get("text", "")), source=source)


def ranked(
    hits: Sequence[dict[str, Any]], cached: Sequence[dict[str, Any]]
) -> list[tuple[ContextBlock, dict[str, Any]]]:
    """Every block (and its item), strongest first."""
    found = sorted(((*block_from(item), item) for item in [*cached, *hits]), key=lambda b: -b[0])
    return [(block, item) for _, block, item in found]


def _described(block: ContextBlock, item: dict[str, Any]) -> dict[str, Any]:
    """A block as the request's ``smartops`` extension lists it."""
    return {
        "label": block.label,
        "text": block.text,
        "source": block.source.source,
        "title": block.source.title,
        "heading": block.source.heading,
        "url": block.source.url,
        "score": block.source.score,
        # what the answer stage reads: the chunk's kind and its cosine to the query
        "kind": item.get("kind", "doc"),
        "similarity": item.get("similarity"),
    }


def fitting(ordered: Sequence[T], budget: int, cost: Callable[[T], int]) -> list[T]:
    """The items of ``ordered`` (strongest first) that fit ``budget`` tokens, taken
    greedily in that order (a large one is skipped, smaller ones after it still fit)."""
    kept: list[T] = []
    used = 0
    for item in ordered:
        size = cost(item)
        if used + size <= budget:
            kept.append(item)
            used += size
    return kept


def within_budget(
    ordered: Sequence[tuple[ContextBlock, dict[str, Any]]], budget: int
) -> list[tuple[ContextBlock, dict[str, Any]]]:
    """The strongest blocks (and their items) of ``ordered`` (strongest first) whose
    estimated size fits ``budget`` tokens, in that order."""
    return fitting(
        ordered,
        budget,
        lambda pair: estimate_tokens(pair[0].label) + estimate_tokens(pair[0].text) + 4,
    )


def conversation(messages: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The chat messages passed on to the LLM (developer messages become system ones)."""
    out: list[dict[str, str]] = []
    for m in messages:
        role = str(m.get("role", ""))
        text = m.get("content")
        if isinstance(text, list):
            text = "".join(str(p.get("text", "")) for p in text if isinstance(p, dict))
        if role in ("system", "developer", "user", "assistant") and text:
            out.append({"role": "system" if role == "developer" else role, "content": str(text)})
    return out


def assemble(
    *,
    query: str,
    messages: Sequence[dict[str, Any]],
    hits: Sequence[dict[str, Any]],
    cached: Sequence[dict[str, Any]],
    budget: int,
    model: str,
    generation: dict[str, Any] | None = None,
    complete: bool = False,
    context_tokens: int = 0,
    max_tokens: int = 512,
) -> dict[str, Any]:
    """The OpenAI chat request; ``smartops.context`` lists the kept blocks, numbered.

    ``generation`` holds the sampling fields of the client's request (``generation``
    below); they are copied into the request as they are. With ``context_tokens`` (the
    predictor's window) the request is fitted to it; ``max_tokens`` is the answer's
    length when ``generation`` names none.
    """
    chat = conversation(messages) or [{"role": "user", "content": query}]
    if context_tokens:  # the context gives way before the question is refused
        answer = int((generation or {}).get("max_tokens") or max_tokens)
        budget = min(budget, context_room(chat, context_tokens, answer))
    ordered = ranked(hits, cached)
    kept = within_budget(ordered, budget)
    blocks = [block for block, _ in kept]
    system = prompts.render("system", context=blocks, language=None)
    extra: dict[str, Any] = {
        "context": [{"n": n, **_described(b, item)} for n, (b, item) in enumerate(kept, start=1)],
        # Everything retrieved, strongest first: the evidence an extract is built from
        # (no model reads it, so the token budget does not cut it).
        "evidence": [_described(b, item) for b, item in ordered],
        "dropped": len(hits) + len(cached) - len(blocks),
    }
    if complete:
        extra["complete"] = True
    request: dict[str, Any] = {
        "messages": [{"role": "system", "content": system}, *chat],
        "stream": False,
        "smartops": extra,
    }
    if model:
        request["model"] = model
    request.update(generation or {})
    if context_tokens:
        fit(request, context_tokens, int(request.get("max_tokens") or max_tokens), query)
    return request


SYSTEM_TOKENS = 200  # the system template's own words, around the context blocks


def context_room(chat: Sequence[dict[str, Any]], context_tokens: int, answer: int) -> int:
    """Tokens left for the context blocks in a window of ``context_tokens``: what the
    client's system messages, the last message, the system template, the answer and the
    reserve leave (at least 0). Older turns are not counted: ``fit`` trims them first."""
    kept = [m for m in chat[:-1] if m.get("role") in ("system", "developer")] + list(chat[-1:])
    used = sum(window_tokens(str(m.get("content", ""))) + MESSAGE_OVERHEAD for m in kept)
    usable = int(context_tokens * (1 - RESERVE)) - PROMPT_OVERHEAD
    return max(0, usable - used - SYSTEM_TOKENS - max(answer, MIN_COMPLETION_TOKENS))


def fit(request: dict[str, Any], context_tokens: int, max_tokens: int, query: str) -> None:
    """Fit the request's messages and ``max_tokens`` to the window, in place."""
    extra = request["smartops"]
    messages: list[PromptMessage] = [
        {"role": str(m["role"]), "content": str(m["content"])} for m in request["messages"]
    ]
    try:
        fitted = fit_messages(messages, context_tokens, max_tokens, language=language_of(query))
    except PayloadTooLarge as exc:
        extra["refused"] = exc.message
        return
    request["messages"] = list(fitted.messages)
    request["max_tokens"] = fitted.max_tokens
    extra["fit"] = {
        "prompt_tokens": fitted.prompt_tokens,
        "dropped": fitted.dropped,
        "notice": fitted.notice,
    }


def context_window(settings: Settings) -> int:
    """The predictor's context window in tokens (``llm_context_tokens``, else the
    embedded model's)."""
    return settings.llm.context_tokens or settings.llm.embedded_ctx


GENERATION_FIELDS = ("max_tokens", "temperature", "top_p", "stop")


def generation(request: ChatRequest, settings: Settings) -> dict[str, Any]:
    """The sampling fields for the predictor: the client's, within our defaults and cap."""
    limit = request.max_completion_tokens or request.max_tokens or settings.llm.max_tokens
    fields: dict[str, Any] = {
        "max_tokens": min(limit, settings.max_tokens_cap),
        "temperature": (
            request.temperature if request.temperature is not None else settings.llm.temperature
        ),
    }
    if request.top_p is not None:
        fields["top_p"] = request.top_p
    if request.stop is not None:
        fields["stop"] = request.stop
    return fields


def blocks_from_request(request: dict[str, Any]) -> list[ContextBlock]:
    """The context blocks an assembled request carries (``smartops.context``)."""
    items = (request.get("smartops") or {}).get("context") or []
    return [block_from(item)[1] for item in items if isinstance(item, dict)]


def adopt(turn: Turn, request: dict[str, Any]) -> None:
    """Make an assembled request the turn's prompt; its kept blocks are cited.

    Raises ``PayloadTooLarge`` (413) for a request the assembler could not fit to the
    model's context; a trimmed history becomes a notice.
    """
    extra = request.get("smartops") or {}
    if extra.get("refused"):
        raise PayloadTooLarge(str(extra["refused"]), code="context_length_exceeded")
    notice = (extra.get("fit") or {}).get("notice")
    if notice:
        turn.notices.append(str(notice))
    turn.prompt = request
    blocks = blocks_from_request(request)
    turn.context.extend(blocks)
    turn.sources.extend(
        Source(b.source.source, b.source.title, b.source.heading, b.source.url) for b in blocks
    )
