"""Sentence vectors, cached by the hash of the sentence in a bounded LRU.

``embed`` is any batch embedding (``Embedder.embed_batch``): the sentences not cached
yet are embedded in one call. ``warm`` does that ahead of time for whole sections (when
the docs cache loads or after an ingest), so that an extract never waits for the model.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

Embed = Callable[[list[str]], np.ndarray]
DEFAULT_SIZE = 20_000


def sentence_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=12).digest()


class SentenceVectors:
    """A thread-safe LRU of sentence vectors (L2-normalised float32)."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def cached(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """The cached vector of each text, or None."""
        with self._lock:
            out: list[np.ndarray | None] = []
            for text in texts:
                key = sentence_key(text)
                vector = self._items.get(key)
                if vector is not None:
                    self._items.move_to_end(key)
                out.append(vector)
            return out

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        with self._lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._items[sentence_key(text)] = np.asarray(vector, dtype=np.float32)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def vectors(self, texts: Sequence[str], embed: Embed | None) -> list[np.ndarray | None]:
        """Vectors for the texts: cached ones, the rest embedded in one batch (if ``embed``)."""
        found = self.cached(texts)
        missing = list(dict.fromkeys(t for t, v in zip(texts, found, strict=True) if v is None))
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if missing and embed is not None:
            self.put(missing, np.asarray(embed(missing), dtype=np.float32))
            found = self.cached(texts)
        return found

    def warm(self, texts: Sequence[str], embed: Embed, batch: int = 256) -> int:
        """Embed and cache every text not cached yet; returns how many were embedded."""
        todo = [t for t, v in zip(texts, self.cached(texts), strict=True) if v is None]
        todo = list(dict.fromkeys(todo))
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            self.put(part, np.asarray(embed(part), dtype=np.float32))
        return len(todo)
