"""The actions service over HTTP, served by the actions Knative function.

    GET  /actions                 the catalog (name, kind, summary, argument schema)
    POST /actions/{name}          {"args": {...}, "principal": {"user", "email", "role"}}
    POST /decisions               {"token": "...", "confirm": true, "principal": {...}}

Only the gateway calls it (it vouches for the principal), so every call must carry the
shared ``SMARTOPS_ACTIONS_TOKEN`` as a bearer token when one is configured. Answers are
``Outcome`` objects; bad input is a 4xx with an OpenAI-style error body.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from smartops.actions import catalog
from smartops.actions.service import ActionService
from smartops.errors import AuthenticationError, InvalidRequest, SmartopsError
from smartops.gateway.auth import bearer_token
from smartops.gateway.middleware import RequestContext
from smartops.pipeline import Principal


class PrincipalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str = Field(min_length=1, max_length=256)
    email: str = Field("", max_length=256)
    role: str = Field("user", max_length=64)


class RunBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    args: dict[str, Any] = Field(default_factory=dict)
    principal: PrincipalBody


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(pattern=r"^[0-9a-f]{12}$")
    confirm: bool
    principal: PrincipalBody


def _parse(model: type[BaseModel], raw: bytes) -> Any:
    try:
        return model.model_validate(json.loads(raw or b"{}"))
    except (ValueError, ValidationError) as exc:
        raise InvalidRequest(f"Invalid request body: {str(exc)[:300]}") from None


def create_actions_app(service: ActionService) -> FastAPI:
    app = FastAPI(title="smartops actions", docs_url=None, redoc_url=None)
    token = service.settings.actions_token

    def check(request: Request) -> None:
        if token is None:
            return
        given = bearer_token(request.headers.get("authorization")) or ""
        if not hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
            raise AuthenticationError("Missing or wrong actions token.")

    async def on_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SmartopsError)
        return JSONResponse(exc.to_body(), status_code=exc.status)

    app.add_exception_handler(SmartopsError, on_error)

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
        body: RunBody = _parse(RunBody, await request.body())
        outcome = await service.run(Principal(**body.principal.model_dump()), name, body.args)
        return outcome.to_json()

    @app.post("/decisions")
    async def decide(request: Request) -> dict[str, Any]:
        check(request)
        body: DecisionBody = _parse(DecisionBody, await request.body())
        principal = Principal(**body.principal.model_dump())
        return (await service.decide(principal, body.token, body.confirm)).to_json()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(RequestContext, metrics=service.metrics, max_body_bytes=100_000)
    return app
