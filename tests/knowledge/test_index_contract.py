"""One contract suite for every index backend.

Backends: the embedded index; OpenSearch through ``osmem-server`` (an in-memory
OpenSearch-API emulator: index, bulk, match, aliases; no ``knn``, so the vector cases
run against it only as request bodies, in test_opensearch_bodies.py); and a real
OpenSearch cluster when SMARTOPS_OPENSEARCH_URL is set. No OpenSearch server can run on
this machine, so that last one is skipped otherwise, in CI too.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from smartops.config_sections import OpenSearchSettings, RetrievalSettings
from smartops.knowledge.documents import Chunk, make_chunk
from smartops.knowledge.index.base import Index, Stored
from smartops.knowledge.index.embedded import EmbeddedIndex
from smartops.knowledge.index.opensearch import OpenSearchIndex

DIM = 8
TEXTS = {
    "crash": "the container crashes and restarts in a loop",
    "disk": "the disk of the node is almost full",
    "etcd": "etcd has no leader and refuses writes",
}


def vec(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def chunks(texts: dict[str, str] = TEXTS) -> list[Chunk]:
    return [
        make_chunk(
            source=f"docs/{name}.md",
            title=name,
            heading=f"{name} > Meaning",
            text=text,
            ordinal=0,
            model="m",
        )
        for name, text in texts.items()
    ]


VECTORS = np.stack([vec(i) for i in range(len(TEXTS))])


@dataclass
class Backend:
    index: Index
    knn: bool


@pytest.fixture(scope="module")
def osmem() -> Iterator[str]:
    from osmem_server import OsmemServer

    with OsmemServer.start(japanese=False) as server:
        yield server.url


@pytest.fixture(params=["embedded", "osmem", "opensearch"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    name = f"t{uuid.uuid4().hex[:8]}"
    if request.param == "embedded":
        return Backend(EmbeddedIndex(tmp_path / "ix"), knn=True)
    if request.param == "osmem":
        url = request.getfixturevalue("osmem")
        return Backend(
            OpenSearchIndex(OpenSearchSettings(url=url), RetrievalSettings(), name), knn=False
        )
    url = os.environ.get("SMARTOPS_OPENSEARCH_URL", "")
    if not url:
        pytest.skip("no OpenSearch cluster: set SMARTOPS_OPENSEARCH_URL (none can run here)")
    return Backend(
        OpenSearchIndex(OpenSearchSettings(url=url), RetrievalSettings(), name), knn=True
    )


def test_upsert_then_stored_and_count(backend: Backend) -> None:
    index = backend.index
    assert index.count() == 0 and index.stored() == {}
    items = chunks()
    index.upsert(items, VECTORS)
    index.commit()
    assert index.count() == 3
    assert index.stored() == {c.id: Stored(c.source, c.hash) for c in items}


def test_upsert_replaces_by_id_and_delete_removes(backend: Backend) -> None:
    index = backend.index
    index.upsert(chunks(), VECTORS)
    changed = chunks({"crash": "the pod is OOMKilled again"})
    index.upsert(changed, VECTORS[:1])
    index.commit()
    assert index.count() == 3
    assert index.stored()[changed[0].id].hash == changed[0].hash
    index.delete([changed[0].id])
    index.commit()
    assert index.count() == 2
    assert changed[0].id not in index.stored()


def test_bm25_finds_by_words(backend: Backend) -> None:
    index = backend.index
    index.upsert(chunks(), VECTORS)
    index.commit()
    hits = index.search("disk almost full", None, 2, "bm25")
    assert hits[0].chunk.source == "docs/disk.md"
    assert hits[0].chunk.heading == "disk > Meaning"
    assert hits[0].chunk.text == TEXTS["disk"]
    assert hits[0].score > 0


def test_vector_and_hybrid_search(backend: Backend) -> None:
    if not backend.knn:
        pytest.skip("osmem-server has no knn query; its bodies are asserted elsewhere")
    index = backend.index
    index.upsert(chunks(), VECTORS)
    index.commit()
    near_etcd = VECTORS[2] + 0.05 * vec(99)
    assert index.search("anything", near_etcd, 1, "vector")[0].chunk.source == "docs/etcd.md"
    hybrid = index.search("etcd leader", near_etcd, 3, "hybrid")
    assert hybrid[0].chunk.source == "docs/etcd.md"
    assert [h.score for h in hybrid] == sorted((h.score for h in hybrid), reverse=True)


def test_embedded_index_persists(tmp_path: Path) -> None:
    index = EmbeddedIndex(tmp_path / "ix")
    index.upsert(chunks(), VECTORS)
    index.commit()
    again = EmbeddedIndex(tmp_path / "ix")
    assert again.count() == 3
    assert again.search("etcd", VECTORS[2], 1, "hybrid")[0].chunk.source == "docs/etcd.md"


def test_opensearch_rebuild_swaps_the_alias(osmem: str) -> None:
    index = OpenSearchIndex(
        OpenSearchSettings(url=osmem), RetrievalSettings(), f"r{uuid.uuid4().hex[:8]}"
    )
    index.upsert(chunks(), VECTORS)
    index.commit()
    first = list(index.client.indices.get_alias(name=index.alias))
    fresh = chunks({"disk": "the disk is full"})
    concrete = index.rebuild(fresh, VECTORS[:1])
    assert list(index.client.indices.get_alias(name=index.alias)) == [concrete]
    assert concrete not in first
    assert not index.client.indices.exists(index=first[0])
    assert index.count() == 1
    assert index.search("disk", None, 1, "bm25")[0].chunk.text == "the disk is full"
