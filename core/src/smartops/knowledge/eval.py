"""Retrieval evaluation: recall@1, recall@5 and MRR@10 over a JSONL dev set.

Each line is ``{"id", "question", "paths": [...]}``; a hit counts when its source is one
of the expected paths (paths as given to ingest; a hit whose source ends with
``/<expected path>`` also counts, so a dev set works wherever the corpus lives).

Optional fields describe a question for per-slice figures: ``split`` ("dev" or
"heldout", the part never tuned on), ``type`` (alert, runbook, howto, concept, both),
``lang`` ("en", "ru") and ``paraphrased`` (true when it avoids the document's own
words). ``evaluate`` then also reports ``slices``: figures per split and, within each
split, per type, language and paraphrase.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smartops.errors import InvalidRequest
from smartops.knowledge.documents import Hit, Mode
from smartops.knowledge.embedder import Embedder
from smartops.knowledge.index.base import Index
from smartops.knowledge.retrieval import search


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    paths: tuple[str, ...]
    split: str = ""
    tags: tuple[str, ...] = ()  # "type=alert", "lang=ru", "paraphrased"


def _tags(row: dict[str, Any]) -> tuple[str, ...]:
    tags = [f"{key}={row[key]}" for key in ("type", "lang") if row.get(key)]
    return (*tags, "paraphrased") if row.get("paraphrased") else tuple(tags)


def load_devset(file: Path, split: str | None = None) -> list[Question]:
    """The questions of a dev set file; ``split``: only that split's."""
    questions: list[Question] = []
    for number, line in enumerate(file.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question = Question(
                str(row["id"]),
                str(row["question"]),
                tuple(str(p) for p in row["paths"]),
                str(row.get("split") or ""),
                _tags(row),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidRequest(f"{file}:{number}: not a dev set line ({exc}).") from None
        if not question.question.strip() or not question.paths:
            raise InvalidRequest(f"{file}:{number}: empty question or paths.")
        if split is None or question.split == split:
            questions.append(question)
    if not questions:
        raise InvalidRequest(f"{file}: no questions.")
    return questions


def matches(source: str, expected: tuple[str, ...]) -> bool:
    norm = os.path.normpath(source)
    for path in expected:
        want = os.path.normpath(path)
        if norm == want or norm.endswith("/" + want.lstrip("./")):
            return True
    return False


def rank_of(hits: list[Hit], expected: tuple[str, ...]) -> int | None:
    """1-based rank of the first hit on an expected path, or None."""
    for rank, hit in enumerate(hits, start=1):
        if matches(hit.chunk.source, expected):
            return rank
    return None


def figures(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "recall@1": round(sum(1 for r in ranks if r is not None and r <= 1) / n, 4),
        "recall@5": round(sum(1 for r in ranks if r is not None and r <= 5) / n, 4),
        "mrr@10": round(sum(1 / r for r in ranks if r is not None and r <= 10) / n, 4),
    }


def evaluate(
    questions: list[Question], index: Index, embedder: Embedder | None, mode: Mode, k: int = 10
) -> dict[str, Any]:
    """Figures for one search mode, and each question's rank (None: not in the top k)."""
    depth = max(k, 10)
    ranks: list[int | None] = []
    for q in questions:
        rank = rank_of(search(index, embedder, q.question, depth, mode), q.paths)
        ranks.append(rank if rank is not None and rank <= k else None)
    result: dict[str, Any] = {
        "figures": figures(ranks),
        "questions": [{"id": q.id, "rank": r} for q, r in zip(questions, ranks, strict=True)],
    }
    if any(q.split or q.tags for q in questions):
        result["slices"] = slices(questions, ranks)
    return result


def slices(questions: list[Question], ranks: list[int | None]) -> dict[str, dict[str, float]]:
    """Figures per split ("heldout"), and per tag within each split ("heldout type=alert")."""
    groups: dict[str, list[int | None]] = {}
    for q, rank in zip(questions, ranks, strict=True):
        split = q.split or "all"
        for name in (split, *(f"{split} {tag}" for tag in q.tags)):
            groups.setdefault(name, []).append(rank)
    return {name: {**figures(found), "n": len(found)} for name, found in sorted(groups.items())}
