"""The actions service over HTTP, served by the actions Knative function.

    GET  /actions                 the catalog (name, kind, summary, argument schema)
    POST /actions/{name}          {"args": {...}, "principal": {"user", "email", "role"},
                                   "language": "en" | "ru"}
    POST /decisions               {"token": "..." or "", "confirm": true, "principal": {...},
                                   "language": ...}  (no token: the user's pending changes)

Only the gateway calls it (it vouches for the principal), so every call must carry the
shared ``SMARTOPS_ACTIONS_TOKEN`` as a bearer token. Without a token the app refuses to
be built, unless ``SMARTOPS_ACTIONS_LOCAL=true`` says it runs on one machine: then it
answers loopback clients only. Answers are ``Outcome`` objects; bad input is a 4xx with
an OpenAI-style error body.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field

from smartops.actions import catalog
from smartops.actions.service import ActionService
from smartops.answers.models import Language
from smartops.edge import create_app, parse_body
from smartops.errors import AuthenticationError, ConfigurationError
from smartops.gateway.auth import bearer_token
from smartops.turn import Principal


class PrincipalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str = Field(min_length=1, max_length=256)
    email: str = Field("", max_length=256)
    role: str = Field("user", max_length=64)


class RunBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    args: dict[str, Any] = Field(default_factory=dict)
    principal: PrincipalBody
    language: Language = "en"


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(pattern=r"^([0-9a-f]{12})?$")  # empty: show the pending changes
    confirm: bool
    principal: PrincipalBody
    language: Language = "en"


def _loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_actions_app(service: ActionService) -> FastAPI:
    settings = service.settings
    token = settings.token
    if token is None and not settings.local:
        raise ConfigurationError(
            "The actions function trusts the principal its caller names: set "
            "SMARTOPS_ACTIONS_TOKEN (shared with the gateway), or SMARTOPS_ACTIONS_LOCAL=true "
            "to serve loopback callers only."
        )
    app = create_app("smartops actions", service.metrics, 100_000)

    def check(request: Request) -> None:
        if token is None:  # local mode: the caller is on this machine
            if not _loopback(request.client.host if request.client else None):
                raise AuthenticationError("Local actions mode serves loopback callers only.")
            return
        given = bearer_token(request.headers.get("authorization")) or ""
        if not hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
            raise AuthenticationError("Missing or wrong actions token.")

    @app.get("/actions")
    async def list_actions(request: Request) -> dict[str, Any]:
        check(request)
        return {
            "actions": [
                {
                    "name": a.name,
                    "kind": a.kind,
                    "summary": a.summary,
                    "args": a.args.model_json_schema(),
                }
                for a in catalog.ACTIONS.values()
            ]
        }

    @app.post("/actions/{name}")
    async def run(name: str, request: Request) -> dict[str, Any]:
        check(request)
        body = parse_body(RunBody, await request.body(), "request body")
        principal = Principal(**body.principal.model_dump())
        outcome = await service.run(principal, name, body.args, body.language)
        return outcome.to_json()

    @app.post("/decisions")
    async def decide(request: Request) -> dict[str, Any]:
        check(request)
        body = parse_body(DecisionBody, await request.body(), "request body")
        principal = Principal(**body.principal.model_dump())
        outcome = await service.decide(principal, body.token, body.confirm, body.language)
        return outcome.to_json()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
