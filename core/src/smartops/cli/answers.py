"""``smartops eval answers``: key facts, citations, abstentions and latency of answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from smartops.cli.common import load_settings, mapped_errors

if TYPE_CHECKING:
    from smartops.answers.evaluate import AnswerQuestion, Outcome

MODES = ("extract", "synthesize", "auto")


def _print(label: str, figures: dict[str, object]) -> None:
    def pct(value: object) -> str:
        return "  -  " if value is None else f"{float(str(value)) * 100:5.1f}%"

    first = figures["first_token_ms"] or {}
    whole = figures["answer_ms"] or {}
    assert isinstance(first, dict) and isinstance(whole, dict)
    click.echo(
        f"{label:22s} n={figures['questions']:<3} key facts {pct(figures['key_fact_accuracy'])}"
        f"  citations {pct(figures['citation_accuracy'])}"
        f"  abstained {pct(figures['abstention_rate'])}"
        f"  false abstentions {pct(figures['false_abstention_rate'])}"
        f"  first token p50/p95 {first.get('p50', 0):.0f}/{first.get('p95', 0):.0f} ms"
        f"  answer p50/p95 {whole.get('p50', 0):.0f}/{whole.get('p95', 0):.0f} ms"
    )


@click.command("answers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default="http://127.0.0.1:8000/v1", show_default=True)
@click.option(
    "--mode",
    "modes",
    multiple=True,
    type=click.Choice(MODES),
    help="Answer modes to ask for (X-Smartops-Answer-Mode; default: the gateway's).",
)
@click.option("--local", is_flag=True, help="In process: search the index, extract (no gateway).")
@click.option("--collection", default=None, help="With --local: the collection to search.")
@click.option("-k", "k", default=8, show_default=True, help="With --local: hits per question.")
@click.option("--split", type=click.Choice(("all", "dev", "heldout")), default="all")
@click.option("--model", default="smartops", show_default=True)
@click.option("--api-key", envvar="SMARTOPS_EVAL_API_KEY", default="unused")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds per answer.")
@click.option("--json", "as_json", is_flag=True, help="Figures and each answer as JSON.")
@mapped_errors
def answers(
    file: Path,
    url: str,
    modes: tuple[str, ...],
    local: bool,
    collection: str | None,
    k: int,
    split: str,
    model: str,
    api_key: str,
    timeout: float,
    as_json: bool,
) -> None:
    """Answer quality over a question file (JSONL: id, question, all_of, sources, split,
    abstain), per split: key-fact accuracy, citation accuracy, abstention rate and
    first-token / whole-answer latency p50/p95."""
    from smartops.answers.evaluate import by_split, load_questions

    questions = [q for q in load_questions(file) if split in ("all", q.split)]
    results: dict[str, dict[str, dict[str, object]]] = {}
    answers_out: dict[str, list[dict[str, object]]] = {}
    for label in ["local"] if local else list(modes) or ["gateway"]:
        if local:
            outcomes = _local(questions, collection, k)
        else:
            from smartops.answers.remote import evaluate_remote

            mode = None if label == "gateway" else label
            outcomes = evaluate_remote(
                questions, url, mode=mode, model=model, api_key=api_key, timeout=timeout
            )
        results[label] = {s: f.to_dict() for s, f in by_split(outcomes).items()}
        answers_out[label] = [
            {"id": o.id, "correct": o.correct, "abstained": o.abstained, "answer": o.answer}
            for o in outcomes
        ]
    if as_json:
        click.echo(json.dumps({"figures": results, "answers": answers_out}, ensure_ascii=False))
        return
    for label, per_split in results.items():
        for name, figures in per_split.items():
            _print(f"{label} {name}", figures)


def _local(questions: list[AnswerQuestion], collection: str | None, k: int) -> list[Outcome]:
    from smartops.answers.offline import evaluate_locally
    from smartops.answers.vectors import SentenceVectors
    from smartops.knowledge.embedder import Embedder
    from smartops.knowledge.index import check_collection, open_index

    settings = load_settings()
    name = check_collection(collection or settings.knowledge.collection)
    index, embedder = open_index(settings, name), Embedder(settings.embed)
    return evaluate_locally(
        questions, index, embedder, k=k, collection=name, vectors=SentenceVectors()
    )
