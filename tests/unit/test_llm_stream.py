"""LLMClient streams against a scripted upstream on a loopback port.

The upstream is a real HTTP server (asyncio streams) that sends what each test scripts:
a stream cut the way llama.cpp cuts one it interrupts (a bare ``[DONE]``), a stream cut
at ``max_tokens``, a server that closes mid-generation, one that reports usage, one that
refuses ``stream_options``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from smartops.config import Settings
from smartops.errors import UpstreamError
from smartops.llm import INCOMPLETE, LLMChunk, LLMClient
from smartops.metrics import Metrics

PAYLOAD: dict[str, Any] = {
    "messages": [
        {"role": "system", "content": "You answer questions about Kubernetes."},
        {"role": "user", "content": "What does a PodDisruptionBudget limit?"},
    ],
    "max_tokens": 8,
}


def sse(*events: dict[str, Any] | str) -> bytes:
    lines = [f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n" for e in events]
    return "".join(lines).encode()


def delta(text: str | None = None, finish: str | None = None) -> dict[str, Any]:
    content = {"content": text} if text is not None else {}
    return {"choices": [{"index": 0, "delta": content, "finish_reason": finish}]}


@dataclass
class Upstream:
    """Answers each request with the next scripted (status, body); records the bodies."""

    replies: list[tuple[int, bytes]]
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        self.requests.append(json.loads(await reader.readexactly(length)))
        status, body = self.replies.pop(0)
        kind = "text/event-stream" if status == 200 else "application/json"
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()


Start = Callable[..., Awaitable[Upstream]]


@pytest.fixture
async def upstream() -> AsyncIterator[Start]:
    servers: list[asyncio.Server] = []

    async def start(*replies: tuple[int, bytes]) -> Upstream:
        up = Upstream(list(replies))
        server = await asyncio.start_server(up.handle, "127.0.0.1", 0)
        servers.append(server)
        up.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1"
        return up

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def collect(up: Upstream) -> list[LLMChunk]:
    client = LLMClient(Settings(llm_base_url=up.url, llm_connect_retries=0).llm, Metrics())
    try:
        return [chunk async for chunk in client.stream_chunks(PAYLOAD)]
    finally:
        await client.aclose()


async def test_a_bare_done_after_an_interrupt_is_an_error_not_an_empty_answer(
    upstream: Start,
) -> None:
    # What llama.cpp sends when another request interrupts the stream before any text.
    up = await upstream(
        (200, sse({"choices": [{"index": 0, "delta": {"role": "assistant"}}]}, "[DONE]"))
    )
    with pytest.raises(UpstreamError) as caught:
        await collect(up)
    assert caught.value.code == INCOMPLETE


async def test_text_then_done_without_a_finish_reason_is_an_error(
    upstream: Start,
) -> None:
    up = await upstream((200, sse(delta("A budget"), delta(" limits"), "[DONE]")))
    with pytest.raises(UpstreamError) as caught:
        await collect(up)
    assert caught.value.code == INCOMPLETE
    assert "after 2 text chunks" in caught.value.message


async def test_a_connection_closed_mid_generation_is_an_error(
    upstream: Start,
) -> None:
    up = await upstream((200, sse(delta("A budget"))))
    with pytest.raises(UpstreamError):
        await collect(up)


async def test_an_error_event_in_the_stream_is_an_error(upstream: Start) -> None:
    up = await upstream((200, sse(delta("A"), {"error": {"message": "CUDA out of memory"}})))
    with pytest.raises(UpstreamError, match="CUDA out of memory"):
        await collect(up)


async def test_length_is_passed_through_with_an_estimated_usage(
    upstream: Start,
) -> None:
    up = await upstream(
        (
            200,
            sse(
                delta("It"), delta(" limits"), delta(" voluntary"), delta(finish="length"), "[DONE]"
            ),
        )
    )
    chunks = await collect(up)
    assert [c.text for c in chunks] == ["It", " limits", " voluntary", ""]
    assert [c.finish_reason for c in chunks] == [None, None, None, "length"]
    usage = chunks[-1].usage
    assert usage is not None and usage.estimated
    assert usage.completion_tokens == 3
    # Two short messages: more than their words, less than their characters.
    assert 15 <= usage.prompt_tokens <= 60
    assert up.requests[0]["stream_options"] == {"include_usage": True}


async def test_a_reported_usage_wins_over_the_estimate(upstream: Start) -> None:
    usage = {"prompt_tokens": 31, "completion_tokens": 2, "total_tokens": 33}
    up = await upstream(
        (
            200,
            sse(delta("Hi"), delta("!", finish="stop"), {"choices": [], "usage": usage}, "[DONE]"),
        )
    )
    chunks = await collect(up)
    assert "".join(c.text for c in chunks) == "Hi!"
    final = chunks[-1]
    assert final.finish_reason == "stop" and final.usage is not None
    assert (final.usage.prompt_tokens, final.usage.completion_tokens) == (31, 2)
    assert not final.usage.estimated


async def test_an_upstream_that_refuses_stream_options_is_asked_again_without(
    upstream: Start,
) -> None:
    refusal = json.dumps({"error": {"message": "Unrecognized field: stream_options"}})
    up = await upstream((400, refusal.encode()), (200, sse(delta("Ok", finish="stop"), "[DONE]")))
    chunks = await collect(up)
    assert chunks[-1].finish_reason == "stop"
    assert "stream_options" in up.requests[0] and "stream_options" not in up.requests[1]


@dataclass
class KeepAlive:
    """A keep-alive upstream: each answer a chunked SSE body whose end comes ``end_after_s``
    after ``[DONE]`` (never, when None); counts the connections it accepts."""

    end_after_s: float | None
    connections: int = 0
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                body = sse(delta("A budget"), delta(finish="stop"), "[DONE]")
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n" + f"{len(body):x}\r\n".encode() + body
                )
                writer.write(b"\r\n")
                await writer.drain()
                if self.end_after_s is None:
                    await asyncio.sleep(3600)
                await asyncio.sleep(self.end_after_s)
                writer.write(b"0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


async def answers_over(up: KeepAlive, count: int) -> list[str]:
    server = await asyncio.start_server(up.handle, "127.0.0.1", 0)
    up.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/v1"
    client = LLMClient(Settings(llm_base_url=up.url, llm_connect_retries=0).llm, Metrics())
    try:
        return [
            "".join(c.text for c in [chunk async for chunk in client.stream_chunks(PAYLOAD)])
            for _ in range(count)
        ]
    finally:
        await client.aclose()
        server.close()


async def test_a_stream_read_to_its_end_keeps_its_connection_for_the_next_request() -> None:
    up = KeepAlive(end_after_s=0.005)
    assert await answers_over(up, 3) == ["A budget"] * 3
    assert up.connections == 1


async def test_an_upstream_that_never_ends_its_body_after_done_still_answers() -> None:
    up = KeepAlive(end_after_s=None)  # the connection is given up, the answer is not
    assert await answers_over(up, 2) == ["A budget"] * 2
    assert up.connections == 2
