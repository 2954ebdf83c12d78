"""The knowledge stage: retrieval context with numbered citations on every turn.

Before the LLM it embeds the question once (``smartops.query.query_vector``: the
vector stays on the turn, shared with the answer cache), runs the knowledge graph up to the
prompt assembler, and puts the kept context blocks and their sources on the turn. The
graph runs in process (``LocalGraph``: the same KServe model classes over the same
graph file) or, with ``knowledge_graph_url``, on a deployed InferenceGraph router
(``RemoteGraph``). When either is down the answer goes on without context and says so.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

import httpx

from smartops.answers.language import language_of
from smartops.config import Settings
from smartops.edge.client import http_client, transport_error
from smartops.errors import UpstreamError
from smartops.knowledge.assembler import adopt, generation
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.followup import retrieval_query
from smartops.metrics import Metrics
from smartops.notices import notice
from smartops.query import query_vector
from smartops.turn import Reply, Turn

log = logging.getLogger(__name__)


class PromptGraph(Protocol):
    async def prompt(self, instance: dict[str, Any]) -> dict[str, Any]: ...

    async def ping(self) -> bool: ...

    async def aclose(self) -> None: ...


class LocalGraph:
    """The graph file run in process over the KServe model classes (built on first use)."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self._runner: Any = None
        self._lock = asyncio.Lock()

    def _build(self) -> Any:
        from smartops.knowledge.graph import GraphRunner, default_graph_file, load_graph, model_call
        from smartops.knowledge.index import open_index
        from smartops.knowledge.kserve_models import build_models

        index = open_index(self.settings)
        if hasattr(index, "bm25"):
            index.bm25()  # build the BM25 postings now, not on the first question
        models = build_models(self.settings, self.embedder, index)
        graph = load_graph(default_graph_file(self.settings))
        return GraphRunner(graph, {name: model_call(m) for name, m in models.items()})

    async def runner(self) -> Any:
        async with self._lock:
            if self._runner is None:
                self._runner = await asyncio.to_thread(self._build)
            return self._runner

    async def prompt(self, instance: dict[str, Any]) -> dict[str, Any]:
        from smartops.knowledge.graph import PROMPT_NODE

        result = await (await self.runner()).run({"instances": [instance]}, PROMPT_NODE)
        if result.status != 200 or "messages" not in result.body:
            raise UpstreamError(f"The knowledge graph failed at '{result.stopped_at}'.")
        result.body.setdefault("smartops", {})["timings_ms"] = result.timings_ms
        return dict(result.body)

    async def ping(self) -> bool:
        await self.runner()
        return True

    async def aclose(self) -> None:
        return None


class RemoteGraph:
    """A deployed InferenceGraph router, called up to the assembled prompt (buffered)."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.knowledge.graph_url
        self.client = http_client(timeout=settings.knowledge.graph_timeout_s)

    async def prompt(self, instance: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self.client.post(self.url, json={"instances": [instance]})
        except httpx.HTTPError as exc:
            raise transport_error(exc, "knowledge graph") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        # The KServe router answers 500 with the last response when a step condition
        # stops the sequence (here: the LLM step, skipped without 'complete').
        if isinstance(body, dict) and "messages" in body:
            return body
        raise UpstreamError(f"The knowledge graph answered {response.status_code}.")

    async def ping(self) -> bool:
        try:
            return (await self.client.get(self.url.rstrip("/") + "/readyz")).status_code == 200
        except httpx.HTTPError:
            return False

    async def aclose(self) -> None:
        await self.client.aclose()


class KnowledgeStage:
    """Pipeline stage: cited context from the knowledge graph (see the module docstring)."""

    name = "knowledge"

    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        graph: PromptGraph,
        embedder: Embedder | None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.graph = graph
        self.embedder = embedder

    async def before(self, turn: Turn) -> Reply | None:
        instance: dict[str, Any] = {
            "query": retrieval_query(turn.request),  # a follow-up with its subject
            "messages": [m.model_dump(include={"role", "content"}) for m in turn.request.messages],
            "k": self.settings.retrieval.k,
            "cached_context": turn.cached_context,
            "generation": generation(turn.request, self.settings),
        }
        try:
            vector = turn.query_vector
            if vector is None and self.embedder is not None:
                vector = await query_vector(turn, self.embedder, self.metrics)
            if vector is not None:  # computed once per request, passed to the graph
                instance["vector"] = vector.tolist()
            request = await self.graph.prompt(instance)
        except Exception as exc:
            log.warning("knowledge graph failed", extra={"error": str(exc)})
            language = language_of(turn.request.question)
            turn.degrade("knowledge", notice("knowledge_unavailable", language), self.metrics)
            return None
        for name, ms in (request.get("smartops") or {}).get("timings_ms", {}).items():
            turn.timings_ms[f"graph.{name}"] = ms
        adopt(turn, request)
        return None

    async def after(self, turn: Turn, answer: str) -> None:
        return None


def knowledge_stage(settings: Settings, metrics: Metrics, embedder: Embedder) -> KnowledgeStage:
    """The stage over the local graph, or the deployed one when its URL is set."""
    if settings.knowledge.graph_url:
        return KnowledgeStage(settings, metrics, RemoteGraph(settings), None)
    return KnowledgeStage(settings, metrics, LocalGraph(settings, embedder), embedder)
