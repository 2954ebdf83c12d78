"""Through the gateway with the official openai client: misses, hits, paraphrases, outages."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from smartops.config import Settings
from smartops.stack.components import EMBEDDED_LLM_REQUEST_ID_HEADER, start_redis
from smartops.stack.procs import Supervisor, free_port
from tests.support.services import redis_server, require_binary, stack_process

pytestmark = pytest.mark.integration
QUESTION = "What does the KubePodCrashLooping alert mean?"


def env_for(llm_url: str, redis_url: str, docs: Path) -> dict[str, str]:
    return {
        "SMARTOPS_LLM_BASE_URL": llm_url,
        "SMARTOPS_REDIS_URL": redis_url,
        "SMARTOPS_LLM_REQUEST_ID_HEADER": EMBEDDED_LLM_REQUEST_ID_HEADER,
        "SMARTOPS_CAG_PATHS": str(docs),
        "SMARTOPS_LLM_MAX_TOKENS": "48",
    }


def ask(client: openai.OpenAI, question: str) -> tuple[str, str, list[dict[str, str]]]:
    return ask_with_timings(client, question)[:3]  # type: ignore[return-value]


def ask_with_timings(
    client: openai.OpenAI, question: str
) -> tuple[str, str, list[dict[str, str]], dict[str, float]]:
    raw = client.chat.completions.with_raw_response.create(
        model="smartops",
        messages=[{"role": "user", "content": question}],
    )
    completion = raw.parse()
    extra = (completion.model_extra or {})["smartops"]
    return (
        raw.headers["x-smartops-cache"],
        completion.choices[0].message.content or "",
        extra["sources"],
        extra["timings_ms"],
    )


@pytest.fixture
def stack(llm_url: str, tmp_path: Path, docs_dir: Path) -> Iterator[tuple[str, str]]:
    with (
        redis_server(tmp_path / "redis") as redis_url,
        stack_process(tmp_path / "stack", env_for(llm_url, redis_url, docs_dir)) as (url, _),
    ):
        yield url, redis_url


def test_miss_then_hit_then_paraphrase_hit_and_unrelated_miss(stack: tuple[str, str]) -> None:
    client = openai.OpenAI(base_url=stack[0], api_key="unused", max_retries=0)
    first = ask_with_timings(client, QUESTION)
    assert first[0] == "miss"
    assert any(s["source"].endswith("KubePodCrashLooping.md") for s in first[2])
    # The alert name is an exact key of the docs cache: its runbook joins the prompt, and
    # retrieval still runs (it finds the alert rule beside the runbook).
    assert "cache" in first[3] and any(k.startswith("graph.") for k in first[3])
    first = first[:3]
    again = ask(client, QUESTION)
    assert again == ("hit", first[1], first[2])
    paraphrase = ask(client, "What is the meaning of the KubePodCrashLooping alert?")
    assert paraphrase == ("hit", first[1], first[2])
    assert ask(client, "How do I configure a readiness probe?")[0] == "miss"
    stream = client.chat.completions.with_raw_response.create(
        model="smartops", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    assert stream.headers["x-smartops-cache"] == "hit"
    text = "".join(c.choices[0].delta.content or "" for c in stream.parse() if c.choices)
    assert text == first[1]


def test_redis_killed_answers_flow_as_misses_and_the_cache_recovers(
    llm_url: str, tmp_path: Path, docs_dir: Path
) -> None:
    require_binary("redis-server")
    redis_settings = Settings(data_dir=tmp_path / "redis", redis_port=free_port())
    supervisor = Supervisor()
    try:
        redis_url = start_redis(redis_settings, supervisor)
        with stack_process(tmp_path / "stack", env_for(llm_url, redis_url, docs_dir)) as (url, _):
            client = openai.OpenAI(base_url=url, api_key="unused", max_retries=0)
            assert ask(client, QUESTION)[0] == "miss"
            assert ask(client, QUESTION)[0] == "hit"
            redis_pid = supervisor.children[0].pid
            assert redis_pid is not None
            os.kill(redis_pid, signal.SIGKILL)
            for _ in range(3):
                assert ask(client, QUESTION)[0] == "miss"
            metrics = httpx.get(url.removesuffix("/v1") + "/metrics").text
            assert 'smartops_cache_lookups_total{result="error"}' in metrics
            start_redis(redis_settings, supervisor)  # back, on the same port
            ask(client, QUESTION)  # stored again
            assert ask(client, QUESTION)[0] == "hit"
    finally:
        supervisor.stop_all()
