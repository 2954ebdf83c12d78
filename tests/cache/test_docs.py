"""The CAG docs cache: preload, exact keys, meaning, and reloads that touch only changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import Redis

from smartops.cache import generation
from smartops.cache.models import ReloadRequest
from smartops.cache.service import CacheService
from smartops.config import Settings
from smartops.errors import InvalidRequest
from smartops.knowledge.embedder import Embedder

pytestmark = pytest.mark.integration


def service(redis: Redis, embedder: Embedder, docs_dir: Path) -> CacheService:
    settings = Settings(redis_url="redis://unused", cag_paths=[str(docs_dir)])
    return CacheService(settings, redis, embedder.embed_batch)


async def test_preload_then_exact_key_and_semantic_lookups(
    redis: Redis, embedder: Embedder, docs_dir: Path
) -> None:
    cache = service(redis, embedder, docs_dir)
    report = await cache.reload(ReloadRequest())
    assert report.files == 3 and report.sections >= 6 and report.embedded == report.sections
    by_key = await cache.docs.lookup("why is KubePodCrashLooping firing?", None)
    assert by_key.how == "key" and by_key.confident
    assert {s.source for s in by_key.sections} == {f"{docs_dir}/KubePodCrashLooping.md"}
    assert any("Diagnosis" in s.heading for s in by_key.sections)
    question = "how do I set up a liveness check so a hung container gets restarted"
    by_meaning = await cache.docs.lookup(question, embedder.embed_query(question))
    assert by_meaning.how == "semantic"
    assert by_meaning.sections[0].source == f"{docs_dir}/probes.md"
    nothing = "what is the capital of France"
    far = await cache.docs.lookup(nothing, embedder.embed_query(nothing))
    assert not far.confident


async def test_a_docs_change_reloads_only_that_file_and_bumps_the_generation(
    redis: Redis, embedder: Embedder, docs_dir: Path
) -> None:
    cache = service(redis, embedder, docs_dir)
    await cache.reload(ReloadRequest())
    untouched = await redis.hgetall("smartops:cag:vectors")
    gen = await generation.current(redis)
    probes = docs_dir / "probes.md"
    probes.write_text(
        probes.read_text() + "\n## Startup probes\n\nA startup probe holds the "
        "other probes back until a slow container has started.\n"
    )
    report = await cache.reload(ReloadRequest(paths=[str(probes)]))
    assert (report.files, report.embedded, report.removed) == (1, 1, 0)
    assert report.generation == gen + 1
    after = await redis.hgetall("smartops:cag:vectors")
    assert {k: v for k, v in after.items() if k in untouched} == untouched
    question = "what does a startup probe do"
    found = await cache.docs.lookup(question, embedder.embed_query(question))
    assert found.sections[0].heading.endswith("Startup probes")


async def test_a_deleted_file_disappears(redis: Redis, embedder: Embedder, docs_dir: Path) -> None:
    cache = service(redis, embedder, docs_dir)
    await cache.reload(ReloadRequest())
    (docs_dir / "KubeNodeNotReady.md").unlink()
    report = await cache.reload(ReloadRequest(paths=[str(docs_dir)]))
    assert report.removed >= 3 and report.embedded == 0
    gone = await cache.docs.lookup("is KubeNodeNotReady serious?", None)
    assert gone.how != "key"
    assert all("KubeNodeNotReady" not in s.source for s in gone.sections)


async def test_reload_refuses_paths_outside_the_docs_folders(
    redis: Redis, embedder: Embedder, docs_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(InvalidRequest):
        await service(redis, embedder, docs_dir).reload(ReloadRequest(paths=[str(tmp_path)]))
