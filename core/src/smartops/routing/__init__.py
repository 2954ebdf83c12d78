"""Routing: where a user message goes (docs, the live cluster, a change, an investigation).

``build(shared)`` returns the routing stage, the first stage of the pipeline, and the
router's training as startup work. See docs/actions.md ("Routing") for the method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smartops.composition import Contribution, Shared


def build(shared: Shared) -> Contribution:
    from smartops.composition import Contribution
    from smartops.routing.stage import RoutingStage

    if not shared.settings.actions.enabled:  # every route but knowledge acts
        return Contribution()
    stage = RoutingStage(shared.embedder, shared.metrics)
    return Contribution(stage=stage, startup=[stage.warm])
