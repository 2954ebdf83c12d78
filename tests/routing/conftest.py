"""The router trained as at startup, over the real embedding model (loaded once)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from smartops.knowledge.embedder import Embedder
from smartops.routing.evaluate import Case, load
from smartops.routing.router import Router
from smartops.routing.types import RouteDecision

DATA = Path(__file__).parent / "data"
Decide = Callable[[str], RouteDecision]


@pytest.fixture(scope="session")
def cases() -> list[Case]:
    return load(DATA / "routes.jsonl")


@pytest.fixture(scope="session")
def router(embedder: Embedder, tmp_path_factory: pytest.TempPathFactory) -> Router:
    cache = tmp_path_factory.mktemp("routing-cache")
    return Router.build(embedder.embed_batch, cache_dir=cache, signature=embedder.signature)


@pytest.fixture(scope="session")
def decide(router: Router, embedder: Embedder) -> Decide:
    """The router on a message and its real query vector."""
    vectors: dict[str, np.ndarray] = {}

    def run(text: str) -> RouteDecision:
        if text not in vectors:
            vectors[text] = embedder.embed_query(text)
        return router.decide(text, vectors[text])

    return run
