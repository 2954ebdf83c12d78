"""Prepare the embedding model before serving: ``python -m smartops.knowledge.prepare``.

The transformer images run it at build time (the ONNX export then happens once, in the
image, not at the first request); ``smartops embedder`` is the same from a checkout.
"""

from __future__ import annotations

import json
import time

from smartops.config import Settings
from smartops.knowledge.embedder import Embedder, model_cache_dir


def prepare(settings: Settings) -> dict[str, object]:
    """Load (exporting on first use) the configured model; what runs, and how long it took."""
    started = time.perf_counter()
    model = Embedder(settings.embed)
    model.load()
    return {
        "signature": model.signature,
        "dimension": model.dimension,
        "cache_dir": str(model_cache_dir(settings.embed)),
        "seconds": round(time.perf_counter() - started, 2),
    }


def main() -> None:
    print(json.dumps(prepare(Settings())))


if __name__ == "__main__":
    main()
