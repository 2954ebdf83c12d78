"""The learned part of the router: class probabilities of the learned routes (numpy only).

``SoftmaxClassifier``: multinomial logistic regression over the query embedding
(scaled) joined with the grammar features, class-balanced, L2-regularised, trained by
full-batch gradient descent in well under a second on a few hundred exemplars.
``KnnClassifier``: cosine k-nearest-neighbours over the embedding alone, kept for
comparison (``smartops eval intents --method knn``). Both predict from one row vector
in a few microseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np


class Classifier(Protocol):
    classes: tuple[str, ...]

    def predict(self, row: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class TrainSettings:
    l2: float = 1e-3
    steps: int = 400
    rate: float = 2.0


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return out


class SoftmaxClassifier:
    def __init__(self, weights: np.ndarray, bias: np.ndarray, classes: Sequence[str]) -> None:
        self.weights = weights
        self.bias = bias
        self.classes = tuple(classes)

    @classmethod
    def fit(
        cls,
        x: np.ndarray,
        labels: Sequence[str],
        classes: Sequence[str],
        settings: TrainSettings | None = None,
    ) -> SoftmaxClassifier:
        s = settings or TrainSettings()
        index = {c: i for i, c in enumerate(classes)}
        y = np.zeros((len(labels), len(classes)), dtype=np.float32)
        y[np.arange(len(labels)), [index[label] for label in labels]] = 1.0
        counts = y.sum(axis=0)
        sample_weight = (y @ (len(labels) / (len(classes) * np.maximum(counts, 1.0))))[:, None]
        sample_weight /= sample_weight.sum()
        w = np.zeros((x.shape[1], len(classes)), dtype=np.float32)
        b = np.zeros(len(classes), dtype=np.float32)
        for _ in range(s.steps):
            grad = (_softmax(x @ w + b) - y) * sample_weight
            w -= s.rate * (x.T @ grad + s.l2 * w)
            b -= s.rate * grad.sum(axis=0)
        return cls(w, b, classes)

    def predict(self, row: np.ndarray) -> np.ndarray:
        return _softmax(row @ self.weights + self.bias)


class KnnClassifier:
    def __init__(
        self, vectors: np.ndarray, labels: Sequence[str], classes: Sequence[str], k: int = 7
    ) -> None:
        self.vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        self.classes = tuple(classes)
        index = {c: i for i, c in enumerate(classes)}
        self.labels = np.asarray([index[label] for label in labels])
        self.k = k

    def predict(self, row: np.ndarray) -> np.ndarray:
        sims = self.vectors @ row
        top = np.argpartition(-sims, self.k)[: self.k]
        votes = np.zeros(len(self.classes), dtype=np.float32)
        np.add.at(votes, self.labels[top], np.maximum(sims[top], 0.0))
        total = float(votes.sum())
        return votes / total if total > 0 else np.full(len(self.classes), 1 / len(self.classes))
