"""What the OpenSearch backend sends (bodies) and how it reads real response shapes.

osmem-server cannot answer ``knn`` or run the hybrid ``_msearch``, so these cases record
the requests with ``RecordingClient`` (a stand-in for the opensearch-py client, used
only here) and answer with responses shaped like OpenSearch 2.x ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from smartops.config import Settings
from smartops.config_sections import OpenSearchSettings, RetrievalSettings
from smartops.knowledge.index.opensearch import (
    OpenSearchIndex,
    bm25_body,
    knn_body,
    parse_hits,
    template_body,
)


def response(*docs: tuple[str, float, str]) -> dict[str, Any]:
    """A search response as OpenSearch 2.x returns it."""
    return {
        "took": 3,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {
            "total": {"value": len(docs), "relation": "eq"},
            "max_score": 1.0,
            "hits": [
                {
                    "_index": "smartops-default-1",
                    "_id": doc_id,
                    "_score": score,
                    "_source": {
                        "id": doc_id,
                        "source": source,
                        "title": "T",
                        "heading": "T > H",
                        "text": f"text of {doc_id}",
                        "hash": "h",
                        "url": "",
                        "kind": "doc",
                    },
                }
                for doc_id, score, source in docs
            ],
        },
    }


class Indices:
    def exists_alias(self, name: str) -> bool:
        return True


class RecordingClient:
    """Records msearch/search bodies; answers with canned OpenSearch-shaped responses."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.indices = Indices()

    def msearch(self, index: str, body: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(("msearch", body))
        lexical = response(
            ("a", 7.0, "docs/a.md"), ("b", 5.0, "docs/b.md"), ("d", 1.0, "docs/d.md")
        )
        semantic = response(
            ("b", 0.9, "docs/b.md"), ("c", 0.8, "docs/c.md"), ("d", 0.5, "docs/d.md")
        )
        return {"took": 4, "responses": [lexical | {"status": 200}, semantic | {"status": 200}]}

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append(("search", body))
        return response(("c", 0.8, "docs/c.md"))


def test_template_has_bm25_text_and_cosine_hnsw_vector() -> None:
    body = template_body("smartops", 384)
    props = body["template"]["mappings"]["properties"]
    assert body["index_patterns"] == ["smartops-*"]
    assert body["template"]["settings"]["index"]["knn"] is True
    assert props["text"]["type"] == "text" and props["source"]["type"] == "keyword"
    assert props["text"]["analyzer"] == props["heading"]["analyzer"] == "english"
    vector = props["vector"]
    assert vector["type"] == "knn_vector" and vector["dimension"] == 384
    assert vector["method"]["name"] == "hnsw"
    assert vector["method"]["space_type"] == "cosinesimil"


def test_query_bodies() -> None:
    assert bm25_body("disk full", 5)["query"] == {
        "multi_match": {"query": "disk full", "fields": ["heading^2", "text"]}
    }
    body = knn_body(np.array([0.5, -0.25], dtype=np.float32), 7)
    assert body["size"] == 7
    assert body["query"] == {"knn": {"vector": {"vector": [0.5, -0.25], "k": 7}}}
    assert body["_source"] == {"excludes": ["vector"]}


def test_hybrid_is_one_msearch_fused_like_the_embedded_index() -> None:
    client = RecordingClient()
    index = OpenSearchIndex(
        OpenSearchSettings(), RetrievalSettings(candidates=20), "default", client=client
    )
    hits = index.search("disk full", np.ones(4, dtype=np.float32), 3, "hybrid")
    kind, body = client.calls[0]
    assert kind == "msearch" and len(body) == 4
    assert "multi_match" in body[1]["query"] and "knn" in body[3]["query"]
    assert body[1]["size"] == body[3]["size"] == 20
    # Min-max scores, half each: b (BM25 0.67, kNN 1) wins, then a (BM25's best, 0.5),
    # then c (kNN 0.75 only); d, last in both, is cut.
    assert [h.chunk.id for h in hits] == ["b", "a", "c"]
    assert hits[0].chunk.source == "docs/b.md" and hits[0].chunk.heading == "T > H"


def test_russian_words_reach_bm25_in_english() -> None:
    client = RecordingClient()
    index = OpenSearchIndex(OpenSearchSettings(), RetrievalSettings(), "default", client=client)
    index.search("как откатить деплоймент", None, 2, "bm25")
    sent = client.calls[0][1]["query"]["multi_match"]["query"]
    assert sent.startswith("как откатить деплоймент") and "rollback" in sent
    assert "deployment" in sent


def test_vector_mode_sends_knn() -> None:
    client = RecordingClient()
    index = OpenSearchIndex(OpenSearchSettings(), RetrievalSettings(), "default", client=client)
    hits = index.search("q", np.ones(4, dtype=np.float32), 2, "vector")
    assert client.calls[0][0] == "search" and "knn" in client.calls[0][1]["query"]
    # Single modes also fetch the candidates, re-ranked by source (base.spread) to k.
    assert client.calls[0][1]["size"] == Settings().retrieval.candidates
    assert [h.chunk.source for h in hits] == ["docs/c.md"]


def test_parse_hits_reads_source_and_score() -> None:
    hits = parse_hits(response(("x", 1.5, "runbooks/X.md")))
    assert hits[0].score == 1.5
    assert hits[0].chunk.to_dict()["source"] == "runbooks/X.md"
