"""The KServe models (V1 protocol) of the knowledge graph: embedder, retriever, assembler.

The same classes run in three places: as standalone KServe model servers
(``transformers/*/model.py``), in the local graph runner of the embedded stack, and in
tests. Each step takes the previous step's response (``data: $response``): a body with
``instances`` (or the ``predictions`` of the step before) whose items are enriched in
turn: the embedder adds ``vector``, the retriever adds ``hits``; the prompt assembler
answers with the OpenAI chat request itself, ready for the LLM predictor.
"""

from __future__ import annotations

import asyncio
from typing import Any

import kserve
import numpy as np
from kserve.errors import InvalidInput

from smartops.config import Settings
from smartops.errors import InvalidRequest
from smartops.knowledge.assembler import GENERATION_FIELDS, assemble, context_window
from smartops.knowledge.documents import Mode
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.further import evidence_hits
from smartops.knowledge.index.base import Index
from smartops.knowledge.retrieval import MAX_QUERY_CHARS, search, similarities

EMBEDDER = "smartops-embedder"
RETRIEVER = "smartops-retriever"
ASSEMBLER = "smartops-prompt-assembler"


def items(payload: Any) -> list[Any]:
    """The instances of a V1 request, or the predictions of the previous step."""
    if not isinstance(payload, dict):
        raise InvalidInput("The body must be a JSON object with 'instances'.")
    found = payload.get("instances", payload.get("predictions"))
    if not isinstance(found, list) or not found:
        raise InvalidInput("Expected a non-empty list in 'instances'.")
    return found


def query_of(item: Any) -> str:
    if not isinstance(item, dict) or not isinstance(item.get("query"), str):
        raise InvalidInput("Each instance needs a 'query' string.")
    return str(item["query"])


class EmbedderModel(kserve.Model):  # type: ignore[misc]
    """Texts to vectors: a string instance becomes its vector; an object gets 'vector'."""

    def __init__(self, name: str, embedder: Embedder) -> None:
        super().__init__(name)
        self.embedder = embedder

    def load(self) -> bool:
        self.embedder.load()
        self.ready = True
        return True

    async def predict(self, payload: Any, headers: Any = None, *_: Any) -> dict[str, Any]:
        out: list[Any] = []
        for item in items(payload):
            if isinstance(item, str):
                out.append((await self._embed(item)).tolist())
            elif isinstance(item, dict) and item.get("vector") is not None:
                out.append(item)
            else:
                out.append({**item, "vector": (await self._embed(query_of(item))).tolist()})
        return {"predictions": out}

    async def _embed(self, text: str) -> np.ndarray:
        if not text.strip():
            raise InvalidInput("Cannot embed an empty text.")
        return await asyncio.to_thread(self.embedder.embed_query, text)


class RetrieverModel(kserve.Model):  # type: ignore[misc]
    """Query text and vector to the top-k hits (hybrid; BM25 only without a vector)."""

    def __init__(self, name: str, index: Index, settings: Settings) -> None:
        super().__init__(name)
        self.index = index
        self.settings = settings

    def load(self) -> bool:
        self.ready = self.index.ping()
        return bool(self.ready)

    async def predict(self, payload: Any, headers: Any = None, *_: Any) -> dict[str, Any]:
        out: list[dict[str, Any]] = []
        for item in items(payload):
            # A long message is searched by its head (the assembler judges its length).
            query = query_of(item)[:MAX_QUERY_CHARS]
            k = int(item.get("k") or self.settings.retrieval.k)
            raw = item.get("vector")
            vector = np.asarray(raw, dtype=np.float32) if raw is not None else None
            mode: Mode = "hybrid" if vector is not None else "bm25"
            try:
                hits = await asyncio.to_thread(search, self.index, None, query, k, mode, vector)
                hits = await asyncio.to_thread(evidence_hits, self.index, query, hits)
            except InvalidRequest as exc:
                raise InvalidInput(exc.message) from None
            hits = [h.redacted() for h in hits]  # indexes written before redaction, too
            found = [h.to_json() for h in hits]
            if vector is not None:  # the answer stage's grounding needs absolute cosines
                cosines = similarities(self.index, vector)
                for hit, row in zip(hits, found, strict=True):
                    row["kind"] = hit.chunk.kind
                    row["similarity"] = cosines.get(hit.chunk.id)
            out.append({key: v for key, v in item.items() if key != "vector"} | {"hits": found})
        return {"predictions": out}


class PromptAssemblerModel(kserve.Model):  # type: ignore[misc]
    """Hits, cached doc context and the conversation to one OpenAI chat request."""

    def __init__(self, name: str, settings: Settings) -> None:
        super().__init__(name)
        self.settings = settings
        self.ready = True

    async def predict(self, payload: Any, headers: Any = None, *_: Any) -> dict[str, Any]:
        found = items(payload)
        if len(found) != 1:
            raise InvalidInput("The prompt assembler takes exactly one instance.")
        item = found[0]
        messages = item.get("messages") or []
        if not isinstance(messages, list):
            raise InvalidInput("'messages' must be a list of chat messages.")
        return assemble(
            query=query_of(item),
            messages=messages,
            hits=item.get("hits") or [],
            cached=item.get("cached_context") or [],
            budget=int(item.get("budget") or self.settings.context_token_budget),
            model=self.settings.llm.model,
            generation=_generation(item.get("generation")),
            complete=bool(item.get("complete")),
            context_tokens=context_window(self.settings),
            max_tokens=self.settings.llm.max_tokens,
        )


def _generation(raw: Any) -> dict[str, Any]:
    """The sampling fields an instance carries (``generation``), and only those."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidInput("'generation' must be an object.")
    return {key: raw[key] for key in GENERATION_FIELDS if key in raw}


def build_models(settings: Settings, embedder: Embedder, index: Index) -> dict[str, kserve.Model]:
    """The three models, by InferenceService name (the model name equals it)."""
    return {
        EMBEDDER: EmbedderModel(EMBEDDER, embedder),
        RETRIEVER: RetrieverModel(RETRIEVER, index, settings),
        ASSEMBLER: PromptAssemblerModel(ASSEMBLER, settings),
    }
