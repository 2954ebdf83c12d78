"""``smartops events catalog``, ``reindex``, ``runs`` and ``bench events``."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from smartops.cli.common import load_settings, mapped_errors
from smartops.config import Settings
from smartops.errors import InvalidRequest
from smartops.logs import configure_logging


@click.group("events")
def events() -> None:
    """The event catalog (CloudEvent types and their data schemas)."""


@events.command("catalog")
@click.option(
    "--write",
    "write_to",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the catalog into this folder (eventing/catalog).",
)
@click.option(
    "--check",
    "check_in",
    type=click.Path(file_okay=False, path_type=Path),
    help="Exit 1 when the catalog in this folder differs from the models.",
)
@mapped_errors
def catalog(write_to: Path | None, check_in: Path | None) -> None:
    """Generate the JSON schemas of every event type's data from the models."""
    from smartops.eventing import catalog as cat

    if write_to is not None:
        for name in cat.write(write_to):
            click.echo(f"wrote {write_to / name}")
    elif check_in is not None:
        problems = cat.differences(check_in)
        for problem in problems:
            click.echo(problem, err=True)
        if problems:
            raise SystemExit(1)
        click.echo("catalog up to date")
    else:
        click.echo(json.dumps({n: json.loads(c) for n, c in cat.render().items()}, indent=2))


@contextlib.contextmanager
def _redis_settings(settings: Settings) -> Iterator[Settings]:
    """The settings, with a private redis-server started when no Redis URL is set."""
    from smartops.stack.components import start_redis
    from smartops.stack.procs import Supervisor

    if settings.redis_url:
        yield settings
        return
    supervisor = Supervisor()
    try:
        yield settings.with_changes(redis_url=start_redis(settings, supervisor))
    finally:
        supervisor.stop_all()


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--collection", default=None, help="Collection (default: settings).")
@click.option("--json", "as_json", is_flag=True, help="Print the run record as JSON.")
@mapped_errors
def reindex(paths: tuple[str, ...], collection: str | None, as_json: bool) -> None:
    """A recorded incremental reindex (default paths: SMARTOPS_EVENTING_REINDEX_PATHS)."""
    settings = load_settings()
    configure_logging("WARNING")
    chosen = list(paths) or list(settings.eventing.reindex_paths)
    if not chosen:
        raise InvalidRequest("Give paths, or set SMARTOPS_EVENTING_REINDEX_PATHS.")
    with _redis_settings(settings) as ready:
        record = asyncio.run(_reindex(ready, chosen, collection))
    if as_json:
        click.echo(json.dumps(record))
        return
    click.echo(_run_line(record))


async def _reindex(settings: Settings, paths: list[str], collection: str | None) -> Any:
    from smartops.eventing.wiring import build_eventing
    from smartops.knowledge.index import check_collection
    from smartops.metrics import Metrics

    eventing = build_eventing(settings, Metrics(), any_collection=True)
    name = check_collection(collection or settings.knowledge.collection)
    try:
        assert eventing.handlers.reindexer is not None
        record = await eventing.handlers.reindexer.run(paths, name, trigger="cli")
    finally:
        await eventing.aclose()
    return record.model_dump(mode="json")


@click.command()
@click.option("-n", "count", default=20, show_default=True, help="How many runs.")
@click.option("--json", "as_json", is_flag=True)
@mapped_errors
def runs(count: int, as_json: bool) -> None:
    """The latest reindex runs: documents, chunks, duration, errors, canary recall."""
    settings = load_settings()
    with _redis_settings(settings) as ready:
        found = asyncio.run(_runs(ready, count))
    if as_json:
        click.echo(json.dumps(found))
        return
    if not found:
        click.echo("no reindex runs recorded")
    for record in found:
        click.echo(_run_line(record))


async def _runs(settings: Settings, count: int) -> list[dict[str, Any]]:
    from smartops.eventing.runs import RunLog
    from smartops.eventing.wiring import connect

    redis = connect(settings)
    try:
        log = RunLog(redis, settings.eventing.runs_stream, settings.eventing.runs_maxlen)
        return await log.recent(count)
    finally:
        await redis.aclose()


def _run_line(r: dict[str, Any]) -> str:
    recall = r.get("recall")
    return (
        f"{str(r.get('started_at', ''))[:19]}  {r['run_id']}  {r.get('status', '?'):10s} "
        f"{r.get('collection', '')}  trigger {r.get('trigger', '')}  "
        f"docs {r.get('documents', '-')}  chunks {r.get('chunks', '-')} "
        f"(+{r.get('new', 0)} ~{r.get('updated', 0)} -{r.get('deleted', 0)})  "
        f"{r.get('duration_s', '-')} s  errors {len(r.get('errors', []))}  "
        f"recall {recall if recall is not None else '-'}"
    )


@click.command("events")
@click.option(
    "-n",
    "--alerts",
    "count",
    default=50,
    show_default=True,
    help="Measured alerts (one webhook each).",
)
@click.option("--warmup", default=3, show_default=True)
@click.option(
    "--runbooks",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="A folder of runbooks to load into the docs cache first.",
)
@click.option("--json", "as_json", is_flag=True)
@mapped_errors
def bench_events(count: int, warmup: int, runbooks: str | None, as_json: bool) -> None:
    """Webhook arriving -> the chat answering about that alert (embedded stack)."""
    import tempfile

    from smartops.bench import events as bench

    configure_logging("WARNING")
    # A private Redis and data folder: the bench's alerts never reach real ones.
    with tempfile.TemporaryDirectory(prefix="smartops-bench-") as tmp:
        settings = load_settings(data_dir=Path(tmp), redis_url="")
        with _redis_settings(settings) as ready:
            figures = asyncio.run(bench.run(ready, count, warmup, runbooks))
    if as_json:
        click.echo(json.dumps(figures))
        return
    click.echo(
        f"alerts: {figures['alerts']}  runbooks: {figures['runbooks'] or '-'}  "
        f"alert documents with their runbook: {figures['with_runbook']}"
    )
    for key, label in (
        ("webhook_ms", "webhook handled  "),
        ("chat_ms", "chat answer      "),
        ("end_to_end_ms", "webhook -> answer"),
    ):
        f = figures[key]
        click.echo(
            f"{label}  p50 {f['p50']:8.1f} ms   p95 {f['p95']:8.1f} ms   p99 {f['p99']:8.1f} ms"
        )
