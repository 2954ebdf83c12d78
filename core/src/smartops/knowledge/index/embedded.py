"""The embedded index (the default): numpy exact kNN, BM25 and RRF, persisted as files.

One folder per collection under ``<data_dir>/index/<collection>/`` holds ``index.npz``:
the chunks (JSON, in row order) and their vectors (float32, L2-normalised, one row per
chunk). Writers merge on commit (``store``): each commits only its own upserts and
deletes, on top of the latest file, under a lock, so ``smartops ingest`` and the
gateway's reindex never overwrite each other's chunks. Another writer's commit is
picked up on the next search: the file's stamp is checked, one ``stat`` per search.
kNN is one matrix-vector product over all rows (exact; about 9 ms at 100k x 384 on one
core), BM25 is rebuilt in memory when the chunks change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from smartops.knowledge.documents import Chunk, Hit, Mode
from smartops.knowledge.index.base import SOURCE_DECAY, Stored, spread
from smartops.knowledge.index.bm25 import BM25, top_k
from smartops.knowledge.index.store import INDEX_FILE, IndexFile, Pending, Snapshot, Stamp
from smartops.knowledge.query_profile import profile
from smartops.knowledge.ranking import RankingConfig, rank

log = logging.getLogger(__name__)
__all__ = ["INDEX_FILE", "EmbeddedIndex"]


class EmbeddedIndex:
    """An in-process index of one collection; ``path=None`` keeps it in memory only."""

    def __init__(
        self,
        path: Path | None,
        *,
        candidates: int = 50,
        rrf_k: int = 10,
        bm25_weight: float = 0.5,
        source_decay: float = SOURCE_DECAY,
        ranking: RankingConfig | None = None,
    ) -> None:
        self.path = path
        self.ranking = ranking or RankingConfig(rrf_k=rrf_k, rrf_bm25_weight=bm25_weight)
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.bm25_weight = bm25_weight
        self.source_decay = source_decay
        self.chunks: list[Chunk] = []
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        self._bm25: BM25 | None = None
        self._lock = threading.RLock()
        self._file = IndexFile(path) if path is not None else None
        self._pending = Pending()  # this writer's changes since its last commit
        self._version = 0  # the committed version this view is based on
        self._stamp: Stamp | None = None
        if self._file is not None and self._file.exists():
            self._install(self._file.read())

    def _install(self, base: Snapshot) -> None:
        """Adopt a committed state, with this writer's pending changes replayed on it."""
        self.chunks, self.vectors = self._pending.apply(base.chunks, base.vectors)
        self._version, self._stamp, self._bm25 = base.version, base.stamp, None

    def refresh(self) -> None:
        """Adopt a newer committed file (another process or instance wrote it)."""
        if self._file is None:
            return
        stamp = self._file.stamp()
        if stamp is not None and stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._install(self._file.read())

    def ping(self) -> bool:
        return True

    def count(self) -> int:
        return len(self.chunks)

    def stored(self) -> dict[str, Stored]:
        self.refresh()
        return {c.id: Stored(c.source, c.hash) for c in self.chunks}

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        if not chunks:
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        with self._lock:
            change = Pending()
            change.upsert([c.redacted() for c in chunks], vectors)
            self._change(change)

    def delete(self, ids: Iterable[str]) -> None:
        change = Pending()
        change.delete(ids)
        if change:
            with self._lock:
                self._change(change)

    def _change(self, change: Pending) -> None:
        self.chunks, self.vectors = change.apply(self.chunks, self.vectors)
        self._bm25 = None
        if self._file is None:  # in memory only: nothing to commit
            return
        for chunk_id, op in change.ops.items():  # the latest operation last
            self._pending.ops.pop(chunk_id, None)
            self._pending.ops[chunk_id] = op

    def commit(self) -> None:
        """Merge this writer's changes into the latest committed file, atomically."""
        if self._file is None or not self._pending:
            return
        with self._lock, self._file.locked():
            if self._file.stamp() != self._stamp or self._file.version() != self._version:
                self._install(self._file.read())  # another writer committed meanwhile
            version = self._version + 1
            stamp = self._file.write(self.chunks, self.vectors, version)
            self._pending.clear()
            self._version, self._stamp = version, stamp

    def bm25(self) -> BM25:
        with self._lock:
            if self._bm25 is None:
                self._bm25 = BM25([f"{c.heading}\n{c.text}" for c in self.chunks])
            return self._bm25

    def knn(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if not self.chunks:
            return []
        return top_k(self.vectors @ np.asarray(vector, dtype=np.float32), k)

    def search(self, query: str, vector: np.ndarray | None, k: int, mode: Mode) -> list[Hit]:
        self.refresh()
        if not self.chunks:
            return []
        if mode == "vector" and vector is None:
            raise ValueError("vector search needs a query vector")
        n = max(self.candidates, k)
        read = profile(query)
        lexical = None if mode == "vector" else self._hits(self.bm25().top(read.lexical, n))
        semantic = None
        if mode != "bm25" and vector is not None:
            semantic = self._hits(self.knn(vector, n))
        return spread(rank(read, lexical, semantic, self.ranking), k, self.source_decay)

    def _hits(self, ranked: list[tuple[int, float]]) -> list[Hit]:
        return [Hit(self.chunks[i], score) for i, score in ranked]
