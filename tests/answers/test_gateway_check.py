"""The check through the gateway: a stand-in predictor writes a wrong and a destructive
command into its answer; what the user receives, and what the cache keeps, has neither.

The gateway runs over real Redis (answer and docs cache) and the packaged embedding
model, with the docs cache as the evidence; the predictor is a loopback upstream that
streams a planted answer line by line (``tests.support.upstream``).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from smartops.stack.threaded import GatewayThread
from tests.support.gateway import docs_cache_settings, in_process
from tests.support.upstream import scripted_upstream

pytestmark = pytest.mark.integration
QUESTION = "KubePodCrashLooping fires for pod api-7f9 in payments: what should I check?"
PLANTED = [
    "Read the previous run's logs first: `kubectl logs POD --previous`.\n",
    "Then wipe the state: `kubectl delete namespace payments --force`.\n",
    "If that fails, run `kubectl reset-cluster --all` to start over.\n",
    "Restarts come from a failing container.\n",
]


async def _ask(client: httpx.AsyncClient, mode: str) -> tuple[str, httpx.Headers]:
    body = {
        "model": "smartops",
        "stream": True,
        "messages": [{"role": "user", "content": QUESTION}],
    }
    response = await client.post(
        "/v1/chat/completions", json=body, headers={"X-Smartops-Answer-Mode": mode}
    )
    assert response.status_code == 200, response.text
    text = ""
    for line in response.text.splitlines():
        if line.startswith("data: {"):
            for choice in json.loads(line[6:]).get("choices") or []:
                text += (choice.get("delta") or {}).get("content") or ""
    return text, response.headers


async def _value(redis: Redis, key: bytes) -> bytes:
    kind = await redis.type(key)
    if kind == b"string":
        return await redis.get(key) or b""
    if kind == b"hash":
        return b" ".join((await redis.hgetall(key)).values())
    return b""


async def test_planted_commands_never_reach_the_user_or_the_cache(
    tmp_path: Path, redis_url: str, redis: Redis
) -> None:
    with scripted_upstream(delay_s=0, words=PLANTED) as upstream:
        # No answer mode set: each request names its own.
        settings = docs_cache_settings(tmp_path, redis_url, upstream.url, answer_mode="auto")
        services, client = await in_process(settings)
        async with client:
            extract, first = await _ask(client, "extract")
            synthesis, second = await _ask(client, "synthesize")
            again, third = await _ask(client, "synthesize")
        await services.aclose()
    stored = b" ".join([await _value(redis, k) for k in await redis.keys("smartops:answers:*")])

    assert upstream.calls == 1  # extract: no model; synthesize: the model once, then the cache
    assert first["x-smartops-cache"] == "miss" and "reset-cluster" not in extract
    # The synthesis is not served the cached extract: each mode has its own entries.
    assert second["x-smartops-cache"] == "miss" and third["x-smartops-cache"] == "hit"
    for answer in (synthesis, again, stored.decode("utf-8", "replace")):
        model_part = answer.split("---", 1)[-1]  # after the extract
        advice = model_part.split("> ⚠️", 1)[0]  # before the note on what was removed
        assert "Restarts come from a failing container" in advice  # the model's words
        assert "reset-cluster" not in advice  # an unknown command: removed
        assert "delete namespace" not in advice  # destructive advice: never shown
        assert "`kubectl logs POD --previous`" in advice  # what the runbook says stays
    note = synthesis.split("> ⚠️", 1)[1]  # the user is told what was taken out, and why
    assert "destructive" in note and "reset-cluster" in note


async def test_the_extract_streams_before_the_model_has_written_anything(
    tmp_path: Path, redis_url: str, redis: Redis
) -> None:
    """In synthesize mode the extract goes out first: over a real socket, the client reads
    it while the (slow) model has not sent a single word yet; the model's words follow."""
    words = ["Restarts come from a failing container.\n"]
    with scripted_upstream(delay_s=3.0, words=words) as upstream:
        gateway = GatewayThread(docs_cache_settings(tmp_path, redis_url, upstream.url))
        gateway.start()
        body = {
            "model": "smartops",
            "stream": True,
            "messages": [{"role": "user", "content": QUESTION}],
        }
        seen_before_model, text = "", ""
        try:
            async with (
                httpx.AsyncClient(timeout=60) as client,
                client.stream("POST", f"{gateway.url}/chat/completions", json=body) as response,
            ):
                async for line in response.aiter_lines():
                    if not line.startswith("data: {"):
                        continue
                    for choice in json.loads(line[6:]).get("choices") or []:
                        delta = (choice.get("delta") or {}).get("content") or ""
                        if delta and upstream.sent == 0:
                            seen_before_model += delta
                        text += delta
        finally:
            gateway.stop()
    assert "CrashLoopBackOff" in seen_before_model  # the extract, before any model word
    assert "Restarts come from a failing container" in text.split("---", 1)[1]
