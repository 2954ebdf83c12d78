"""``smartops bench ...``: benchmarks that print figures."""

from __future__ import annotations

import json

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
@click.option("--json", "as_json", is_flag=True)
@mapped_errors
def bench_gateway(requests: int, warmup: int, upstream: str | None, as_json: bool) -> None:
    """Gateway overhead: TTFB through the gateway minus the upstream's own TTFB."""
    settings = load_settings()
    figures = gateway.run(requests, warmup, upstream, settings.data_dir)
    if as_json:
        click.echo(json.dumps(figures))
        return
    up, gw, over = figures["upstream_ttfb_ms"], figures["gateway_ttfb_ms"], figures["overhead_ms"]
    click.echo(f"upstream: {figures['upstream']}  requests: {figures['requests']}")
    click.echo(f"upstream TTFB   p50 {up['p50']:7.3f} ms   p95 {up['p95']:7.3f} ms")
    click.echo(f"gateway  TTFB   p50 {gw['p50']:7.3f} ms   p95 {gw['p95']:7.3f} ms")
    click.echo(f"overhead        p50 {over['p50']:7.3f} ms   p95 {over['p95']:7.3f} ms")
