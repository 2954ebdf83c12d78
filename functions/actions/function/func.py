"""The actions function: func-python's contract over smartops' action service."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from smartops.actions.http import create_actions_app
from smartops.actions.service import ActionService
from smartops.citations import docs_link
from smartops.config import Settings
from smartops.funcadapter import FunctionAdapter
from smartops.metrics import Metrics
from smartops.redis_client import connect_redis


class ActionsFunction(FunctionAdapter):
    name = "actions"

    def build(self, settings: Settings, cfg: Mapping[str, str]) -> Any:
        redis = connect_redis(settings) if settings.redis_url else None
        # Its replies link the docs as the gateway does (SMARTOPS_PUBLIC_URL, _DOCS_URL).
        docs = partial(docs_link, settings)
        service = ActionService.build(settings.actions, Metrics(), redis, docs)
        self.closers.append(service.aclose)
        if redis is not None:
            self.closers.insert(0, redis.aclose)  # closed after the service
        return create_actions_app(service)


def new() -> ActionsFunction:
    return ActionsFunction()
