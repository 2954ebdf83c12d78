"""Knowledge: ingestion, embeddings, hybrid retrieval and the InferenceGraph.

Docs, runbooks and alert rules are chunked (``chunking``, ``alert_rules``), embedded
(``embedder``) and stored in an index (``index``: embedded numpy or OpenSearch). The
KServe models (``kserve_models``) run as a Sequence graph (``graph``) in front of the
LLM; the pipeline stage (``stage``) puts the cited context on each turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smartops.services import Services


def install(services: Services) -> None:
    """Add the knowledge stage (retrieval context and citations) and its readiness check."""
    from smartops.knowledge.embedder import Embedder
    from smartops.knowledge.stage import knowledge_stage

    settings = services.settings
    if not settings.knowledge_enabled:
        return
    embedder = services.embedder or Embedder(settings)
    stage = knowledge_stage(settings, services.metrics, embedder)
    services.pipeline.stages.append(stage)
    services.optional_checks["knowledge"] = stage.graph.ping
    services.closers.append(stage.graph.aclose)
