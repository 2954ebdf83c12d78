"""KServe model server for ``smartops-retriever`` (query and vector to top-k hits)."""

from __future__ import annotations

import argparse

from kserve import ModelServer, model_server

from smartops.config import Settings
from smartops.knowledge.index import open_index
from smartops.knowledge.kserve_models import RETRIEVER, RetrieverModel

if __name__ == "__main__":
    parser = argparse.ArgumentParser(parents=[model_server.parser])
    args, _ = parser.parse_known_args()
    name = RETRIEVER if args.model_name == "model" else args.model_name
    settings = Settings()
    model = RetrieverModel(name, open_index(settings), settings)
    model.load()
    ModelServer().start([model])
