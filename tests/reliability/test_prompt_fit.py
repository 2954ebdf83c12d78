"""Prompts fitted to the model's context: history trimmed oldest-first, oversize refused.

Unit checks of the prompt assembler, then the gateway end to end (knowledge graph in
process over an index of real runbooks, a scripted predictor that records what it is
sent): a long conversation answers with a notice, an oversize question is a 413.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from smartops.chat import ChatRequest, Message
from smartops.config import Settings
from smartops.context_fit import PromptMessage, count_messages, estimate_tokens
from smartops.errors import PayloadTooLarge
from smartops.gateway import create_app
from smartops.knowledge.assembler import adopt, assemble, context_window
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index import open_index
from smartops.knowledge.ingest import ingest
from smartops.services import build_services
from smartops.turn import Principal, Turn
from tests.support.upstream import scripted_upstream

DOCS = Path(__file__).resolve().parents[1] / "cache" / "data" / "docs"
HIT = {
    "source": "runbooks/KubePodCrashLooping.md",
    "heading": "Diagnosis",
    "text": "Check the container's last state and its logs with kubectl logs --previous.",
    "score": 0.9,
}
PARAGRAPH = (
    "The deployment in the payments namespace restarts its pods every few minutes and "
    "the readiness probe keeps failing while the node reports memory pressure. "
)


def history(n: int, chars: int = 3000) -> list[dict[str, str]]:
    text = (PARAGRAPH * (chars // len(PARAGRAPH) + 1))[:chars]
    return [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"{i}: {text}"} for i in range(n)
    ]


def built(messages: list[dict[str, str]], query: str, context: int = 4096) -> dict[str, Any]:
    return assemble(
        query=query,
        messages=messages,
        hits=[HIT],
        cached=[],
        budget=1500,
        model="",
        generation={"max_tokens": 512},
        context_tokens=context,
    )


def tokens(request: dict[str, Any]) -> int:
    sent: list[PromptMessage] = request["messages"]
    return count_messages(sent, estimate_tokens) + int(request["max_tokens"])


def test_a_long_conversation_loses_its_oldest_messages_and_fits() -> None:
    question = "Why does it keep restarting?"
    request = built([*history(20), {"role": "user", "content": question}], question)
    sent = request["messages"]
    assert tokens(request) <= 4096
    assert sent[0]["role"] == "system" and sent[-1]["content"] == question
    assert "kubectl logs --previous" in sent[0]["content"]  # the context is kept
    fit = request["smartops"]["fit"]
    assert fit["dropped"] > 0 and len(sent) == 22 - fit["dropped"]
    kept = [int(m["content"].split(":")[0]) for m in sent[1:-1]]
    assert kept == sorted(kept) and (not kept or kept[-1] == 19)  # the newest stay
    assert sent[1]["role"] == "user"  # a trimmed history never starts with an answer
    assert "oldest messages were left out" in fit["notice"]


def test_the_notice_speaks_russian_to_a_russian_question() -> None:
    question = "Почему под всё время перезапускается?"
    request = built([*history(20), {"role": "user", "content": question}], question)
    assert "самые старые сообщения" in request["smartops"]["fit"]["notice"]


def test_a_short_conversation_is_sent_as_it_is() -> None:
    messages = [*history(3, chars=200), {"role": "user", "content": "And now?"}]
    request = built(messages, "And now?")
    assert len(request["messages"]) == 5 and request["max_tokens"] == 512
    assert request["smartops"]["fit"]["dropped"] == 0
    assert request["smartops"]["fit"]["notice"] is None


def test_an_oversize_question_is_marked_and_adopting_it_is_a_413() -> None:
    question = "Explain this log. " + "error: connection refused to 10.0.3.7:5432 " * 900
    request = built([{"role": "user", "content": question}], question)
    assert "too long for the model" in request["smartops"]["refused"]
    chat = ChatRequest(model="smartops", messages=[Message(role="user", content=question)])
    turn = Turn(request=chat, request_id="r", principal=Principal("u"))
    with pytest.raises(PayloadTooLarge) as refused:
        adopt(turn, request)
    assert refused.value.status == 413 and refused.value.code == "context_length_exceeded"
    assert turn.prompt is None


def test_a_context_budget_larger_than_the_window_allows_gives_way() -> None:
    """A long question and a large context budget: the context shrinks to what the window
    leaves, strongest block first; the question is answered, not refused."""
    long_hit = HIT | {"text": PARAGRAPH * 60, "score": 0.5}
    question = "Why does it keep restarting? " + PARAGRAPH * 20
    request = assemble(
        query=question,
        messages=[{"role": "user", "content": question}],
        hits=[HIT, long_hit],
        cached=[],
        budget=3500,
        model="",
        generation={"max_tokens": 512},
        context_tokens=4096,
    )
    assert "refused" not in request["smartops"]
    assert tokens(request) <= 4096
    assert "kubectl logs --previous" in request["messages"][0]["content"]  # the strongest
    assert request["smartops"]["dropped"] == 1  # the long, weaker block gave way


def test_the_window_is_the_setting_else_the_embedded_models() -> None:
    assert context_window(Settings(llm_embedded_ctx=2048)) == 2048
    assert context_window(Settings(llm_embedded_ctx=2048, llm_context_tokens=32768)) == 32768


@pytest.fixture
async def gateway(
    tmp_path: Path, embedder: Embedder
) -> AsyncIterator[tuple[httpx.AsyncClient, list[dict[str, Any]]]]:
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    with scripted_upstream(delay_s=0) as upstream:
        settings = Settings(
            data_dir=tmp_path / "data",
            llm_base_url=upstream.url,
            answer_mode="synthesize",
            cache_enabled=False,
            actions_enabled=False,
            eventing_enabled=False,
        )
        ingest([str(docs)], settings, open_index(settings), embedder)
        services = build_services(settings)
        transport = httpx.ASGITransport(app=create_app(services))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw", timeout=120) as c:
            yield c, upstream.bodies
        await services.aclose()


async def post(client: httpx.AsyncClient, messages: list[dict[str, str]]) -> httpx.Response:
    body = {"model": "smartops", "messages": messages, "max_tokens": 256}
    return await client.post("/v1/chat/completions", json=body)


@pytest.mark.integration
async def test_through_the_gateway_long_history_answers_and_oversize_is_refused(
    gateway: tuple[httpx.AsyncClient, list[dict[str, Any]]],
) -> None:
    client, sent = gateway
    question = "What should I check first when KubePodCrashLooping fires?"
    response = await post(client, [*history(20), {"role": "user", "content": question}])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["choices"][0]["message"]["content"].strip()
    assert any("oldest messages were left out" in n for n in body["smartops"]["notices"])
    assert len(sent) == 1 and tokens(sent[0]) <= 4096
    assert sent[0]["messages"][-1]["content"] == question

    huge = "Why does this fail? " + "the pod fails " * 2000  # within the 32,000-char limit
    refused = await post(client, [{"role": "user", "content": huge}])
    assert refused.status_code == 413, refused.text
    error = refused.json()["error"]
    assert error["code"] == "context_length_exceeded" and "too long" in error["message"]
    assert len(sent) == 1  # the model was never asked
