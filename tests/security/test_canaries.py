"""Canary secrets in a document and in a user's message reach no index, hit or Redis key.

A runbook carrying ``password=...`` and an AWS key pair is ingested into the embedded
index and loaded into the docs cache; a question carrying the same secrets is answered
into the answer cache with an answer that quotes them. Then the index file, the search
hits, the cached entries and every key and value in Redis are searched for them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import Redis

from smartops.cache.models import LookupRequest, ReloadRequest, StoreRequest
from smartops.cache.service import CacheService
from smartops.config import Settings
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index import open_index
from smartops.knowledge.index.store import IndexFile
from smartops.knowledge.ingest import ingest
from tests.security.conftest import AWS_KEY_ID, AWS_SECRET, PASSWORD, everything_in, leaks

pytestmark = pytest.mark.integration


def settings_for(tmp_path: Path, docs: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", cag_paths=[str(docs)], llm_model="test")


def test_ingested_secrets_never_reach_the_index_or_a_hit(
    tmp_path: Path, docs: Path, embedder: Embedder
) -> None:
    settings = settings_for(tmp_path, docs)
    index = open_index(settings)
    report = ingest([str(docs)], settings, index, embedder)
    assert report.new > 0
    folder = settings.data_dir / "index" / settings.knowledge.collection
    assert leaks((folder / "index.npz").read_bytes()) == []
    stored = IndexFile(folder).read().chunks
    text = "\n".join(c.text for c in stored)
    assert "password=****" in text and "aws_secret_access_key = ****" in text
    assert "Pass `--password` to make psql prompt" in text  # the explanation stays readable
    for query in ("orders database password", "S3 backup key pair aws_access_key_id"):
        hits = index.search(query, embedder.embed_query(query), 5, "hybrid")
        assert any(h.chunk.source.endswith("orders-db.md") for h in hits)
        assert leaks(repr([h.to_json() for h in hits])) == []


async def test_secrets_in_docs_and_messages_never_reach_redis(
    tmp_path: Path, docs: Path, embedder: Embedder, redis: Redis
) -> None:
    service = CacheService(settings_for(tmp_path, docs), redis, embedder.embed_batch)
    report = await service.reload(ReloadRequest())
    assert report.sections > 0
    question = f"psql fails with password={PASSWORD} and key {AWS_KEY_ID} {AWS_SECRET}, why?"
    vector = embedder.embed_query(question).tolist()
    answer = f"The password {PASSWORD!r} is wrong: use password={PASSWORD} only via PGPASSWORD."
    await service.store(
        StoreRequest(scope="s", question=question, vector=vector, answer=answer, sources=[])
    )
    found = await service.lookup(LookupRequest(scope="s", question=question, vector=vector))
    assert found.answer is not None and found.how == "exact"  # the same question still hits
    assert leaks(found.answer.model_dump_json()) == []
    docs_match = await service.lookup(
        LookupRequest(scope="s", question="How do I connect to the orders database?")
    )
    assert leaks(repr(docs_match.model_dump())) == []
    blob = await everything_in(redis)
    assert b"orders" in blob  # the docs sections are there ...
    assert leaks(blob) == []  # ... without the secrets
