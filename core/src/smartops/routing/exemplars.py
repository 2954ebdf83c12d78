"""The labelled exemplars the classifier learns from (``exemplars.yaml``, shipped as data)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import cast

import numpy as np
import yaml

from smartops.routing.types import LEARNED, Learned


@dataclass(frozen=True)
class Exemplar:
    text: str
    route: Learned
    lang: str


def load(path: Path | None = None) -> list[Exemplar]:
    """The exemplars: the packaged file, or ``path``."""
    if path is None:
        text = resources.files("smartops.routing").joinpath("exemplars.yaml").read_text()
    else:
        text = path.read_text()
    data = yaml.safe_load(text) or {}
    found = []
    for route, by_lang in data.items():
        if route not in LEARNED:
            raise ValueError(f"unknown route {route!r} in the exemplars")
        for lang, texts in (by_lang or {}).items():
            found += [Exemplar(str(t), cast(Learned, route), str(lang)) for t in texts or []]
    return found


def vectors(
    texts: Sequence[str],
    embed: Callable[[Sequence[str]], np.ndarray],
    cache_dir: Path | None = None,
    signature: str = "",
) -> np.ndarray:
    """The exemplars' vectors: from ``cache_dir`` when the same texts were embedded with
    the same model before (``signature``), else embedded now (and kept there)."""
    key = hashlib.sha256("\n".join([signature, *texts]).encode()).hexdigest()[:16]
    path = cache_dir / f"routing-exemplars-{key}.npy" if cache_dir else None
    if path is not None and path.exists():
        cached = np.load(path)
        if cached.shape[0] == len(texts):
            return np.asarray(cached, dtype=np.float32)
    found = np.asarray(embed(list(texts)), dtype=np.float32)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.npy")
            np.save(partial, found)
            os.replace(partial, path)
        except OSError:
            pass  # a read-only cache: embed again next time
    return found
