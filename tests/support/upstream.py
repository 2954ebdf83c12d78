"""A scripted OpenAI-compatible upstream on a loopback port that counts its chat calls.

Each chat completion streams a fixed answer a word at a time, slowly enough that
concurrent identical questions overlap; ``fail_first`` makes the first calls fail
with a 503, as a predictor that is down does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from smartops.stack.threaded import serving

WORDS = ["Restarts", " come", " from", " a", " failing", " container", "."]


@dataclass
class Upstream:
    url: str
    delay_s: float = 0.05
    fail_first: int = 0
    bodies: list[dict[str, Any]] = field(default_factory=list)
    words: list[str] = field(default_factory=lambda: list(WORDS))
    sent: int = 0  # words streamed so far, over all calls

    @property
    def calls(self) -> int:
        return len(self.bodies)


def _chunk(text: str | None, finish: str | None = None) -> bytes:
    delta = {"content": text} if text is not None else {}
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "test",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def _app(upstream: Upstream) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        raw, more = b"", True
        while more:
            message = await receive()
            raw += message.get("body", b"")
            more = message.get("more_body", False)
        if not scope["path"].endswith("/chat/completions"):
            await _send(send, 200, json.dumps({"object": "list", "data": []}).encode())
            return
        upstream.bodies.append(json.loads(raw))
        if upstream.calls <= upstream.fail_first:
            await _send(send, 503, b'{"error": {"message": "loading"}}')
            return
        headers = [(b"content-type", b"text/event-stream")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for word in upstream.words:
            await asyncio.sleep(upstream.delay_s)
            await send({"type": "http.response.body", "body": _chunk(word), "more_body": True})
            upstream.sent += 1
        end = _chunk(None, "stop") + b"data: [DONE]\n\n"
        await send({"type": "http.response.body", "body": end})

    return app


async def _send(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@contextmanager
def scripted_upstream(
    delay_s: float = 0.05, fail_first: int = 0, words: Sequence[str] = WORDS
) -> Iterator[Upstream]:
    """The scripted upstream on a free loopback port; it streams ``words``."""
    upstream = Upstream("", delay_s, fail_first, words=list(words))
    with serving(_app(upstream)) as url:
        upstream.url = f"{url}/v1"
        yield upstream
