"""The ``smartops`` command line. Each feature adds its commands in a module here."""

from __future__ import annotations

import click
from smartops.cli import bench, stack


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """smartops: the DevSecOps/MLOps assistant for Kubernetes platform teams."""


main.add_command(stack.up)
main.add_command(stack.ask)
main.add_command(bench.bench)
