"""The pipeline's stage mechanism and the SSE format, with a stage that answers itself."""

from __future__ import annotations

import json

import httpx

from smartops.config import Settings
from smartops.gateway import create_app
from smartops.services import build_services
from smartops.turn import Reply, Source, Turn
from tests.unit.gateway.conftest import closed_upstream


class RunbookStage:
    """A stage that answers a known question itself and degrades on another."""

    name = "runbook"

    def __init__(self) -> None:
        self.finished: list[str] = []

    async def before(self, turn: Turn) -> Reply | None:
        if "crashloop" in turn.request.question.lower():
            return Reply(
                "Check the pod's previous logs.",
                [Source("runbooks/KubePodCrashLooping.md", heading="Diagnosis")],
            )
        return None

    async def after(self, turn: Turn, answer: str) -> None:
        self.finished.append(answer)


def app_with(stage: RunbookStage) -> httpx.AsyncClient:
    services = build_services(Settings(llm_base_url=closed_upstream(), llm_connect_retries=0))
    services.pipeline.stages[:] = [stage]  # the mechanism alone, without feature stages
    app = create_app(services)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


BODY = {"model": "smartops", "messages": [{"role": "user", "content": "Pod in CrashLoop?"}]}


async def test_stage_reply_streams_as_openai_sse_with_sources() -> None:
    stage = RunbookStage()
    async with app_with(stage) as client:
        response = await client.post(
            "/v1/chat/completions",
            json={**BODY, "stream": True, "stream_options": {"include_usage": True}},
        )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = response.text.split("\n\n")
    assert events[-1] == "" and events[-2] == "data: [DONE]"
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-2]]
    assert all(e.startswith("data: ") for e in events[:-1])
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text.startswith("Check the pod's previous logs.")
    assert "**Sources**" in text
    # Each source a link: here to the gateway's section page (the runbook has no URL).
    link = "http://127.0.0.1:8000/v1/sections?source=runbooks%2FKubePodCrashLooping.md"
    assert f"1. [`runbooks/KubePodCrashLooping.md`]({link}&heading=Diagnosis) — Diagnosis" in text
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and "total_tokens" in chunks[-1]["usage"]
    assert {c["id"] for c in chunks} == {f"chatcmpl-{response.headers['x-request-id']}"}
    assert stage.finished == ["Check the pod's previous logs."]  # the answer, without sources


async def test_stage_reply_non_streaming_carries_sources_and_timings() -> None:
    async with app_with(RunbookStage()) as client:
        response = await client.post("/v1/chat/completions", json=BODY)
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"].startswith("Check the pod's previous logs.")
    extra = body["smartops"]
    assert extra["sources"][0]["source"] == "runbooks/KubePodCrashLooping.md"
    assert "runbook" in extra["timings_ms"]
    assert extra["request_id"] == response.headers["x-request-id"]


async def test_question_the_stage_passes_on_reaches_the_llm() -> None:
    async with app_with(RunbookStage()) as client:
        response = await client.post(
            "/v1/chat/completions",
            json={"model": "smartops", "messages": [{"role": "user", "content": "What is HPA?"}]},
        )
    assert response.status_code == 503


async def test_degraded_turn_shows_a_notice_line() -> None:
    class Degrading(RunbookStage):
        async def before(self, turn: Turn) -> Reply | None:
            turn.degrade("index", "Knowledge search is unavailable.", services.metrics)
            return Reply("General answer.")

    services = build_services(Settings(llm_base_url=closed_upstream()))
    services.pipeline.stages[:] = [Degrading()]
    transport = httpx.ASGITransport(app=create_app(services))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        body = (await client.post("/v1/chat/completions", json=BODY)).json()
        metrics = (await client.get("/metrics")).text
    content = body["choices"][0]["message"]["content"]
    assert content.startswith("> ⚠️ Knowledge search is unavailable.")
    assert body["smartops"]["notices"] == ["Knowledge search is unavailable."]
    assert 'smartops_degraded_answers_total{backend="index"} 1.0' in metrics


def test_an_answer_cut_inside_a_code_block_is_closed_and_says_so() -> None:
    from smartops.pipeline import close_markdown

    cut = "Run this:\n```bash\nkubectl logs pod --prev"
    tail = close_markdown(cut, "length")
    assert (cut + tail).count("```") == 2
    assert "cut off" in tail
    assert close_markdown("All done.", "stop") == ""


def test_a_cut_code_block_inside_a_list_item_closes_with_its_own_indent() -> None:
    from smartops.pipeline import close_markdown

    # A fence at column 0 would end the list item and open a new code block that the
    # Sources list would then land in.
    cut = "1. Open a shell.\n2. Run:\n   ```bash\n   kubectl get pods\n   ```bash\n   more"
    tail = close_markdown(cut, "stop")
    assert tail == "\n   ```"
    assert close_markdown("```\na\n```\n~~~\nb\n~~~", "stop") == ""


def test_a_less_indented_fence_after_a_list_item_block_opens_a_new_block() -> None:
    from smartops.pipeline import close_markdown

    # What the model wrote in CI: an indented block in a list item "closed" at column 0.
    # A renderer ends the item there and opens a new block, which the Sources would join.
    cut = "2. Run:\n   ```bash\n   Enter your code here...\n```\nThis command fetches"
    assert close_markdown(cut, "stop") == "\n```"
