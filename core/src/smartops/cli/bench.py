"""``smartops bench ...``: benchmarks that print figures."""

from __future__ import annotations

import json
from pathlib import Path

import click

from smartops.bench import gateway
from smartops.cli.common import load_settings, mapped_errors


@click.group()
def bench() -> None:
    """Benchmarks that print figures."""


@bench.command("gateway")
@click.option("-n", "--requests", default=300, show_default=True, help="Measured requests.")
@click.option("--warmup", default=30, show_default=True)
@click.option("--upstream", default=None, help="An OpenAI-compatible /v1 URL (default: echo).")
@click.option("--all-stages", is_flag=True, help="Every stage on (routing, caches, retrieval).")
@click.option("--json", "as_json", is_flag=True)
@mapped_errors
def bench_gateway(
    requests: int, warmup: int, upstream: str | None, all_stages: bool, as_json: bool
) -> None:
    """Gateway overhead: TTFB through the gateway minus the upstream's own TTFB."""
    settings = load_settings()
    figures = gateway.run(requests, warmup, upstream, settings.data_dir, all_stages)
    if as_json:
        click.echo(json.dumps(figures))
        return
    up, gw, over = figures["upstream_ttfb_ms"], figures["gateway_ttfb_ms"], figures["overhead_ms"]
    click.echo(
        f"upstream: {figures['upstream']}  requests: {figures['requests']}  "
        f"stages: {figures['stages']}  load (1 min): {figures['load']:.2f}"
    )
    click.echo(f"upstream TTFB   p50 {up['p50']:7.3f} ms   p95 {up['p95']:7.3f} ms")
    click.echo(f"gateway  TTFB   p50 {gw['p50']:7.3f} ms   p95 {gw['p95']:7.3f} ms")
    click.echo(f"overhead        p50 {over['p50']:7.3f} ms   p95 {over['p95']:7.3f} ms")


@bench.command("cache")
@click.option("-n", "--requests", default=200, show_default=True, help="Measured lookups.")
@click.option("--docs", "docs", multiple=True, help="A docs folder for the CAG cache.")
@click.option("--json", "as_json", is_flag=True)
@mapped_errors
def bench_cache(requests: int, docs: tuple[str, ...], as_json: bool) -> None:
    """Cache lookups: in process (Redis, exact, semantic, miss) and end to end over HTTP."""
    from smartops.bench import cache

    settings = load_settings(cag_paths=list(docs) or None)
    figures = cache.run(settings, requests)
    if as_json:
        click.echo(json.dumps(figures))
        return
    for part, rows in figures.items():
        click.echo(part.replace("_", " "))
        for name, row in rows.items():
            click.echo(
                f"  {name:24} p50 {row['p50']:8.3f} ms   p95 {row['p95']:8.3f} ms   (n={row['n']})"
            )


@bench.command("retrieval")
@click.option("--corpus", default="../shared/corpus", show_default=True, help="Folder to ingest.")
@click.option("--size", default=100_000, show_default=True, help="Index size after padding.")
@click.option("-n", "--runs", default=200, show_default=True, help="Measured queries per figure.")
@click.option(
    "--questions",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("tests/knowledge/data/retrieval_questions.jsonl"),
    show_default=True,
    help="Dev set for the side-by-side with LlamaIndex's fusion retriever.",
)
@click.option(
    "--llamaindex-venv",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Throwaway environment for LlamaIndex (default ~/.cache/smartops/bench-llamaindex).",
)
@click.option("--no-llamaindex", is_flag=True, help="Skip the side-by-side.")
@click.option("--json", "as_json", is_flag=True)
@mapped_errors
def bench_retrieval(
    corpus: str,
    size: int,
    runs: int,
    questions: Path,
    llamaindex_venv: Path | None,
    no_llamaindex: bool,
    as_json: bool,
) -> None:
    """Ingestion time, BM25/kNN/hybrid latency at --size chunks, and LlamaIndex side by side."""
    from smartops.bench import retrieval, retrieval_compare
    from smartops.bench.retrieval_report import report_lines

    venv = None if no_llamaindex else llamaindex_venv or retrieval_compare.default_venv()
    asked = questions if questions.exists() else None
    figures = retrieval.run(load_settings(), corpus, size, runs, asked, venv)
    if as_json:
        click.echo(json.dumps(figures))
        return
    for line in report_lines(figures):
        click.echo(line)


@bench.command("concurrency")
@click.option("--url", required=True, help="The running gateway's /v1 URL (READY prints it).")
@click.option("-n", "--requests", default=100, show_default=True, help="Concurrent chats.")
@click.option("--max-tokens", default=16, show_default=True)
@click.option("--data-dir", type=click.Path(path_type=Path), default=None, help="The stack's.")
@click.option("--gateway-pid", type=int, default=None, help="Instead of stack.json's.")
@click.option("--llm-pid", type=int, default=None, help="Instead of stack.json's.")
@click.option(
    "--questions",
    "questions_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Questions, one a line (default: built-in ones).",
)
@click.option("--json", "as_json", is_flag=True)
@mapped_errors
def bench_concurrency(
    url: str,
    requests: int,
    max_tokens: int,
    data_dir: Path | None,
    gateway_pid: int | None,
    llm_pid: int | None,
    questions_file: Path | None,
    as_json: bool,
) -> None:
    """N concurrent streaming chats; empty answers, errors, /readyz every second, RSS."""
    from smartops.bench import concurrency

    settings = load_settings()
    key = settings.api_key.get_secret_value() if settings.api_key else None
    figures = concurrency.run(
        url,
        requests,
        max_tokens,
        data_dir or settings.data_dir,
        {"gateway": gateway_pid, "llm": llm_pid},
        key,
        [q for q in questions_file.read_text().splitlines() if q.strip()] if questions_file else [],
    )
    if as_json:
        click.echo(json.dumps(figures))
        return
    lat, ready = figures["latency_ms"], figures["readyz"]
    click.echo(
        f"{figures['requests']} streaming chats (max_tokens {max_tokens}) "
        f"in {figures['wall_s']} s: "
        f"{figures['answered']} answered, {figures['empty']} empty, {figures['errors']} errors "
        f"{figures['error_kinds'] or ''}"
    )
    click.echo(
        f"finish reasons {figures['finish_reasons']}   generated by the LLM "
        f"{figures['llm_answers']}   cache hits {figures['cache_hits']}"
    )
    click.echo(f"latency  p50 {lat['p50']:9.1f} ms   p95 {lat['p95']:9.1f} ms")
    click.echo(
        f"/readyz  {ready['probes']} probes, {ready['not_200']} not 200 {ready['statuses']}, "
        f"p95 {ready['latency_ms'].get('p95', 0):.1f} ms"
    )
    for name, rss in figures["rss_mb"].items():
        click.echo(
            f"rss {name:8} pid {rss['pid']:7}  before {rss['before']} MB  after {rss['after']} MB"
        )


@bench.command("routing")
@click.argument(
    "files",
    nargs=-1,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--rounds", default=5, show_default=True, help="Decisions per question.")
@click.option("--json", "as_json", is_flag=True)
@mapped_errors
def bench_routing(files: tuple[Path, ...], rounds: int, as_json: bool) -> None:
    """Routing cost per message on top of the query embedding (p50/p95), with the load.

    FILES: labelled sets (JSON lines with a ``text`` field), e.g.
    tests/routing/data/routes.jsonl; default: the router's own exemplars.
    """
    from smartops.knowledge.embedder import Embedder, model_cache_dir
    from smartops.routing import bench as routing_bench
    from smartops.routing import exemplars

    settings = load_settings()
    embedder = Embedder(settings.embed)
    questions = routing_bench.questions_from(files) if files else [e.text for e in exemplars.load()]
    figures = routing_bench.run(
        embedder, questions, rounds, model_cache_dir(settings.embed), embedder.signature
    )
    click.echo(json.dumps(figures) if as_json else routing_bench.render(figures))
