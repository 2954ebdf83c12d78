"""The composition root: builds every long-lived object of a process from Settings.

Edges (the gateway function, ``smartops up``, ``smartops ask``, the other functions)
call ``build_services`` once and pass the result down. Features add their stages and
readiness checks here, so the gateway never changes shape when they arrive.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from smartops.config import Settings
from smartops.llm import LLMClient
from smartops.metrics import Metrics
from smartops.pipeline import Pipeline, Stage

ReadinessCheck = Callable[[], Awaitable[bool]]


@dataclass
class Services:
    settings: Settings
    metrics: Metrics
    llm: LLMClient
    pipeline: Pipeline
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            await close()


def build_services(settings: Settings, metrics: Metrics | None = None) -> Services:
    metrics = metrics or Metrics()
    llm = LLMClient(settings, metrics)
    stages: list[Stage] = []
    pipeline = Pipeline(settings, llm, metrics, stages)
    services = Services(settings=settings, metrics=metrics, llm=llm, pipeline=pipeline)
    services.readiness["llm"] = llm.ping
    services.closers.append(llm.aclose)
    return services
