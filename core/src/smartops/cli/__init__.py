"""The ``smartops`` command line. Each feature adds its commands in a module here."""

from __future__ import annotations

import click

from smartops.cli import actions as actions_cli
from smartops.cli import answers as answers_cli
from smartops.cli import bench, stack
from smartops.cli import events as events_cli
from smartops.cli import investigate as investigate_cli
from smartops.cli import knowledge as knowledge_cli
from smartops.cli import manifests as manifests_cli
from smartops.cli import models as models_cli
from smartops.cli import webui as webui_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """smartops: the DevSecOps/MLOps assistant for Kubernetes platform teams."""


main.add_command(stack.up)
main.add_command(stack.ask)
main.add_command(bench.bench)
main.add_command(knowledge_cli.ingest)
main.add_command(knowledge_cli.search)
main.add_command(knowledge_cli.eval_group)
main.add_command(knowledge_cli.embedder_command)
main.add_command(webui_cli.webui_command)
main.add_command(models_cli.model)
main.add_command(manifests_cli.manifests)
main.add_command(actions_cli.audit)
knowledge_cli.eval_group.add_command(actions_cli.eval_intents)
knowledge_cli.eval_group.add_command(answers_cli.answers)
knowledge_cli.eval_group.add_command(investigate_cli.investigations)
main.add_command(events_cli.events)
main.add_command(events_cli.reindex)
main.add_command(events_cli.runs)
bench.bench.add_command(events_cli.bench_events)
