"""Answer-quality evaluation: key facts, citations, abstentions and latency, per split.

A question file is JSONL, one question a line::

    {"id": "...", "question": "...", "all_of": [["15m", "15 minutes"], ["warning"]],
     "sources": ["KubePodCrashLooping.md"], "split": "dev", "abstain": false}

An answer carries its key facts when every ``all_of`` group has one alternative in the
answer's text (case-insensitive; the Sources list at the end does not count). It cites
correctly when one of its sources contains one of ``sources``. A question with
``"abstain": true`` is one the documents cannot answer: the right answer abstains.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from smartops.answers.abstain import is_abstention
from smartops.errors import InvalidRequest

SPLITS = ("dev", "heldout")
_SOURCES = re.compile(r"\n\*\*(?:Sources|Источники)\*\*", re.I)


@dataclass(frozen=True)
class AnswerQuestion:
    id: str
    question: str
    all_of: tuple[tuple[str, ...], ...]
    sources: tuple[str, ...] = ()
    split: str = "dev"
    abstain: bool = False


@dataclass(frozen=True)
class Outcome:
    """One answered question, scored."""

    id: str
    split: str
    expected_abstain: bool
    abstained: bool
    facts_found: int
    facts_total: int
    cited: bool | None
    first_ms: float
    total_ms: float
    answer: str = ""
    sources: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        if self.expected_abstain:
            return self.abstained
        return not self.abstained and self.facts_found == self.facts_total


@dataclass
class Figures:
    questions: int = 0
    answerable: int = 0
    key_fact_accuracy: float = 0.0
    fact_recall: float = 0.0
    citation_accuracy: float | None = None
    abstention_rate: float | None = None
    false_abstention_rate: float = 0.0
    first_token_ms: dict[str, float] = field(default_factory=dict)
    answer_ms: dict[str, float] = field(default_factory=dict)
    wrong: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _row(row: dict[str, Any]) -> AnswerQuestion:
    groups = tuple(tuple(str(a) for a in group) for group in row.get("all_of", []))
    if any(not group for group in groups):
        raise ValueError("an empty all_of group")
    question = AnswerQuestion(
        id=str(row["id"]),
        question=str(row["question"]),
        all_of=groups,
        sources=tuple(str(s) for s in row.get("sources", [])),
        split=str(row.get("split", "dev")),
        abstain=bool(row.get("abstain", False)),
    )
    if not question.question.strip() or (not groups and not question.abstain):
        raise ValueError("an empty question, or no all_of for a question that has an answer")
    return question


def load_questions(file: Path) -> list[AnswerQuestion]:
    questions: list[AnswerQuestion] = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            questions.append(_row(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidRequest(f"{file}:{number}: not an answer question ({exc}).") from None
    if not questions:
        raise InvalidRequest(f"{file}: no questions.")
    return questions


def body_of(answer: str) -> str:
    """The answer without its trailing Sources list."""
    starts = [m.start() for m in _SOURCES.finditer(answer)]
    return answer[: starts[-1]] if starts else answer


def facts_found(answer: str, all_of: Sequence[Sequence[str]]) -> int:
    """How many ``all_of`` groups have an alternative in the answer (case-insensitive)."""
    text = body_of(answer).lower()
    return sum(1 for group in all_of if any(alt.lower() in text for alt in group))


def cites(sources: Sequence[str], expected: Sequence[str]) -> bool | None:
    """Whether a source contains an expected substring; None when nothing is expected."""
    if not expected:
        return None
    return any(e.lower() in s.lower() for s in sources for e in expected)


def score(
    question: AnswerQuestion,
    answer: str,
    sources: Sequence[str],
    first_ms: float,
    total_ms: float,
    abstained: bool | None = None,
) -> Outcome:
    gave_up = is_abstention(answer) if abstained is None else abstained
    return Outcome(
        id=question.id,
        split=question.split,
        expected_abstain=question.abstain,
        abstained=gave_up,
        facts_found=facts_found(answer, question.all_of),
        facts_total=len(question.all_of),
        cited=None if question.abstain or gave_up else cites(sources, question.sources),
        first_ms=first_ms,
        total_ms=total_ms,
        answer=answer,
        sources=tuple(sources),
    )


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """p50 and p95 (nearest rank) of the values, in ms, rounded."""
    if not values:
        return {}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p * len(ordered)) - 1)]

    return {"p50": round(rank(0.5), 1), "p95": round(rank(0.95), 1)}


def figures(outcomes: Sequence[Outcome]) -> Figures:
    answerable = [o for o in outcomes if not o.expected_abstain]
    unanswerable = [o for o in outcomes if o.expected_abstain]
    cited = [o.cited for o in answerable if o.cited is not None]
    facts = sum(o.facts_total for o in answerable) or 1
    return Figures(
        questions=len(outcomes),
        answerable=len(answerable),
        key_fact_accuracy=_share(sum(o.correct for o in answerable), len(answerable)),
        fact_recall=_share(sum(o.facts_found for o in answerable if not o.abstained), facts),
        citation_accuracy=_share(sum(cited), len(cited)) if cited else None,
        abstention_rate=_share(sum(o.abstained for o in unanswerable), len(unanswerable))
        if unanswerable
        else None,
        false_abstention_rate=_share(sum(o.abstained for o in answerable), len(answerable)),
        first_token_ms=percentiles([o.first_ms for o in outcomes]),
        answer_ms=percentiles([o.total_ms for o in outcomes]),
        wrong=[o.id for o in outcomes if not o.correct],
    )


def by_split(outcomes: Sequence[Outcome]) -> dict[str, Figures]:
    """Figures for each split present, and for all questions together (``all``)."""
    out = {s: figures([o for o in outcomes if o.split == s]) for s in SPLITS}
    out = {s: f for s, f in out.items() if f.questions}
    out["all"] = figures(outcomes)
    return out


def _share(part: float, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
