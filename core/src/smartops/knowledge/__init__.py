"""Knowledge: ingestion, embeddings, hybrid retrieval and the InferenceGraph.

Docs, runbooks and alert rules are chunked (``chunking``, ``alert_rules``), embedded
(``embedder``) and stored in an index (``index``: embedded numpy or OpenSearch). The
KServe models (``kserve_models``) run as a Sequence graph (``graph``) in front of the
LLM; the pipeline stage (``stage``) puts the assembled prompt and its citations on each
turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smartops.composition import Contribution, Shared


def build(shared: Shared) -> Contribution:
    """The knowledge stage (retrieval context and citations) and its readiness check."""
    from smartops.composition import Contribution
    from smartops.knowledge.embedder import Embedder
    from smartops.knowledge.stage import knowledge_stage

    settings = shared.settings
    if not settings.knowledge.enabled:
        return Contribution()
    embedder = shared.embedder or Embedder(settings.embed)
    stage = knowledge_stage(settings, shared.metrics, embedder)
    return Contribution(
        stage=stage,
        optional_checks={"knowledge": stage.graph.ping},
        closers=[stage.graph.aclose],
    )
