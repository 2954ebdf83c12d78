"""Who answers the labelled questions of ``smartops eval intents``: the router in process
(with the real embedding model), the grammar-only parser of before (``legacy``, for
comparison), or a running gateway through the official ``openai`` client.

Through the gateway the route comes from the response: ``smartops.route`` in the body
(the route's name, or ``RouteDecision.to_json()``) with ``smartops.decision`` (the
action and its arguments), or the ``X-Smartops-Route`` header. Writes are safe to
evaluate there: they only ever run as a dry run until the user confirms with the token,
which this never does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from smartops.actions import catalog
from smartops.actions.intent import parse
from smartops.actions.intent_types import Ask, Decision, Intent
from smartops.config import Settings
from smartops.routing.evaluate import Got
from smartops.routing.router import Method, Router

Answer = Callable[[str], Got]
ROUTE_HEADER = "X-Smartops-Route"


def in_process(settings: Settings, method: Method = "logreg") -> Answer:
    """The router over the real embedding model, trained as at startup."""
    from smartops.knowledge.embedder import Embedder, model_cache_dir

    embedder = Embedder(settings.embed)
    router = Router.build(
        embedder.embed_batch,
        method,
        cache_dir=model_cache_dir(settings.embed),
        signature=embedder.signature,
    )

    def answer(text: str) -> Got:
        return Got.from_json(router.decide(text, embedder.embed_query(text)).to_json())

    return answer


def legacy() -> Answer:
    """The grammar-only parser (``actions.intent.parse``) read as routes."""

    def answer(text: str) -> Got:
        found = parse(text)
        if isinstance(found, Decision):
            return Got("confirm" if found.confirm else "cancel", token=found.token)
        if isinstance(found, Ask):
            return Got("clarify")
        if isinstance(found, Intent):
            kind = catalog.get(found.action).kind
            return Got("write" if kind == "write" else "live_read", found.action, found.args)
        return Got("knowledge")

    return answer


def gateway(url: str, api_key: str, model: str = "smartops") -> Answer:
    """A running gateway (``url`` ends in ``/v1``), asked one question per request."""
    from openai import OpenAI

    client = OpenAI(base_url=url, api_key=api_key, max_retries=0, timeout=120)

    def answer(text: str) -> Got:
        raw = client.chat.completions.with_raw_response.create(
            model=model, messages=[{"role": "user", "content": text}]
        )
        body: dict[str, Any] = json.loads(raw.http_response.text or "{}")
        return got_from_response(body, raw.headers.get(ROUTE_HEADER))

    return answer


def got_from_response(body: dict[str, Any], header: str | None) -> Got:
    """The route of a gateway response (see the module docstring): the turn's route,
    with the action and arguments of the router's decision (``smartops.decision``)."""
    extra = body.get("smartops") or {}
    route, decision = extra.get("route"), extra.get("decision")
    if isinstance(route, dict):
        return Got.from_json(route)
    if isinstance(decision, dict):
        return Got.from_json({**decision, "route": route or decision.get("route") or header})
    if isinstance(route, str):
        return Got(route)
    return Got(header or "knowledge")
