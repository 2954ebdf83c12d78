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
from smartops.pipeline import ContextBlock, Source

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
) -> list[ContextBlock]:
    """The strongest blocks whose estimated size fits ``budget`` tokens, strongest first."""
    ranked = sorted((block_from(item) for item in [*cached, *hits]), key=lambda b: -b[0])
    kept: list[ContextBlock] = []
    used = 0
    for _, block in ranked:
        cost = estimate_tokens(block.label) + estimate_tokens(block.text) + 4
        if used + cost > budget:
            continue
        kept.append(block)
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
    complete: bool = False,
) -> dict[str, Any]:
    """The OpenAI chat request; ``smartops.context`` lists the kept blocks, numbered."""
    blocks = within_budget(hits, cached, budget)
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
            }
            for n, b in enumerate(blocks, start=1)
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
    return request


def blocks_from_request(request: dict[str, Any]) -> list[ContextBlock]:
    """The context blocks an assembled request carries (``smartops.context``)."""
    items = (request.get("smartops") or {}).get("context") or []
    return [block_from(item)[1] for item in items if isinstance(item, dict)]
