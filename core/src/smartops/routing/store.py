"""A trained router kept between starts (``Router.build(..., cache_dir=...)``).

The weights are stored under a key that hashes everything they depend on: the
exemplars (text and route), the embedder's ``signature`` (model, backend, token limit),
the method, the training settings and the code that turns a message into features. An
unchanged start loads them in milliseconds instead of embedding and training again;
any change makes a new key, so a stale router is never loaded. Only the logistic
regressions are stored (kNN keeps the vectors themselves, which ``exemplars.vectors``
caches already).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from smartops.routing.classifier import SoftmaxClassifier, TrainSettings
from smartops.routing.exemplars import Exemplar

# The modules whose code decides the features and the training.
CODE = ("features.py", "normalize.py", "classifier.py")


def key(rows: Sequence[Exemplar], signature: str, method: str, scale: float) -> str:
    """The content hash a trained router is stored under."""
    digest = hashlib.sha256()
    for part in (signature, method, repr(scale), repr(TrainSettings())):
        digest.update(part.encode() + b"\0")
    for name in CODE:
        digest.update(resources.files("smartops.routing").joinpath(name).read_bytes())
    for row in rows:
        digest.update(f"{row.route}\t{row.text}\n".encode())
    return digest.hexdigest()[:20]


def path(
    cache_dir: Path, rows: Sequence[Exemplar], signature: str, method: str, scale: float
) -> Path:
    return cache_dir / f"routing-router-{key(rows, signature, method, scale)}.npz"


def load(where: Path) -> tuple[SoftmaxClassifier, SoftmaxClassifier] | None:
    """The classifier and the grammar-only classifier stored at ``where``, if any."""
    if not where.exists():
        return None
    try:
        with np.load(where, allow_pickle=False) as data:
            classes = [str(c) for c in data["classes"]]
            return (
                SoftmaxClassifier(data["weights"], data["bias"], classes),
                SoftmaxClassifier(data["grammar_weights"], data["grammar_bias"], classes),
            )
    except (OSError, KeyError, ValueError):
        return None  # unreadable: train again (and overwrite it)


def save(where: Path, classifier: SoftmaxClassifier, grammar: SoftmaxClassifier) -> None:
    """Keep a trained router (atomically; a read-only cache is left alone)."""
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        partial = where.with_name(f"{where.stem}.{os.getpid()}.npz")
        np.savez(
            partial,
            weights=classifier.weights,
            bias=classifier.bias,
            grammar_weights=grammar.weights,
            grammar_bias=grammar.bias,
            classes=np.asarray(classifier.classes),
        )
        os.replace(partial, where)
    except OSError:
        pass
