"""Choosing what the extract shows: the lead, its list or fields, commands, values, code."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from smartops.answers import score as sc
from smartops.answers.models import AlertFacts
from smartops.answers.parse import Parsed, ParsedEvidence
from smartops.answers.terms import is_command, name_spans, name_terms

_WANTS_CODE = re.compile(
    r"\b(example|yaml|manifest|spec|snippet|syntax|write|define)\b|пример|манифест",
    re.I,
)
_FIELD_ONLY = re.compile(r"^\*\*[^*]+:\*\*\s*$")  # a field with nothing after it
_SPAN = re.compile(r"`([^`\n]+)`")
MAX_DETAIL_CHARS = 160
MIN_CODE_MATCH = 0.4  # the share of the question's terms a code block must show (code_match)


@dataclass(frozen=True)
class Scored:
    evidence: int
    unit: Parsed
    lexical: float
    cosine: float | None
    score: float


def best_first(scored: Sequence[Scored]) -> list[Scored]:
    return sorted(scored, key=lambda s: -s.score)


def pick_lead(ranked: Sequence[Scored], max_lead: int, max_chars: int) -> list[Scored]:
    """Up to ``max_lead`` strong, distinct units within ``max_chars``, in reading order."""
    lead: list[Scored] = []
    chars = 0
    for item in ranked:
        if len(lead) >= max_lead or (lead and item.score < 0.6 * lead[0].score):
            break
        if any(sc.jaccard(item.unit.terms, other.unit.terms) > 0.6 for other in lead):
            continue
        size = len(item.unit.piece.text)
        if lead and chars + size > max_chars:
            continue
        lead.append(item)
        chars += size
    return sorted(lead, key=lambda s: (s.evidence, s.unit.piece.position))


def without_summary(
    ranked: Sequence[Scored], alert: AlertFacts | None, others: frozenset[int] = frozenset()
) -> list[Scored]:
    """The units, less the shown alert rule's summary (the rule's block states it, so the
    lead leaves room for what the runbook and the docs add) and less ``others``: the
    evidence of the other alert rules when the question names the shown one (another
    alert's description is no answer about this one)."""
    if alert is None:
        return list(ranked)
    return [
        s
        for s in ranked
        if s.evidence not in others
        and not (s.evidence == alert.evidence and s.unit.piece.position == 0 and alert.summary)
    ]


def prose_first(ranked: Sequence[Scored]) -> list[Scored]:
    """The units less definition-list fields (``**Default:** `30s```), which the details
    show as a list; the fields alone when nothing else is there."""
    prose = [s for s in ranked if not sc.is_field(s.unit)]
    return prose or list(ranked)


def _short(text: str) -> str:
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1].rstrip() + "…"


def field_run(units: Sequence[Parsed], n: int) -> list[Parsed]:
    """The definition list (consecutive fields) that holds field ``n``."""
    start = n
    while start > 0 and sc.is_field(units[start - 1]):
        start -= 1
    end = n
    while end + 1 < len(units) and sc.is_field(units[end + 1]):
        end += 1
    return list(units[start : end + 1])


def _run_match(run: Sequence[Parsed], query: sc.Query) -> tuple[int, int]:
    """How well a definition list matches: the question's terms in the whole list, then
    in its first field (the one that names the setting)."""
    wanted = set(query.terms)
    whole = set().union(*(u.terms for u in run)) & wanted
    return len(whole), len(set(run[0].terms) & wanted)


def details(
    lead: Sequence[Scored],
    ranked: Sequence[Scored],
    parsed: Sequence[ParsedEvidence],
    query: sc.Query,
) -> tuple[list[str], int]:
    """The list a lead sentence introduces, else the definition list (``**Default:**
    ...``) that matches the question best among those holding a lead or strong field;
    and the evidence they come from (-1: none)."""
    for item in best_first(lead):
        if sc.is_field(item.unit):
            continue
        items = parsed[item.evidence].introduced(item.unit.piece.position)
        if items:
            units = parsed[item.evidence].units
            return [_short(units[n].piece.text) for n in items[:6]], item.evidence
    top = ranked[0].score if ranked else 0.0
    runs: dict[tuple[int, int], list[Parsed]] = {}
    for item in [*lead, *ranked[:10]]:
        if sc.is_field(item.unit) and item.score >= 0.5 * top:
            run = field_run(parsed[item.evidence].units, item.unit.piece.position)
            runs.setdefault((item.evidence, run[0].piece.position), run)
    if not runs:
        return [], -1
    best = max(runs, key=lambda key: _run_match(runs[key], query))
    shown = [u for u in runs[best] if not _FIELD_ONLY.match(u.piece.text)]
    return [_short(u.piece.text) for u in shown[:6]], best[0]


def commands(
    lead: Sequence[Scored],
    ranked: Sequence[Scored],
    parsed: Sequence[ParsedEvidence],
    query: sc.Query,
) -> list[tuple[str, int]]:
    """(command, evidence): the lead's, the best units', then the code blocks that match
    the question best (``code_match``) across the evidence."""
    out: dict[str, int] = {}
    for item in [*lead, *ranked[:8]]:
        for command in item.unit.commands:
            out.setdefault(command, item.evidence)
    order = {i: rank for rank, i in enumerate(dict.fromkeys(s.evidence for s in ranked))}
    code = [
        (code_match(parsed[i], n, query) + 0.5 / (1 + order.get(i, len(parsed))), i, unit)
        for i, p in enumerate(parsed)
        for n, unit in enumerate(p.units)
        if unit.piece.unit == "code" and unit.commands and code_match(p, n, query) >= MIN_CODE_MATCH
    ]
    for _, i, unit in sorted(code, key=lambda c: -c[0]):
        for command in unit.commands[:2]:
            out.setdefault(command, i)
    return list(out.items())


def code_match(parsed: ParsedEvidence, n: int, query: sc.Query) -> float:
    """The share of the question's terms in a code block, the sentence that introduces it
    and its section's heading."""
    if not query.terms:
        return 0.0
    found = set(parsed.units[n].terms) | set(parsed.heading_terms)
    if n > 0 and parsed.units[n - 1].piece.unit != "code":
        found |= set(parsed.units[n - 1].terms)
    return sum(1 for t in query.terms if t in found) / len(query.terms)


def values(
    units: Sequence[Parsed], query: sc.Query, others: Sequence[Parsed] = (), settings: int = 2
) -> list[str]:
    """The settings of ``others`` (the strongest sections' code) that the question's words
    name, as ``key: value`` (at most ``settings``); then the units' inline-code names,
    flags and keys (not commands), new ones before ones the question already names; then
    the other names of ``others`` made of the question's words."""
    found: list[tuple[bool, int, str]] = []
    seen: set[str] = set()
    for unit in units:
        for match in _SPAN.finditer(unit.piece.text):
            raw = match.group(1).strip()
            key = raw.lower().strip(".,:;")
            if key in seen or not raw or len(raw) > 60 or is_command(raw):
                continue
            seen.add(key)
            found.append((key in query.idents, len(found), raw))
    named = config_lines([u for u in others if u.piece.unit == "code"], query)[:settings]
    shown = {line.split(":", 1)[0].lower() for line in named}
    inline = [raw for _, _, raw in sorted(found) if raw.lower() not in shown]
    return named + inline + matching_names(others, query, seen | shown)


def matching_names(units: Sequence[Parsed], query: sc.Query, seen: set[str]) -> list[str]:
    """The names in ``units`` made of the question's words, most shared first."""
    shared: dict[str, int] = {}
    for unit in units:
        for name in name_spans(unit.piece.text):
            if name.lower() not in seen and not is_command(name) and len(name) <= 60:
                count = len(name_terms(name) & query.terms.keys())
                if count:
                    shared[name] = max(count, shared.get(name, 0))
    return sorted(shared, key=lambda n: -shared[n])


_SETTING = re.compile(r"^\s*(?:-\s+)?([A-Za-z][\w.\-/]*)\s*:\s+(\S[^#]*?)\s*$")
_KEY_LINE = re.compile(r"^\s*(?:-\s+)?[A-Za-z][\w.\-/]*:(?:\s|$)")
_GENERIC_KEYS = frozenset(
    {"name", "kind", "apiversion", "namespace", "image", "type", "value", "key", "path", "uri"}
)


def config_lines(code: Sequence[Parsed], query: sc.Query) -> list[str]:
    """``key: value`` lines of YAML code whose key or value is made of the question's
    words (``canaryTrafficPercent: 10`` for "send part of the traffic"), most shared first."""
    scored: dict[str, int] = {}
    for unit in code:
        lines = unit.piece.text.splitlines()
        if sum(1 for line in lines if _KEY_LINE.match(line)) < 2:
            continue  # not YAML: a shell session or a usage line ("usage: prometheus ...")
        for line in lines:
            match = _SETTING.match(line)
            if not match or match.group(1).lower() in _GENERIC_KEYS:
                continue
            key, value = match.group(1), match.group(2).strip("'\"")
            shared = len((name_terms(key) | name_terms(value)) & query.terms.keys())
            text = f"{key}: {value}"
            if shared and len(text) <= 80:
                scored[text] = max(shared, scored.get(text, 0))
    return sorted(scored, key=lambda t: -scored[t])


def introduced_code(
    lead: Sequence[Scored], parsed: Sequence[ParsedEvidence], max_lines: int
) -> tuple[str, int]:
    """The code block a lead sentence introduces ("... in the spec:"), and its evidence."""
    for item in best_first(lead):
        n = parsed[item.evidence].code_after(item.unit.piece.position, max_lines)
        if n >= 0 and not parsed[item.evidence].units[n].commands:  # commands: shown apart
            piece = parsed[item.evidence].units[n].piece
            return f"```{piece.lang}\n{piece.text}\n```", item.evidence
    return "", -1


def code_block(
    query: sc.Query, parsed: Sequence[ParsedEvidence], top: Sequence[int], max_lines: int
) -> tuple[str, int]:
    """A code block from the best sections when the question asks for an example."""
    if not _WANTS_CODE.search(query.text):
        return "", -1
    best: tuple[float, str, int] = (0.0, "", -1)
    for rank, i in enumerate(top[:3]):
        for unit in parsed[i].units:
            lines = unit.piece.text.splitlines()
            if unit.piece.unit != "code" or unit.piece.lang == "promql" or len(lines) > max_lines:
                continue
            overlap = sum(1 for t in query.terms if unit.terms[t]) + 0.5 / (1 + rank)
            if overlap > best[0]:
                best = (overlap, f"```{unit.piece.lang}\n{unit.piece.text}\n```", i)
    return best[1], best[2]
