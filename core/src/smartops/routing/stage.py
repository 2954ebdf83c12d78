"""The routing stage: the first stage of every turn, one typed decision per user message.

It embeds the user's own message once (the vector is shared with the answer cache and
retrieval) and asks the router where the message goes: the docs (``knowledge``), the
live cluster (``live_read``), a change (``write``: dry run, then confirmation), an
investigation, a decision on a pending change, or a question back. The later stages
read ``turn.route`` and ``turn.decision`` and only act on their own routes. Only the
user's last message is read: retrieved docs, alert annotations and tool output never
reach the router (they are not even there yet).
"""

from __future__ import annotations

import asyncio
import logging

from smartops import prompts
from smartops.answers.language import language_of
from smartops.knowledge.embedder import Embedder, model_cache_dir
from smartops.metrics import Metrics
from smartops.query import query_vector
from smartops.routing.router import Router
from smartops.turn import Reply, Turn

log = logging.getLogger(__name__)
ROUTE_HEADER = "X-Smartops-Route"


class RoutingStage:
    name = "routing"

    def __init__(self, embedder: Embedder | None, metrics: Metrics) -> None:
        self.embedder = embedder
        self.metrics = metrics
        self._router: Router | None = None
        self._lock = asyncio.Lock()

    async def router(self) -> Router:
        """The router, trained on the packaged exemplars on first use (about a second),
        or loaded from the model cache when nothing it depends on changed."""
        async with self._lock:
            if self._router is None:
                self._router = await asyncio.to_thread(self._build)
            return self._router

    def _build(self) -> Router:
        if self.embedder is None:
            return Router.build(None)
        return Router.build(
            self.embedder.embed_batch,
            cache_dir=model_cache_dir(self.embedder.settings),
            signature=self.embedder.signature,
        )

    async def before(self, turn: Turn) -> Reply | None:
        router = await self.router()
        vector = None
        if self.embedder is not None:
            try:
                vector = await query_vector(turn, self.embedder, self.metrics)
            except Exception as exc:  # the grammar alone still routes
                log.warning("query embedding failed", extra={"error": str(exc)})
        history = [m.text for m in turn.request.messages[:-1] if m.role == "user"]
        decision = router.decide(turn.request.question, vector, history)
        turn.decision = decision
        turn.route = decision.route
        if decision.route == "knowledge" and decision.suggestion:
            russian = language_of(turn.request.question) == "ru"
            turn.epilogue.append(
                prompts.render("route_suggestion", command=decision.suggestion, russian=russian)
            )
        return None

    async def after(self, turn: Turn, answer: str) -> None:
        return None

    async def warm(self) -> None:
        """Train the router before serving (startup work of the embedded stack)."""
        await self.router()
