"""Identical concurrent questions through the gateway: one model call, one answer for all.

The gateway runs over real Redis (the answer and docs cache) and the packaged embedding
model; the predictor is a scripted upstream on a loopback port that counts its calls.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from smartops.services import Services
from tests.support.gateway import docs_cache_settings, in_process
from tests.support.upstream import WORDS, Upstream, scripted_upstream

pytestmark = pytest.mark.integration
QUESTION = "What does the KubePodCrashLooping alert mean?"
MODEL_TEXT = "".join(WORDS)


async def ask(client: httpx.AsyncClient, question: str, stream: bool) -> dict[str, Any]:
    body = {
        "model": "smartops",
        "stream": stream,
        "messages": [{"role": "user", "content": question}],
    }
    response = await client.post("/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    if not stream:
        data: dict[str, Any] = response.json()
        return {
            "text": data["choices"][0]["message"]["content"],
            "smartops": data["smartops"],
            "headers": response.headers,
        }
    text, extra = "", {}
    for line in response.text.splitlines():
        if line.startswith("data: {"):
            chunk = httpx.Response(200, content=line[6:]).json()
            for choice in chunk.get("choices") or []:
                text += (choice.get("delta") or {}).get("content") or ""
            extra = chunk.get("smartops") or extra
    return {"text": text, "smartops": extra, "headers": response.headers}


async def answers_of(
    tmp_path: Path, redis_url: str, upstream: Upstream, n: int, question: str = QUESTION
) -> tuple[Services, list[dict[str, Any]]]:
    services, client = await in_process(docs_cache_settings(tmp_path, redis_url, upstream.url))
    async with client:
        found = await asyncio.gather(*(ask(client, question, i % 2 == 0) for i in range(n)))
    await services.aclose()
    return services, found


async def test_twenty_identical_questions_make_one_model_call(
    tmp_path: Path, redis_url: str, redis: Redis
) -> None:
    with scripted_upstream(delay_s=0.1) as upstream:
        services, found = await answers_of(tmp_path, redis_url, upstream, 20)
    assert upstream.calls == 1
    texts = {a["text"] for a in found}
    assert len(texts) == 1 and MODEL_TEXT in texts.pop()
    roles = [a["headers"].get("x-smartops-coalesced") for a in found]
    cache = [a["headers"]["x-smartops-cache"] for a in found]
    # Every one either shared the leader's stream or, arriving after it, hit the cache.
    assert roles.count("leader") == 1
    assert roles.count("follower") + cache.count("hit") == 19
    flights = services.pipeline.flights
    assert flights is not None and flights.in_flight() == 0
    sources = {tuple(s["source"] for s in a["smartops"]["sources"]) for a in found}
    assert len(sources) == 1 and any(s.endswith("KubePodCrashLooping.md") for s in sources.pop())
    assert len(await redis.keys("smartops:answers:*")) >= 1  # stored once, by the leader


async def test_a_degraded_leader_is_not_shared_and_its_followers_share_a_second_answer(
    tmp_path: Path, redis_url: str, redis: Redis
) -> None:
    with scripted_upstream(delay_s=0.05, fail_first=1) as upstream:
        _, found = await answers_of(tmp_path, redis_url, upstream, 6)
    degraded = [a for a in found if a["smartops"]["notices"]]
    assert len(degraded) == 1 and MODEL_TEXT not in degraded[0]["text"]
    assert "could not add its summary" in degraded[0]["smartops"]["notices"][0]
    others = [a for a in found if not a["smartops"]["notices"]]
    assert len(others) == 5 and all(MODEL_TEXT in a["text"] for a in others)
    assert upstream.calls == 2  # the failed call, then one for the followers
    assert len({a["text"] for a in others}) == 1


async def test_identical_questions_nothing_supports_abstain_uncached_without_the_model(
    tmp_path: Path, redis_url: str, redis: Redis
) -> None:
    question = "How do I tune the garbage collector of a JVM in a mainframe batch job?"
    with scripted_upstream() as upstream:
        _, found = await answers_of(tmp_path, redis_url, upstream, 8, question)
    assert upstream.calls == 0
    assert all(a["smartops"]["abstained"] for a in found)
    assert len({a["text"] for a in found}) == 1
    assert await redis.keys("smartops:answers:*") == []
