"""``smartops manifests check``: render and validate the Kubernetes manifests offline."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from smartops.cli.common import load_settings, mapped_errors
from smartops.deploy.check import check
from smartops.deploy.render import Renderer


@click.group()
def manifests() -> None:
    """The Kubernetes manifests (infra/, eventing/, inferencegraph/, func.yaml files)."""


@manifests.command("check")
@click.option(
    "--overlay",
    "names",
    multiple=True,
    help="An overlay of infra/overlays (repeatable; default: every overlay).",
)
@click.option(
    "--renderer",
    type=click.Choice(["auto", "kubectl", "python"]),
    default=None,
    help="How to build overlays (default: SMARTOPS_MANIFESTS_RENDERER, auto).",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The repository root.",
)
@mapped_errors
def check_command(names: tuple[str, ...], renderer: str | None, root: Path) -> None:
    """Render each overlay, validate every object and func.yaml, run the cross-checks.

    Exits 1 and names each object and field at fault when anything is wrong.
    """
    settings = load_settings()
    reports = check(root, settings, list(names), cast(Renderer | None, renderer))
    failed = 0
    for report in reports:
        how = f" ({report.renderer})" if report.renderer else ""
        status = "ok" if not report.problems else f"{len(report.problems)} problem(s)"
        click.echo(f"{report.subject}: {report.objects} objects{how}: {status}")
        for problem in report.problems:
            click.echo(f"  {problem}")
        failed += len(report.problems)
    if failed:
        raise SystemExit(1)
