"""The extract as markdown (template ``answer_extract``), and a citation list alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from smartops import prompts
from smartops.answers.clean import clean_markdown
from smartops.answers.models import Citation, Extract


def _number(extract: Extract, evidence: int) -> int:
    return extract.cited.index(evidence) + 1 if evidence in extract.cited else 0


def _sentence(text: str) -> str:
    text = clean_markdown(text).strip()
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ":", "`", "…")) else text + "."


def lead_text(extract: Extract) -> str:
    """The lead sentences; a citation number (``[1]``) closes each run from one source."""
    parts: list[str] = []
    lead = extract.lead
    for n, sentence in enumerate(lead):
        text = _sentence(sentence.text)
        following = lead[n + 1].evidence if n + 1 < len(lead) else None
        number = _number(extract, sentence.evidence)
        if number and following != sentence.evidence:
            text = f"{text.rstrip(':')} [{number}]" + (":" if text.endswith(":") else "")
        parts.append(text)
    return " ".join(parts)


def clean_citation(citation: Citation) -> Citation:
    return replace(
        citation, heading=clean_markdown(citation.heading), title=clean_markdown(citation.title)
    )


def render_extract(extract: Extract, *, citations: bool = True) -> str:
    """The extract's markdown; ``citations=False`` leaves the Sources list to the caller."""
    alert = extract.alert
    return prompts.render(
        "answer_extract",
        language=extract.language,
        lead=lead_text(extract),
        details=[clean_markdown(d) for d in extract.details],
        alert=alert,
        alert_n=_number(extract, alert.evidence) if alert else 0,
        commands=list(extract.commands),
        values=list(extract.values),
        code=extract.code,
        citations=[clean_citation(c) for c in extract.citations] if citations else [],
    )


def render_citations(citations: Sequence[Citation], language: str = "en") -> str:
    """Just the numbered sources (file, heading, link)."""
    return prompts.render(
        "answer_sources", language=language, citations=[clean_citation(c) for c in citations]
    )
