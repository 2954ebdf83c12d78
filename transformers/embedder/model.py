"""KServe model server for ``smartops-embedder`` (texts to vectors). KServe's own flags."""

from __future__ import annotations

import argparse

from kserve import ModelServer, model_server

from smartops.config import Settings
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.kserve_models import EMBEDDER, EmbedderModel

if __name__ == "__main__":
    parser = argparse.ArgumentParser(parents=[model_server.parser])
    args, _ = parser.parse_known_args()
    name = EMBEDDER if args.model_name == "model" else args.model_name
    model = EmbedderModel(name, Embedder(Settings().embed))
    model.load()
    ModelServer().start([model])
