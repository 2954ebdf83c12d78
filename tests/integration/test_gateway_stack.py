"""The gateway over the real embedded LLM (llama.cpp + SmolLM2), as `smartops up` runs it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from websockets.sync.client import connect

from smartops.stack.components import EMBEDDED_LLM_REQUEST_ID_HEADER
from tests.support.services import stack_process

pytestmark = pytest.mark.integration
QUESTION = [{"role": "user", "content": "In one sentence: what is a Kubernetes pod?"}]


@pytest.fixture(scope="module")
def stack(
    llm_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("stack")
    env = {
        "SMARTOPS_LLM_BASE_URL": llm_url,
        "SMARTOPS_REDIS_URL": redis_url,
        "SMARTOPS_LLM_REQUEST_ID_HEADER": EMBEDDED_LLM_REQUEST_ID_HEADER,
        # The generated path: with knowledge on, an ungrounded question abstains first.
        "SMARTOPS_KNOWLEDGE_ENABLED": "false",
        "SMARTOPS_CACHE_ENABLED": "false",
    }
    with stack_process(data_dir, env) as (url, child):
        yield url, child.log_path


@pytest.fixture
def client(stack: tuple[str, Path]) -> openai.OpenAI:
    return openai.OpenAI(base_url=stack[0], api_key="unused", max_retries=0)


def test_openai_client_lists_models(client: openai.OpenAI) -> None:
    assert [model.id for model in client.models.list()] == ["smartops"]


def test_openai_client_gets_a_generated_answer(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model="smartops",
        messages=QUESTION,
        max_tokens=40,  # type: ignore[arg-type]
    )
    completion = raw.parse()
    assert raw.headers["x-request-id"]
    text = completion.choices[0].message.content or ""
    assert len(text.split()) >= 3
    assert completion.usage is not None and completion.usage.completion_tokens > 0


def test_openai_client_streams_an_answer(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model="smartops",
        messages=QUESTION,
        max_tokens=40,
        stream=True,  # type: ignore[arg-type]
    )
    pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert len([p for p in pieces if p]) >= 3
    assert len("".join(pieces).split()) >= 3


def test_sse_wire_format_and_request_id_in_json_logs(stack: tuple[str, Path]) -> None:
    url, log_path = stack
    request_id = f"it-{uuid.uuid4().hex}"
    body = {"model": "smartops", "messages": QUESTION, "stream": True, "max_tokens": 16}
    with httpx.stream(
        "POST",
        f"{url}/chat/completions",
        json=body,
        timeout=60,
        headers={"X-Request-ID": request_id},
    ) as response:
        assert response.status_code == 200
        assert response.headers["x-request-id"] == request_id
        raw = response.read().decode()
    events = raw.split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    for event in events[:-2]:
        assert event.startswith("data: ")
        assert json.loads(event[6:])["object"] == "chat.completion.chunk"
    lines = wait_for_lines(log_path, request_id)
    assert lines, "no log line carries the request id"
    entries = [json.loads(line) for line in lines]
    assert any(e.get("route") == "/v1/chat/completions" and e.get("status") == 200 for e in entries)
    assert all(e["request_id"] == request_id for e in entries)


def wait_for_lines(path: Path, needle: str, timeout_s: float = 5.0) -> list[str]:
    """The log lines holding ``needle``; the access line is written after the last byte."""
    deadline = time.monotonic() + timeout_s
    while True:
        lines = [line for line in path.read_text().splitlines() if needle in line]
        if any('"route"' in line for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_every_log_line_is_json(stack: tuple[str, Path]) -> None:
    lines = [ln for ln in stack[1].read_text().splitlines() if ln and not ln.startswith("READY")]
    assert lines
    for line in lines:
        assert isinstance(json.loads(line), dict), line


def test_readiness_reports_the_llm(stack: tuple[str, Path]) -> None:
    base = stack[0].removesuffix("/v1")
    ready = httpx.get(f"{base}/readyz", timeout=5)
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"llm": True}


def test_websocket_streams_the_same_chunks(stack: tuple[str, Path]) -> None:
    ws_url = stack[0].replace("http://", "ws://") + "/chat/completions/ws"
    request = {"model": "smartops", "messages": QUESTION, "max_tokens": 16}
    with connect(ws_url, open_timeout=10) as socket:
        for _ in range(2):  # two requests on one socket
            socket.send(json.dumps(request))
            messages = []
            while (message := socket.recv(timeout=60)) != "[DONE]":
                messages.append(json.loads(message))
            assert messages[0]["choices"][0]["delta"]["role"] == "assistant"
            # the upstream's own reason: "length" when cut at max_tokens
            assert messages[-1]["choices"][0]["finish_reason"] in ("stop", "length")
            assert "".join(m["choices"][0]["delta"].get("content", "") for m in messages).strip()
