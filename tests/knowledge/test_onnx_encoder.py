"""The ONNX Runtime backends against sentence-transformers on torch (the reference).

The vectors of the int8 default must stay close to the float32 model's, and rank the
same documents first; the float32 export must reproduce it. A change of backend or token
limit must re-embed what is stored, never mix vectors of two models.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

from smartops.cache.sections import parse_file as parse_sections
from smartops.config import Settings
from smartops.knowledge import embedder as embedder_module
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index.embedded import EmbeddedIndex
from smartops.knowledge.ingest import ingest
from smartops.knowledge.onnx_encoder import ONNX_FILE, prepared_model

TEXTS = [
    "KubePodCrashLooping: a pod's container restarts repeatedly; check its logs and events.",
    "Node filesystem is almost out of space: find large files and clean up old images.",
    "Knative Serving scales a revision to zero when it receives no traffic.",
    "KServe InferenceService: deploy a model with a predictor and an optional transformer.",
    "PromQL rate() computes the per-second average rate of increase of a counter.",
    "Alertmanager groups, inhibits and silences alerts before sending notifications.",
    "etcd cluster has lost quorum: members are down or cannot reach each other.",
    "A Deployment rollout is stuck because new pods fail their readiness probes.",
]
QUERIES = [
    "why does my container keep restarting",
    "disk full on a worker node",
    "scale to zero when idle",
    "average per second increase of a counter",
]


def _vectors(settings: Settings, texts: list[str]) -> np.ndarray:
    return Embedder(settings.embed).embed_batch(texts)


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return _vectors(Settings(embed_backend="torch", embed_max_tokens=96), TEXTS + QUERIES)


@pytest.mark.parametrize(("backend", "floor"), [("onnx-int8", 0.98), ("onnx", 0.9999)])
def test_onnx_vectors_agree_with_sentence_transformers(
    backend: str, floor: float, reference: np.ndarray, tmp_path_factory: pytest.TempPathFactory
) -> None:
    cache = None if backend == "onnx-int8" else tmp_path_factory.mktemp("models")
    settings = Settings(embed_backend=backend, embed_max_tokens=96, embed_cache_dir=cache)
    vectors = _vectors(settings, TEXTS + QUERIES)
    cosine = (vectors * reference).sum(axis=1)
    assert cosine.min() >= floor, cosine
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    docs, queries = slice(0, len(TEXTS)), slice(len(TEXTS), None)
    best = (vectors[queries] @ vectors[docs].T).argmax(axis=1)
    best_reference = (reference[queries] @ reference[docs].T).argmax(axis=1)
    assert best.tolist() == best_reference.tolist() == [0, 1, 2, 4]


def test_query_alone_and_in_a_batch_agree(embedder: Embedder) -> None:
    """Dynamic int8 scales activations per batch: close, not bit-identical (measured 0.993)."""
    single = embedder.embed_query(TEXTS[0])
    batch = embedder.embed_batch(TEXTS)[0]
    assert float(single @ batch) > 0.98
    assert float(single @ embedder.embed_query(TEXTS[0])) > 0.99999  # deterministic


def test_export_is_cached_and_keyed_by_variant(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    model_dir = Path(embedder_module.default_model_path())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # what `python -W default` or a terminal would show
        first = prepared_model(model_dir, tmp_path, quantize=True)
    err = capfd.readouterr().err
    assert "pre-processing" not in err  # no stray root-logger advice
    # torch's ONNX UserWarning / TracerWarning / DeprecationWarning, the loading bar
    assert [str(w.message)[:80] for w in caught] == []
    assert "Warning" not in err and "Loading weights" not in err
    stamp = first.stat().st_mtime_ns
    again = prepared_model(model_dir, tmp_path, quantize=True)
    assert again == first and again.stat().st_mtime_ns == stamp
    assert first.name == ONNX_FILE and "int8" in first.parent.name
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export-")]


def test_unwritable_cache_falls_back_to_a_temporary_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from smartops.knowledge import onnx_encoder

    real, calls = onnx_encoder.prepared_model, []

    def prepared(model_dir: Path, cache_dir: Path, quantize: bool) -> Path:
        calls.append(cache_dir)
        if len(calls) == 1:
            raise PermissionError(13, "Read-only file system", str(cache_dir))
        # the export itself is tested above: reuse the user's cached one
        return real(model_dir, embedder_module.model_cache_dir(Settings().embed), quantize)

    monkeypatch.setattr(onnx_encoder, "prepared_model", prepared)
    model = Embedder(Settings(embed_cache_dir=tmp_path / "ro").embed)
    assert model.embed_query("disk full").shape == (384,)
    assert calls == [tmp_path / "ro", Path(tempfile.gettempdir()) / "smartops"]


def test_a_new_signature_re_embeds_every_chunk(corpus: Path, tmp_path: Path) -> None:
    index = EmbeddedIndex(None)
    first = ingest([str(corpus)], Settings(data_dir=tmp_path), index, Embedder(Settings().embed))
    assert first.new == first.chunks > 0
    shorter = Settings(data_dir=tmp_path, embed_max_tokens=64)
    second = ingest([str(corpus)], shorter, index, Embedder(shorter.embed))
    assert second.updated == first.chunks and second.unchanged == 0
    third = ingest([str(corpus)], shorter, index, Embedder(shorter.embed))
    assert third.unchanged == first.chunks and third.updated == 0


def test_docs_cache_section_hashes_follow_the_signature() -> None:
    text = "# Disk\n\n## Check\n\nRun df -h on the node.\n"
    plain = parse_sections("disk.md", text)
    salted = parse_sections("disk.md", text, "all-MiniLM-L6-v2|onnx-int8|96")
    other = parse_sections("disk.md", text, "all-MiniLM-L6-v2|torch|96")
    assert [s.id for s in plain] == [s.id for s in salted] == [s.id for s in other]
    assert len({plain[0].hash, salted[0].hash, other[0].hash}) == 3


def test_the_first_export_prints_one_line_and_no_library_warnings(tmp_path: Path) -> None:
    """What ``make setup`` shows of the export: one JSON line with its duration, nothing
    on stderr (torch's ONNX exporter warns a lot; none of it reaches the terminal)."""
    env = {**os.environ, "SMARTOPS_EMBED_CACHE_DIR": str(tmp_path / "models")}
    done = subprocess.run(
        [sys.executable, "-m", "smartops.cli", "embedder"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == "", done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert len(lines) == 1, lines[:5]
    line = json.loads(lines[0])
    assert line["seconds"] > 0 and line["dimension"] == 384
    assert (tmp_path / "models").is_dir() and any((tmp_path / "models").rglob("*.onnx"))
