"""The answer evaluation's scoring, and the project's answer set itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from smartops.answers.evaluate import (
    AnswerQuestion,
    body_of,
    by_split,
    cites,
    facts_found,
    load_questions,
    percentiles,
    score,
)
from smartops.errors import InvalidRequest
from tests.answers.conftest import DATA

ANSWERS = DATA / "answers.jsonl"


def test_the_answer_set_is_large_bilingual_and_split() -> None:
    questions = load_questions(ANSWERS)
    assert len({q.id for q in questions}) == len(questions)
    answerable = [q for q in questions if not q.abstain]
    russian = [q for q in questions if re.search("[\u0400-\u04ff]", q.question)]
    heldout = [q for q in questions if q.split == "heldout"]
    assert len(answerable) >= 80 and len(russian) >= 15
    assert len([q for q in questions if q.abstain]) >= 10
    assert 0.18 <= len(heldout) / len(questions) <= 0.22
    assert {q.split for q in questions} == {"dev", "heldout"}
    assert all(q.all_of for q in answerable) and all(not q.all_of for q in questions if q.abstain)


def test_key_facts_are_case_insensitive_alternatives_outside_the_sources_list() -> None:
    answer = "It fires after 15 Minutes at severity WARNING.\n\n**Sources**\n1. `crashloop.md`"
    groups = [["15m", "15 minutes"], ["warning"], ["crashloop"]]
    assert facts_found(answer, groups) == 2
    assert body_of(answer).endswith("WARNING.\n")
    assert cites(["runbooks/KubePodCrashLooping.md"], ["kubepodcrashlooping.md"]) is True
    assert cites(["x.md"], ["y.md"]) is False and cites(["x.md"], []) is None


def test_figures_per_split() -> None:
    a = AnswerQuestion("a", "q", (("yes",),), ("a.md",), "dev")
    b = AnswerQuestion("b", "q", (("yes",),), ("b.md",), "heldout")
    c = AnswerQuestion("c", "q", (), (), "heldout", abstain=True)
    outcomes = [
        score(a, "yes", ["docs/a.md"], 10, 100),
        score(b, "no", ["docs/a.md"], 20, 200),
        score(c, "I could not find this in the indexed documentation, so I won't guess.", [], 5, 5),
    ]
    figures = by_split(outcomes)
    assert figures["dev"].key_fact_accuracy == 1.0 and figures["dev"].citation_accuracy == 1.0
    assert figures["heldout"].key_fact_accuracy == 0.0
    assert figures["heldout"].citation_accuracy == 0.0
    assert figures["heldout"].abstention_rate == 1.0
    assert figures["all"].questions == 3 and figures["all"].wrong == ["b"]


def test_percentiles_nearest_rank() -> None:
    assert percentiles([float(n) for n in range(1, 101)]) == {"p50": 50.0, "p95": 95.0}
    assert percentiles([]) == {}


def test_a_bad_line_names_file_and_line(tmp_path: Path) -> None:
    file = tmp_path / "q.jsonl"
    file.write_text(json.dumps({"id": "x", "question": "q", "all_of": [[]]}) + "\n")
    with pytest.raises(InvalidRequest, match=r"q\.jsonl:1"):
        load_questions(file)
