"""The knowledge generation moves with the content, not with restarts (real Redis)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from smartops.cache import generation
from smartops.cache.http import create_cache_app
from smartops.cache.models import LookupRequest, ReloadRequest, StoreRequest
from smartops.cache.service import CacheService
from smartops.config import Settings
from smartops.eventing import envelope
from smartops.eventing.models import REINDEX_COMPLETED
from smartops.eventing.runs import Reindexer
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index import open_index
from smartops.metrics import Metrics

pytestmark = pytest.mark.integration
QUESTION = "How do I find out why a pod keeps restarting?"


async def test_advance_moves_only_when_a_parts_fingerprint_changes(redis: Redis) -> None:
    docs_a = generation.fingerprint([("s1", "h1"), ("s2", "h2")])
    assert docs_a == generation.fingerprint([("s2", "h2"), ("s1", "h1")])  # order-free
    first = await generation.advance(redis, "docs", docs_a)
    assert await generation.advance(redis, "docs", docs_a) == first  # same content
    index = await generation.advance(redis, "index:default", generation.fingerprint([]))
    assert index == first + 1  # another part, seen for the first time
    changed = generation.fingerprint([("s1", "h1"), ("s2", "changed")])
    assert await generation.advance(redis, "docs", changed) == first + 2
    assert await generation.current(redis) == first + 2
    assert await generation.bump(redis, "manual") == first + 3  # still unconditional


def service(tmp_path: Path, docs: Path, redis: Redis, embedder: Embedder) -> CacheService:
    settings = Settings(data_dir=tmp_path / "data", cag_paths=[str(docs)])
    return CacheService(settings, redis, embedder.embed_batch)


async def test_a_restart_with_the_same_docs_keeps_the_generation_and_the_answers(
    tmp_path: Path, docs_dir: Path, redis: Redis, embedder: Embedder
) -> None:
    first = service(tmp_path, docs_dir, redis, embedder)
    loaded = await first.reload(ReloadRequest())
    vector = embedder.embed_query(QUESTION).tolist()
    await first.store(
        StoreRequest(scope="s", question=QUESTION, vector=vector, answer="Read its logs.")
    )
    restarted = service(tmp_path, docs_dir, redis, embedder)  # a new process, same Redis
    again = await restarted.reload(ReloadRequest())
    assert again.generation == loaded.generation
    hit = await restarted.lookup(LookupRequest(scope="s", question=QUESTION, vector=vector))
    assert hit.answer is not None and hit.answer.answer == "Read its logs."

    page = next(docs_dir.glob("*.md"))
    page.write_text(page.read_text() + "\n\n## Escalation\n\nPage the on-call SRE.\n")
    changed = await restarted.reload(ReloadRequest())
    assert changed.generation == loaded.generation + 1
    miss = await restarted.lookup(LookupRequest(scope="s", question=QUESTION, vector=vector))
    assert miss.answer is None


async def test_a_reindex_that_changed_nothing_keeps_the_generation(
    tmp_path: Path, docs_dir: Path, redis: Redis, embedder: Embedder
) -> None:
    settings = Settings(data_dir=tmp_path / "data", eventing_reindex_paths=[str(docs_dir)])

    def reindexer() -> Reindexer:  # a fresh one per run, as after a restart
        return Reindexer(settings, Metrics(), redis, embedder, lambda c: open_index(settings, c))

    first = await reindexer().run([str(docs_dir)], "default", "test")
    assert first.new > 0 and first.generation is not None
    same = await reindexer().run([str(docs_dir)], "default", "test")
    assert (same.new, same.updated, same.deleted) == (0, 0, 0)
    assert same.generation == first.generation
    (docs_dir / "extra.md").write_text("# Extra\n\nA new page about node pressure.\n")
    grown = await reindexer().run([str(docs_dir)], "default", "test")
    assert grown.new > 0 and grown.generation == first.generation + 1


async def test_one_change_touching_two_parts_starts_one_generation(redis: Redis) -> None:
    start = await generation.advance(redis, "docs", generation.fingerprint([("s", "1")]))
    index = generation.fingerprint([("c", "1")])
    assert await generation.advance(redis, "index:default", index, change="e-1") == start + 1
    docs = generation.fingerprint([("s", "2")])
    assert await generation.advance(redis, "docs", docs, change="e-1") == start + 1  # same event
    assert await redis.hget(generation.PARTS_KEY, "docs") == docs.encode()  # still recorded
    again = generation.fingerprint([("s", "3")])
    assert await generation.advance(redis, "docs", again, change="e-2") == start + 2
    assert await generation.advance(redis, "docs", again, change="e-3") == start + 2  # no change
    # Without a change id every changed part counts (a restart noticing an old change).
    assert await generation.advance(redis, "docs", generation.fingerprint([])) == start + 3


async def test_the_cache_functions_reindex_completed_keeps_answers_when_docs_are_unchanged(
    tmp_path: Path, docs_dir: Path, redis: Redis, embedder: Embedder
) -> None:
    cache = service(tmp_path, docs_dir, redis, embedder)
    loaded = await cache.reload(ReloadRequest())
    app = create_cache_app(cache, Metrics(), 1_000_000)

    def completed(run_id: str) -> tuple[dict[str, str], bytes]:
        event = envelope.CloudEvent(
            type=REINDEX_COMPLETED, source="/smartops/reindex", id=run_id, data={"run_id": run_id}
        )
        return envelope.to_binary(event)

    headers, body = completed("run-1")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cache") as client:
        same = await client.post("/", headers=headers, content=body)
        assert same.status_code == 200, same.text
        assert same.json()["generation"] == loaded.generation  # the run advanced it already
        page = next(docs_dir.glob("*.md"))
        page.write_text(page.read_text() + "\n\n## Escalation\n\nPage the on-call SRE.\n")
        headers, body = completed("run-2")
        changed = await client.post("/", headers=headers, content=body)
        assert changed.json()["generation"] == loaded.generation + 1
