"""The router's typed decision: one per turn."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from smartops.actions.intent_types import Ask, Intent

Route = Literal["knowledge", "live_read", "write", "investigate", "confirm", "cancel", "clarify"]
# The routes the classifier learns; confirm, cancel and clarify come from the grammar.
Learned = Literal["knowledge", "live_read", "write", "investigate"]
LEARNED: tuple[Learned, ...] = ("knowledge", "live_read", "write", "investigate")
TargetKind = Literal["pod", "deployment", "node", "service"]


@dataclass(frozen=True)
class Target:
    """What an investigation is about (every field may be unknown)."""

    kind: TargetKind | None = None
    name: str | None = None
    namespace: str | None = None
    alertname: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.name or self.namespace or self.alertname)


@dataclass(frozen=True)
class RouteDecision:
    """Where a message goes, with what, and how sure the router is.

    ``intent`` is set for ``live_read`` and ``write`` (an action and its arguments, not
    yet validated against the catalog's policy). ``ask`` is set for ``clarify`` (what to
    ask back, worded in the user's language by the actions stage; ``question`` is its
    English text). ``token`` is the confirmation token of
    ``confirm``/``cancel`` when the user typed one. ``suggestion`` is an action command
    the user could send, offered with a ``knowledge`` answer when the message looked a
    bit like a request for the live cluster (the router never runs it by itself).
    ``scores`` are the classifier's probabilities of the learned routes.
    """

    route: Route
    intent: Intent | None = None
    confidence: float = 1.0
    reason: str = ""
    suggestion: str | None = None
    target: Target | None = None
    token: str | None = None
    ask: Ask | None = None
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def question(self) -> str | None:
        """What ``clarify`` asks back, in English."""
        return self.ask.question if self.ask else None

    def to_json(self) -> dict[str, Any]:
        """The decision as JSON (``smartops.route`` in a response body)."""
        return {
            "route": self.route,
            "action": self.intent.action if self.intent else None,
            "args": dict(self.intent.args) if self.intent else {},
            "confidence": round(self.confidence, 4),
            "reason": self.reason,
            "suggestion": self.suggestion,
            "target": asdict(self.target) if self.target else None,
            "token": self.token,
            "question": self.question,
        }
