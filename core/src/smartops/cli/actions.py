"""``smartops audit tail`` and ``smartops eval intents``."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from smartops.cli.common import load_settings, mapped_errors
from smartops.config import Settings
from smartops.errors import InvalidRequest

if TYPE_CHECKING:
    from smartops.routing.router import Method


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
    asyncio.run(_tail(settings, stream or settings.actions.audit_stream, count, follow, as_json))


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
@click.option("--url", default=None, help="A running gateway's /v1 URL (default: in process).")
@click.option("--api-key", default="unused", envvar="OPENAI_API_KEY", help="For --url.")
@click.option(
    "--method",
    type=click.Choice(["logreg", "embedding", "grammar", "knn", "legacy"]),
    default="logreg",
    show_default=True,
    help="In process: the router's classifier, or the grammar-only parser of before.",
)
@click.option(
    "--misses", "misses", multiple=True, default=("dev",), show_default=True, help="Splits."
)
@click.option("--json", "as_json", is_flag=True)
@mapped_errors
def eval_intents(
    files: tuple[Path, ...],
    url: str | None,
    api_key: str,
    method: str,
    misses: tuple[str, ...],
    as_json: bool,
) -> None:
    """Route confusion matrix and exact-argument accuracy on labelled messages, per split."""
    from smartops.routing import answerers
    from smartops.routing.evaluate import evaluate, load, render

    cases = [case for path in files for case in load(path)]
    if url:
        answer = answerers.gateway(url, api_key)
    elif method == "legacy":
        answer = answerers.legacy()
    else:
        answer = answerers.in_process(load_settings(), cast("Method", method))
    figures = evaluate(cases, answer)
    if not as_json:
        click.echo(render(figures, misses))
        return
    out = {
        split: {
            "confusion": [[want, got, n] for (want, got), n in sorted(f.confusion.items())],
            "actions_right": f.actions[0],
            "actions_total": f.actions[1],
            "action_accuracy": f.action_accuracy,
            "knowledge_to_action_or_ask": f.knowledge[0],
            "knowledge_total": f.knowledge[1],
            "targets_right": f.targets[0],
            "targets_total": f.targets[1],
            "route_accuracy": f.route_accuracy,
            "misses": f.misses if split in misses else [],
        }
        for split, f in figures.items()
    }
    click.echo(json.dumps(out, ensure_ascii=False))
