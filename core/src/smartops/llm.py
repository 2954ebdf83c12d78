"""Client for any OpenAI-compatible chat upstream (KServe HF runtime, vLLM, llama.cpp).

httpx, streaming or not, connect/read timeouts, and bounded retries on connection
errors only: once a request has reached the upstream it is never sent twice.

A stream is only an answer when it says how it ended: :meth:`LLMClient.stream` yields
:class:`LLMChunk` text pieces and always ends with one chunk that carries the upstream's
``finish_reason`` (``"stop"``, ``"length"``, ...) and the token usage, or it raises. A
stream that stops without a finish reason (llama.cpp ends a stream it interrupts with a
bare ``[DONE]``; a server that fails mid-generation just closes it) raises
:class:`UpstreamError` with the code ``llm_stream_incomplete``: never a clean stop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from smartops.config_sections import LLMSettings
from smartops.context_fit import PromptMessage, count_messages, estimate_tokens
from smartops.errors import (
    InvalidRequest,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from smartops.logs import get_request_id
from smartops.metrics import Metrics

log = logging.getLogger(__name__)
BACKEND = "llm"
_RETRY_BASE_DELAY_S = 0.1
INCOMPLETE = "llm_stream_incomplete"
_DRAIN_S = 0.05  # what follows [DONE] is only the end of the chunked body


@dataclass(frozen=True, slots=True)
class Usage:
    """Token usage of one completion; ``estimated`` when the upstream did not report it
    (llama-cpp-python's server sends none in a stream): the prompt is then estimated
    with :func:`smartops.context_fit.estimate_tokens` and the completion is the number
    of text chunks (llama.cpp and vLLM stream one token per chunk)."""

    prompt_tokens: int
    completion_tokens: int
    estimated: bool = False

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class LLMChunk:
    """A piece of a streamed answer. Every chunk but the last has text and no
    ``finish_reason``; the last one has the finish reason and the usage (and no text)."""

    text: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None


class LLMClient:
    """Talks to ``{base_url}/chat/completions`` and ``{base_url}/models``."""

    def __init__(
        self, settings: LLMSettings, metrics: Metrics, http: httpx.AsyncClient | None = None
    ):
        self.base_url = settings.base_url.rstrip("/")
        self.model = settings.model
        self.retries = settings.connect_retries
        self.metrics = metrics
        self.request_id_header = settings.request_id_header
        self._stream_usage = True  # ask for usage in streams until the upstream refuses
        headers = {}
        if settings.api_key is not None:
            headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
        timeout = httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s)
        self._http = http or httpx.AsyncClient(
            timeout=timeout, headers=headers, limits=httpx.Limits(max_keepalive_connections=20)
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    def _body(self, payload: dict[str, Any], stream: bool) -> dict[str, Any]:
        body = dict(payload)
        body["stream"] = stream
        if self.model:
            body["model"] = self.model
        return body

    def _headers(self) -> dict[str, str]:
        request_id = get_request_id()
        return {self.request_id_header: request_id} if request_id else {}

    async def _send(self, request: httpx.Request, stream: bool) -> httpx.Response:
        """Send with retries on connect errors only; map every failure to our errors."""
        for attempt in range(self.retries + 1):
            try:
                response = await self._http.send(request, stream=stream)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                self.metrics.upstream_errors.labels(BACKEND, "connect").inc()
                if attempt < self.retries:
                    await asyncio.sleep(_RETRY_BASE_DELAY_S * 2**attempt)
                    continue
                raise UpstreamUnavailable(
                    f"The LLM upstream at {self.base_url} cannot be reached "
                    f"({type(exc).__name__}); try again when it is back.",
                ) from None
            except httpx.TimeoutException:
                self.metrics.upstream_errors.labels(BACKEND, "timeout").inc()
                raise UpstreamTimeout(
                    f"The LLM upstream at {self.base_url} did not answer in time."
                ) from None
            except httpx.HTTPError as exc:
                self.metrics.upstream_errors.labels(BACKEND, "transport").inc()
                raise UpstreamUnavailable(
                    f"The LLM upstream at {self.base_url} failed: {type(exc).__name__}."
                ) from None
            if response.status_code >= 400:
                await self._raise_for_status(response)
            return response
        raise AssertionError("unreachable")

    async def _raise_for_status(self, response: httpx.Response) -> None:
        body = (await response.aread()).decode("utf-8", "replace")
        await response.aclose()
        self.metrics.upstream_errors.labels(BACKEND, "status").inc()
        detail = _error_message(body) or f"HTTP {response.status_code}"
        if response.status_code in (400, 413, 422):
            raise InvalidRequest(f"The LLM rejected the request: {detail}", code="llm_rejected")
        raise UpstreamError(f"The LLM upstream answered {response.status_code}: {detail}")

    async def complete(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A non-streaming chat completion; returns the upstream's JSON."""
        request = self._http.build_request(
            "POST",
            f"{self.base_url}/chat/completions",
            json=self._body(payload, stream=False),
            headers=self._headers(),
        )
        response = await self._send(request, stream=False)
        try:
            data: dict[str, Any] = response.json()
        except ValueError:
            raise UpstreamError("The LLM upstream sent a body that is not JSON.") from None
        return data

    async def stream_chunks(self, payload: dict[str, Any]) -> AsyncIterator[LLMChunk]:
        """Stream a completion: text chunks, then one final chunk (see :class:`LLMChunk`).

        Asks for the usage (``stream_options.include_usage``); servers that ignore it
        get an estimated one. Raises :class:`UpstreamError` (``llm_stream_incomplete``)
        when the stream ends without a finish reason, and for an error event in it.
        """
        body = self._body(payload, stream=True)
        response = await self._open_stream(body)
        state = _StreamState()
        try:
            lines = response.aiter_lines()
            async for line in lines:
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    await _drain(lines)
                    break
                for text in state.read(_parse_chunk(data)):
                    yield LLMChunk(text=text)
        except httpx.TimeoutException:
            self.metrics.upstream_errors.labels(BACKEND, "timeout").inc()
            raise UpstreamTimeout("The LLM upstream stopped sending in the middle.") from None
        except httpx.HTTPError as exc:
            self.metrics.upstream_errors.labels(BACKEND, "transport").inc()
            raise UpstreamUnavailable(f"The LLM stream broke off: {type(exc).__name__}.") from None
        finally:
            await response.aclose()
        if state.finish_reason is None:
            self.metrics.upstream_errors.labels(BACKEND, "incomplete").inc()
            raise UpstreamError(
                f"The LLM stream ended without a finish reason after {state.chunks} text "
                "chunks: the upstream interrupted or lost the generation.",
                code=INCOMPLETE,
            )
        yield LLMChunk(finish_reason=state.finish_reason, usage=state.usage(body["messages"]))

    async def _open_stream(self, body: dict[str, Any]) -> httpx.Response:
        """Send a streaming request asking for the usage; an upstream that rejects
        ``stream_options`` (a 400: nothing was generated) is asked again without."""
        if self._stream_usage:
            body = {**body, "stream_options": {"include_usage": True}}
        request = self._http.build_request(
            "POST", f"{self.base_url}/chat/completions", json=body, headers=self._headers()
        )
        try:
            return await self._send(request, stream=True)
        except InvalidRequest as exc:
            if not self._stream_usage or "stream_options" not in exc.message:
                raise
            log.warning("the LLM upstream does not take stream_options; usage is estimated")
            self._stream_usage = False
            body = {k: v for k, v in body.items() if k != "stream_options"}
            return await self._open_stream(body)

    async def ping(self, timeout_s: float = 1.0) -> bool:
        """True when the upstream answers ``GET /models``.

        Not for a single-slot llama.cpp server: its ``/models`` waits for the running
        generation. The embedded stack checks its LLM without asking it
        (``smartops.stack.llm_ready``).
        """
        try:
            response = await self._http.get(f"{self.base_url}/models", timeout=timeout_s)
        except httpx.HTTPError:
            return False
        return response.status_code == 200


async def _drain(lines: AsyncIterator[str]) -> None:
    """Read the stream's end after ``[DONE]``: a response read to its end returns its
    connection to the pool (one closed early is dropped, and the next request pays a
    new connection). An upstream that sends more, or nothing, in time is closed."""
    try:
        async with asyncio.timeout(_DRAIN_S):
            async for _ in lines:
                pass
    except (TimeoutError, httpx.HTTPError):
        pass


def _error_message(body: str) -> str:
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return body[:300]
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data))
        if isinstance(error, dict):
            return str(error.get("message", error))[:300]
        return str(error)[:300]
    return body[:300]


def _parse_chunk(data: str) -> dict[str, Any]:
    try:
        chunk = json.loads(data)
    except (json.JSONDecodeError, RecursionError):
        raise UpstreamError("The LLM upstream sent a malformed chunk.") from None
    if not isinstance(chunk, dict):
        raise UpstreamError("The LLM upstream sent a malformed chunk.")
    if chunk.get("error"):
        detail = _error_message(json.dumps(chunk))
        raise UpstreamError(f"The LLM upstream failed mid-stream: {detail}")
    return chunk


class _StreamState:
    """What a stream said so far: its finish reason, its usage, how many text chunks."""

    def __init__(self) -> None:
        self.finish_reason: str | None = None
        self.chunks = 0
        self.reported: Usage | None = None

    def read(self, chunk: dict[str, Any]) -> list[str]:
        """The texts of one upstream chunk (of its first choice); notes the rest."""
        usage = chunk.get("usage")
        if isinstance(usage, dict) and "completion_tokens" in usage:
            self.reported = Usage(
                int(usage.get("prompt_tokens") or 0), int(usage["completion_tokens"] or 0)
            )
        texts = []
        for choice in chunk.get("choices") or []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta")
            text = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(text, str) and text:
                self.chunks += 1
                texts.append(text)
            if choice.get("finish_reason"):
                self.finish_reason = str(choice["finish_reason"])
        return texts

    def usage(self, messages: Sequence[PromptMessage]) -> Usage:
        if self.reported is not None:
            return self.reported
        prompt = count_messages(messages, estimate_tokens)
        return Usage(prompt, self.chunks, estimated=True)
