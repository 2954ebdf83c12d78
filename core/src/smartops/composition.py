"""What features are built from, and what they give back (a leaf module: imports no feature).

Each feature package (actions, cache, knowledge, eventing, routing) exposes a ``build``
function that takes the ``Shared`` backends of a process and returns a ``Contribution``:
its stage, readiness checks, closers and startup work. ``smartops.services`` calls the
builders and lists the stages in order, in one place; no feature imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from smartops.config import Settings
from smartops.llm import LLMClient
from smartops.metrics import Metrics
from smartops.turn import Closer, ReadinessCheck, Stage

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from smartops.knowledge.embedder import Embedder


@dataclass(frozen=True)
class Shared:
    """The long-lived backends every feature may use, built once per process."""

    settings: Settings
    metrics: Metrics
    llm: LLMClient
    redis: Redis | None = None
    embedder: Embedder | None = None


@dataclass
class Contribution:
    """What one feature adds to a process."""

    stage: Stage | None = None
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)
    # Backends the answer can go without: reported by /readyz, never make it fail.
    optional_checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    closers: list[Closer] = field(default_factory=list)
    # Work to do once before serving (the embedded stack awaits it before READY).
    startup: list[Closer] = field(default_factory=list)
