"""Evidence parsed once: cleaned units with their terms, commands and identifiers.

Parsing is a pure function of a piece of evidence's text and kind, so it is memoised
(bounded): the same sections come back question after question.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from smartops.answers.alerts import alert_facts
from smartops.answers.clean import clean_markdown
from smartops.answers.models import AlertFacts, Evidence, Kind
from smartops.answers.terms import code_spans, command_in, content_terms, identifiers
from smartops.answers.units import Piece, pieces
from smartops.knowledge.alert_rules import PLACEHOLDER

_CONTINUED = re.compile(r"\\\s*$")
_FOLLOWING = re.compile(r"\b(the following|as follows|shown below|below)\b", re.I)
_SHELL = ("", "bash", "sh", "shell", "console", "zsh", "terminal", "text")


@dataclass(frozen=True)
class Parsed:
    """A unit of evidence and what matching needs about it."""

    piece: Piece
    terms: Counter[str]
    idents: frozenset[str]
    commands: tuple[str, ...]
    words: int
    pairs: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class ParsedEvidence:
    """The units of one piece of evidence; ``lists[n]`` are the list items (or table
    rows) that unit ``n`` introduces (it ends with a colon), else ()."""

    units: tuple[Parsed, ...]
    heading_terms: frozenset[str]
    alert: AlertFacts | None
    text_lower: str
    idents: frozenset[str] = field(default_factory=frozenset)
    lists: tuple[tuple[int, ...], ...] = ()

    def intro(self, n: int) -> bool:
        return bool(self.lists and self.lists[n])

    def _closing(self, n: int) -> list[int]:
        """Unit ``n``, then the sentence after it when both are prose: a paragraph's
        closing sentence often introduces what follows ("... under `updatePolicy`:")."""
        out = [n]
        if n + 1 < len(self.units) and all(self.units[m].piece.unit == "prose" for m in (n, n + 1)):
            out.append(n + 1)
        return out

    def introduced(self, n: int) -> tuple[int, ...]:
        """The list items that unit ``n`` (or the sentence closing its paragraph) introduces."""
        for m in self._closing(n) if self.lists else ():
            if self.lists[m]:
                return self.lists[m]
        return ()

    def code_after(self, n: int, max_lines: int) -> int:
        """The code block (of at most ``max_lines``) that unit ``n`` or the sentence
        closing its paragraph introduces (ends with a colon, right before it); -1: none."""
        for m in self._closing(n):
            after = m + 1
            if (
                introduces(self.units[m].piece.text)
                and after < len(self.units)
                and self.units[after].piece.unit == "code"
                and len(self.units[after].piece.text.splitlines()) <= max_lines
            ):
                return after
        return -1


def introduces(text: str) -> bool:
    """A sentence that introduces what follows it: it ends with a colon, or it speaks of
    "the following" / "below"."""
    return text.rstrip().endswith(":") or bool(_FOLLOWING.search(text))


def code_commands(code: str, lang: str) -> list[str]:
    """The commands of a code block (shell blocks only; continued lines joined)."""
    if lang.lower() not in _SHELL:
        return []
    out: list[str] = []
    pending = ""
    for line in code.splitlines():
        if _CONTINUED.search(line):
            pending += _CONTINUED.sub(" ", line.strip())
            continue
        command = command_in(pending + line.strip())
        pending = ""
        if command:
            out.append(" ".join(command.split()))
    return out


def _parse(piece: Piece) -> Parsed:
    if piece.unit == "code":
        commands = code_commands(piece.text, piece.lang)
    else:
        commands = [command_in(span) for span in code_spans(piece.text)]
    ordered = content_terms(piece.text)
    return Parsed(
        piece=piece,
        terms=Counter(ordered),
        idents=frozenset(identifiers(piece.text)),
        commands=tuple(c for c in commands if c),
        words=len(piece.text.split()),
        pairs=frozenset(itertools.pairwise(ordered)),
    )


_TEMPLATE_VAR = re.compile(r"\{\{\s*\$(?:labels\.)?(\w+)[^}]*\}\}")
_TEMPLATE = re.compile(r"\{\{[^}]*\}\}")


def readable(text: str) -> str:
    """An alert annotation without Go templating: ``{{ $labels.pod }}`` becomes ``{pod}``
    (``smartops.knowledge.alert_rules.PLACEHOLDER``: never ``<pod>``, since chat clients
    read some angle-bracket words as markup, Open WebUI ``<reason>`` as a thinking block)."""
    return _TEMPLATE.sub("…", _TEMPLATE_VAR.sub(PLACEHOLDER, text))


def _lists(units: tuple[Parsed, ...]) -> tuple[tuple[int, ...], ...]:
    out: list[tuple[int, ...]] = []
    for n, unit in enumerate(units):
        items: list[int] = []
        if unit.piece.unit != "code" and introduces(unit.piece.text):
            for m in range(n + 1, min(len(units), n + 9)):
                if units[m].piece.unit != "item":
                    break
                items.append(m)
        out.append(tuple(items))
    return tuple(out)


def _alert_pieces(facts: AlertFacts) -> list[Piece]:
    texts = [readable(t) for t in (facts.summary, facts.description) if t]
    out = [Piece(t if t.endswith(".") else f"{t}.", "prose", n) for n, t in enumerate(texts)]
    if facts.expr:
        out.append(Piece(facts.expr, "code", len(out), "promql"))
    return out


@lru_cache(maxsize=4096)
def parse_evidence(text: str, kind: Kind, heading: str) -> ParsedEvidence:
    """The units of one piece of evidence (memoised on its text, kind and heading)."""
    facts = alert_facts(Evidence(text=text, source="", kind=kind)) if kind == "alert_rule" else None
    cleaned = clean_markdown(text) if facts is None else text
    units = tuple(_parse(p) for p in (_alert_pieces(facts) if facts else pieces(cleaned)))
    idents: set[str] = set()
    for unit in units:
        idents |= unit.idents
    return ParsedEvidence(
        units=units,
        heading_terms=frozenset(content_terms(clean_markdown(heading))),
        alert=facts,
        text_lower=f"{heading}\n{cleaned}".lower(),
        idents=frozenset(idents | identifiers(heading)),
        lists=_lists(units),
    )
