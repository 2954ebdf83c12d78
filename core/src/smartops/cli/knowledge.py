"""``smartops ingest``, ``smartops search`` and ``smartops eval retrieval``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from smartops.cli.common import load_settings, mapped_errors
from smartops.errors import InvalidRequest
from smartops.knowledge.documents import MODES, Mode


class _Bar:
    """A tqdm progress bar on stderr for the ingestion's embedding pass."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, total: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(
            total=total,
            unit="chunk",
            desc="embedding",
            file=sys.stderr,
            disable=None if total else True,
        )

    def advance(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _services(collection: str | None) -> tuple[Any, Any, Any]:
    from smartops.knowledge.embedder import Embedder
    from smartops.knowledge.index import check_collection, open_index

    settings = load_settings()
    name = check_collection(collection or settings.knowledge.collection)
    return settings, open_index(settings, name), Embedder(settings.embed)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--collection", default=None, help="Collection name (default: settings).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@mapped_errors
def ingest(paths: tuple[str, ...], collection: str | None, as_json: bool) -> None:
    """Index markdown docs and Prometheus alert rules (incremental)."""
    from smartops.knowledge.ingest import ingest as run_ingest

    settings, index, embedder = _services(collection)
    bar = _Bar()
    try:
        report = run_ingest(list(paths), settings, index, embedder, bar)
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.to_dict()))
        return
    click.echo(
        f"files {report.files}  chunks {report.chunks}  new {report.new}  "
        f"updated {report.updated}  unchanged {report.unchanged}  deleted {report.deleted}  "
        f"{report.chunks_per_s:.1f} chunks/s  {report.seconds:.2f} s"
    )


@click.command()
@click.argument("query")
@click.option("-k", "k", default=5, show_default=True, type=int)
@click.option("--collection", default=None)
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@mapped_errors
def search(query: str, k: int, collection: str | None, mode: Mode, as_json: bool) -> None:
    """Hybrid search over the index."""
    from smartops.knowledge.retrieval import search as run_search

    _, index, embedder = _services(collection)
    hits = run_search(index, embedder, query, k, mode)
    if as_json:
        keys = ("source", "title", "heading", "score", "text")
        click.echo(json.dumps([{key: h.to_json()[key] for key in keys} for h in hits]))
        return
    for rank, hit in enumerate(hits, start=1):
        c = hit.chunk
        click.echo(f"{rank}. [{hit.score:.4f}] {c.source} — {c.heading}")


@click.group("eval")
def eval_group() -> None:
    """Quality evaluations that print figures."""


@eval_group.command("retrieval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-k", "k", default=10, show_default=True, type=int, help="Hits per question.")
@click.option("--collection", default=None)
@click.option(
    "--mode",
    "modes",
    multiple=True,
    type=click.Choice(MODES),
    help="Modes to evaluate (default: all three).",
)
@click.option("--json", "as_json", is_flag=True, help="Figures and each question's rank.")
@mapped_errors
def eval_retrieval(
    file: Path, k: int, collection: str | None, modes: tuple[Mode, ...], as_json: bool
) -> None:
    """Recall@1, recall@5 and MRR@10 of a dev set (JSONL: id, question, paths)."""
    from smartops.knowledge.eval import evaluate, load_devset

    if k < 1:
        raise InvalidRequest("k must be at least 1.", param="k")
    _, index, embedder = _services(collection)
    questions = load_devset(file)
    results = {m: evaluate(questions, index, embedder, m, k) for m in (modes or MODES)}
    if as_json:
        click.echo(json.dumps(results))
        return
    click.echo(f"{len(questions)} questions, k={k}")
    for mode, result in results.items():
        f = result["figures"]
        click.echo(
            f"{mode:7s} recall@1 {f['recall@1']:.3f}  recall@5 {f['recall@5']:.3f}  "
            f"MRR@10 {f['mrr@10']:.3f}"
        )


@click.command("embedder")
@mapped_errors
def embedder_command() -> None:
    """Prepare the embedding model (ONNX export on first use) and print what runs."""
    from smartops.knowledge.prepare import prepare

    click.echo(json.dumps(prepare(load_settings())))
