"""The answer's pieces as OpenAI chunks (SSE or WebSocket) or as one completion."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from smartops.chat import chunk_body, completion_body
from smartops.errors import InternalError, SmartopsError
from smartops.turn import Piece, Turn

log = logging.getLogger(__name__)


def turn_extra(turn: Turn) -> dict[str, Any]:
    """The smartops-specific part of a response: route, sources, timings, notices."""
    return {
        "request_id": turn.request_id,
        "route": turn.route,
        "decision": turn.decision.to_json() if turn.decision else None,
        "abstained": turn.abstained,
        "sources": [
            {"source": s.source, "title": s.title, "heading": s.heading, "url": s.url}
            for s in dict.fromkeys(turn.sources)
        ],
        "notices": list(turn.notices),
        "timings_ms": dict(turn.timings_ms),
    }


def finish_reason(turn: Turn) -> str:
    """What the upstream said ("length" when cut at max_tokens); a ready answer stops."""
    return turn.finish_reason or "stop"


async def complete(answer: AsyncIterator[Piece], turn: Turn, model: str) -> dict[str, Any]:
    """One chat.completion from the whole answer."""
    content = "".join([piece.text async for piece in answer])
    body = completion_body(
        completion_id=f"chatcmpl-{turn.request_id}",
        model=model,
        content=content,
        usage=usage(turn),
        extra=turn_extra(turn),
    )
    body["choices"][0]["finish_reason"] = finish_reason(turn)
    return body


async def chunks(
    answer: AsyncIterator[Piece], turn: Turn, model: str
) -> AsyncIterator[dict[str, Any]]:
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
        async for piece in answer:
            yield chunk({"content": piece.text})
    except SmartopsError as exc:
        log.warning("stream failed", extra={"error": exc.message})
        yield exc.to_body()
        return
    except Exception:
        log.exception("stream failed")
        yield InternalError(f"Internal error (request {turn.request_id}).").to_body()
        return
    final = chunk({}, finish_reason(turn))
    final["smartops"] = turn_extra(turn)
    yield final
    if turn.request.include_usage:
        usage_chunk = chunk({})
        usage_chunk["choices"] = []
        usage_chunk["usage"] = usage(turn)
        yield usage_chunk


async def sse(answer: AsyncIterator[Piece], turn: Turn, model: str) -> AsyncIterator[bytes]:
    """Server-sent events exactly as OpenAI sends them, ending with ``data: [DONE]``."""
    async for body in chunks(answer, turn, model):
        yield b"data: " + json.dumps(body, ensure_ascii=False).encode() + b"\n\n"
    yield b"data: [DONE]\n\n"


def usage(turn: Turn) -> dict[str, int]:
    counted = dict(turn.usage or {})
    counted.setdefault("prompt_tokens", 0)
    counted.setdefault("completion_tokens", 0)
    counted["total_tokens"] = counted["prompt_tokens"] + counted["completion_tokens"]
    return counted
