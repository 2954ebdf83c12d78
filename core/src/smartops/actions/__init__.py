"""Actions: safe DevOps commands from the chat (Kubernetes, Prometheus, Alertmanager, logs).

``build(shared)`` returns the actions stage (in process, or over the actions function).
See docs/actions.md for the catalog, the safety rules and the configuration.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smartops.composition import Contribution, Shared


def build(shared: Shared) -> Contribution:
    """The actions stage and its closer; nothing when actions are off."""
    from smartops.actions.intent_model import ModelIntents
    from smartops.actions.service import ActionService
    from smartops.actions.stage import build_stage
    from smartops.citations import docs_link
    from smartops.composition import Contribution

    settings = shared.settings
    if not settings.actions.enabled:
        return Contribution()
    service = (
        None
        if settings.actions.url
        else ActionService.build(
            settings.actions, shared.metrics, shared.redis, partial(docs_link, settings)
        )
    )
    model = ModelIntents(shared.llm) if settings.actions.tool_calling else None
    stage, backend = build_stage(settings.actions, shared.metrics, service, model)
    return Contribution(stage=stage, closers=[backend.aclose])
