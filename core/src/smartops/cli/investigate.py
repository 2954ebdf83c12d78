"""``smartops eval investigations DIR...``: the scenario suite, each scenario against its
own Kubernetes API simulator; pass rate per split, hits per analyzer, latency.

By default the library answers in process; ``--gateway`` asks, per scenario, a gateway
started in this process (router and all, with an LLM stand-in that only echoes) through
the official ``openai`` client; ``--url`` asks a running gateway, whose cluster must then
be the scenario's (``smartops up --sandbox DIR``)."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from smartops.cli.common import load_settings, mapped_errors

if TYPE_CHECKING:
    from smartops.investigate.suite import CaseResult


@click.command("investigations")
@click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--repeat", default=3, show_default=True, help="Answers per scenario (latency).")
@click.option("--url", default=None, help="Ask this running gateway (/v1) instead.")
@click.option("--gateway", is_flag=True, help="Ask a gateway started per scenario.")
@click.option(
    "--cold", is_flag=True, help="With --gateway: time each fresh gateway's first answer too."
)
@click.option("--split", type=click.Choice(("all", "dev", "heldout")), default="all")
@click.option("--api-key", envvar="SMARTOPS_EVAL_API_KEY", default="unused")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@mapped_errors
def investigations(
    dirs: tuple[Path, ...],
    repeat: int,
    url: str | None,
    gateway: bool,
    cold: bool,
    split: str,
    api_key: str,
    as_json: bool,
) -> None:
    """Run the investigation scenarios in DIRS (scenario folders or folders of them)."""
    from smartops.investigate.suite import load_expected, scenario_dirs, summary

    folders = [f for f in scenario_dirs(dirs) if split in ("all", load_expected(f).split)]
    if not folders:
        raise click.UsageError("no scenario folders (with an expected.yaml) in the paths given")
    if url and gateway:
        raise click.UsageError("--url and --gateway exclude each other")
    with tempfile.TemporaryDirectory(prefix="smartops-sim-") as work:
        results = asyncio.run(_run(folders, Path(work), url, gateway, cold, api_key, repeat))
    report = summary(results)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    _print(report)


async def _run(
    folders: list[Path],
    work: Path,
    url: str | None,
    gateway: bool,
    cold: bool,
    api_key: str,
    repeat: int,
) -> list[CaseResult]:
    from smartops.investigate.suite import run_case, run_suite

    if url:
        from smartops.investigate.remote import AskGateway

        ask = AskGateway(url, api_key=api_key)
        try:
            return [await run_case(f, load_settings(), ask, repeat) for f in folders]
        finally:
            await ask.aclose()
    if not gateway:
        return await run_suite(folders, work, load_settings(), repeat=repeat)
    from smartops.investigate.remote import GatewayPerScenario, echo_llm, gateway_settings

    with echo_llm() as llm:
        per_scenario = GatewayPerScenario(gateway_settings(work / "gateway"), llm, warm_up=not cold)
        try:
            return await run_suite(folders, work, load_settings(), per_scenario, repeat=repeat)
        finally:
            await per_scenario.close()


def _print(report: dict[str, object]) -> None:
    splits = report["splits"]
    assert isinstance(splits, dict)
    for split, s in splits.items():
        lat = s["latency_ms"]
        click.echo(
            f"{split:8} {s['passed']}/{s['cases']} passed ({s['pass_rate']:.1%})  latency ms "
            f"p50 {lat['p50']:.1f}  p95 {lat['p95']:.1f}  p99 {lat['p99']:.1f}  (n={lat['n']})"
        )
    click.echo("analyzer            passed/cases")
    analyzers = report["analyzers"]
    assert isinstance(analyzers, dict)
    for name, hit in analyzers.items():
        click.echo(f"  {name:18} {hit['passed']}/{hit['cases']}")
    failures = report["failures"]
    assert isinstance(failures, list)
    for f in failures:
        click.echo(
            f"FAIL {f['case']} ({f['split']}): expected {f['expected']}, top {f['top']}; "
            f"missing {f['missing']}{'; a forbidden value appeared' if f['leaked'] else ''}"
        )
