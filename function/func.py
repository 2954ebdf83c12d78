"""The gateway as a Knative function: func-python's contract over the smartops gateway."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from smartops.config import Settings
from smartops.funcadapter import FunctionAdapter
from smartops.gateway import create_app
from smartops.services import build_services


class Gateway(FunctionAdapter):
    name = "gateway"

    def build(self, settings: Settings, cfg: Mapping[str, str]) -> Any:
        services = build_services(settings)
        self.closers.append(services.aclose)
        return create_app(services)


def new() -> Gateway:
    return Gateway()
