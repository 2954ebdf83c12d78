"""Actions: safe DevOps commands from the chat (Kubernetes, Prometheus, Alertmanager, logs).

``install(services)`` puts the actions stage at the front of the pipeline. See
docs/actions.md for the catalog, the safety rules and the configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smartops.services import Services


def install(services: Services) -> None:
    """Add the actions stage first in the pipeline (in process, or the remote function)."""
    from smartops.actions.intent_model import ModelIntents
    from smartops.actions.service import ActionService
    from smartops.actions.stage import build_stage

    settings = services.settings
    if not settings.actions_enabled:
        return
    client = services.redis  # shared with the other stages; closed by the composition root
    service = (
        None if settings.actions_url else ActionService.build(settings, services.metrics, client)
    )
    model = ModelIntents(services.llm) if settings.actions_tool_calling else None
    stage, backend = build_stage(settings, services.metrics, service, model)
    services.pipeline.stages.insert(0, stage)
    services.closers.append(backend.aclose)
