"""``smartops bench cache``: cache lookups in process and through the gateway end to end.

In process (real Redis, real embedding model): the Redis lookup alone, an exact hit,
a semantic hit (vector given) and a miss (answer cache and docs cache both consulted).
End to end over HTTP through a gateway process: an exact repeat and a paraphrase hit
(query embedding included), and the time the cache stage adds to a miss.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from smartops.bench.gateway import gateway_process
from smartops.bench.stats import summary_ms
from smartops.cache.models import LookupRequest, ReloadRequest, StoreRequest
from smartops.cache.service import CacheService
from smartops.config import Settings
from smartops.knowledge.embedder import Embedder
from smartops.redis_client import connect_redis
from smartops.stack import backends

QUESTION = "What does the KubePodCrashLooping alert mean?"
PARAPHRASE = "What is the meaning of the KubePodCrashLooping alert?"
UNRELATED = "Which Prometheus function computes a per-second rate?"


async def _timed(call: Callable[[], Awaitable[Any]], n: int) -> dict[str, float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return summary_ms(samples)


async def in_process(settings: Settings, n: int) -> dict[str, Any]:
    redis = connect_redis(settings, timeout_s=1.0)
    embedder = Embedder(settings.embed)
    service = CacheService(settings, redis, embedder.embed_batch)
    if settings.cag.paths:
        await service.reload(ReloadRequest())
    vector = embedder.embed_query(QUESTION).tolist()
    scope = "bench"
    await service.store(
        StoreRequest(
            scope=scope, question=QUESTION, vector=vector, answer="It restarts again and again."
        )
    )
    para = embedder.embed_query(PARAPHRASE).tolist()
    other = embedder.embed_query(UNRELATED).tolist()
    figures = {
        "redis_lookup_ms": await _timed(lambda: service.answers.exact(scope, QUESTION), n),
        "exact_hit_ms": await _timed(
            lambda: service.lookup(
                LookupRequest(scope=scope, question=QUESTION, docs=False, semantic=False)
            ),
            n,
        ),
        "semantic_hit_ms": await _timed(
            lambda: service.lookup(LookupRequest(scope=scope, question=PARAPHRASE, vector=para)), n
        ),
        "miss_ms": await _timed(
            lambda: service.lookup(LookupRequest(scope=scope, question=UNRELATED, vector=other)), n
        ),
        "query_embedding_ms": await _timed(
            lambda: asyncio.to_thread(embedder.embed_query, PARAPHRASE), max(n // 5, 20)
        ),
    }
    await redis.aclose()
    return figures


def _post(client: httpx.Client, url: str, question: str) -> tuple[float, dict[str, Any], str]:
    body = {"model": "smartops", "messages": [{"role": "user", "content": question}]}
    started = time.perf_counter()
    response = client.post(f"{url}/chat/completions", json=body)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, response.json(), response.headers.get("x-smartops-cache", "")


def end_to_end(settings: Settings, n: int, data_dir: Path) -> dict[str, Any]:
    env = {
        "SMARTOPS_LLM_BASE_URL": settings.llm.base_url,
        "SMARTOPS_LLM_REQUEST_ID_HEADER": settings.llm.request_id_header,
        "SMARTOPS_REDIS_URL": settings.redis_url,
        "SMARTOPS_LLM_MAX_TOKENS": "32",
        "SMARTOPS_CAG_PATHS": ",".join(settings.cag.paths),
    }
    with gateway_process(env, data_dir) as url, httpx.Client(timeout=120) as client:
        _post(client, url, QUESTION)  # a miss: the answer is stored
        exact, para, miss_stage = [], [], []
        for i in range(n):
            elapsed, _, state = _post(client, url, QUESTION)
            exact.append(elapsed)
            elapsed, _, state2 = _post(client, url, PARAPHRASE)
            para.append(elapsed)
            if state != "hit" or state2 != "hit":
                raise RuntimeError(f"expected cache hits, got {state}/{state2} at {i}")
        for i in range(min(n, 10)):
            _, body, state = _post(client, url, f"{UNRELATED} (variant {i})")
            miss_stage.append(body["smartops"]["timings_ms"].get("cache", 0.0) / 1000)
    return {
        "exact_repeat_ms": summary_ms(exact),
        "paraphrase_hit_ms": summary_ms(para),
        "miss_cache_stage_ms": summary_ms(miss_stage),
    }


def run(settings: Settings, n: int) -> dict[str, Any]:
    with backends(settings) as ready:
        figures = {"in_process": asyncio.run(in_process(ready, n))}
        figures["end_to_end"] = end_to_end(ready, n, settings.data_dir)
    return figures
