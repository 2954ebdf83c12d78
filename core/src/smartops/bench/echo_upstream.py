"""A minimal OpenAI-compatible upstream for benchmarking the gateway's own overhead.

It answers ``/v1/models`` and streams a fixed short answer on ``/v1/chat/completions``
at once, so that what the benchmark measures through the gateway is the gateway, not
the model. It is a benchmark instrument, never a stand-in for the LLM in tests.
Run: ``python -m smartops.bench.echo_upstream --port N``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import uvicorn

WORDS = ["The", " gateway", " adds", " little", "."]


def _chunk(text: str | None, finish: str | None = None) -> bytes:
    delta = {"content": text} if text is not None else {}
    body = {
        "id": "chatcmpl-echo",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "echo",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


async def _read_body(receive: Any) -> bytes:
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    return body


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = await _read_body(receive)
    if scope["path"].endswith("/models"):
        payload = json.dumps({"object": "list", "data": [{"id": "echo", "object": "model"}]})
        await _send(send, 200, b"application/json", payload.encode())
        return
    request = json.loads(body or b"{}")
    if not request.get("stream"):
        answer = {
            "id": "chatcmpl-echo",
            "object": "chat.completion",
            "created": 0,
            "model": "echo",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "".join(WORDS)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": len(WORDS), "total_tokens": 6},
        }
        await _send(send, 200, b"application/json", json.dumps(answer).encode())
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/event-stream")],
        }
    )
    for word in WORDS:
        await send({"type": "http.response.body", "body": _chunk(word), "more_body": True})
    await send({"type": "http.response.body", "body": _chunk(None, "stop") + b"data: [DONE]\n\n"})


async def _send(send: Any, status: int, content_type: bytes, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type)],
        }
    )
    await send({"type": "http.response.body", "body": body})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
