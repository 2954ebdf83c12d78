"""``smartops bench routing``: what routing costs on top of the query embedding.

The pipeline embeds every question once (retrieval and the answer cache use the same
vector), so the router's own cost is ``Router.decide`` given that vector: grammar
features, the classifier, argument extraction. Measured over the labelled questions
(each decided ``rounds`` times, in a shuffled order), next to the embedding itself, the
training at startup and the machine's load, which the figures depend on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from smartops.routing import exemplars
from smartops.routing.router import Router


class Vectors(Protocol):
    """What the benchmark needs of ``smartops.knowledge.embedder.Embedder``."""

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _ms(samples: Sequence[float]) -> dict[str, float]:
    values = np.asarray(samples) * 1000
    return {
        "p50": round(float(np.percentile(values, 50)), 4),
        "p95": round(float(np.percentile(values, 95)), 4),
        "p99": round(float(np.percentile(values, 99)), 4),
        "n": len(values),
    }


def _load() -> dict[str, Any]:
    one, five, _ = os.getloadavg()
    return {"cpus": os.cpu_count(), "load_1m": round(one, 2), "load_5m": round(five, 2)}


def run(embedder: Vectors, questions: Sequence[str], rounds: int = 5) -> dict[str, Any]:
    """Figures (milliseconds) for ``questions``, decided ``rounds`` times each."""
    load_before = _load()
    rows = exemplars.load()
    started = time.perf_counter()
    vectors = embedder.embed_batch([e.text for e in rows])
    embed_exemplars_s = time.perf_counter() - started
    started = time.perf_counter()
    router = Router.train(vectors, rows)
    train_s = time.perf_counter() - started
    embed_times, query_vectors = [], []
    for question in questions:
        started = time.perf_counter()
        query_vectors.append(embedder.embed_query(question))
        embed_times.append(time.perf_counter() - started)
    order = np.random.default_rng(0).permutation(np.tile(np.arange(len(questions)), rounds))
    route_times = []
    for i in order:
        started = time.perf_counter()
        router.decide(questions[i], query_vectors[i])
        route_times.append(time.perf_counter() - started)
    return {
        "questions": len(questions),
        "exemplars": len(rows),
        "embed_exemplars_s": round(embed_exemplars_s, 3),
        "train_s": round(train_s, 3),
        "query_embedding_ms": _ms(embed_times),
        "routing_ms": _ms(route_times),
        "machine_before": load_before,
        "machine_after": _load(),
    }


def questions_from(paths: Sequence[Path]) -> list[str]:
    """The texts of labelled sets (JSON lines with a ``text`` field)."""
    from smartops.routing.evaluate import load

    return [case.text for path in paths for case in load(path)]


def render(figures: dict[str, Any]) -> str:
    lines = [
        f"questions: {figures['questions']}  exemplars: {figures['exemplars']}",
        f"startup: embed exemplars {figures['embed_exemplars_s']:.2f} s, "
        f"train {figures['train_s']:.3f} s",
    ]
    for key in ("query_embedding_ms", "routing_ms"):
        f = figures[key]
        lines.append(
            f"{key[:-3]:18} p50 {f['p50']:8.3f} ms   p95 {f['p95']:8.3f} ms   "
            f"p99 {f['p99']:8.3f} ms   (n={f['n']})"
        )
    for key in ("machine_before", "machine_after"):
        m = figures[key]
        lines.append(f"{key.replace('_', ' ')}: {m['cpus']} cpus, load {m['load_1m']} (1 min)")
    return "\n".join(lines)
