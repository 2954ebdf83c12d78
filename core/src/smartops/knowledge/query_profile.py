"""What a question asks for, read from its words: identifiers, language, document type.

- **Identifiers**: CamelCase names (alert names such as ``KubePodCrashLooping``, kinds
  such as ``PodDisruptionBudget``), snake_case metric names and ``--flags``. A question
  that names one wants the document with that name: lexical search is the better judge.
- **Definition**: the alert's metric, expression, threshold, ``for`` or severity: the
  alert-rule document answers it. A weak cue (rule, fires, triggers) is enough when the
  question names an identifier and does not ask what to do.
- **Remediation**: what it means, what to do, how to fix or diagnose: the runbook.
  Both may be asked at once.

Russian questions are read through their English glossary words (``query_expand``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from smartops.knowledge.phrasal import plain
from smartops.knowledge.query_expand import expand, is_russian

# CamelCase: a lower-case letter or digit followed by a capital somewhere inside.
_CAMEL = re.compile(r"\b[A-Za-z][A-Za-z0-9]*[a-z0-9][A-Z][A-Za-z0-9]*\b")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_FLAG = re.compile(r"(?<![\w-])--[a-z][\w.-]*[a-z0-9]")
# Cue phrases and their weights; a side is asked for when its cues add up to 2 or more.
_DEFINITION = (
    (2, r"thresholds?|expr|expressions?|severity|cut-?off|computed?|calculated?|for: ?"),
    (2, r"(which|what) (kube-state-metrics |kubelet |prometheus )?(metrics?|series|counter)"),
    (2, r"at what (\w+ ){0,2}(ratio|percentage|rate|value|ttl|fraction|level)"),
    (
        2,
        r"what (ratio|percentage|fraction|rate|error rate)|how long\b.{0,60}\b(fire|fires|pending)",
    ),
    (2, r"rule definition|alerting rule|(which|what|the) (alert|rule)( that)?|is there a rule"),
    (2, r"(which|what) [\w-]+ (ratio|percentage|threshold)"),
    (1, r"rules?|alert|fires?|firing|triggers?|conditions?|defined|definition|labels?|percentage"),
)
_REMEDIATION = (
    (2, r"fix|fixes|fixing|resolve|resolution|mitigat\w*|troubleshoot\w*|diagnos\w*|investigat\w*"),
    (
        2,
        r"remedy|runbook|repair|replace|recover|handle|impact"
        r"|what (should|can|do) (i|we) (do|check)",
    ),
    (
        2,
        r"what to do|where (do|should) (i|we) look|what (could|can|might) cause|what does \S+ mean",
    ),
    (1, r"check|cause[sd]?|why|steps|broken|stuck|what is going on"),
)
# Questions about writing or testing rules in general, not about one alert's definition.
_GENERAL_RULES = re.compile(r"\b(recording rules?|unit tests?|promtool|write|define|create)\b")


@dataclass(frozen=True)
class QueryProfile:
    """The features of one question that ranking uses."""

    text: str  # the question as asked
    lexical: str  # what lexical search matches: with English words for Russian ones
    semantic: str  # what the embedder should read (English words for a Russian question)
    russian: bool
    identifiers: tuple[str, ...]  # as written
    definition: bool
    remediation: bool

    @property
    def wants_alert_rule(self) -> bool:
        return self.definition

    @property
    def wants_runbook(self) -> bool:
        return self.remediation


def _score(text: str, cues: tuple[tuple[int, str], ...]) -> int:
    return sum(weight * len(re.findall(rf"\b(?:{pattern})\b", text)) for weight, pattern in cues)


def identifiers(text: str) -> tuple[str, ...]:
    """CamelCase names, snake_case names and --flags, in order, without repeats."""
    found: list[str] = []
    for pattern in (_CAMEL, _SNAKE, _FLAG):
        found.extend(m for m in pattern.findall(text) if m not in found)
    return tuple(found)


def profile(question: str) -> QueryProfile:
    """Read a question (see the module docstring)."""
    russian = is_russian(question)
    english = plain(expand(question) if russian else question)
    lower = english.lower()
    names = identifiers(question)
    cues = 0 if _GENERAL_RULES.search(lower) else _score(lower, _DEFINITION)
    remediation = _score(lower, _REMEDIATION) >= 2
    # One weak cue ("rules", "fires", "triggers") is enough when the question names an
    # identifier and does not ask what to do: "the KubeAPIErrorBudgetBurn rules".
    definition = cues >= 2 or (cues >= 1 and bool(names) and not remediation)
    return QueryProfile(
        text=question,
        lexical=plain(expand(question, transliterated=True)) if russian else english,
        semantic=english,
        russian=russian,
        identifiers=names,
        definition=definition,
        remediation=remediation,
    )
