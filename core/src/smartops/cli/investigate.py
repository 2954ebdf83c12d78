"""``smartops eval investigations DIR...``: the scenario suite, each scenario against its
own Kubernetes API simulator; pass rate per split, hits per analyzer, latency."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

import click

from smartops.cli.common import load_settings, mapped_errors


@click.command("investigations")
@click.argument("dirs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--repeat", default=3, show_default=True, help="Answers per scenario (latency).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@mapped_errors
def investigations(dirs: tuple[Path, ...], repeat: int, as_json: bool) -> None:
    """Run the investigation scenarios in DIRS (scenario folders or folders of them)."""
    from smartops.investigate.suite import run_suite, scenario_dirs, summary

    folders = scenario_dirs(dirs)
    if not folders:
        raise click.UsageError("no scenario folders (with an expected.yaml) in the paths given")
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="smartops-sim-") as work:
        results = asyncio.run(run_suite(folders, Path(work), settings, repeat=repeat))
    report = summary(results)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    _print(report)


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
