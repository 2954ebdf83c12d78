"""From the pipeline's answer text to OpenAI chunks (SSE or WebSocket) or one completion."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from smartops.chat import chunk_body, completion_body
from smartops.errors import InternalError, SmartopsError
from smartops.pipeline import Pipeline, Turn, close_markdown, render_notices, render_sources

log = logging.getLogger(__name__)


def turn_extra(turn: Turn) -> dict[str, Any]:
    """The smartops-specific part of a response: sources, timings, notices."""
    return {
        "request_id": turn.request_id,
        "sources": [
            {"source": s.source, "title": s.title, "heading": s.heading, "url": s.url}
            for s in dict.fromkeys(turn.sources)
        ],
        "notices": list(turn.notices),
        "timings_ms": dict(turn.timings_ms),
    }


async def answer_pieces(pipeline: Pipeline, turn: Turn) -> AsyncIterator[str]:
    """Notices first, then the answer, then the sources list; ``finish`` at the end.

    Call ``prime`` first: it runs everything that can fail before the first token.
    """
    text = turn.state.pop("primed")
    if turn.notices:
        yield render_notices(turn.notices)
    parts: list[str] = []
    async for piece in text:
        parts.append(piece)
        yield piece
    tail = close_markdown("".join(parts), turn.state.get("finish_reason"))
    if tail:
        parts.append(tail)  # part of the answer: a cached copy reads the same
        yield tail
    sources = render_sources(turn.sources)
    if sources:
        yield sources
    await pipeline.finish(turn, "".join(parts))


async def prime(pipeline: Pipeline, turn: Turn) -> None:
    turn.state["primed"] = await pipeline.answer(turn)


async def complete(pipeline: Pipeline, turn: Turn, model: str) -> dict[str, Any]:
    await prime(pipeline, turn)
    content = "".join([piece async for piece in answer_pieces(pipeline, turn)])
    return completion_body(
        completion_id=f"chatcmpl-{turn.request_id}",
        model=model,
        content=content,
        usage=_usage(turn),
        extra=turn_extra(turn),
    )


async def chunks(pipeline: Pipeline, turn: Turn, model: str) -> AsyncIterator[dict[str, Any]]:
    """OpenAI chunk objects; an error after the first chunk becomes an error object."""
    completion_id = f"chatcmpl-{turn.request_id}"
    created = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return chunk_body(
            completion_id=completion_id,
            model=model,
            created=created,
            delta=delta,
            finish_reason=finish,
        )

    yield chunk({"role": "assistant", "content": ""})
    try:
        async for piece in answer_pieces(pipeline, turn):
            yield chunk({"content": piece})
    except SmartopsError as exc:
        log.warning("stream failed", extra={"error": exc.message})
        yield exc.to_body()
        return
    except Exception:
        log.exception("stream failed")
        yield InternalError(f"Internal error (request {turn.request_id}).").to_body()
        return
    final = chunk({}, "stop")
    final["smartops"] = turn_extra(turn)
    yield final
    if turn.request.include_usage:
        usage_chunk = chunk({})
        usage_chunk["choices"] = []
        usage_chunk["usage"] = _usage(turn)
        yield usage_chunk


async def sse(pipeline: Pipeline, turn: Turn, model: str) -> AsyncIterator[bytes]:
    """Server-sent events exactly as OpenAI sends them, ending with ``data: [DONE]``."""
    async for body in chunks(pipeline, turn, model):
        yield b"data: " + json.dumps(body, ensure_ascii=False).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"


def _usage(turn: Turn) -> dict[str, int]:
    usage = dict(turn.usage or {})
    usage.setdefault("prompt_tokens", 0)
    usage.setdefault("completion_tokens", 0)
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return usage
