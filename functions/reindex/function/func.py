"""The reindex function: func-python's contract over smartops' event handlers.

Each request is one CloudEvent (binary or structured mode), decoded by
``smartops.eventing.envelope``; all behaviour lives in ``smartops.eventing``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smartops.config import Settings
from smartops.eventing.apps import reindex_app
from smartops.eventing.handlers import ReloadDocs
from smartops.eventing.wiring import build_eventing, cag_reloader
from smartops.funcadapter import FunctionAdapter
from smartops.metrics import Metrics


class ReindexFunction(FunctionAdapter):
    name = "reindex"

    def build(self, settings: Settings, cfg: Mapping[str, str]) -> Any:
        metrics = Metrics()
        reload: ReloadDocs | None = None
        if settings.cache.url:  # the CAG sections live behind the cache function
            from smartops.cache.client import CacheClient

            client = CacheClient(settings.cache.url)
            self.closers.append(client.aclose)
            reload = cag_reloader(settings, client)
        eventing = build_eventing(settings, metrics, reload_docs=reload)
        self.closers.append(eventing.aclose)
        return reindex_app(settings, metrics, eventing.handlers)


def new() -> ReindexFunction:
    return ReindexFunction()
