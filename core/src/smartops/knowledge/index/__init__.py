"""Index backends behind one protocol (``base.Index``): embedded (default) and OpenSearch."""

from __future__ import annotations

import re

from smartops.config import Settings
from smartops.errors import InvalidRequest
from smartops.knowledge.index.base import Index


def open_index(settings: Settings, collection: str | None = None) -> Index:
    """The index of a collection on the configured backend."""
    name = collection or settings.knowledge.collection
    if settings.knowledge.backend == "opensearch":
        from smartops.knowledge.index.opensearch import OpenSearchIndex

        return OpenSearchIndex(settings.opensearch, settings.retrieval, name)
    from smartops.knowledge.index.embedded import EmbeddedIndex

    return EmbeddedIndex(
        settings.data_dir / "index" / name,
        candidates=settings.retrieval.candidates,
        rrf_k=settings.retrieval.rrf_k,
        bm25_weight=settings.retrieval.bm25_weight,
        source_decay=settings.retrieval.source_decay,
    )


_COLLECTION = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def check_collection(name: str) -> str:
    """A collection name is lower-case letters, digits, '-' and '_' (an index name)."""
    if not _COLLECTION.match(name):
        raise InvalidRequest(
            f"Invalid collection name '{name}': use lower-case letters, digits, '-' and '_'.",
            param="collection",
        )
    return name
