"""Prompt assembly: hits, cached doc context and the conversation to an OpenAI request.

Context is numbered in order of strength (cached doc context first, then hits by
score) and rendered with the ``system`` template. When it does not fit the token budget
the weakest pieces are dropped first. Tokens are estimated at 4 characters each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from smartops import prompts
from smartops.chat import ChatRequest
from smartops.config import Settings
from smartops.turn import ContextBlock, Source, Turn

CHARS_PER_TOKEN = 4


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


def within_budget(
    hits: Sequence[dict[str, Any]], cached: Sequence[dict[str, Any]], budget: int
) -> list[tuple[ContextBlock, dict[str, Any]]]:
    """The strongest blocks (and their items) whose estimated size fits ``budget`` tokens,
    strongest first."""
    ranked = sorted(((*block_from(item), item) for item in [*cached, *hits]), key=lambda b: -b[0])
    kept: list[tuple[ContextBlock, dict[str, Any]]] = []
    used = 0
    for _, block, item in ranked:
        cost = estimate_tokens(block.label) + estimate_tokens(block.text) + 4
        if used + cost > budget:
            continue
        kept.append((block, item))
        used += cost
    return kept


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
) -> dict[str, Any]:
    """The OpenAI chat request; ``smartops.context`` lists the kept blocks, numbered.

    ``generation`` holds the sampling fields of the client's request (``generation``
    below); they are copied into the request as they are.
    """
    kept = within_budget(hits, cached, budget)
    blocks = [block for block, _ in kept]
    system = prompts.render("system", context=blocks, language=None)
    chat = conversation(messages) or [{"role": "user", "content": query}]
    extra: dict[str, Any] = {
        "context": [
            {
                "n": n,
                "label": b.label,
                "text": b.text,
                "source": b.source.source,
                "title": b.source.title,
                "heading": b.source.heading,
                "url": b.source.url,
                "score": b.source.score,
                # what the answer stage reads: the chunk's kind and its cosine to the query
                "kind": item.get("kind", "doc"),
                "similarity": item.get("similarity"),
            }
            for n, (b, item) in enumerate(kept, start=1)
        ],
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
    return request


GENERATION_FIELDS = ("max_tokens", "temperature", "top_p", "stop")


def generation(request: ChatRequest, settings: Settings) -> dict[str, Any]:
    """The sampling fields for the predictor: the client's, within our defaults and cap."""
    limit = request.max_completion_tokens or request.max_tokens or settings.llm_max_tokens
    fields: dict[str, Any] = {
        "max_tokens": min(limit, settings.max_tokens_cap),
        "temperature": (
            request.temperature if request.temperature is not None else settings.llm_temperature
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
    """Make an assembled request the turn's prompt; its kept blocks are cited."""
    turn.prompt = request
    blocks = blocks_from_request(request)
    turn.context.extend(blocks)
    turn.sources.extend(
        Source(b.source.source, b.source.title, b.source.heading, b.source.url) for b in blocks
    )
