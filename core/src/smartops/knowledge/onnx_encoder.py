"""The sentence-transformers model run by ONNX Runtime, optionally as dynamic int8.

The ONNX file is exported from the packaged weights on first use (never downloaded):
the Hugging Face encoder with mean pooling and L2 normalisation (what the
sentence-transformers pipeline of all-MiniLM-L6-v2 does), fused by ONNX Runtime's
transformer optimizer and, for ``onnx-int8``, quantized per channel. The result is kept
in the model cache folder (``embed_cache_dir``, else ``~/.cache/smartops/models``) in a
folder named after the weights file, the variant and the library versions, written to a
temporary folder and renamed into place under a file lock, so concurrent processes
export once and never read half a file.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
ONNX_FILE = "model.onnx"
CHARS_PER_TOKEN_BOUND = 12  # WordPiece tokens of real text average 3-5 characters


def _weights(model_dir: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (model_dir / name).exists():
            return model_dir / name
    raise FileNotFoundError(f"No model weights in {model_dir}")


def cache_key(model_dir: Path, quantize: bool) -> str:
    """Names the export: the weights (path, size, time) and the exporting libraries."""
    weights, variant = _weights(model_dir), "int8" if quantize else "fp32"
    stat = weights.stat()
    versions = [metadata.version(p) for p in ("torch", "transformers", "onnxruntime")]
    parts = [str(weights.resolve()), str(stat.st_size), str(stat.st_mtime_ns), *versions, variant]
    digest = hashlib.sha1("\0".join(parts).encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{model_dir.name}-{variant}-{digest}"


def prepared_model(model_dir: Path, cache_dir: Path, quantize: bool) -> Path:
    """The ONNX file for the model, exported now unless an earlier export is cached."""
    target = cache_dir / cache_key(model_dir, quantize)
    if (target / ONNX_FILE).exists():
        return target / ONNX_FILE
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ONNX_FILE).exists():
            started = time.perf_counter()
            work = Path(tempfile.mkdtemp(dir=cache_dir, prefix=".export-"))
            try:
                with quiet_export():
                    _export(model_dir, work, quantize)
                os.replace(work, target)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            ms = round((time.perf_counter() - started) * 1e3)
            log.info("embedding model exported to ONNX", extra={"path": str(target), "ms": ms})
    return target / ONNX_FILE


@contextmanager
def quiet_export() -> Iterator[None]:
    """No library chatter while exporting: the exporters' warnings (torch's ONNX
    ``UserWarning``, ``TracerWarning`` and ``DeprecationWarning``; transformers' tracing
    notes) are about code paths we pin and test, and the weight-loading progress bar is
    replaced by the one line the caller logs with the export's duration."""
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        if bars:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]


def _export(model_dir: Path, work: Path, quantize: bool) -> None:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.from_pretrained(model_dir, local_files_only=True)
    encoder = AutoModel.from_pretrained(
        model_dir, local_files_only=True, attn_implementation="eager"
    ).eval()
    ids = torch.ones((2, 8), dtype=torch.int64)
    raw, fused = work / "raw.onnx", work / "fused.onnx"
    with torch.inference_mode():
        torch.onnx.export(
            _pooled_module(encoder),
            (ids, torch.ones_like(ids)),
            str(raw),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"}},
            opset_version=17,
            dynamo=False,
        )
    heads, hidden = config.num_attention_heads, config.hidden_size
    optimized = optimize_model(str(raw), model_type="bert", num_heads=heads, hidden_size=hidden)
    optimized.save_model_to_file(str(fused))
    if quantize:
        quiet = _DropAdvice()  # the quantizer's advice goes to the root logger, not JSON
        logging.getLogger().addFilter(quiet)
        try:
            quantize_dynamic(
                fused,
                work / ONNX_FILE,
                weight_type=QuantType.QInt8,
                per_channel=True,
                extra_options={"DefaultTensorType": 1},  # FLOAT, for the fused ops' outputs
            )
        finally:
            logging.getLogger().removeFilter(quiet)
    else:
        fused.rename(work / ONNX_FILE)
    raw.unlink(missing_ok=True)
    fused.unlink(missing_ok=True)
    (work / "source.json").write_text(json.dumps({"model": str(model_dir), "int8": quantize}))


class _DropAdvice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Please consider to run pre-processing")


def _pooled_module(encoder: Any) -> Any:
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
            mask = attention_mask.unsqueeze(-1).to(hidden.last_hidden_state.dtype)
            summed = (hidden.last_hidden_state * mask).sum(1)
            mean = summed / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    return Pooled()


class OnnxEncoder:
    """Tokenizer (``tokenizers``) plus ONNX Runtime sessions: one per thread count."""

    def __init__(self, onnx_file: Path, model_dir: Path, max_tokens: int) -> None:
        from tokenizers import Tokenizer

        self.file = onnx_file
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)
        # Tokenizing is linear in the text: only the head can fit in max_tokens anyway.
        self.max_chars = max_tokens * CHARS_PER_TOKEN_BOUND
        self._sessions: dict[int, Any] = {}
        self.dimension = int(self.encode(["dimension probe"], threads=1).shape[1])

    def _session(self, threads: int) -> Any:
        if threads not in self._sessions:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            self._sessions[threads] = ort.InferenceSession(
                str(self.file), options, providers=["CPUExecutionProvider"]
            )
        return self._sessions[threads]

    def lengths(self, texts: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in self._tokenize(texts)]

    def _tokenize(self, texts: Sequence[str]) -> list[Any]:
        return list(self.tokenizer.encode_batch([t[: self.max_chars] for t in texts]))

    def encode(self, texts: Sequence[str], threads: int) -> np.ndarray:
        """Unit vectors for texts of similar length (the caller sorts and batches)."""
        encodings = self._tokenize(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        (vectors,) = self._session(threads).run(None, feeds)
        return np.asarray(vectors, dtype=np.float32)
