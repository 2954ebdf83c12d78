"""The actions stage: the first stage of the pipeline, reading only the user's own message.

Only the last user message can ask for an action: retrieved docs, alerts and tool
output are never parsed (they are not even there yet: this stage runs first). A
recognised action answers the turn itself (the LLM is skipped, nothing is cached);
anything else goes on to the docs and the LLM. The actions run in process or in the
actions function (``SMARTOPS_ACTIONS_URL``), through the same ``ActionService``. A bare
``confirm`` or ``cancel`` (no token) is a decision with an empty token: the service shows
the user's pending change and its token, or says there is none; it never reaches the LLM.
Every reply is worded in the language of the user's message (English or Russian).
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any, Protocol

import httpx

from smartops import prompts
from smartops.actions.intent_model import ModelIntents
from smartops.actions.intent_types import Ask, Decision, Intent
from smartops.actions.service import ActionService, Outcome
from smartops.answers.language import language_of
from smartops.answers.models import Language
from smartops.config_sections import ActionsSettings
from smartops.edge.client import http_client, transport_error
from smartops.errors import (
    ClientError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    SmartopsError,
    UpstreamError,
)
from smartops.metrics import Metrics
from smartops.notices import notice
from smartops.turn import Principal, Reply, Turn

log = logging.getLogger(__name__)
BACKEND = "actions"
# The routes this stage acts on; every other route passes.
ACTING = frozenset({"live_read", "write", "confirm", "cancel", "clarify"})


class Backend(Protocol):
    async def run(
        self, principal: Principal, name: str, args: dict[str, Any], language: Language = "en"
    ) -> Outcome: ...

    async def decide(
        self, principal: Principal, token: str, confirm: bool, language: Language = "en"
    ) -> Outcome: ...


class RemoteActions:
    """The actions function over HTTP (``POST /actions/{name}``, ``POST /decisions``)."""

    def __init__(self, settings: ActionsSettings, http: httpx.AsyncClient | None = None) -> None:
        self.url = settings.url.rstrip("/")
        headers = {}
        if settings.token is not None:
            headers["Authorization"] = f"Bearer {settings.token.get_secret_value()}"
        self._http = http or http_client(timeout=settings.timeout_s * 3, headers=headers)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def run(
        self, principal: Principal, name: str, args: dict[str, Any], language: Language = "en"
    ) -> Outcome:
        body = {"args": args, "principal": asdict(principal), "language": language}
        return await self._post(f"/actions/{name}", body)

    async def decide(
        self, principal: Principal, token: str, confirm: bool, language: Language = "en"
    ) -> Outcome:
        body = {"token": token, "confirm": confirm, "principal": asdict(principal)}
        return await self._post("/decisions", {**body, "language": language})

    async def _post(self, path: str, body: dict[str, Any]) -> Outcome:
        try:
            response = await self._http.post(self.url + path, json=body)
        except httpx.HTTPError as exc:
            raise transport_error(exc, "actions service") from None
        data = response.json() if response.content else {}
        if response.status_code >= 400:
            message = str((data.get("error") or {}).get("message") or response.status_code)
            error = {400: InvalidRequest, 403: PermissionDenied, 404: NotFound}.get(
                response.status_code, UpstreamError
            )
            raise error(message)
        return Outcome(**data)


class ActionsStage:
    name = "actions"

    def __init__(
        self, backend: Backend, metrics: Metrics, model: ModelIntents | None = None
    ) -> None:
        self.backend = backend
        self.metrics = metrics
        self.model = model

    async def read(self, turn: Turn) -> Intent | Ask | Decision | None:
        """What the router decided this turn asks of the actions, if anything."""
        decision = turn.decision
        if decision is None or decision.route not in ACTING:
            if decision is None and self.model is not None:  # no router: the model's tools
                return await self.model.parse(turn.request.question)
            return None
        if decision.route in ("confirm", "cancel"):  # no token: the service lists what waits
            return Decision(decision.route == "confirm", decision.token or "")
        if decision.route == "clarify":
            return decision.ask
        return decision.intent

    async def before(self, turn: Turn) -> Reply | None:
        parsed = await self.read(turn)
        if parsed is None:
            return None
        turn.cacheable = False
        turn.headers["X-Smartops-Action"] = "1"
        language = language_of(turn.request.question)
        if isinstance(parsed, Ask):
            return Reply(
                prompts.render(
                    "action_ask", ask=parsed, examples=parsed.examples, language=language
                )
            )
        try:
            if isinstance(parsed, Decision):
                outcome = await self.backend.decide(
                    turn.principal, parsed.token, parsed.confirm, language
                )
            else:
                outcome = await self.backend.run(
                    turn.principal, parsed.action, parsed.args, language
                )
        except ClientError as exc:
            return Reply(_error(language, exc.message))
        except SmartopsError as exc:
            said = notice("actions_unavailable", language, message=exc.message)
            turn.degrade(BACKEND, said, self.metrics)
            return Reply(_error(language, exc.message, unavailable=True))
        turn.action = outcome.to_json()
        return Reply(outcome.text)

    async def after(self, turn: Turn, answer: str) -> None:
        return None


def _error(language: Language, message: str, unavailable: bool = False) -> str:
    return prompts.render(
        "action_error", language=language, message=message, unavailable=unavailable
    )


def build_stage(
    settings: ActionsSettings,
    metrics: Metrics,
    service: ActionService | None,
    model: ModelIntents | None,
) -> tuple[ActionsStage, Any]:
    """The stage over the remote function (when configured) or the in-process service."""
    backend: Any = RemoteActions(settings) if settings.url else service
    assert backend is not None
    return ActionsStage(backend, metrics, model), backend
