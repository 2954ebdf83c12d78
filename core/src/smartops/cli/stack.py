"""``smartops up`` and ``smartops ask``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import click

from smartops.chat import ChatRequest, Message
from smartops.cli.common import load_settings, mapped_errors
from smartops.config import Settings
from smartops.logs import configure_logging, new_request_id, set_request_id
from smartops.services import build_services
from smartops.stack import backends, run_stack
from smartops.turn import Principal, Turn


@click.command()
@click.option("--port", type=int, default=None, help="Gateway port (0: a free one).")
@click.option("--host", default=None, help="Gateway address (default 127.0.0.1).")
@click.option(
    "--sandbox",
    default=None,
    metavar="DIR",
    help="Run against the Kubernetes API simulator serving this scenario folder ('demo': "
    "the shipped one).",
)
@click.option(
    "--knowledge",
    multiple=True,
    metavar="DIR",
    help="A docs/runbooks folder indexed before READY (repeatable; SMARTOPS_KNOWLEDGE_PATHS).",
)
@mapped_errors
def up(port: int | None, host: str | None, sandbox: str | None, knowledge: tuple[str, ...]) -> None:
    """Start the embedded stack; prints READY <url> once everything answers."""
    settings = load_settings(port=port, host=host, knowledge_paths=list(knowledge) or None)
    configure_logging(settings.log_level)
    run_stack(settings, sandbox=sandbox)


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print answer, sources, timings as JSON.")
@mapped_errors
def ask(question: str, as_json: bool) -> None:
    """Answer one question through the same pipeline as the gateway."""
    settings = load_settings()
    configure_logging("WARNING")
    with backends(settings) as ready:
        result = asyncio.run(_ask(ready, question))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        click.echo(result["answer"])


async def _ask(settings: Settings, question: str) -> dict[str, Any]:
    services = build_services(settings)
    request_id = new_request_id()
    set_request_id(request_id)
    chat = ChatRequest(model=settings.model_id, messages=[Message(role="user", content=question)])
    turn = Turn(request=chat, request_id=request_id, principal=Principal(user="cli"))
    try:
        answer = "".join([piece.text async for piece in await services.pipeline.prepare(turn)])
    finally:
        await services.aclose()
    return {
        "answer": answer,
        "route": turn.route,
        "sources": [
            {"source": s.source, "title": s.title, "heading": s.heading, "url": s.url}
            for s in dict.fromkeys(turn.sources)
        ],
        "timings_ms": dict(turn.timings_ms),
        "request_id": request_id,
    }
