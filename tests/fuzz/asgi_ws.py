"""A WebSocket client for an ASGI app in process, on the caller's event loop.

It plays the server's side of the ASGI WebSocket protocol: connect, one text frame per
request, then it reads the app's frames until ``[DONE]`` or an error body ends that
request, and disconnects. What a real server would report as close code 1006 (the app
raised, or returned without closing) is ``WsResult.abnormal``; a close the app chose
is ``closed`` with its code.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

READ_TIMEOUT_S = 20.0


@dataclass
class WsResult:
    accepted: bool = False
    closed: int | None = None  # the close code the app sent
    abnormal: str | None = None  # the exception that escaped the app (a 1006)
    replies: list[list[str]] = field(default_factory=list)  # the frames of each request


def _ends_request(frame: str) -> bool:
    if frame == "[DONE]":
        return True
    try:
        body = json.loads(frame)
    except ValueError:
        return False
    return isinstance(body, dict) and "error" in body


async def ws_session(
    app: Any, path: str, frames: list[str | bytes], headers: dict[str, str]
) -> WsResult:
    """Send each frame as one request, collecting the frames answering it."""
    to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("gateway", 80),
        "subprotocols": [],
    }
    result = WsResult()
    await to_app.put({"type": "websocket.connect"})
    task = asyncio.create_task(app(scope, to_app.get, from_app.put))
    try:
        first = await _next(from_app, task)
        if first is None or first["type"] == "websocket.close":
            result.closed = first.get("code", 1000) if first else None
            return result
        result.accepted = first["type"] == "websocket.accept"
        for frame in frames:
            key = "bytes" if isinstance(frame, bytes) else "text"
            await to_app.put({"type": "websocket.receive", key: frame})
            replies: list[str] = []
            result.replies.append(replies)
            while True:
                message = await _next(from_app, task)
                if message is None:
                    return result
                if message["type"] == "websocket.close":
                    result.closed = message.get("code", 1000)
                    return result
                text = message.get("text") or (message.get("bytes") or b"").decode()
                replies.append(text)
                if _ends_request(text):
                    break
        await to_app.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(task, READ_TIMEOUT_S)
    except Exception as exc:  # what escaped the app: the server would close with 1006
        result.abnormal = f"{type(exc).__name__}: {exc}"
    finally:
        if not task.done():
            task.cancel()
    return result


async def _next(queue: asyncio.Queue[dict[str, Any]], task: asyncio.Task[Any]) -> Any:
    """The app's next message; None when the app ended without one (its exception, if
    any, is raised here)."""
    getter = asyncio.ensure_future(queue.get())
    done, _ = await asyncio.wait(
        {getter, task}, timeout=READ_TIMEOUT_S, return_when="FIRST_COMPLETED"
    )
    if getter in done:
        return getter.result()
    getter.cancel()
    if task in done:
        task.result()  # raises what the app raised
        return None
    raise TimeoutError(f"no WebSocket frame within {READ_TIMEOUT_S} s")
