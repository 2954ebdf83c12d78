# ruff: noqa: RUF001  (the Russian abstention marker is Cyrillic on purpose)
"""Whether the evidence supports a question, and the abstention when it does not.

Three signals, all cheap, and one veto: the cosine of the best-matching sentence to the query
(``cosine``; None without a query vector), the share of the question's words (weighted
by how rare they are in the evidence) found in the evidence (``coverage``), and the
question's identifiers (alert names, flags, keys) found or missing. Retrieval scores
are not used: a hybrid score is a reciprocal rank, high for the best hit of any
question. The veto: a product or project name the question names (a capitalised word
that does not start a sentence: Terraform, Vault, DynamoDB) that no evidence mentions
means the question is about something not indexed. The thresholds were calibrated on the
dev split of
``tests/answers/data/answers.jsonl``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from smartops import prompts
from smartops.answers.language import language_of
from smartops.answers.models import Evidence, Grounding, Language
from smartops.answers.parse import ParsedEvidence, parse_evidence
from smartops.answers.score import Query, idf_table, query_of

# The first line of the abstention template in each language (``answer_abstain.j2``).
ABSTAIN_MARKERS = (
    "I could not find this in the indexed documentation",
    "В проиндексированной документации нет ответа",
)


def is_abstention(answer: str) -> bool:
    """Whether an answer is the abstention (the template's first line near its start)."""
    head = answer[:600]
    return any(marker in head for marker in ABSTAIN_MARKERS)


@dataclass(frozen=True)
class Thresholds:
    """``score >= minimum`` is grounded, where score = cosine weight x cosine + coverage
    weight x coverage + ``found_bonus`` (a named identifier is in the evidence) -
    ``missing_penalty`` (identifiers named, none found). Without a cosine the score is
    coverage plus the same bonus and penalty, against ``words_minimum``.

    Calibrated on the dev split (84 questions, 8 unanswerable; whole corpus indexed,
    top 8 hits): 5 of 8 unanswerable abstain, 1 of 76 answerable does (words only:
    3 of 8 and 1 of 76)."""

    minimum: float = 0.545
    cosine_weight: float = 0.4
    coverage_weight: float = 0.6
    found_bonus: float = 0.05
    missing_penalty: float = 0.35
    words_minimum: float = 0.47


def coverage(query: Query, parsed: Sequence[ParsedEvidence]) -> float:
    """The share of the question's terms found in the evidence, each weighted by its idf
    over the evidence's units: a term found nowhere weighs the most."""
    if not query.terms:
        return 0.0
    units = [u for p in parsed for u in p.units if u.piece.unit != "code"]
    idf = idf_table(units, query)
    found = {
        t
        for t in query.terms
        if any(t in u.terms for u in units) or any(t in p.heading_terms for p in parsed)
    }
    return sum(w for t, w in idf.items() if t in found) / (sum(idf.values()) or 1.0)


def _identifiers(query: Query, parsed: Sequence[ParsedEvidence]) -> tuple[int, int]:
    found = missing = 0
    for ident in query.idents:
        if any(ident in p.idents or ident in p.text_lower for p in parsed):
            found += 1
        else:
            missing += 1
    return found, missing


def _unknown_names(
    query: Query, evidence: Sequence[Evidence], parsed: Sequence[ParsedEvidence]
) -> tuple[str, ...]:
    """The names the question asks about that no evidence mentions: in its text and
    headings, its page title or its path (a page titled "Knative Serving")."""
    places = [p.text_lower for p in parsed] + [f"{e.title}\n{e.source}".lower() for e in evidence]
    return tuple(sorted(n for n in query.names if not any(n in place for place in places)))


def grounded(
    question: str,
    evidence: Sequence[Evidence],
    *,
    best_cosine: float | None = None,
    thresholds: Thresholds | None = None,
    parsed: Sequence[ParsedEvidence] | None = None,
    query: Query | None = None,
) -> Grounding:
    """Whether ``evidence`` supports ``question`` (``ok``) and the score that decided it.

    The cosine is the best of ``best_cosine`` (a sentence's) and the evidence's
    ``similarity`` (a chunk's); without either, coverage carries both weights."""
    t = thresholds or Thresholds()
    if not evidence:
        return Grounding(ok=False, score=0.0, cosine=best_cosine, coverage=0.0)
    query = query or query_of(question)
    parsed = parsed or [parse_evidence(e.text, e.kind, e.heading) for e in evidence]
    cover = coverage(query, parsed)
    found, missing = _identifiers(query, parsed)
    similar = [e.similarity for e in evidence if e.similarity is not None]
    if similar:
        best_cosine = max([*similar, best_cosine or -1.0])
    if best_cosine is None:
        value, minimum = cover, t.words_minimum
    else:
        value = t.cosine_weight * max(best_cosine, 0.0) + t.coverage_weight * cover
        minimum = t.minimum
    value += t.found_bonus * (found > 0) - t.missing_penalty * (missing > 0 and found == 0)
    unknown = _unknown_names(query, evidence, parsed)
    return Grounding(
        ok=value >= minimum and not unknown,
        score=round(value, 4),
        cosine=best_cosine,
        coverage=round(cover, 4),
        identifiers_found=found,
        identifiers_missing=missing,
        unknown_names=unknown,
    )


def abstention(
    question: str,
    *,
    collections: Sequence[str],
    closest: Sequence[Evidence] = (),
    docs_cache: bool = False,
    language: Language | None = None,
    limit: int = 3,
    unknown: Sequence[str] = (),
) -> str:
    """The answer when nothing indexed supports the question (template ``answer_abstain``);
    ``unknown``: the names it asks about that nothing indexed mentions (lower-cased)."""
    named = [w for w in dict.fromkeys(re.findall(r"[\w-]+", question)) if w.lower() in unknown]
    titles: list[dict[str, str]] = []
    for e in closest:
        if all(t["source"] != e.source for t in titles):
            titles.append({"title": e.title or e.heading or e.source, "source": e.source})
    return prompts.render(
        "answer_abstain",
        language=language or language_of(question),
        collections=list(collections),
        docs_cache=docs_cache,
        closest=titles[:limit],
        unknown=named,
    )
