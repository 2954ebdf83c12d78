"""The extractive answer: the evidence's best sentences, commands, values and alert facts.

``extract`` scores every unit of the evidence (sentence, list item, table row) by words
(BM25 over the units, identifiers), by where it sits (its evidence's rank, a heading
that names the question's intent or words, the kind of answer the question wants) and,
where vectors are known, by meaning (cosine to the query vector). It picks a lead of one
to three sentences, the list or fields they introduce, the commands and values they and
the best sections name, a code block when the question asks for an example, and the
alert rule's facts for an alert question; then decides whether the evidence supports the
question (``abstain.grounded``) and composes the markdown (``compose.render_extract``).

Sentence vectors come from ``vectors`` (an LRU, warmed ahead of time); at most
``Options.embed_candidates`` missing ones are embedded per question (0 by default: on
2 cores embedding costs about 10 ms a sentence, and sentence cosines changed 2 of 76
dev answers).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from smartops.answers import score as sc
from smartops.answers import select
from smartops.answers.abstain import Thresholds, grounded
from smartops.answers.alerts import alert_for, other_rules
from smartops.answers.compose import render_extract
from smartops.answers.language import language_of
from smartops.answers.models import Citation, Evidence, Extract, Sentence
from smartops.answers.parse import ParsedEvidence, parse_evidence
from smartops.answers.vectors import Embed, SentenceVectors


@dataclass(frozen=True)
class Options:
    """How much the extract shows, and how many units it may embed per question."""

    max_lead: int = 3
    lead_chars: int = 480
    max_commands: int = 4
    max_values: int = 6
    value_units: int = 6
    value_sections: int = 4  # whose names made of the question's words are values too
    embed_candidates: int = 0
    code_lines: int = 24
    intro_code_lines: int = 24
    thresholds: Thresholds = field(default_factory=Thresholds)


SECTION_WEIGHT = 0.2


def _prior(rank: int, evidence: Evidence) -> float:
    return 0.12 / (1 + rank) + (0.03 if evidence.kind != "doc" else 0.0)


def _score_all(
    query: sc.Query,
    query_vector: np.ndarray | None,
    evidence: Sequence[Evidence],
    parsed: Sequence[ParsedEvidence],
    embed: Embed | None,
    vectors: SentenceVectors | None,
    options: Options,
) -> list[select.Scored]:
    prose = [(i, u) for i, p in enumerate(parsed) for u in p.units if u.piece.unit != "code"]
    idf = sc.idf_table([u for _, u in prose], query)
    avg = sum(u.words for _, u in prose) / max(len(prose), 1)
    total = sum(idf.values()) or 1.0
    section = [
        sum(w for t, w in idf.items() if any(t in u.terms for u in p.units) or t in p.heading_terms)
        / total
        for p in parsed
    ]
    headings = [sc.heading_bonus(e.heading, query, idf) for e in evidence]
    base: list[tuple[int, float, float]] = []
    for i, unit in prose:
        n = unit.piece.position
        intro = (
            bool(parsed[i].introduced(n)) or parsed[i].code_after(n, options.intro_code_lines) >= 0
        )
        prior = (
            _prior(i, evidence[i])
            + SECTION_WEIGHT * section[i]
            + headings[i]
            + sc.ident_bonus(unit, query)
            + sc.pair_bonus(unit, query)
            + sc.wants_bonus(unit, query, intro)
            - sc.shape_penalty(unit, intro)
        )
        base.append((i, sc.lexical(unit, query, idf, avg), prior))
    texts = [u.piece.text for _, u in prose]
    cos = _cosines(
        texts, [0.75 * lex + p for _, lex, p in base], query_vector, embed, vectors, options
    )
    return [
        select.Scored(i, unit, lex, c, sc.combine(lex, c, prior))
        for (i, unit), (_, lex, prior), c in zip(prose, base, cos, strict=True)
    ]


def _cosines(
    texts: list[str],
    rough: list[float],
    query_vector: np.ndarray | None,
    embed: Embed | None,
    vectors: SentenceVectors | None,
    options: Options,
) -> list[float | None]:
    """Cosines for cached units and for the best ``embed_candidates`` (one batch)."""
    if query_vector is None or vectors is None or not texts:
        return [None] * len(texts)
    found = vectors.cached(texts)
    order = sorted(range(len(texts)), key=lambda n: -rough[n])[: options.embed_candidates]
    wanted = [n for n in order if found[n] is None]
    if wanted and embed is not None:
        for n, vector in zip(
            wanted, vectors.vectors([texts[n] for n in wanted], embed), strict=True
        ):
            found[n] = vector
    if all(v is None for v in found):
        return [None] * len(texts)
    return sc.cosines(found, query_vector)


def extract(
    question: str,
    query_vector: np.ndarray | None,
    evidence: Sequence[Evidence],
    embed: Embed | None = None,
    *,
    vectors: SentenceVectors | None = None,
    options: Options | None = None,
) -> Extract:
    """The extractive answer to ``question`` from ``evidence`` (best first)."""
    started = time.perf_counter()
    options = options or Options()
    query = sc.query_of(question)
    parsed = [parse_evidence(e.text, e.kind, e.heading) for e in evidence]
    ranked = select.best_first(
        _score_all(query, query_vector, evidence, parsed, embed, vectors, options)
    )
    order = list(dict.fromkeys(s.evidence for s in ranked)) or list(range(len(evidence)))
    alert = alert_for(question, evidence, order)
    others = other_rules(question, evidence, alert)
    lead = select.pick_lead(
        select.prose_first(select.without_summary(ranked, alert, others)),
        options.max_lead,
        options.lead_chars,
    )
    detail, detail_from = select.details(lead, ranked, parsed, query)
    commands = select.commands(lead, ranked, parsed, query)[: options.max_commands]
    units = [s.unit for s in lead] + [s.unit for s in ranked[: options.value_units]]
    strongest = [u for i in order[: options.value_sections] for u in parsed[i].units]
    values = select.values(units, query, strongest)[: options.max_values]
    code, code_from = select.code_block(query, parsed, order, options.code_lines)
    if not code:
        code, code_from = select.introduced_code(lead, parsed, options.intro_code_lines)
    used = [s.evidence for s in lead] + [detail_from, code_from]
    used += ([alert.evidence] if alert else []) + [i for _, i in commands]
    cited = [i for i in dict.fromkeys(used) if i >= 0]
    best_cos = max((s.cosine for s in ranked if s.cosine is not None), default=None)
    result = Extract(
        question=question,
        language=language_of(question),
        lead=tuple(
            Sentence(
                s.unit.piece.text,
                s.evidence,
                s.unit.piece.position,
                s.unit.piece.unit,
                s.lexical,
                s.cosine,
                s.score,
            )
            for s in lead
        ),
        details=tuple(detail),
        commands=tuple(c for c, _ in commands),
        values=tuple(values),
        code=code,
        alert=alert,
        citations=tuple(
            Citation(n, evidence[i].source, evidence[i].title, evidence[i].heading, evidence[i].url)
            for n, i in enumerate(cited, start=1)
        ),
        grounding=grounded(
            question,
            evidence,
            best_cosine=best_cos,
            thresholds=options.thresholds,
            parsed=parsed,
            query=query,
        ),
        cited=tuple(cited),
    )
    markdown = render_extract(result) if result.grounding.ok else ""
    return replace(result, markdown=markdown, ms=(time.perf_counter() - started) * 1e3)
