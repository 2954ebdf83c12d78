"""Through the gateway (ASGI app, real llama.cpp): answers cite the right runbook file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from smartops.config import Settings
from smartops.gateway import create_app
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index import open_index
from smartops.knowledge.ingest import ingest
from smartops.services import build_services
from smartops.stack.components import EMBEDDED_LLM_REQUEST_ID_HEADER
from smartops.stack.procs import free_port

pytestmark = pytest.mark.integration
QUESTION = "The KubePodCrashLooping alert fired. What should I check first?"


async def chat(settings: Settings, stream: bool = False) -> httpx.Response:
    services = build_services(settings)
    app = create_app(services)
    body: dict[str, Any] = {
        "model": settings.model_id,
        "stream": stream,
        "messages": [{"role": "user", "content": QUESTION}],
    }
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gw", timeout=120
        ) as client:
            response = await client.post("/v1/chat/completions", json=body)
            await response.aread()
            return response
    finally:
        await services.aclose()


@pytest.fixture
async def knowledge_settings(
    llm_url: str, corpus: Path, tmp_path: Path, embedder: Embedder
) -> AsyncIterator[Settings]:
    settings = Settings(
        data_dir=tmp_path / "gw",
        llm_base_url=llm_url,
        llm_max_tokens=32,
        llm_request_id_header=EMBEDDED_LLM_REQUEST_ID_HEADER,
        cache_enabled=False,
        actions_enabled=False,
    )
    ingest([str(corpus)], settings, open_index(settings), embedder)
    yield settings


async def test_answer_cites_the_runbook(knowledge_settings: Settings) -> None:
    response = await chat(knowledge_settings)
    assert response.status_code == 200, response.text
    body = response.json()
    sources = body["smartops"]["sources"]
    assert sources, body
    runbook = [s for s in sources if s["source"].endswith("KubePodCrashLooping.md")]
    assert runbook, sources  # the right runbook file is cited (an alert rule may rank first)
    assert runbook[0]["heading"].startswith("Kube Pod Crash Looping")
    content = body["choices"][0]["message"]["content"]
    assert "**Sources**" in content and "KubePodCrashLooping.md" in content
    timings = body["smartops"]["timings_ms"]
    assert {"knowledge", "embed", "graph.retriever", "graph.prompt-assembler"} <= set(timings)
    assert not body["smartops"]["notices"]


async def test_streamed_answer_cites_too(knowledge_settings: Settings) -> None:
    response = await chat(knowledge_settings, stream=True)
    assert response.status_code == 200
    assert "KubePodCrashLooping.md" in response.text and response.text.endswith("[DONE]\n\n")


async def test_graph_down_degrades_and_says_so(knowledge_settings: Settings) -> None:
    down = knowledge_settings.with_changes(
        knowledge_graph_url=f"http://127.0.0.1:{free_port()}/", knowledge_graph_timeout_s=1
    )
    response = await chat(down)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["smartops"]["sources"] == []
    assert "knowledge base is unavailable" in body["choices"][0]["message"]["content"]
    assert body["smartops"]["notices"]
