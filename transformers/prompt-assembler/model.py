"""KServe model server for ``smartops-prompt-assembler`` (hits to an OpenAI request)."""

from __future__ import annotations

import argparse

from kserve import ModelServer, model_server

from smartops.config import Settings
from smartops.knowledge.kserve_models import ASSEMBLER, PromptAssemblerModel

if __name__ == "__main__":
    parser = argparse.ArgumentParser(parents=[model_server.parser])
    args, _ = parser.parse_known_args()
    name = ASSEMBLER if args.model_name == "model" else args.model_name
    model = PromptAssemblerModel(name, Settings())
    model.load()
    ModelServer().start([model])
