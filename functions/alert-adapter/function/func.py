"""The alert adapter: func-python's contract over smartops' Alertmanager adapter.

``K_SINK`` (set by the SinkBinding) is where the events go; all behaviour lives in
``smartops.eventing``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smartops.config import Settings
from smartops.eventing.apps import adapter_app
from smartops.eventing.sink import Sink
from smartops.funcadapter import FunctionAdapter
from smartops.metrics import Metrics


class AlertAdapter(FunctionAdapter):
    name = "alert-adapter"

    def __init__(self) -> None:
        super().__init__()
        self.sink: Sink | None = None

    def build(self, settings: Settings, cfg: Mapping[str, str]) -> Any:
        metrics = Metrics()
        self.sink = Sink(
            settings.eventing, metrics, url=cfg.get("K_SINK") or settings.eventing.sink_url
        )
        self.closers.append(self.sink.aclose)
        return adapter_app(
            settings, metrics, self.sink, webhook_token=settings.eventing.webhook_token
        )

    def not_ready(self) -> str | None:
        return None if self.sink is not None and self.sink.url else "no K_SINK"


def new() -> AlertAdapter:
    return AlertAdapter()
