"""``smartops audit tail`` and ``smartops eval intents``."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import click

from smartops.actions import evaluate
from smartops.actions.intent import parse
from smartops.actions.intent_types import Ask, Decision, Intent
from smartops.cli.common import load_settings, mapped_errors
from smartops.config import Settings
from smartops.errors import InvalidRequest


@click.group()
def audit() -> None:
    """The audit trail of action requests (the Redis stream)."""


@audit.command("tail")
@click.option("-n", "--count", default=20, show_default=True, help="How many records.")
@click.option("--stream", default=None, help="Stream name (default: settings).")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new records.")
@click.option("--json", "as_json", is_flag=True, help="One JSON record per line.")
@mapped_errors
def audit_tail(count: int, stream: str | None, follow: bool, as_json: bool) -> None:
    """Show the newest audit records (oldest first)."""
    settings = load_settings()
    if not settings.redis_url:
        raise InvalidRequest("Set SMARTOPS_REDIS_URL to the Redis that holds the audit stream.")
    asyncio.run(_tail(settings, stream or settings.actions_audit_stream, count, follow, as_json))


async def _tail(settings: Settings, stream: str, count: int, follow: bool, as_json: bool) -> None:
    from smartops.actions.audit import tail
    from smartops.redis_client import connect_redis

    client = connect_redis(settings, timeout_s=5.0)
    try:
        seen = ""
        while True:
            for record in await tail(client, stream, count):
                if record["id"] > seen or not seen:
                    click.echo(json.dumps(record, ensure_ascii=False) if as_json else _line(record))
                    seen = max(seen, record["id"])
            if not follow:
                return
            await asyncio.sleep(1)
    finally:
        await client.aclose()


def _line(r: dict[str, Any]) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(float(r.get("ts", 0))))
    who = r.get("email") or r.get("user")
    args = json.dumps(r.get("args") or {}, ensure_ascii=False, sort_keys=True)
    text = (
        f"{when} {who:<24} {r.get('action') or '-':<16} {r.get('decision'):<18} "
        f"{r.get('outcome'):<8} {float(r.get('duration_ms', 0)):8.1f} ms  {args}"
    )
    extra = r.get("dry_run") or r.get("error")
    return f"{text}  [{extra}]" if extra else text


@click.command("intents")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--model",
    "use_model",
    is_flag=True,
    help="Also ask the LLM (tool calling) when the parser finds nothing.",
)
@click.option("--json", "as_json", is_flag=True)
@mapped_errors
def eval_intents(files: tuple[Path, ...], use_model: bool, as_json: bool) -> None:
    """Intent accuracy of the parser (and the model) on labelled phrasings (JSONL)."""
    settings = load_settings()
    cases = [case for path in files for case in evaluate.load(path)]
    if use_model:
        from smartops.stack import backends

        with backends(settings.with_changes(redis_url="redis://unused")) as ready:
            figures = asyncio.run(_evaluate(cases, ready))
    else:
        figures = asyncio.run(_evaluate(cases, None))
    if as_json:
        click.echo(
            json.dumps(
                {
                    "accuracy": figures.accuracy,
                    "right": figures.right,
                    "total": figures.total,
                    "groups": figures.groups,
                    "misses": figures.misses,
                },
                ensure_ascii=False,
            )
        )
        return
    click.echo(f"intent accuracy: {figures.right}/{figures.total} = {figures.accuracy:.1%}")
    for group, (right, total) in sorted(figures.groups.items()):
        click.echo(f"  {group:<18} {right}/{total} = {right / total:.1%}")
    for miss in figures.misses:
        click.echo(f"  miss: {miss['text']!r} expected {miss['expected']} got {miss['got']}")


async def _evaluate(cases: list[evaluate.Case], settings: Settings | None) -> evaluate.Figures:
    if settings is None:

        async def parser(text: str) -> Intent | Ask | Decision | None:
            return parse(text)

        return await evaluate.evaluate(cases, parser)
    from smartops.actions.intent_model import ModelIntents
    from smartops.llm import LLMClient
    from smartops.metrics import Metrics

    llm = LLMClient(settings, Metrics())
    model = ModelIntents(llm)

    async def with_model(text: str) -> Intent | Ask | Decision | None:
        return parse(text) or await model.parse(text)

    try:
        return await evaluate.evaluate(cases, with_model)
    finally:
        await llm.aclose()
