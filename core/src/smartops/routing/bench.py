"""``smartops bench routing``: what routing costs on top of the query embedding.

The pipeline embeds every question once (retrieval and the answer cache use the same
vector), so the router's own cost is ``Router.decide`` given that vector: grammar
features, the classifier, argument extraction. Each decision is timed on the wall
clock (``routing``, which on a busy machine includes the time the process waits for a
CPU) and in the thread's own CPU time (``routing_cpu``, what routing itself costs).
Measured over the labelled questions (each decided ``rounds`` times, in a shuffled
order), next to the embedding itself, the training at startup (and a start that finds
the trained router cached) and the machine's load, which the figures depend on.
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


def run(
    embedder: Vectors,
    questions: Sequence[str],
    rounds: int = 5,
    cache_dir: Path | None = None,
    signature: str = "",
) -> dict[str, Any]:
    """Figures (milliseconds) for ``questions``, decided ``rounds`` times each; with
    ``cache_dir``, also a start that finds the trained router there."""
    load_before = _load()
    rows = exemplars.load()
    started = time.perf_counter()
    vectors = embedder.embed_batch([e.text for e in rows])
    embed_exemplars_s = time.perf_counter() - started
    started = time.perf_counter()
    router = Router.train(vectors, rows)
    train_s = time.perf_counter() - started
    cached_start_s = None
    if cache_dir is not None:
        Router.build(embedder.embed_batch, cache_dir=cache_dir, signature=signature)
        started = time.perf_counter()
        Router.build(embedder.embed_batch, cache_dir=cache_dir, signature=signature)
        cached_start_s = round(time.perf_counter() - started, 4)
    embed_times, query_vectors = [], []
    for question in questions:
        started = time.perf_counter()
        query_vectors.append(embedder.embed_query(question))
        embed_times.append(time.perf_counter() - started)
    order = np.random.default_rng(0).permutation(np.tile(np.arange(len(questions)), rounds))
    route_times, cpu_times = [], []
    for i in order:
        cpu, started = time.thread_time(), time.perf_counter()
        router.decide(questions[i], query_vectors[i])
        route_times.append(time.perf_counter() - started)
        cpu_times.append(time.thread_time() - cpu)
    return {
        "questions": len(questions),
        "exemplars": len(rows),
        "embed_exemplars_s": round(embed_exemplars_s, 3),
        "train_s": round(train_s, 3),
        "cached_start_s": cached_start_s,
        "query_embedding_ms": _ms(embed_times),
        "routing_ms": _ms(route_times),
        "routing_cpu_ms": _ms(cpu_times),
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
    if figures.get("cached_start_s") is not None:
        lines.append(f"startup with the trained router cached: {figures['cached_start_s']:.4f} s")
    for key in ("query_embedding_ms", "routing_ms", "routing_cpu_ms"):
        f = figures[key]
        lines.append(
            f"{key[:-3]:18} p50 {f['p50']:8.3f} ms   p95 {f['p95']:8.3f} ms   "
            f"p99 {f['p99']:8.3f} ms   (n={f['n']})"
        )
    for key in ("machine_before", "machine_after"):
        m = figures[key]
        lines.append(f"{key.replace('_', ' ')}: {m['cpus']} cpus, load {m['load_1m']} (1 min)")
    return "\n".join(lines)
