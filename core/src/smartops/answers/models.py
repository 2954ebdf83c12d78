"""The typed values between the answer stages: evidence in, an extract or a check out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["doc", "runbook", "alert_rule"]
Language = Literal["en", "ru"]
FindingKind = Literal["command", "flag", "name", "key", "number", "instruction"]


@dataclass(frozen=True)
class Evidence:
    """One retrieved or cached piece of documentation, as the answer stages see it.

    ``score`` is what ranked it (a hybrid retrieval score, a docs-cache similarity) or
    None; ``similarity`` the cosine of its vector to the query's when known (a vector
    search's score, a docs-cache similarity). ``kind`` says how to read ``text`` (an
    ``alert_rule`` is the text that ``knowledge.alert_rules.alert_text`` writes).
    """

    text: str
    source: str
    title: str = ""
    heading: str = ""
    url: str = ""
    score: float | None = None
    kind: Kind = "doc"
    similarity: float | None = None


@dataclass(frozen=True)
class Sentence:
    """A unit of evidence (a sentence, a list item or a code block) and its scores."""

    text: str
    evidence: int
    position: int
    unit: Literal["prose", "item", "code"]
    lexical: float = 0.0
    cosine: float | None = None
    score: float = 0.0


@dataclass(frozen=True)
class AlertFacts:
    """What an alerting rule says: its expression, ``for``, severity and thresholds."""

    name: str
    expr: str
    for_: str = ""
    severity: str = ""
    group: str = ""
    summary: str = ""
    description: str = ""
    runbook_url: str = ""
    thresholds: tuple[str, ...] = ()
    evidence: int = 0


@dataclass(frozen=True)
class Citation:
    """A numbered source of the answer: file, heading and link."""

    n: int
    source: str
    title: str
    heading: str
    url: str


@dataclass(frozen=True)
class Grounding:
    """Whether the evidence supports the question, and the signals that say so."""

    ok: bool
    score: float
    cosine: float | None
    coverage: float
    identifiers_found: int = 0
    identifiers_missing: int = 0
    # Names the question asks about that no evidence mentions (Terraform, Vault): the
    # question is about something not indexed, whatever the other signals say.
    unknown_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extract:
    """The extractive answer: chosen sentences, commands, values, alert facts, citations.

    ``markdown`` is the composed answer (``compose.render_extract``); when ``grounding.ok``
    is False it is empty and the caller shows an abstention instead.
    """

    question: str
    language: Language
    lead: tuple[Sentence, ...]
    details: tuple[str, ...]
    commands: tuple[str, ...]
    values: tuple[str, ...]
    code: str
    alert: AlertFacts | None
    citations: tuple[Citation, ...]
    grounding: Grounding
    markdown: str = ""
    ms: float = 0.0
    cited: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class Finding:
    """One thing a model wrote that the evidence and the conversation do not contain."""

    kind: FindingKind
    text: str
    action: Literal["removed", "marked"]
    destructive: bool = False


@dataclass(frozen=True)
class Checked:
    """A checked model answer: its text after removals and marks, and what was found."""

    text: str
    findings: tuple[Finding, ...] = ()

    @property
    def unverified(self) -> int:
        return len(self.findings)

    @property
    def removed(self) -> int:
        return sum(1 for f in self.findings if f.action == "removed")

    @property
    def destructive(self) -> int:
        return sum(1 for f in self.findings if f.destructive)

    def counts(self) -> dict[str, int]:
        """Findings per kind (the ``kind`` label of ``smartops_synthesis_unverified_total``)."""
        out: dict[str, int] = {}
        for finding in self.findings:
            out[finding.kind] = out.get(finding.kind, 0) + 1
        return out
