"""The OpenSearch backend (production): BM25 text, HNSW ``knn_vector``, hybrid by RRF.

Each collection is an alias ``<prefix>-<collection>`` over a concrete index
``<alias>-<version>`` created from an index template (BM25 ``text``/``heading``,
keyword metadata, a cosine HNSW ``knn_vector``). ``rebuild`` fills a new concrete index
and swaps the alias in one atomic ``_aliases`` call (zero-downtime rebuilds). Hybrid
search sends the BM25 query (``profile.lexical``: Russian words glossed in English) and
the kNN query in one ``_msearch``; the two candidate lists go through the same fusion and
re-ranking as the embedded index (``knowledge.ranking.rank``), then the same
source-aware re-ranking (``base.spread``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from smartops.config_sections import OpenSearchSettings, RetrievalSettings
from smartops.errors import InvalidRequest, UpstreamUnavailable
from smartops.knowledge.documents import Chunk, Hit, Mode
from smartops.knowledge.index.base import Stored, spread
from smartops.knowledge.query_profile import profile
from smartops.knowledge.ranking import RankingConfig, rank

FIELDS = ("id", "source", "title", "heading", "text", "hash", "url", "kind")


def template_body(prefix: str, dimension: int) -> dict[str, Any]:
    """The index template every concrete index of every collection is created from."""
    keyword = {"type": "keyword"}
    text = {"type": "text", "analyzer": "english"}  # stop words and stems, as bm25.terms
    return {
        "index_patterns": [f"{prefix}-*"],
        "template": {
            "settings": {"index": {"knn": True, "number_of_shards": 1}},
            "mappings": {
                "dynamic": False,
                "properties": {
                    "id": keyword,
                    "source": keyword,
                    "hash": keyword,
                    "url": keyword,
                    "kind": keyword,
                    "title": text,
                    "heading": text,
                    "text": text,
                    "meta": {"type": "object", "enabled": False},
                    "vector": {
                        "type": "knn_vector",
                        "dimension": dimension,
                        "method": {
                            "name": "hnsw",
                            "space_type": "cosinesimil",
                            "engine": "lucene",
                            "parameters": {"m": 16, "ef_construction": 128},
                        },
                    },
                },
            },
        },
    }


def bm25_body(query: str, size: int) -> dict[str, Any]:
    return {
        "size": size,
        "_source": {"excludes": ["vector"]},
        "query": {"multi_match": {"query": query, "fields": ["heading^2", "text"]}},
    }


def knn_body(vector: np.ndarray, size: int) -> dict[str, Any]:
    values = [round(float(x), 7) for x in np.asarray(vector).ravel()]
    return {
        "size": size,
        "_source": {"excludes": ["vector"]},
        "query": {"knn": {"vector": {"vector": values, "k": size}}},
    }


def parse_hits(response: dict[str, Any]) -> list[Hit]:
    """Hits from an OpenSearch search response (``hits.hits[]._source``)."""
    out: list[Hit] = []
    for raw in response.get("hits", {}).get("hits", []):
        src = raw.get("_source") or {}
        chunk = Chunk(
            id=str(src.get("id") or raw.get("_id")),
            source=str(src.get("source", "")),
            title=str(src.get("title", "")),
            heading=str(src.get("heading", "")),
            text=str(src.get("text", "")),
            hash=str(src.get("hash", "")),
            url=str(src.get("url", "")),
            kind=str(src.get("kind", "doc")),
            meta=dict(src.get("meta") or {}),
        )
        out.append(Hit(chunk, float(raw.get("_score") or 0.0)))
    return out


class OpenSearchIndex:
    """One collection in OpenSearch (see the module docstring)."""

    def __init__(
        self,
        settings: OpenSearchSettings,
        retrieval: RetrievalSettings,
        collection: str,
        client: Any = None,
    ) -> None:
        if not settings.url and client is None:
            raise UpstreamUnavailable("SMARTOPS_OPENSEARCH_URL is not set.")
        if client is None:
            from opensearchpy import OpenSearch

            client = OpenSearch(
                hosts=[settings.url],
                verify_certs=settings.verify_certs,
                timeout=10,
            )
        self.client = client
        self.prefix = settings.index_prefix
        self.alias = f"{self.prefix}-{collection}"
        self.candidates = retrieval.candidates
        self.rrf_k = retrieval.rrf_k
        self.bm25_weight = retrieval.bm25_weight
        self.source_decay = retrieval.source_decay
        self.ranking = RankingConfig(rrf_k=self.rrf_k, rrf_bm25_weight=self.bm25_weight)

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        from opensearchpy.exceptions import ConnectionError as OsConnectionError
        from opensearchpy.exceptions import TransportError

        target = self.client
        for part in method.split("."):
            target = getattr(target, part)
        try:
            return target(*args, **kwargs)
        except OsConnectionError as exc:
            raise UpstreamUnavailable(f"OpenSearch cannot be reached: {exc}") from None
        except TransportError as exc:
            raise UpstreamUnavailable(f"OpenSearch error {exc.status_code}: {exc.error}") from None

    def exists(self) -> bool:
        return bool(self._call("indices.exists_alias", name=self.alias))

    def ensure(self, dimension: int) -> None:
        """Create the template, and the first concrete index behind the alias if needed."""
        body = template_body(self.prefix, dimension)
        self._call("indices.put_index_template", name=self.prefix, body=body)
        if not self.exists():
            concrete = self._new_index_name()
            self._call(
                "indices.create", index=concrete, body={"mappings": body["template"]["mappings"]}
            )
            self._call(
                "indices.update_aliases",
                body={"actions": [{"add": {"index": concrete, "alias": self.alias}}]},
            )

    def _new_index_name(self) -> str:
        return f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 10**6}"

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except Exception:
            return False

    def count(self) -> int:
        if not self.exists():
            return 0
        return int(self._call("count", index=self.alias)["count"])

    def stored(self) -> dict[str, Stored]:
        if not self.exists():
            return {}
        from opensearchpy import helpers

        query = {"query": {"match_all": {}}, "_source": ["source", "hash"]}
        try:
            rows = helpers.scan(self.client, index=self.alias, query=query)
            return {r["_id"]: Stored(r["_source"]["source"], r["_source"]["hash"]) for r in rows}
        except Exception as exc:
            raise UpstreamUnavailable(f"OpenSearch scan failed: {exc}") from None

    def _bulk(self, actions: list[dict[str, Any]], index: str | None = None) -> None:
        from opensearchpy import helpers

        if not actions:
            return
        for action in actions:
            action["_index"] = index or self.alias
        try:
            helpers.bulk(self.client, actions, chunk_size=500)
        except Exception as exc:
            raise UpstreamUnavailable(f"OpenSearch bulk request failed: {exc}") from None

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray, index: str = "") -> None:
        if not chunks:
            return
        if not index:
            self.ensure(int(vectors.shape[1]))
        self._bulk([_document(c, v) for c, v in zip(chunks, vectors, strict=True)], index)

    def delete(self, ids: Iterable[str]) -> None:
        self._bulk([{"_op_type": "delete", "_id": i} for i in ids])

    def commit(self) -> None:
        if self.exists():
            self._call("indices.refresh", index=self.alias)

    def rebuild(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> str:
        """Fill a new concrete index, then point the alias at it atomically."""
        self.ensure(int(vectors.shape[1]))
        old = list(self._call("indices.get_alias", name=self.alias))
        concrete = self._new_index_name()
        mappings = template_body(self.prefix, int(vectors.shape[1]))["template"]["mappings"]
        self._call("indices.create", index=concrete, body={"mappings": mappings})
        self.upsert(chunks, vectors, index=concrete)
        self._call("indices.refresh", index=concrete)
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": concrete, "alias": self.alias}})
        self._call("indices.update_aliases", body={"actions": actions})
        for index in old:
            self._call("indices.delete", index=index)
        return concrete

    def search(self, query: str, vector: np.ndarray | None, k: int, mode: Mode) -> list[Hit]:
        if not self.exists():
            return []
        if mode == "vector" and vector is None:
            raise InvalidRequest("vector search needs a query vector", param="mode")
        n = max(self.candidates, k)
        read = profile(query)
        lexical: list[Hit] | None = None
        semantic: list[Hit] | None = None
        if mode == "bm25" or vector is None:
            body = bm25_body(read.lexical, n)
            lexical = parse_hits(self._call("search", index=self.alias, body=body))
        elif mode == "vector":
            semantic = parse_hits(self._call("search", index=self.alias, body=knn_body(vector, n)))
        else:
            lexical, semantic = self._hybrid(read.lexical, vector, n)
        return spread(rank(read, lexical, semantic, self.ranking), k, self.source_decay)

    def _hybrid(self, query: str, vector: np.ndarray, n: int) -> tuple[list[Hit], list[Hit]]:
        """The BM25 and the kNN candidates, from one ``_msearch``."""
        body = [{}, bm25_body(query, n), {}, knn_body(vector, n)]
        responses = self._call("msearch", index=self.alias, body=body)["responses"]
        for response in responses:
            if "error" in response:
                raise UpstreamUnavailable(f"OpenSearch search failed: {response['error']}")
        lexical, semantic = (parse_hits(r) for r in responses)
        return lexical, semantic


def _document(chunk: Chunk, vector: np.ndarray) -> dict[str, Any]:
    source = {key: getattr(chunk, key) for key in FIELDS}
    source["meta"] = chunk.meta
    source["vector"] = [float(x) for x in vector]
    return {"_op_type": "index", "_id": chunk.id, "_source": source}
