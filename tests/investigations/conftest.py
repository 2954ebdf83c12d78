"""Fixtures for the investigation tests: the scenario suite and an in-memory cluster."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from smartops.investigate import Limits, Report, Target, investigate
from smartops.investigate.reads import Sample
from smartops.sandbox.memory import MemoryReads
from smartops.sandbox.scenario import Json, LogKey

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
Investigate = Callable[..., Awaitable[Report]]


@pytest.fixture
def scenarios() -> Path:
    return SCENARIOS


@pytest.fixture
def run() -> Investigate:
    """Investigate a target over objects held in memory (what the simulator would serve)."""

    async def go(
        target: Target,
        objects: list[Json],
        logs: dict[LogKey, str] | None = None,
        samples: dict[str, list[Sample]] | None = None,
        limits: Limits | None = None,
    ) -> Report:
        return await investigate(target, MemoryReads(objects, logs, samples), limits=limits)

    return go
