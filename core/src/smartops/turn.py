"""The typed data a request carries through the pipeline (a leaf module: imports no feature).

A ``Turn`` is one chat request on its way through the stages. Everything the stages share
is a typed attribute here: the route decision, the query vector, the docs-cache sections,
the answer-cache scope, the finish reason, the action that ran, the
assembled prompt. The answer leaves the pipeline as a stream of typed ``Piece`` objects;
the edges (SSE, WebSocket, JSON, CLI) only format them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from smartops.chat import ChatRequest

if TYPE_CHECKING:
    from smartops.metrics import Metrics
    from smartops.routing.types import RouteDecision

log = logging.getLogger(__name__)

# The routes of smartops.routing (a message is answered from the docs, or acts).
Route = Literal["knowledge", "live_read", "write", "investigate", "confirm", "cancel", "clarify"]


@dataclass(frozen=True)
class Source:
    """Where a piece of context came from; cited in the answer."""

    source: str
    title: str = ""
    heading: str = ""
    url: str = ""
    score: float | None = None


@dataclass(frozen=True)
class ContextBlock:
    """A numbered piece of context for the system prompt."""

    label: str
    text: str
    source: Source


@dataclass(frozen=True)
class Principal:
    """Who is asking: from the API key, or forwarded by a trusted front end."""

    user: str
    role: str = "user"
    email: str = ""


@dataclass
class Turn:
    """One chat request on its way through the pipeline."""

    request: ChatRequest
    request_id: str
    principal: Principal
    context: list[ContextBlock] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    epilogue: list[str] = field(default_factory=list)  # markdown said after the answer
    timings_ms: dict[str, float] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    usage: dict[str, int] | None = None
    cacheable: bool = True
    # Set by the stages, read by later ones and by the pipeline.
    route: Route = "knowledge"
    decision: RouteDecision | None = None  # the router's, when it ran
    query_vector: np.ndarray | None = None
    cached_context: list[dict[str, Any]] = field(default_factory=list)  # docs-cache sections
    cache_scope: str | None = None
    cache_hit: str | None = None  # "exact" | "semantic"
    prompt: dict[str, Any] | None = None  # the assembled chat request for the predictor
    finish_reason: str | None = None
    action: dict[str, Any] | None = None  # the action outcome, when one ran
    # Grounded answers (smartops.answers): the mode asked for, the extract streamed
    # before a synthesis, the check every synthesized line passes, an abstention.
    answer_mode: AnswerMode | None = None
    preface: str = ""
    text_filter: TextFilter | None = None
    abstained: bool = False

    def degrade(self, backend: str, notice: str, metrics: Metrics) -> None:
        """Record that a backend was unavailable: the answer goes on and says so."""
        self.notices.append(notice)
        self.cacheable = False
        metrics.degraded.labels(backend).inc()
        log.warning("degraded answer", extra={"backend": backend, "notice": notice})


AnswerMode = Literal["extract", "synthesize", "auto"]


class TextFilter(Protocol):
    """Checks a model's answer as it streams (``feed`` each delta, ``close`` at the end)."""

    def feed(self, delta: str) -> str: ...

    def close(self) -> str: ...


# What ends a ready text (an extract, a report) that a model's checked answer follows.
PREFACE_END = "\n\n---\n\n"


@dataclass(frozen=True)
class Summary:
    """A model's summary a stage asks for after its own text: ``request`` is the chat
    request for the predictor (OpenAI's), ``text_filter`` the check its lines pass."""

    request: dict[str, Any]
    text_filter: TextFilter


@dataclass
class Reply:
    """An answer a stage gives by itself, without the LLM; with a ``summary``, the model's
    checked summary follows it (and no later stage runs)."""

    text: str
    sources: list[Source] = field(default_factory=list)
    summary: Summary | None = None


class Stage(Protocol):
    """A step of the pipeline before (and after) the LLM: see smartops.pipeline."""

    name: str

    async def before(self, turn: Turn) -> Reply | None: ...

    async def after(self, turn: Turn, answer: str) -> None: ...


ReadinessCheck = Callable[[], Awaitable[bool]]
Closer = Callable[[], Awaitable[None]]


# The answer stream: what the pipeline yields, what the edges format.


@dataclass(frozen=True)
class Notice:
    """A degraded backend, said before the answer (``text`` is its markdown)."""

    text: str


@dataclass(frozen=True)
class Text:
    """A piece of the answer text."""

    text: str


@dataclass(frozen=True)
class Sources:
    """The sources list after the answer (``text`` is its markdown)."""

    text: str
    sources: tuple[Source, ...]


Piece = Notice | Text | Sources
