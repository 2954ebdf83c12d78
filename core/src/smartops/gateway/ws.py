"""WebSocket streaming: the same chunks as SSE, for clients that prefer a socket.

Protocol on ``/v1/chat/completions/ws``: the client sends one chat request (JSON text
message, ``stream`` implied); the server sends each chunk as a JSON text message, then
the text ``[DONE]``, and waits for the next request. An error is sent as an OpenAI
error body and the socket stays open. The API key goes in the ``Authorization`` header
of the upgrade request. Knative's func-python middleware serves HTTP only, so this
endpoint exists on the embedded stack (uvicorn), not behind ``func build``.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from smartops.chat import parse_chat_request
from smartops.errors import AuthenticationError, InternalError, SmartopsError
from smartops.gateway import streaming
from smartops.gateway.auth import identify
from smartops.logs import new_request_id, reset_request_id, set_request_id
from smartops.services import Services
from smartops.turn import Principal, Turn

log = logging.getLogger(__name__)
POLICY_VIOLATION = 1008


def add_routes(app: FastAPI, services: Services) -> None:
    @app.websocket("/v1/chat/completions/ws")
    async def chat_socket(websocket: WebSocket) -> None:
        try:
            client = websocket.client.host if websocket.client else None
            principal = identify(services.settings, websocket.headers, client)
        except AuthenticationError as exc:
            await websocket.close(code=POLICY_VIOLATION, reason=exc.message[:120])
            return
        await websocket.accept()
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return
                raw = message.get("bytes") or (message.get("text") or "").encode()
                await _one_request(websocket, services, principal, raw)
        except WebSocketDisconnect:
            return


async def _one_request(
    websocket: WebSocket, services: Services, principal: Principal, raw: bytes
) -> None:
    request_id = new_request_id()
    token = set_request_id(request_id)
    try:
        chat = parse_chat_request(raw, services.settings)
        turn = Turn(request=chat, request_id=request_id, principal=principal)
        turn.notices.extend(chat.notices)
        answer = await services.pipeline.prepare(turn)
        async for body in streaming.chunks(answer, turn, services.settings.model_id):
            await websocket.send_text(json.dumps(body, ensure_ascii=False))
        await websocket.send_text("[DONE]")
    except SmartopsError as exc:
        await websocket.send_text(json.dumps(exc.to_body()))
    except WebSocketDisconnect:
        raise
    except Exception:  # a bug: an error frame, and the socket stays usable
        log.exception("websocket request failed")
        error = InternalError(f"Internal error (request {request_id}).")
        await websocket.send_text(json.dumps(error.to_body()))
    finally:
        reset_request_id(token)
