"""The semantic answer cache against real Redis and the real embedding model."""

from __future__ import annotations

import asyncio
import json

import pytest
from redis.asyncio import Redis

from smartops.cache import generation
from smartops.cache.answers import AnswerCache
from smartops.cache.models import CachedSource
from smartops.config import Settings
from smartops.knowledge.embedder import Embedder
from tests.cache.conftest import DATA

pytestmark = pytest.mark.integration
SCOPE = "scope-1"
SOURCES = [CachedSource(source="runbooks/KubePodCrashLooping.md", heading="Diagnosis")]


def cache(redis: Redis, ttl_s: int = 60) -> AnswerCache:
    return AnswerCache(redis, ttl_s=ttl_s, threshold=Settings().cache.similarity)


async def test_exact_repeat_hits_with_the_same_answer_and_sources(redis: Redis) -> None:
    answers = cache(redis)
    question = "What does KubePodCrashLooping mean?"
    assert await answers.exact(SCOPE, question) is None
    await answers.store(SCOPE, question, None, "A container keeps restarting.", SOURCES)
    hit = await answers.exact(SCOPE, "  what does KubePodCrashLooping MEAN ")
    assert hit is not None
    assert hit.answer == "A container keeps restarting."
    assert hit.sources == SOURCES
    assert await answers.exact("another-scope", question) is None


async def test_paraphrase_hits_and_unrelated_questions_miss(
    redis: Redis, embedder: Embedder
) -> None:
    answers = cache(redis)
    stored = "How do I debug a pod stuck in CrashLoopBackOff?"
    await answers.store(SCOPE, stored, embedder.embed_query(stored), "Read its logs.", SOURCES)
    paraphrase = "How can I troubleshoot a pod that is stuck in CrashLoopBackOff?"
    found = await answers.similar(SCOPE, paraphrase, embedder.embed_query(paraphrase))
    assert found is not None and found[0].answer == "Read its logs."
    unrelated = "How do I debug a node that is NotReady?"
    assert await answers.similar(SCOPE, unrelated, embedder.embed_query(unrelated)) is None


async def test_threshold_and_identifier_guard_on_the_labelled_pairs(
    redis: Redis, embedder: Embedder
) -> None:
    """No pair that needs a different answer may hit; most paraphrases must."""
    pairs = [json.loads(line) for line in (DATA / "paraphrases.jsonl").read_text().splitlines()]
    hits = {True: 0, False: 0}
    for index, pair in enumerate(pairs):
        scope = f"pair-{index}"
        answers = cache(redis)
        await answers.store(scope, pair["a"], embedder.embed_query(pair["a"]), "x", [])
        found = await answers.similar(scope, pair["b"], embedder.embed_query(pair["b"]))
        hits[pair["same"]] += found is not None
    same = sum(1 for p in pairs if p["same"])
    assert hits[False] == 0
    assert hits[True] >= same - 1


async def test_a_new_generation_invalidates_every_answer(redis: Redis, embedder: Embedder) -> None:
    answers = cache(redis)
    question = "What is a PodDisruptionBudget?"
    vector = embedder.embed_query(question)
    await answers.store(SCOPE, question, vector, "It limits voluntary disruptions.", [])
    assert await answers.exact(SCOPE, question) is not None
    before = await generation.current(redis)
    assert await generation.bump(redis, "test") == before + 1
    assert await answers.exact(SCOPE, question) is None
    assert await answers.similar(SCOPE, question, vector) is None


async def test_answers_expire_with_their_ttl(redis: Redis, embedder: Embedder) -> None:
    answers = cache(redis, ttl_s=1)
    question = "How does Knative scale to zero?"
    vector = embedder.embed_query(question)
    await answers.store(SCOPE, question, vector, "The activator holds requests.", [])
    assert await answers.exact(SCOPE, question) is not None
    await asyncio.sleep(1.2)
    assert await answers.exact(SCOPE, question) is None
    assert await answers.similar(SCOPE, question, vector) is None
