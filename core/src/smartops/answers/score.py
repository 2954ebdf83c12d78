"""Scoring units against a question: by words (BM25 over the units), by meaning (cosine
to the query vector), by where they sit (rank of their evidence, the section's heading)."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from smartops.answers.parse import Parsed
from smartops.answers.terms import content_terms, identifiers, proper_names
from smartops.knowledge.query_profile import profile

K1, B = 1.2, 0.75
INTENTS: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {
    "meaning": (
        re.compile(
            r"\b(what (is|are|does)|mean|means|meaning|explain|purpose)\b|что (такое|значит|"
            r"означает)|означа|зачем",
            re.I,
        ),
        ("meaning", "overview", "what is", "about", "introduction", "concept"),
    ),
    "fix": (
        re.compile(
            r"\b(fix|mitigat\w*|resolve|solve|remedy|recover|stop)\b|"
            r"исправ|устран|почин|что делать",
            re.I,
        ),
        ("mitigation", "resolution", "fix", "solution", "recover"),
    ),
    "diagnose": (
        re.compile(
            r"\b(diagnos\w*|debug\w*|troubleshoot\w*|investigat\w*|check|why|cause|"
            r"where (do|can|should) (i|we) (see|find|look))\b|"
            r"диагност|провер|почему|причин|отлад",
            re.I,
        ),
        ("diagnosis", "debug", "troubleshoot", "check", "investigat"),
    ),
    "impact": (
        re.compile(r"\b(impact|affect\w*|consequence\w*|break)\b|влия|последств|чем грозит", re.I),
        ("impact",),
    ),
}


# What kind of answer a question wants: a number, a command, a key, or a list of values.
WANTS: dict[str, re.Pattern[str]] = {
    "number": re.compile(
        r"\b(how (long|often|many|much|big|large|far)|default|maximum|minimum|limit|size|"
        r"percentage|percent|threshold|interval|timeout|duration|ratio)\b|сколько|как часто|"
        r"по умолчанию|максимальн|минимальн|предел|порог|размер|как долго",
        re.I,
    ),
    "command": re.compile(
        r"\b(command|commands|cli|how (do|can|should) i|which .*command)\b|команд|"
        r"как (посмотреть|проверить|вывести|откатить|создать|запустить|удалить|протестировать)",
        re.I,
    ),
    "key": re.compile(
        r"\b(annotation|flag|field|fields|key|setting|settings|parameter|option|label|"
        r"variable|suffix|endpoint|path|metric|metrics|expression)\b|аннотац|флаг|ключ|"
        r"параметр|настройк|переменн|выражени|метрик",
        re.I,
    ),
    "list": re.compile(
        r"\b(which|what)\b(\s+\S+){0,4}\s+(values|modes|levels|types|kinds|classes|effects|"
        r"policies|options|states|phases|nodes|signals|methods|settings)\b|\b(exist|support)\b|"
        r"какие",
        re.I,
    ),
}
# A yes/no question ("Should I ...?", "Can ... be ...?", "Можно ли ...?") is answered by
# a statement that says yes or no and when: a modal, a negation, a condition.
_YES_NO = re.compile(
    r"^\s*(should|shall|can|could|is|are|does|do|did|will|would|may|must|has|have)\b|"
    r"\b(можно|нужно|надо|стоит|следует|должен|должна|должны)\s+ли\b|\bли\b",
    re.I,
)
_VERDICT = re.compile(
    r"\b(not|never|cannot|can't|shouldn't|should|must|mustn't|don't|doesn't|isn't|aren't|"
    r"won't|unless|only|avoid|recommended|rarely|no longer)\b|n't\b",
    re.I,
)
_NUMBER = re.compile(
    r"\b\d+(\.\d+)?\s?(%|ms|s|m|h|d|w|mi|gi|mib|gib|seconds?|minutes?|hours?|days?|"
    r"replicas|pods)?\b|\bdefaults? (to|is)\b",
    re.I,
)
# A quantity: a number with its unit ("15 seconds", "30s", "1 MiB", "5m", "80%").
_QUANTITY = re.compile(
    r"\b\d+(\.\d+)?\s?(%|ms|s|m|h|d|w|mi|gi|ki|mib|gib|kib|mb|gb|kb|seconds?|minutes?|"
    r"hours?|days?|weeks?|bytes?)(?![\w-])",
    re.I,
)
_DEFAULT = re.compile(r"\bdefault|по умолчанию|дефолт", re.I)
_FIELD = re.compile(r"^\*\*[^*]{2,40}:\*\*")


@dataclass(frozen=True)
class Query:
    """The question as matching needs it."""

    text: str
    terms: Counter[str]
    idents: frozenset[str]
    intents: tuple[str, ...]
    lower: str
    wants: tuple[str, ...] = ()
    pairs: frozenset[tuple[str, str]] = frozenset()
    names: frozenset[str] = frozenset()  # product names it names (``proper_names``)


def query_of(question: str) -> Query:
    """The question's terms (a Russian one's through its English glossary words), its
    identifiers, what it asks (meaning, fix, diagnose, impact) and what answer it wants."""
    english = profile(question).semantic
    both = f"{question}\n{english}" if english != question else question
    ordered = content_terms(english)
    return Query(
        text=both,
        terms=Counter(ordered),
        idents=frozenset(identifiers(question)),
        intents=tuple(n for n, (pattern, _) in INTENTS.items() if pattern.search(both)),
        lower=question.lower(),
        wants=tuple(name for name, pattern in WANTS.items() if pattern.search(both))
        + (("yesno",) if _YES_NO.search(question) else ()),
        pairs=frozenset(itertools.pairwise(ordered)),
        names=frozenset(proper_names(question)),
    )


def is_field(unit: Parsed) -> bool:
    """A definition-list item: ``**Default:** `30s```."""
    return bool(_FIELD.match(unit.piece.text))


def wants_bonus(unit: Parsed, query: Query, intro: bool) -> float:
    """The unit holds the kind of answer the question wants (a number, a command...)."""
    text = unit.piece.text
    bonus = 0.0
    if "number" in query.wants and _NUMBER.search(text):
        bonus += 0.1 + (0.06 if _QUANTITY.search(text) else 0.0)
        if _DEFAULT.search(query.lower) and _DEFAULT.search(text):
            bonus += 0.1
    if "command" in query.wants and unit.commands:
        bonus += 0.1
    if "key" in query.wants and any(c in i for i in unit.idents for c in "./-_"):
        bonus += 0.06
    if "yesno" in query.wants and _VERDICT.search(text):
        bonus += 0.1
    if "list" in query.wants and (intro or text.count("`") >= 4):
        bonus += 0.1
    return bonus


def idf_table(units: Sequence[Parsed], query: Query) -> dict[str, float]:
    """Smoothed idf of each query term over the units (never below a small floor)."""
    n = max(len(units), 1)
    out: dict[str, float] = {}
    for term in query.terms:
        df = sum(1 for u in units if term in u.terms)
        out[term] = max(math.log1p((n - df + 0.5) / (df + 0.5)), 0.1)
    return out


def lexical(unit: Parsed, query: Query, idf: dict[str, float], avg_words: float) -> float:
    """BM25 of the unit for the query, divided by the query's total idf (about 0..1)."""
    total = sum(idf.values()) or 1.0
    norm = K1 * (1 - B + B * unit.words / max(avg_words, 1.0))
    score = 0.0
    for term, weight in idf.items():
        tf = unit.terms.get(term, 0)
        if tf:
            score += weight * tf * (K1 + 1) / (tf + norm)
    return score / total


def pair_bonus(unit: Parsed, query: Query) -> float:
    """Adjacent question words adjacent in the unit too ("grace period", "dead letter")."""
    return 0.08 * min(len(unit.pairs & query.pairs), 3)


def ident_bonus(unit: Parsed, query: Query) -> float:
    if not query.idents:
        return 0.0
    text = unit.piece.text.lower()
    return 0.12 * min(sum(1 for i in query.idents if i in unit.idents or i in text), 2)


def heading_bonus(heading: str, query: Query, idf: dict[str, float]) -> float:
    """A section whose heading names the question's intent (Meaning, Mitigation...), or
    whose own heading covers the question's rarer words."""
    last = heading.rsplit(">", 1)[-1].strip().lower()
    bonus = 0.0
    for intent in query.intents:
        if any(word in last for word in INTENTS[intent][1]):
            bonus += 0.2
    own = set(content_terms(last))
    total = sum(idf.values())
    if own and total:
        covered = sum(w for t, w in idf.items() if t in own) / total
        precise = len(own & set(idf)) / len(own)
        bonus += 0.3 * covered * precise
    return bonus


def shape_penalty(unit: Parsed, intro: bool) -> float:
    """Fragments read badly as an answer: too short, a dangling introduction, a link."""
    text = unit.piece.text
    penalty = 0.0
    if unit.words < 4:
        penalty += 0.3
    if text.rstrip().endswith(":") and not unit.commands and not intro:
        penalty += 0.12
    if is_field(unit):
        penalty += 0.08
    if text.lower().startswith(("see ", "for more", "refer to", "read more", "learn more")):
        penalty += 0.2
    if unit.words > 70:
        penalty += 0.1
    return penalty


def cosines(
    vectors: Sequence[np.ndarray | None], query_vector: np.ndarray | None
) -> list[float | None]:
    if query_vector is None:
        return [None] * len(vectors)
    q = np.asarray(query_vector, dtype=np.float32)
    return [None if v is None else float(v @ q) for v in vectors]


def combine(lex: float, cosine: float | None, prior: float) -> float:
    """One score: meaning and words together when both are known, words alone otherwise."""
    if cosine is None:
        return 0.75 * lex + prior
    return 0.5 * max(cosine, 0.0) + 0.4 * lex + prior


def jaccard(a: Counter[str], b: Counter[str]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / max(len(sa | sb), 1)
